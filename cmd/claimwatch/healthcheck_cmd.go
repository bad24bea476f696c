package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/internal/health"
)

func init() { register(healthcheckCommand) }

// defaultHealthURL is where `run --listen :9090` answers.
const defaultHealthURL = "http://127.0.0.1:9090/healthz"

func healthcheckCommand(a *app) *cobra.Command {
	var url string
	var timeout time.Duration
	cmd := &cobra.Command{
		Use:   "healthcheck",
		Short: "Ask a running daemon's /healthz; exit 1 with the reason when unhealthy",
		Long: `For a Docker HEALTHCHECK (the image has no shell or curl): GET the daemon's
/healthz (served with 'claimwatch run --listen') and exit 0 when it answers
200, or 1 with the reason (database unreachable, no successful poll for too
long, daemon not reachable) on stderr.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx, cancel := context.WithTimeout(cmd.Context(), timeout)
			defer cancel()
			if err := health.Probe(ctx, url); err != nil {
				return exitStatus{exitFailure, fmt.Errorf("unhealthy: %w", err)}
			}
			fmt.Fprintln(a.stdout, "healthy")
			return nil
		},
	}
	cmd.Flags().StringVar(&url, "url", defaultHealthURL, "health endpoint `URL`")
	cmd.Flags().DurationVar(&timeout, "timeout", 5*time.Second, "give up after this long")
	return cmd
}
