// Package metrics holds Langganan's Prometheus collectors: counters and
// histograms fed by the adapters as things happen (HTTP requests, webhook
// notifications, gateway calls, billing runs, wallet operations) and gauges
// computed at scrape time from a Source (outbox, subscriptions, MRR,
// wallets).
//
// Event collectors live in one process-wide Registry, so decorators created
// anywhere (the gateway in cmd/server, the HTTP server) count into the same
// series. Scrape-time gauges are per Source: NewHandler gathers Registry
// plus a small registry of its own holding the Source's collector.
package metrics

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/langganan/langganan/core"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "langganan"

// Registry holds every event collector, the Go runtime and the process.
var Registry = prometheus.NewRegistry()

// latencyBuckets suit both local handlers (ms) and gateway calls (seconds).
var latencyBuckets = []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}

var (
	// HTTPRequests counts requests by method, route pattern and status.
	HTTPRequests = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "http_requests_total",
		Help: "HTTP requests by method, route pattern (never the raw URL) and status code.",
	}, []string{"method", "route", "status"})
	// HTTPDuration is request latency by method, route pattern and status.
	HTTPDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "http_request_duration_seconds",
		Help:    "HTTP request latency by method, route pattern and status code.",
		Buckets: latencyBuckets,
	}, []string{"method", "route", "status"})
	// Webhooks counts Midtrans notifications received, by outcome.
	Webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "webhook_notifications_total",
		Help: "Midtrans notifications received on the webhook, by outcome.",
	}, []string{"outcome"})
	// GatewayCalls counts gateway calls by operation and outcome.
	GatewayCalls = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "gateway_calls_total",
		Help: "Payment gateway (Midtrans) calls by operation and outcome.",
	}, []string{"operation", "outcome"})
	// GatewayDuration is gateway call latency by operation and outcome.
	GatewayDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Namespace: namespace, Name: "gateway_call_duration_seconds",
		Help:    "Payment gateway call latency by operation and outcome, retries included.",
		Buckets: latencyBuckets,
	}, []string{"operation", "outcome"})
	// BillingRuns counts billing runs (RunDue) by outcome.
	BillingRuns = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "billing_runs_total",
		Help: "Billing runs (every due job once) by outcome: ok or error.",
	}, []string{"outcome"})
	// BillingRunDuration is the wall time of billing runs.
	BillingRunDuration = prometheus.NewHistogram(prometheus.HistogramOpts{
		Namespace: namespace, Name: "billing_run_duration_seconds",
		Help:    "Wall time of billing runs.",
		Buckets: []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10, 30, 60, 300},
	})
	// BillingItems counts what billing runs did, by kind (the run summary's counts).
	BillingItems = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "billing_run_items_total",
		Help: "Items processed by billing runs, by kind (renewals, retries, expiries, reminders, ...).",
	}, []string{"kind"})
	// BillingItemErrors counts items that failed inside billing runs.
	BillingItemErrors = prometheus.NewCounter(prometheus.CounterOpts{
		Namespace: namespace, Name: "billing_run_item_errors_total",
		Help: "Items that failed inside billing runs (retried on the next run).",
	})
	// WalletOps counts wallet operations (top-ups, payments from the
	// wallet, adjustments) by operation and outcome.
	WalletOps = prometheus.NewCounterVec(prometheus.CounterOpts{
		Namespace: namespace, Name: "wallet_operations_total",
		Help: "Wallet operations by operation and outcome (ok, rejected, error).",
	}, []string{"operation", "outcome"})
)

func init() {
	Registry.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		HTTPRequests, HTTPDuration, Webhooks, GatewayCalls, GatewayDuration,
		BillingRuns, BillingRunDuration, BillingItems, BillingItemErrors, WalletOps,
	)
}

// RecordWebhook counts one webhook notification with its outcome (for
// example applied, duplicate, ignored, bad_signature, rejected, error).
func RecordWebhook(outcome string) { Webhooks.WithLabelValues(outcome).Inc() }

// RecordWalletOp counts one wallet operation.
func RecordWalletOp(operation, outcome string) { WalletOps.WithLabelValues(operation, outcome).Inc() }

// RecordBillingRun records one billing run: its wall time, outcome and
// the summary's item counts.
func RecordBillingRun(sum core.RunSummary, took time.Duration, err error) {
	outcome := "ok"
	if err != nil {
		outcome = "error"
	}
	BillingRuns.WithLabelValues(outcome).Inc()
	BillingRunDuration.Observe(took.Seconds())
	for kind, n := range sum.Counts {
		BillingItems.WithLabelValues(kind).Add(float64(n))
	}
	if sum.Errors > 0 {
		BillingItemErrors.Add(float64(sum.Errors))
	}
}

// Biller is what a billing run needs; *core.Service is one.
type Biller interface {
	RunDue(ctx context.Context) (core.RunSummary, error)
}

// RunDue runs b.RunDue and records it.
func RunDue(ctx context.Context, b Biller) (core.RunSummary, error) {
	start := time.Now()
	sum, err := b.RunDue(ctx)
	RecordBillingRun(sum, time.Since(start), err)
	return sum, err
}

// Source gives the figures computed at scrape time; *core.Service is one.
type Source interface {
	OutboxDepth(ctx context.Context) (n int, oldest time.Time, err error)
	SubscriptionsByStatus(ctx context.Context) (map[string]int, error)
	MRR(ctx context.Context) (map[string]string, error)
	WalletStats(ctx context.Context) (wallets, entries int, err error)
}

var (
	descOutboxDepth  = prometheus.NewDesc(namespace+"_outbox_depth", "Undelivered outbox events.", nil, nil)
	descOutboxOldest = prometheus.NewDesc(namespace+"_outbox_oldest_age_seconds", "Age of the oldest undelivered outbox event (0 when empty).", nil, nil)
	descSubs         = prometheus.NewDesc(namespace+"_subscriptions", "Subscriptions by status.", []string{"status"}, nil)
	descMRR          = prometheus.NewDesc(namespace+"_mrr", "Monthly recurring revenue by currency: active subscriptions' plan price × seats, normalized to a month.", []string{"currency"}, nil)
	descWallets      = prometheus.NewDesc(namespace+"_wallets", "Wallets.", nil, nil)
	descWalletLedger = prometheus.NewDesc(namespace+"_wallet_ledger_entries", "Wallet ledger entries held (every credit and debit ever posted).", nil, nil)
	descStatsUp      = prometheus.NewDesc(namespace+"_stats_up", "1 if the last scrape read every figure from the store, 0 if any failed.", nil, nil)
)

// sourceCollector computes the gauges at scrape time.
type sourceCollector struct {
	src     Source
	now     func() time.Time
	timeout time.Duration
}

func (c sourceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{descOutboxDepth, descOutboxOldest, descSubs, descMRR, descWallets, descWalletLedger, descStatsUp} {
		ch <- d
	}
}

func (c sourceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	up := 1.0
	if n, oldest, err := c.src.OutboxDepth(ctx); err != nil {
		up = 0
	} else {
		age := 0.0
		if !oldest.IsZero() && n > 0 {
			age = max(c.now().Sub(oldest).Seconds(), 0)
		}
		ch <- prometheus.MustNewConstMetric(descOutboxDepth, prometheus.GaugeValue, float64(n))
		ch <- prometheus.MustNewConstMetric(descOutboxOldest, prometheus.GaugeValue, age)
	}
	if by, err := c.src.SubscriptionsByStatus(ctx); err != nil {
		up = 0
	} else {
		for st, n := range by {
			ch <- prometheus.MustNewConstMetric(descSubs, prometheus.GaugeValue, float64(n), st)
		}
	}
	if mrr, err := c.src.MRR(ctx); err != nil {
		up = 0
	} else {
		for cur, amt := range mrr {
			v, err := strconv.ParseFloat(amt, 64)
			if err != nil {
				up = 0
				continue
			}
			ch <- prometheus.MustNewConstMetric(descMRR, prometheus.GaugeValue, v, cur)
		}
	}
	if w, e, err := c.src.WalletStats(ctx); err != nil {
		up = 0
	} else {
		ch <- prometheus.MustNewConstMetric(descWallets, prometheus.GaugeValue, float64(w))
		ch <- prometheus.MustNewConstMetric(descWalletLedger, prometheus.GaugeValue, float64(e))
	}
	ch <- prometheus.MustNewConstMetric(descStatsUp, prometheus.GaugeValue, up)
}

// HandlerOpts configure NewHandler.
type HandlerOpts struct {
	// Source, if set, adds the scrape-time gauges.
	Source Source
	// Now is wall time for ages; default time.Now. (Outbox event times come
	// from the billing clock, so with a manual clock pass its Now.)
	Now func() time.Time
	// Timeout bounds the store reads of one scrape; default 5 s.
	Timeout time.Duration
}

// NewHandler serves Registry, plus the Source's gauges, in the Prometheus
// exposition format (text or OpenMetrics, as negotiated).
func NewHandler(o HandlerOpts) http.Handler {
	g := prometheus.Gatherers{Registry}
	if o.Source != nil {
		if o.Now == nil {
			o.Now = time.Now
		}
		if o.Timeout <= 0 {
			o.Timeout = 5 * time.Second
		}
		reg := prometheus.NewRegistry()
		reg.MustRegister(sourceCollector{src: o.Source, now: o.Now, timeout: o.Timeout})
		g = append(g, reg)
	}
	return promhttp.HandlerFor(g, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
}

// Outcome classifies a gateway error by the core sentinels.
func Outcome(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, core.ErrPaymentDeclined):
		return "declined"
	case errors.Is(err, core.ErrDuplicateOrder):
		return "duplicate"
	case errors.Is(err, core.ErrGatewayNotFound):
		return "not_found"
	case errors.Is(err, core.ErrGatewayRejected):
		return "rejected"
	case errors.Is(err, core.ErrGatewayUnavailable):
		return "unavailable"
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return "canceled"
	}
	return "error"
}

// Recorder is the HTTP layer's view of these metrics: it records requests,
// webhook outcomes, wallet operations and billing runs, and serves them
// with the gauges of Source (nil: none).
type Recorder struct{ Source Source }

// ObserveRequest counts one HTTP request and its latency.
func (Recorder) ObserveRequest(method, route, status string, took time.Duration) {
	HTTPRequests.WithLabelValues(method, route, status).Inc()
	HTTPDuration.WithLabelValues(method, route, status).Observe(took.Seconds())
}

// RecordWebhook counts one Midtrans notification by outcome.
func (Recorder) RecordWebhook(outcome string) { RecordWebhook(outcome) }

// RecordWalletOp counts one wallet operation.
func (Recorder) RecordWalletOp(operation, outcome string) { RecordWalletOp(operation, outcome) }

// RecordBillingRun records one billing run.
func (Recorder) RecordBillingRun(sum core.RunSummary, took time.Duration, err error) {
	RecordBillingRun(sum, took, err)
}

// Handler serves the registry and, with a Source, the scrape-time gauges.
func (r Recorder) Handler(now func() time.Time) http.Handler {
	return NewHandler(HandlerOpts{Source: r.Source, Now: now})
}
