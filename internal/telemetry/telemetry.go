// Package telemetry records git-agent's traces and metrics and exports them
// over OTLP (HTTP/protobuf or gRPC) to wherever the standard OTEL_* variables
// point, and as JSON to a metrics file.
//
// It uses the standard library alone. The OpenTelemetry SDK and its OTLP
// exporters, which link gRPC and generated protobuf code even for HTTP, would
// add some 12 MB to a binary whose budget is 15 MB; so the OTLP messages are
// encoded by hand (otlp_encode.go) and gRPC's unary call is spoken over
// net/http's HTTP/2. The tests check the bytes against the official schema
// and a real gRPC server.
//
// Telemetry is off unless configured: New then returns a nil *Telemetry, and
// every method of a nil Telemetry, Span or Metrics does nothing and allocates
// nothing, so callers never check. The package must never import other
// git-agent packages, send anything when no endpoint is set, write to stdout,
// or fail the agent because a collector is unreachable.
package telemetry

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"
)

// Options configures New.
type Options struct {
	// Getenv looks up the OTEL_* variables; required (tests pass a map).
	Getenv func(string) string
	// ServiceVersion is the service.version resource attribute and the
	// instrumentation scope's version.
	ServiceVersion string
	// HTTPClient, if set, sends OTLP over HTTP (not gRPC, which needs an
	// HTTP/2 transport of its own), ignoring the certificate variables.
	HTTPClient *http.Client
	// Now defaults to time.Now.
	Now func() time.Time
	// Sanitize, if set, is applied to every string attribute value, span name
	// and status message when it is recorded, so nothing it removes reaches an
	// exporter or the metrics file.
	Sanitize func(string) string
	// MetricsFile, if set, receives a final metrics snapshot at Shutdown, in
	// the JSON format documented on Snapshot.MarshalJSON.
	MetricsFile string
	// SpanExporter, if set, receives spans instead of any OTLP endpoint.
	SpanExporter SpanExporter
	// MetricExporter, if set, receives metrics instead of any OTLP endpoint.
	MetricExporter MetricExporter
	// Logger receives export failures, at Warn; nil discards them.
	Logger *slog.Logger
}

// Telemetry records spans and metrics and exports them in the background.
// A nil *Telemetry is valid and does nothing.
type Telemetry struct {
	now         func() time.Time
	sanitize    func(string) string
	log         *slog.Logger
	resource    []Attr
	spans       *spanQueue // nil: spans are not recorded
	metrics     *Metrics   // nil: metrics are not recorded
	metricExp   MetricExporter
	metricsFile string
	closeIdle   []func() // idle connections of the HTTP clients we made

	cancel context.CancelFunc   // stops the background loop
	stop   chan context.Context // asks it for a last export, within the context
	done   chan struct{}        // closed when it has returned
	once   sync.Once
	err    error
}

// New configures telemetry from the OTEL_* environment and o. It returns nil,
// which is a valid no-op Telemetry, when there is nowhere to send anything:
// no OTLP endpoint (or OTEL_SDK_DISABLED=true, or both exporters "none"), no
// MetricsFile and no test exporter. A malformed OTEL_* setting is an error,
// and the nil Telemetry returned with it is just as usable. Call Shutdown
// when done, to flush and to stop the background goroutine.
func New(ctx context.Context, o Options) (*Telemetry, error) {
	if o.Getenv == nil {
		return nil, errors.New("telemetry: Options.Getenv is required")
	}
	cfg, err := parseEnv(o.Getenv)
	if err != nil {
		return nil, fmt.Errorf("telemetry: %w", err)
	}
	t := &Telemetry{now: o.Now, sanitize: o.Sanitize, log: o.Logger, metricsFile: o.MetricsFile}
	if t.now == nil {
		t.now = time.Now
	}
	if t.sanitize == nil {
		t.sanitize = identity
	}
	if t.log == nil {
		t.log = slog.New(slog.DiscardHandler)
	}
	for _, w := range cfg.warnings {
		t.log.Warn("telemetry: " + w)
	}
	base := []Attr{String("service.name", cfg.serviceName)}
	if o.ServiceVersion != "" {
		base = append(base, String("service.version", o.ServiceVersion))
	}
	t.resource = normAttrs(normAttrs(nil, base, t.sanitize), cfg.resource, t.sanitize)
	sortAttrs(t.resource)

	spanExp, metricExp := o.SpanExporter, o.MetricExporter
	if spanExp == nil && cfg.traces != nil {
		c, err := newClient(cfg.traces, o, traceService)
		if err != nil {
			return nil, fmt.Errorf("telemetry: traces: %w", err)
		}
		if c.hc != o.HTTPClient {
			t.closeIdle = append(t.closeIdle, c.hc.CloseIdleConnections)
		}
		spanExp = &otlpTraces{c: c, resource: t.resource, version: o.ServiceVersion}
	}
	if metricExp == nil && cfg.metrics != nil {
		c, err := newClient(cfg.metrics, o, metricService)
		if err != nil {
			return nil, fmt.Errorf("telemetry: metrics: %w", err)
		}
		if c.hc != o.HTTPClient {
			t.closeIdle = append(t.closeIdle, c.hc.CloseIdleConnections)
		}
		metricExp = &otlpMetrics{c: c, version: o.ServiceVersion}
	}
	if spanExp == nil && metricExp == nil && o.MetricsFile == "" {
		return nil, nil
	}
	if spanExp != nil {
		t.spans = newSpanQueue(spanExp, cfg.bspMaxQueue, cfg.bspBatch)
	}
	if metricExp != nil || o.MetricsFile != "" {
		t.metrics = newMetrics(t.now, t.sanitize)
		t.metricExp = metricExp
	}
	t.done = make(chan struct{})
	if t.spans == nil && t.metricExp == nil {
		close(t.done) // only a metrics file: nothing to do in the background
		return t, nil
	}
	// Exports outlive a cancelled ctx: Shutdown, not the caller's context,
	// decides when to stop.
	bg, cancel := context.WithCancel(context.WithoutCancel(ctx))
	t.cancel, t.stop = cancel, make(chan context.Context)
	go t.run(bg, cfg.bspDelay, cfg.metricInterval)
	return t, nil
}

// Metrics returns the metrics recorder; nil, which ignores every call, when
// metrics go nowhere.
func (t *Telemetry) Metrics() *Metrics {
	if t == nil {
		return nil
	}
	return t.metrics
}

// run exports spans every delay (or as soon as a batch is full) and metrics
// every interval, until Shutdown.
func (t *Telemetry) run(ctx context.Context, delay, interval time.Duration) {
	defer close(t.done)
	var spanTick, metricTick <-chan time.Time
	var batchFull chan struct{}
	if t.spans != nil {
		tk := time.NewTicker(delay)
		defer tk.Stop()
		spanTick, batchFull = tk.C, t.spans.ready
	}
	if t.metricExp != nil {
		tk := time.NewTicker(interval)
		defer tk.Stop()
		metricTick = tk.C
	}
	for {
		select {
		case <-spanTick:
			t.spans.flush(ctx, t.log, false)
		case <-batchFull:
			t.spans.flush(ctx, t.log, false)
		case <-metricTick:
			t.exportMetrics(ctx)
		case sctx := <-t.stop:
			if t.spans != nil {
				t.spans.flush(sctx, t.log, true)
			}
			if t.metricExp != nil {
				t.exportMetrics(sctx)
			}
			return
		case <-ctx.Done():
			return
		}
	}
}

func (t *Telemetry) exportMetrics(ctx context.Context) {
	if err := t.metricExp.ExportMetrics(ctx, t.metrics.snapshot(t.resource)); err != nil {
		t.log.Warn("telemetry: export metrics", "err", err)
	}
}

// Shutdown exports the spans still queued and the final metrics, writes the
// metrics file and stops the background goroutine, giving up when ctx is
// done. Export failures are logged, not returned: the error is for ctx
// expiring or the metrics file not being written. Later calls return the
// first one's result.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	t.once.Do(func() { t.err = t.shutdown(ctx) })
	return t.err
}

func (t *Telemetry) shutdown(ctx context.Context) error {
	var errs []error
	if t.stop != nil {
		select {
		case t.stop <- ctx:
			select {
			case <-t.done:
			case <-ctx.Done():
			}
		case <-ctx.Done():
		}
		t.cancel() // abandons an export still running after ctx expired
		if err := ctx.Err(); err != nil {
			errs = append(errs, fmt.Errorf("telemetry: flush: %w", err))
		}
	}
	for _, f := range t.closeIdle {
		f()
	}
	if t.metricsFile != "" {
		if err := writeMetricsFile(t.metricsFile, t.metrics.snapshot(t.resource)); err != nil {
			errs = append(errs, fmt.Errorf("telemetry: %w", err))
		}
	}
	return errors.Join(errs...)
}
