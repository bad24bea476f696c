// Package metrics holds claimwatch's Prometheus metrics: what the daemon
// polled, fetched, stored and matched, on a registry of its own (never the
// global one, so tests and embedders get clean, independent sets).
//
// Callers record facts through small methods (ObservePoll, AddEvidence, ...)
// and never touch Prometheus types; Handler serves the exposition.
package metrics

import (
	"context"
	"log/slog"
	"net/http"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Poll outcomes with a fixed meaning. Other outcome strings (for example
// "backoff" or "robots_denied") are counted too but are not successes.
const (
	OutcomeOK          = "ok"
	OutcomeNotModified = "not_modified" // a 304: the source answered, nothing new
	OutcomeFailed      = "failed"       // the same word as the poll log and the fetch log
	// OutcomePartial: the source answered but some articles could not be
	// stored; not a success.
	OutcomePartial = "partial"
)

// KindFeed is the fetch kind ObservePoll records under; ObserveFetch takes
// any kind ("article", "robots", ...).
const KindFeed = "feed"

// dbSizeTimeout bounds the database-size callback during a scrape.
const dbSizeTimeout = 5 * time.Second

// Option configures New.
type Option func(*config)

type config struct {
	dbSize  func(ctx context.Context) (int64, error)
	log     *slog.Logger
	version string
}

// WithDBSize reports the database size in bytes at each scrape
// (claimwatch_database_size_bytes). When fn fails the series is left out of
// that scrape and the error logged.
func WithDBSize(fn func(ctx context.Context) (int64, error)) Option {
	return func(c *config) { c.dbSize = fn }
}

// WithLogger sets where scrape-time errors go; the default discards them.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) { c.log = l }
}

// WithVersion exposes claimwatch_build_info{version,goversion} 1.
func WithVersion(v string) Option {
	return func(c *config) { c.version = v }
}

// Metrics is the set of claimwatch metrics; safe for concurrent use.
type Metrics struct {
	reg *prometheus.Registry

	polls             *prometheus.CounterVec
	fetchDuration     *prometheus.HistogramVec
	fetchedBytes      *prometheus.CounterVec
	articles          prometheus.Counter
	evidence          *prometheus.CounterVec
	backoff           prometheus.Gauge
	sources           prometheus.Gauge
	lastSuccess       prometheus.Gauge
	sourceLastSuccess *prometheus.GaugeVec

	lastSuccessNano atomic.Int64 // for LastSuccess, without reading a gauge back
}

// New registers every metric, plus the Go runtime and process collectors,
// on a fresh registry.
func New(opts ...Option) *Metrics {
	cfg := config{log: slog.New(slog.DiscardHandler)}
	for _, o := range opts {
		o(&cfg)
	}
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		polls: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimwatch_polls_total",
			Help: "Polls of a source, by outcome (ok, not_modified, error, ...).",
		}, []string{"source", "outcome"}),
		fetchDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "claimwatch_fetch_duration_seconds",
			Help:    "Time to fetch a resource, by kind (feed, article, robots, ...).",
			Buckets: []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60},
		}, []string{"kind"}),
		fetchedBytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimwatch_fetched_bytes_total",
			Help: "Bytes of response bodies fetched, by kind.",
		}, []string{"kind"}),
		articles: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "claimwatch_articles_stored_total",
			Help: "New articles stored.",
		}),
		evidence: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "claimwatch_evidence_total",
			Help: "Evidence items recorded, by claim and stance.",
		}, []string{"claim", "stance"}),
		backoff: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "claimwatch_sources_in_backoff",
			Help: "Sources currently waiting out a backoff after failures.",
		}),
		sources: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "claimwatch_sources",
			Help: "Sources configured for polling.",
		}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "claimwatch_last_success_timestamp_seconds",
			Help: "Unix time of the last successful poll of any source.",
		}),
		sourceLastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "claimwatch_source_last_success_timestamp_seconds",
			Help: "Unix time of the last successful poll, by source.",
		}, []string{"source"}),
	}
	m.reg.MustRegister(
		m.polls, m.fetchDuration, m.fetchedBytes, m.articles, m.evidence,
		m.backoff, m.sources, m.lastSuccess, m.sourceLastSuccess,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if cfg.dbSize != nil {
		m.reg.MustRegister(&dbSizeCollector{
			desc: prometheus.NewDesc("claimwatch_database_size_bytes", "Size of the SQLite database on disk.", nil, nil),
			size: cfg.dbSize,
			log:  cfg.log,
		})
	}
	if cfg.version != "" {
		info := prometheus.NewGauge(prometheus.GaugeOpts{
			Name:        "claimwatch_build_info",
			Help:        "Always 1; labels carry the build.",
			ConstLabels: prometheus.Labels{"version": cfg.version, "goversion": runtime.Version()},
		})
		info.Set(1)
		m.reg.MustRegister(info)
	}
	return m
}

// Handler serves the exposition. A failing collector drops only its own
// series, so one bad callback does not blank the whole scrape.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg, // adds promhttp_metric_handler_errors_total
	})
}

// Registry lets the caller add collectors of its own (for example
// collectors.NewDBStatsCollector for the sql.DB).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// ObservePoll records one poll of a source's feed or listing page: the
// outcome, how long the fetch took and how many body bytes came back.
// OutcomeOK and OutcomeNotModified count as success.
func (m *Metrics) ObservePoll(source, outcome string, d time.Duration, bytes int64) {
	m.polls.WithLabelValues(source, outcome).Inc()
	m.ObserveFetch(KindFeed, d, bytes)
	if outcome == OutcomeOK || outcome == OutcomeNotModified {
		now := time.Now()
		m.lastSuccessNano.Store(now.UnixNano())
		secs := float64(now.UnixNano()) / 1e9
		m.lastSuccess.Set(secs)
		m.sourceLastSuccess.WithLabelValues(source).Set(secs)
	}
}

// ObserveFetch records a fetch other than a poll (an article page, a
// robots.txt); kind labels it.
func (m *Metrics) ObserveFetch(kind string, d time.Duration, bytes int64) {
	m.fetchDuration.WithLabelValues(kind).Observe(d.Seconds())
	if bytes > 0 {
		m.fetchedBytes.WithLabelValues(kind).Add(float64(bytes))
	}
}

// AddArticles counts newly stored articles; n <= 0 is ignored.
func (m *Metrics) AddArticles(n int) {
	if n > 0 {
		m.articles.Add(float64(n))
	}
}

// AddEvidence counts evidence recorded for a claim with a stance; n <= 0 is
// ignored.
func (m *Metrics) AddEvidence(claim, stance string, n int) {
	if n > 0 {
		m.evidence.WithLabelValues(claim, stance).Add(float64(n))
	}
}

// SetBackoff sets how many sources are waiting out a backoff.
func (m *Metrics) SetBackoff(n int) { m.backoff.Set(float64(n)) }

// SetSources sets how many sources are configured.
func (m *Metrics) SetSources(n int) { m.sources.Set(float64(n)) }

// ForgetSource drops a source's series, for sources removed at a reload.
func (m *Metrics) ForgetSource(source string) {
	m.polls.DeletePartialMatch(prometheus.Labels{"source": source})
	m.sourceLastSuccess.DeleteLabelValues(source)
}

// LastSuccess is the time of the last successful poll of any source, zero
// if none; it fits health.Checker.LastSuccess.
func (m *Metrics) LastSuccess() time.Time {
	n := m.lastSuccessNano.Load()
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n)
}

// dbSizeCollector asks for the size at scrape time; unlike a GaugeFunc it can
// pass a context and skip the series when the size cannot be read.
type dbSizeCollector struct {
	desc *prometheus.Desc
	size func(ctx context.Context) (int64, error)
	log  *slog.Logger
}

func (c *dbSizeCollector) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *dbSizeCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), dbSizeTimeout)
	defer cancel()
	n, err := c.size(ctx)
	if err != nil {
		c.log.Warn("metrics: database size unavailable", "err", err)
		return
	}
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, float64(n))
}
