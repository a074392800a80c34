package telemetry

import (
	"context"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestMetrics(t *testing.T) {
	t.Parallel()
	buckets := func(idx ...int) []uint64 { // counts per bucket index
		b := make([]uint64, len(durationBounds())+1)
		for _, i := range idx {
			b[i]++
		}
		return b
	}
	tests := []struct {
		name  string
		calls func(*Metrics)
		want  map[string][]DataPoint // metrics without points are left out
	}{
		{
			name:  "nothing recorded",
			calls: func(*Metrics) {},
			want:  map[string][]DataPoint{},
		},
		{
			name: "task lifecycle",
			calls: func(m *Metrics) {
				m.TaskStarted(String("mode", "review"))
				m.TaskStarted(String("mode", "run"))
				m.TaskStarted(String("mode", "review"))
				m.TaskFinished(30*time.Millisecond, "completed")
				m.TaskFinished(2*time.Second, "completed")
				m.TaskFinished(time.Hour, "failed")
			},
			want: map[string][]DataPoint{
				MetricTaskExecutions: {
					{Attrs: []Attr{String("mode", "review")}, Value: 2},
					{Attrs: []Attr{String("mode", "run")}, Value: 1},
				},
				MetricAgentsActive: {{Attrs: []Attr{}, Value: 0}},
				MetricTaskDuration: {
					{Attrs: []Attr{String("status", "completed")}, Count: 2, Sum: 2.03, Min: 0.03, Max: 2,
						Bounds: durationBounds(), BucketCounts: buckets(3, 8)},
					{Attrs: []Attr{String("status", "failed")}, Count: 1, Sum: 3600, Min: 3600, Max: 3600,
						Bounds: durationBounds(), BucketCounts: buckets(16)},
				},
			},
		},
		{
			name: "a bound is the upper end of its bucket",
			calls: func(m *Metrics) {
				m.TaskFinished(5*time.Millisecond, "ok")
				m.TaskFinished(-time.Second, "ok") // clamped to 0
			},
			want: map[string][]DataPoint{
				MetricAgentsActive: {{Attrs: []Attr{}, Value: -2}},
				MetricTaskDuration: {{Attrs: []Attr{String("status", "ok")}, Count: 2, Sum: 0.005, Min: 0, Max: 0.005,
					Bounds: durationBounds(), BucketCounts: buckets(0, 0)}},
			},
		},
		{
			name: "attribute order does not split a point",
			calls: func(m *Metrics) {
				m.TaskStarted(String("a", "1"), Int("b", 2))
				m.TaskStarted(Int("b", 2), String("a", "1"))
				m.TaskStarted(Int("b", 3), String("a", "1"))
			},
			want: map[string][]DataPoint{
				MetricTaskExecutions: {
					{Attrs: []Attr{String("a", "1"), Int64("b", 2)}, Value: 2},
					{Attrs: []Attr{String("a", "1"), Int64("b", 3)}, Value: 1},
				},
				MetricAgentsActive: {{Attrs: []Attr{}, Value: 3}},
			},
		},
		{
			name: "errors, tokens, tools, denials",
			calls: func(m *Metrics) {
				m.Error("model")
				m.Error("model")
				m.Error("tool")
				m.Tokens(100, 20, "gpt-x")
				m.Tokens(50, 0, "gpt-x")
				m.Tokens(7, 3, "claude")
				m.Tokens(-5, 0, "claude") // ignored
				m.ToolCall("shell", "allow")
				m.ToolCall("shell", "deny")
				m.ToolCall("shell", "allow")
				m.SandboxDenial("network")
			},
			want: map[string][]DataPoint{
				MetricErrors: {
					{Attrs: []Attr{String("error.kind", "model")}, Value: 2},
					{Attrs: []Attr{String("error.kind", "tool")}, Value: 1},
				},
				MetricTokens: {
					{Attrs: []Attr{String("model", "claude"), String("token.type", "input")}, Value: 7},
					{Attrs: []Attr{String("model", "claude"), String("token.type", "output")}, Value: 3},
					{Attrs: []Attr{String("model", "gpt-x"), String("token.type", "input")}, Value: 150},
					{Attrs: []Attr{String("model", "gpt-x"), String("token.type", "output")}, Value: 20},
				},
				MetricToolCalls: {
					{Attrs: []Attr{String("decision", "allow"), String("tool", "shell")}, Value: 2},
					{Attrs: []Attr{String("decision", "deny"), String("tool", "shell")}, Value: 1},
				},
				MetricSandboxDenials: {{Attrs: []Attr{String("kind", "network")}, Value: 1}},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mem := &MemoryExporter{}
			tel := mustNew(t, Options{MetricExporter: mem})
			tc.calls(tel.Metrics())
			shutdown(t, tel)
			snaps := mem.Snapshots()
			if len(snaps) != 1 {
				t.Fatalf("got %d snapshots, want 1 (the final one)", len(snaps))
			}
			got := map[string][]DataPoint{}
			for _, m := range snaps[0].Metrics {
				if len(m.Points) > 0 {
					got[m.Name] = m.Points
				}
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateApprox(0, 1e-9), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("points (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMetricDescriptors(t *testing.T) {
	t.Parallel()
	m := newMetrics(newClock().Now, identity)
	type desc struct {
		Name, Unit string
		Type       MetricType
	}
	var got []desc
	for _, md := range m.snapshot(nil).Metrics {
		got = append(got, desc{md.Name, md.Unit, md.Type})
		if md.Description == "" {
			t.Errorf("%s has no description", md.Name)
		}
	}
	want := []desc{
		{MetricTaskExecutions, "1", Counter},
		{MetricAgentsActive, "{agent}", Gauge},
		{MetricTaskDuration, "s", Histogram},
		{MetricErrors, "1", Counter},
		{MetricTokens, "{token}", Counter},
		{MetricToolCalls, "1", Counter},
		{MetricSandboxDenials, "1", Counter},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

// TestPeriodicExport: spans and metrics leave on their own schedule, and a
// full batch leaves at once, without waiting for Shutdown.
func TestPeriodicExport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"schedule", map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "10", "OTEL_METRIC_EXPORT_INTERVAL": "10"}},
		{"full batch", map[string]string{"OTEL_BSP_SCHEDULE_DELAY": "3600000", "OTEL_BSP_MAX_EXPORT_BATCH_SIZE": "2", "OTEL_METRIC_EXPORT_INTERVAL": "10"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mem := &MemoryExporter{}
			tel := mustNew(t, Options{Getenv: env(tc.env), SpanExporter: mem, MetricExporter: mem})
			for range 2 {
				_, s := tel.Start(context.Background(), "s")
				s.End()
			}
			tel.Metrics().Error("x")
			waitFor(t, "spans", func() bool { return len(mem.Spans()) == 2 })
			waitFor(t, "metrics", func() bool { return len(mem.Snapshots()) > 0 })
		})
	}
}
