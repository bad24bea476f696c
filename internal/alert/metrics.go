package alert

import (
	"context"
	"log/slog"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/claimwatch/claimwatch/storage"
)

// Metrics counts deliveries and, at each scrape, reads the outbox's state.
type Metrics struct {
	deliveries *prometheus.CounterVec
}

// RegisterMetrics adds the alert metrics to reg:
//
//	claimwatch_alert_deliveries_total{rule,outcome}  alerts sent or failed by this process (outcome sent|failed)
//	claimwatch_alerts{rule,state}                    outbox rows by state (pending = queued, sent, failed)
//	claimwatch_alert_oldest_pending_age_seconds      age of the oldest pending alert (0: none)
func RegisterMetrics(reg prometheus.Registerer, store *storage.Store, log *slog.Logger) *Metrics {
	m := &Metrics{deliveries: prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "claimwatch_alert_deliveries_total",
		Help: "Alerts delivered by this process, by rule and outcome (sent, failed attempt).",
	}, []string{"rule", "outcome"})}
	reg.MustRegister(m.deliveries, &outboxCollector{
		store: store, log: log,
		state:  prometheus.NewDesc("claimwatch_alerts", "Alerts in the outbox, by rule and state (pending, sent, failed).", []string{"rule", "state"}, nil),
		oldest: prometheus.NewDesc("claimwatch_alert_oldest_pending_age_seconds", "Age of the oldest pending alert; 0 when none is pending.", nil, nil),
	})
	return m
}

func (m *Metrics) delivered(rule, outcome string, n int) {
	if m != nil {
		m.deliveries.WithLabelValues(rule, outcome).Add(float64(n))
	}
}

type outboxCollector struct {
	store         *storage.Store
	log           *slog.Logger
	state, oldest *prometheus.Desc
}

func (c *outboxCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.state; ch <- c.oldest }

func (c *outboxCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	counts, oldest, err := c.store.AlertStats(ctx)
	if err != nil {
		if c.log != nil {
			c.log.Warn("metrics: alert outbox unavailable", "err", err)
		}
		return
	}
	for _, n := range counts {
		ch <- prometheus.MustNewConstMetric(c.state, prometheus.GaugeValue, float64(n.N), n.Rule, n.Status)
	}
	age := 0.0
	if !oldest.IsZero() {
		age = time.Since(oldest).Seconds()
	}
	ch <- prometheus.MustNewConstMetric(c.oldest, prometheus.GaugeValue, age)
}
