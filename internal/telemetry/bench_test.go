package telemetry

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"
)

// disabledSpan and disabledMetrics are what instrumented code does on every
// turn and tool call. The values are not constants, so converting them to
// Attr would allocate if the nil path let them escape.
func disabledSpan(ctx context.Context, tel *Telemetry, name string, n int, err error) {
	ctx, s := tel.Start(ctx, "tool.call", String("tool", name), Int("turn", n))
	_, c := tel.Start(ctx, "sandbox.exec", Float("timeout_s", float64(n)*1.5))
	c.SetAttrs(Int64("exit_code", int64(n)), Bool("ok", n > 0))
	c.SetError(err)
	c.End()
	s.End()
}

func disabledMetrics(tel *Telemetry, name string, n int) {
	m := tel.Metrics()
	m.TaskStarted(String("mode", name), Int("n", n))
	m.Tokens(int64(n), int64(n), name)
	m.ToolCall(name, "allow")
	m.Error(name)
	m.SandboxDenial(name)
	m.TaskFinished(time.Duration(n), name)
}

// TestDisabledAllocatesNothing keeps the benchmarks' promise in CI, where
// benchmarks do not run.
func TestDisabledAllocatesNothing(t *testing.T) {
	var tel *Telemetry
	name, err := strconv.Itoa(123456), errors.New("x")
	n := len(name) * 100000
	if a := testing.AllocsPerRun(100, func() { disabledSpan(context.Background(), tel, name, n, err) }); a != 0 {
		t.Errorf("disabled span path allocates %v times", a)
	}
	if a := testing.AllocsPerRun(100, func() { disabledMetrics(tel, name, n) }); a != 0 {
		t.Errorf("disabled metrics path allocates %v times", a)
	}
}

func BenchmarkDisabledSpan(b *testing.B) {
	var tel *Telemetry
	ctx, name, err := context.Background(), strconv.Itoa(123456), errors.New("x")
	b.ReportAllocs()
	for b.Loop() {
		disabledSpan(ctx, tel, name, 1000, err)
	}
}

func BenchmarkDisabledMetrics(b *testing.B) {
	var tel *Telemetry
	name := strconv.Itoa(123456)
	b.ReportAllocs()
	for b.Loop() {
		disabledMetrics(tel, name, 1000)
	}
}

// discard is an exporter that drops everything.
type discard struct{}

func (discard) ExportSpans(context.Context, []SpanData) error { return nil }
func (discard) ExportMetrics(context.Context, Snapshot) error { return nil }

// BenchmarkEnabledSpan is the same two spans with telemetry on, for scale.
func BenchmarkEnabledSpan(b *testing.B) {
	tel, err := New(context.Background(), Options{Getenv: env(nil), SpanExporter: discard{}})
	if err != nil {
		b.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	ctx, name, e := context.Background(), strconv.Itoa(123456), errors.New("x")
	b.ReportAllocs()
	for b.Loop() {
		disabledSpan(ctx, tel, name, 1000, e)
	}
}

func BenchmarkEnabledMetrics(b *testing.B) {
	tel, err := New(context.Background(), Options{Getenv: env(nil), MetricExporter: discard{}})
	if err != nil {
		b.Fatal(err)
	}
	defer tel.Shutdown(context.Background())
	name := strconv.Itoa(123456)
	b.ReportAllocs()
	for b.Loop() {
		disabledMetrics(tel, name, 1000)
	}
}

// BenchmarkEncodeTraces encodes a full batch of 512 spans.
func BenchmarkEncodeTraces(b *testing.B) {
	spans := make([]SpanData, 512)
	for i := range spans {
		spans[i] = SpanData{TraceID: newTraceID(), SpanID: newSpanID(), Name: "tool.call",
			Start: time.Unix(1, 0), End: time.Unix(2, 0), Attrs: []Attr{String("tool", "shell"), Int64("turn", int64(i))}}
	}
	resource := []Attr{String("service.name", "git-agent")}
	b.ReportAllocs()
	for b.Loop() {
		encodeTraces(resource, "1.2.3", spans)
	}
}
