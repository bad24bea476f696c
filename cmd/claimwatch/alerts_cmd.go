package main

import (
	"context"
	"fmt"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/claimwatch/claimwatch/claims"
	"github.com/claimwatch/claimwatch/internal/alert"
	"github.com/claimwatch/claimwatch/internal/config"
	"github.com/claimwatch/claimwatch/internal/report"
	"github.com/claimwatch/claimwatch/storage"
)

func init() { register(alertsCommand) }

// onceDeliveryLimit bounds the alert delivery at the end of `run --once`.
const onceDeliveryLimit = 2 * time.Minute

// alertRules resolves the config's alert rules against the claims;
// problems are bad input (exit 2).
func alertRules(cfg *config.Config, cs []claims.Claim) ([]*alert.Rule, error) {
	if len(cfg.Alerts) == 0 {
		return nil, nil
	}
	rules, err := alert.NewRules(cfg.Alerts, cs, cfg.Location)
	if err != nil {
		return nil, usageError{fmt.Errorf("config:\n%w", err)}
	}
	return rules, nil
}

// setupAlerts makes the store queue alerts for new evidence and prepares
// the sender that delivers them.
func (a *app) setupAlerts(rt *runState, rules []*alert.Rule) {
	rt.store.SetAlertRoute(alert.Route(rules, nil))
	rt.alerts = &alert.Sender{Store: rt.store, Rules: rules, Log: a.log}
}

// deliverAlertsOnce sends the alerts due at the end of `run --once`; what
// fails stays queued for the next run.
func (a *app) deliverAlertsOnce(ctx context.Context, rt *runState) {
	ctx, cancel := context.WithTimeout(ctx, onceDeliveryLimit)
	defer cancel()
	out, err := rt.alerts.DeliverDue(ctx)
	if err != nil {
		a.log.Error("delivering alerts", "err", err)
	}
	if out.Sent+out.Failed > 0 {
		fmt.Fprintf(a.stdout, "alerts: %d sent, %d failed (retried later; see 'claimwatch alerts list')\n", out.Sent, out.Failed)
	}
}

func alertsCommand(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "alerts",
		Short: "List, test and retry the alerts of the config's alerts: rules",
		Long: `Alerts tell you when a claim gets new evidence: the config's alerts: rules
say which evidence and where to send it (webhook, email, chat or push
services). Every alert is queued in the database with the evidence itself and
delivered by 'claimwatch run' (the daemon, or at the end of run --once).`,
		Args: cobra.NoArgs,
	}
	cmd.AddCommand(alertsListCommand(a), alertsTestCommand(a), alertsRetryCommand(a))
	return cmd
}

func alertsListCommand(a *app) *cobra.Command {
	var state, rule string
	var limit int
	cmd := &cobra.Command{
		Use:   "list",
		Short: "Show queued, sent and failed alerts, newest first, with failure reasons",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			switch state {
			case "", storage.AlertPending, storage.AlertSent, storage.AlertFailed:
			default:
				return usagef("--state %q: want pending, sent or failed", state)
			}
			if limit < 0 {
				return usagef("--limit %d: want 0 (all) or more", limit)
			}
			s, err := a.openReadOnly(cmd.Context())
			if err != nil {
				return err
			}
			rows, err := s.ListAlerts(cmd.Context(), storage.AlertFilter{Status: state, Rule: rule, Limit: limit})
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				_, err := fmt.Fprintln(a.stdout, "no alerts")
				return err
			}
			tw := tabwriter.NewWriter(a.terminal(), 2, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tRULE\tSTATE\tCLAIM\tEVIDENCE\tATTEMPTS\tQUEUED\tNEXT/SENT\tLAST ERROR")
			for _, r := range rows {
				next := r.NextAttemptAt
				if r.Status == storage.AlertSent {
					next = r.SentAt
				} else if r.Status == storage.AlertFailed {
					next = time.Time{}
				}
				fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", r.ID, r.Rule, r.Status, r.ClaimID, r.EvidenceID,
					r.Attempts, when(r.CreatedAt), when(next), report.Truncate(r.LastError, 80))
			}
			return tw.Flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&state, "state", "", "only alerts in this `state`: pending, sent or failed")
	f.StringVar(&rule, "rule", "", "only the alerts of this rule")
	f.IntVar(&limit, "limit", 50, "show at most `N` alerts (0: all)")
	return cmd
}

func alertsTestCommand(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "test NAME",
		Short: "Send one sample alert through a rule, to check its destination",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := a.config()
			if err != nil {
				return err
			}
			cs, err := a.claims()
			if err != nil {
				return err
			}
			rules, err := alertRules(cfg, cs)
			if err != nil {
				return err
			}
			r := alert.Find(rules, args[0])
			if r == nil {
				return usagef("no alert rule named %q in %s", args[0], configOrigin(a.configPath, cfg.File))
			}
			if err := r.Test(cmd.Context(), time.Now()); err != nil {
				return fmt.Errorf("alert %q: test failed: %w", r.Name, err)
			}
			_, err = fmt.Fprintf(a.stdout, "alert %q: sample sent\n", r.Name)
			return err
		},
	}
}

func alertsRetryCommand(a *app) *cobra.Command {
	var rule string
	cmd := &cobra.Command{
		Use:   "retry",
		Short: "Queue failed alerts again (all, or one rule's with --rule)",
		Long: `Make alerts that ran out of retries pending again, with their attempts reset;
the running daemon (or the next run --once) delivers them.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := a.openExisting(cmd.Context())
			if err != nil {
				return err
			}
			n, err := s.RetryAlerts(cmd.Context(), rule, time.Now())
			if err != nil {
				return err
			}
			_, err = fmt.Fprintf(a.stdout, "%d failed alert(s) queued again\n", n)
			return err
		},
	}
	cmd.Flags().StringVar(&rule, "rule", "", "only this rule's failed alerts")
	return cmd
}

// startAlerts starts the daemon's alert sender, with its metrics. The
// returned channel closes once the sender has stopped after ctx ends.
func (d *daemon) startAlerts(ctx context.Context) <-chan struct{} {
	d.rt.alerts.Metrics = alert.RegisterMetrics(d.metrics.Registry(), d.rt.store, d.a.log)
	return d.rt.alerts.Start(ctx)
}

// applyAlerts puts a reloaded config's alert rules in force.
func (d *daemon) applyAlerts(rules []*alert.Rule) {
	d.rt.store.SetAlertRoute(alert.Route(rules, nil))
	d.rt.alerts.SetRules(rules)
}
