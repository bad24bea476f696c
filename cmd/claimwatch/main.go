// Command claimwatch watches the news for evidence about written predictions.
//
// This package is wiring only: flags, configuration, signals and exit codes.
// The machinery lives in internal/, the domain in claims/, SQLite in storage/.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"

	_ "time/tzdata" // cron time zones must work in a scratch image with no zoneinfo

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/safetext"
)

// Exit codes, documented in the README.
const (
	exitOK      = 0
	exitFailure = 1 // runtime failure: network, database, every source failed
	exitUsage   = 2 // bad usage or bad input: flags, claim files, config, ids, dates
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		// After the first signal starts a graceful stop, a second one kills
		// at once instead of waiting out the shutdown deadline.
		<-ctx.Done()
		stop()
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes one command line and returns the process exit code. Tests call
// it in-process with their own streams.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	a := newApp(stdin, stdout, stderr)
	defer a.close()
	root := a.rootCommand()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	if cmd == nil {
		cmd = root
	}
	code := exitCode(err)
	if !errors.Is(err, errSilent) {
		// An error may quote what a server or a file sent.
		fmt.Fprintf(stderr, "claimwatch: %s\n", safetext.Clean(err.Error()))
	}
	if code == exitUsage && isCobraUsage(err) {
		// The help of the command that was misused, not the root's list.
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	return code
}

// usageError marks bad usage or bad input: exit code 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return usageError{fmt.Errorf(format, args...)}
}

// asUsage marks err as bad input unless it is nil.
func asUsage(err error) error {
	if err == nil {
		return nil
	}
	return usageError{err}
}

// exitStatus carries an exit code chosen by a command that already reported
// its outcome (for example "all sources failed").
type exitStatus struct {
	code int
	err  error
}

func (e exitStatus) Error() string { return e.err.Error() }
func (e exitStatus) Unwrap() error { return e.err }

// errSilent is wrapped by errors whose message was already printed.
var errSilent = errors.New("already reported")

func exitCode(err error) int {
	var st exitStatus
	if errors.As(err, &st) {
		return st.code
	}
	var ue usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		return exitUsage
	}
	return exitFailure
}

// isCobraUsage recognises cobra's own argument errors, which it returns as
// plain errors.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, prefix := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "accepts ", "requires at least", "requires at most", "invalid argument", "flag needs an argument", "required flag"} {
		if strings.HasPrefix(msg, prefix) {
			return true
		}
	}
	return false
}

func (a *app) rootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:   "claimwatch",
		Short: "Watch the news for evidence for and against written predictions",
		Long: `claimwatch keeps, on a schedule, a dated record of every news article that
speaks for or against each claim (a written prediction), in SQLite:
searchable, reviewable, exportable to CSV.

Exit codes: 0 ok, 1 runtime failure, 2 bad usage or bad input.`,
		SilenceUsage:      true,
		SilenceErrors:     true,
		CompletionOptions: cobra.CompletionOptions{DisableDefaultCmd: true},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error { return a.setup(cmd) },
	}
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error { return usageError{suggestFlag(cmd, err)} })
	// --version prints what the version command prints.
	root.Version = versionLine()
	root.SetVersionTemplate("{{.Version}}")
	a.bindGlobalFlags(root)
	for _, add := range commandSet {
		root.AddCommand(add(a))
	}
	return root
}

// suggestFlag adds the nearest flag the command knows (its own or
// inherited) to an unknown-flag error: "--onse" gets "did you mean --once?".
func suggestFlag(cmd *cobra.Command, err error) error {
	name, ok := strings.CutPrefix(err.Error(), "unknown flag: --")
	if !ok {
		return err
	}
	var known []string
	add := func(f *pflag.Flag) { known = append(known, f.Name) }
	cmd.Flags().VisitAll(add)
	cmd.InheritedFlags().VisitAll(add)
	best := claims.Closest(name, known)
	if best == "" {
		return err
	}
	return fmt.Errorf("%w (did you mean --%s?)", err, best)
}

// commandSet lists the constructors of the top-level commands; each command's
// file registers itself in an init function so that wiring stays local.
var commandSet []func(*app) *cobra.Command

func register(f func(*app) *cobra.Command) { commandSet = append(commandSet, f) }
