package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/health"
	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/internal/web"
	"github.com/claimwatch/claimwatch/storage"
)

func init() { register(serveCommand) }

// defaultServeAddr keeps the dashboard off the daemon's usual :9090.
const defaultServeAddr = "127.0.0.1:8080"

func serveCommand(a *app) *cobra.Command {
	var listen string
	cmd := &cobra.Command{
		Use:   "serve [--listen ADDR]",
		Short: "Serve the web dashboard over a database, without polling",
		Long: `Serve the analyst's dashboard (claims board, claim pages, review, verdicts,
search, sources) over an existing database: beside a cron-driven
'run --once', or over a copy made with 'db backup'. The daemon serves the
same dashboard on its --listen address.

An address without a host (":8080") binds loopback only, where the dashboard
may run without sign-in. On any other address it refuses to start unless
sign-in is configured: web.users in the config (bcrypt hashes from
'claimwatch web hash-password'), or a bearer token in web.token_file or
CLAIMWATCH_WEB_TOKEN. Reviews and verdicts are recorded as the signed-in user.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.serve(cmd.Context(), listen)
		},
	}
	cmd.Flags().StringVar(&listen, "listen", defaultServeAddr, "serve on `ADDR` (\":8080\" means loopback)")
	return cmd
}

func (a *app) serve(ctx context.Context, listen string) error {
	addr := health.ListenAddr(listen)
	store, err := a.openExisting(ctx)
	if err != nil {
		return err
	}
	dash, err := a.dashboard(store, addr)
	if err != nil {
		return err
	}
	if why := dash.Refused(); why != "" {
		return usagef("--listen %s: %s", listen, why)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return usagef("--listen %s: %w", listen, err)
	}
	srv := &http.Server{Handler: dash, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(a.stdout, "serving the dashboard on http://%s/ (Ctrl-C stops)\n", ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return fmt.Errorf("dashboard: %w", err)
	case <-ctx.Done():
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := srv.Shutdown(stopCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("dashboard: %w", err)
	}
	return nil
}

// dashboard builds the web dashboard over store for a listener on addr,
// with sign-in from the config and the environment.
func (a *app) dashboard(store *storage.Store, addr string) (*web.Server, error) {
	cfg, err := a.config()
	if err != nil {
		return nil, err
	}
	token := os.Getenv(config.EnvWebToken)
	if token == "" && cfg.Web.TokenFile != "" {
		b, err := os.ReadFile(cfg.Web.TokenFile)
		if err != nil {
			return nil, usagef("web.token_file: %w", err)
		}
		if token = strings.TrimSpace(string(b)); token == "" {
			return nil, usagef("web.token_file %s is empty", cfg.Web.TokenFile)
		}
	}
	return web.New(web.Options{
		Store: store, Auth: web.NewAuth(cfg.Web.Users, token), Exposed: !web.IsLoopback(addr),
		Log: a.log, DefaultAuthor: report.Author(""),
	})
}
