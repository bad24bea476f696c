package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/mattn/go-isatty"
	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/matcher"
	"github.com/claimwatch/claimwatch/internal/safetext"
	"github.com/claimwatch/claimwatch/storage"
)

// storeOptions are added to every read-write open of the database; a test
// hook (a page budget that cuts the disk short), empty in production.
var storeOptions []storage.Option

// app holds what every command shares: global flags, streams, and the
// lazily opened claim set, matcher and database.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer

	// global flags
	dbPath     string
	claimsDir  string
	claimsFlag string // --claims or its env, before the config's applies
	configPath string
	logFormat  string
	logLevel   string

	log     *slog.Logger
	logOpts *slog.HandlerOptions

	cfg      *config.Config
	claimSet []claims.Claim
	match    *matcher.Matcher
	store    *storage.Store
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, log: slog.New(slog.NewTextHandler(stderr, nil))}
}

func (a *app) bindGlobalFlags(root *cobra.Command) {
	f := root.PersistentFlags()
	f.StringVar(&a.dbPath, "db", "", "SQLite database `path` (env CLAIMWATCH_DB; default "+defaultDBPath()+")")
	f.StringVar(&a.claimsDir, "claims", "", "`dir`ectory of claim files that add to or replace the shipped ones (env CLAIMWATCH_CLAIMS)")
	f.StringVar(&a.configPath, "config", "", "config `file` (env CLAIMWATCH_CONFIG; default: the embedded defaults)")
	f.StringVar(&a.logFormat, "log-format", "text", "log format: text or json")
	f.StringVar(&a.logLevel, "log-level", "info", "log level: debug, info, warn or error")
}

// setup runs before every command: environment defaults and the logger.
func (a *app) setup(cmd *cobra.Command) error {
	envDefault(&a.dbPath, config.EnvDB)
	envDefault(&a.claimsDir, "CLAIMWATCH_CLAIMS")
	a.configPath = config.Path(a.configPath, os.Getenv)
	a.claimsFlag = a.claimsDir
	var level slog.Level
	if err := level.UnmarshalText([]byte(a.logLevel)); err != nil {
		return usagef("--log-level %q: want debug, info, warn or error", a.logLevel)
	}
	if a.logFormat != "text" && a.logFormat != "json" {
		return usagef("--log-format %q: want text or json", a.logFormat)
	}
	a.logOpts = &slog.HandlerOptions{Level: level}
	a.logTo(a.stderr)
	return nil
}

// logTo sends the log (a.log and slog's default), in the --log-format and
// --log-level, to w.
func (a *app) logTo(w io.Writer) {
	if a.logFormat == "json" {
		// The text handler quotes control characters; JSON would write C1
		// controls and bidi overrides from feeds raw into a log someone
		// reads on a terminal (see internal/safetext).
		opts := *a.logOpts
		opts.ReplaceAttr = safeLogAttr
		a.log = slog.New(slog.NewJSONHandler(w, &opts))
	} else {
		a.log = slog.New(slog.NewTextHandler(w, a.logOpts))
	}
	slog.SetDefault(a.log)
}

// safeLogAttr cleans a log record's strings and errors of the characters a
// terminal would obey.
func safeLogAttr(_ []string, attr slog.Attr) slog.Attr {
	switch v := attr.Value; v.Kind() {
	case slog.KindString:
		attr.Value = slog.StringValue(safetext.Clean(v.String()))
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			attr.Value = slog.StringValue(safetext.Clean(err.Error()))
		}
	}
	return attr
}

// terminal is stdout for table and text output: untrusted text (titles,
// snippets, notes, source errors) loses the characters a terminal would obey
// (see internal/safetext). JSON and CSV output go to a.stdout unchanged.
func (a *app) terminal() io.Writer { return safetext.NewWriter(a.stdout) }

func envDefault(dst *string, name string) {
	if *dst == "" {
		*dst = os.Getenv(name)
	}
}

// defaultDBPath is a file in the user's data directory (XDG).
func defaultDBPath() string {
	dir := os.Getenv("XDG_DATA_HOME")
	if dir == "" {
		home, err := os.UserHomeDir()
		if err != nil {
			return "claimwatch.db"
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "claimwatch", "claimwatch.db")
}

// resolvedDBPath is --db, else $CLAIMWATCH_DB, else the config's db, else
// the default. A bad config file is bad input even for commands that only
// want the database.
func (a *app) resolvedDBPath() (string, error) {
	if _, err := a.config(); err != nil {
		return "", err
	}
	if a.dbPath != "" {
		return a.dbPath, nil
	}
	return defaultDBPath(), nil
}

// claims loads the shipped claims overlaid by --claims, all or nothing.
// Problems in claim files are bad input (exit 2).
func (a *app) claims() ([]claims.Claim, error) {
	if a.claimSet != nil {
		return a.claimSet, nil
	}
	if _, err := a.config(); err != nil { // its claims directory applies
		return nil, err
	}
	set, problems, err := claims.LoadSet(a.claimsDir)
	for _, p := range problems {
		if p.Warning {
			a.log.Warn("claim file", "problem", p.String())
		}
	}
	if err != nil {
		return nil, usageError{fmt.Errorf("loading claims:\n%w", err)}
	}
	a.claimSet = set
	return set, nil
}

// matcher compiles the claim set once per process.
func (a *app) matcher() (*matcher.Matcher, error) {
	if a.match != nil {
		return a.match, nil
	}
	set, err := a.claims()
	if err != nil {
		return nil, err
	}
	m, err := matcher.Compile(set)
	if err != nil {
		return nil, usageError{fmt.Errorf("compiling claims: %w", err)}
	}
	a.match = m
	return m, nil
}

// openStore opens the database for writing, creating it (and its
// directory) when missing.
func (a *app) openStore(ctx context.Context) (*storage.Store, error) {
	return a.open(ctx, true, false)
}

// openExisting opens an existing database for writing (review, verdict,
// db maintenance): a missing database is an error, not a new empty one.
func (a *app) openExisting(ctx context.Context) (*storage.Store, error) {
	return a.open(ctx, false, false)
}

// openReadOnly opens an existing database for the report commands, which
// must work while a daemon writes and on read-only media: it never creates,
// migrates or writes the file.
func (a *app) openReadOnly(ctx context.Context) (*storage.Store, error) {
	return a.open(ctx, false, true)
}

func (a *app) open(ctx context.Context, create, readOnly bool) (*storage.Store, error) {
	if a.store != nil {
		return a.store, nil
	}
	path, err := a.resolvedDBPath()
	if err != nil {
		return nil, err
	}
	if err := checkDBPath(path, !create); err != nil {
		return nil, err
	}
	if create {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return nil, fmt.Errorf("database directory: %w", err)
		}
	}
	var s *storage.Store
	if readOnly {
		s, err = storage.OpenReadOnly(ctx, path)
	} else {
		s, err = storage.Open(ctx, path, storeOptions...)
	}
	if err != nil {
		return nil, err
	}
	a.store = s
	return s, nil
}

// checkDBPath answers the common mistakes with the database path in plain
// words before SQLite does ("disk I/O error"): a directory, and, for a
// database that must exist, a missing file (a first run creates it), a
// missing directory (more likely a wrong path: no run is suggested) or an
// empty file (SQLite would take it for a new database, and a write would
// quietly give it a fresh schema).
func checkDBPath(path string, mustExist bool) error {
	info, err := os.Stat(path)
	switch {
	case err == nil && info.IsDir():
		return usagef("database %s is a directory; --db takes the database file, for example %s", path, filepath.Join(path, "claimwatch.db"))
	case err == nil && mustExist && info.Size() == 0:
		return fmt.Errorf("database %s: %w", path, storage.ErrEmptyDatabase)
	case err == nil || !mustExist:
		return nil
	}
	if _, derr := os.Stat(filepath.Dir(path)); derr != nil {
		return usagef("database %s: the directory %s does not exist; check --db (or CLAIMWATCH_DB, or db: in the config)", path, filepath.Dir(path))
	}
	return fmt.Errorf("database %s does not exist yet (run 'claimwatch run --once' first, or pass --db)", path)
}

// isTerminal reports whether w is an interactive terminal, for progress
// output and bar charts.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && (isatty.IsTerminal(f.Fd()) || isatty.IsCygwinTerminal(f.Fd()))
}

func (a *app) close() {
	if a.store != nil {
		if err := a.store.Close(); err != nil {
			a.log.Error("closing database", "err", err)
		}
	}
}
