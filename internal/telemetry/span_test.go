package telemetry

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSpanTree(t *testing.T) {
	t.Parallel()
	mem := &MemoryExporter{}
	clk := newClock()
	tel := mustNew(t, Options{SpanExporter: mem, Now: clk.Now})

	ctx, session := tel.Start(context.Background(), "session", String("session.id", "s1"))
	turnCtx, turn := tel.Start(ctx, "turn", Int("turn.index", 1))
	_, model := tel.Start(turnCtx, "model.request", String("model", "gpt-x"))
	model.SetAttrs(Int64("tokens.input", 1200), Int64("tokens.output", 0))
	model.End()
	toolCtx, tool := tel.Start(turnCtx, "tool.call", String("tool", "shell"), Bool("approved", true))
	_, exec := tel.Start(toolCtx, "sandbox.exec", Float("timeout_s", 2.5))
	exec.SetError(errors.New("exit status 1"))
	exec.End()
	tool.End()
	turn.End()
	session.End()
	shutdown(t, tel)

	spans := mem.Spans()
	type row struct {
		Name, Parent string
		Attrs        []Attr
		Status       StatusCode
		Message      string
	}
	byID := map[SpanID]SpanData{}
	for _, s := range spans {
		byID[s.SpanID] = s
	}
	var got []row
	for _, s := range spans {
		if s.TraceID != session.TraceID() {
			t.Errorf("span %s has trace %s, want %s", s.Name, s.TraceID, session.TraceID())
		}
		if !s.End.After(s.Start) {
			t.Errorf("span %s ends at %v, not after its start %v", s.Name, s.End, s.Start)
		}
		got = append(got, row{s.Name, byID[s.Parent].Name, s.Attrs, s.Status, s.StatusMessage})
	}
	want := []row{ // in the order the spans ended
		{"model.request", "turn", []Attr{String("model", "gpt-x"), Int64("tokens.input", 1200), Int64("tokens.output", 0)}, StatusUnset, ""},
		{"sandbox.exec", "tool.call", []Attr{Float("timeout_s", 2.5)}, StatusError, "exit status 1"},
		{"tool.call", "turn", []Attr{String("tool", "shell"), Bool("approved", true)}, StatusUnset, ""},
		{"turn", "session", []Attr{Int64("turn.index", 1)}, StatusUnset, ""},
		{"session", "", []Attr{String("session.id", "s1")}, StatusUnset, ""},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("spans (-want +got):\n%s", diff)
	}
	if spans[4].Parent.IsValid() {
		t.Errorf("root span has parent %s", spans[4].Parent)
	}
}

func TestSpanCalls(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		do        func(*Telemetry)
		wantAttrs []Attr
		wantDrop  int
		wantStat  StatusCode
	}{
		{
			name: "later attribute replaces earlier",
			do: func(tel *Telemetry) {
				_, s := tel.Start(context.Background(), "s", String("k", "a"), Int("n", 1))
				s.SetAttrs(String("k", "b"))
				s.End()
			},
			wantAttrs: []Attr{String("k", "b"), Int64("n", 1)},
		},
		{
			name: "calls after End are ignored",
			do: func(tel *Telemetry) {
				_, s := tel.Start(context.Background(), "s")
				s.End()
				s.SetAttrs(String("late", "x"))
				s.SetError(errors.New("late"))
				s.End()
			},
		},
		{
			name: "nil error leaves status unset",
			do: func(tel *Telemetry) {
				_, s := tel.Start(context.Background(), "s")
				s.SetError(nil)
				s.End()
			},
		},
		{
			name: "attributes beyond the limit are dropped",
			do: func(tel *Telemetry) {
				_, s := tel.Start(context.Background(), "s")
				for i := range maxSpanAttrs + 3 {
					s.SetAttrs(Int(fmt.Sprint("a", i), i))
				}
				s.End()
			},
			wantDrop: 3,
		},
		{
			name: "other value types are converted",
			do: func(tel *Telemetry) {
				_, s := tel.Start(context.Background(), "s",
					Attr{"u8", uint8(7)}, Attr{"f32", float32(0.5)}, Attr{"big", uint64(1 << 63)},
					Attr{"dur", time.Second}, Attr{"nil", nil})
				s.End()
			},
			wantAttrs: []Attr{Int64("u8", 7), Float("f32", 0.5), Int64("big", 1<<63-1),
				String("dur", "unsupported attribute type time.Duration"), String("nil", "")},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			mem := &MemoryExporter{}
			tel := mustNew(t, Options{SpanExporter: mem})
			tc.do(tel)
			shutdown(t, tel)
			spans := mem.Spans()
			if len(spans) != 1 {
				t.Fatalf("got %d spans, want 1", len(spans))
			}
			s := spans[0]
			if len(s.Attrs) == maxSpanAttrs {
				s.Attrs = nil // checked by count
			}
			if diff := cmp.Diff(tc.wantAttrs, s.Attrs); diff != "" {
				t.Errorf("attrs (-want +got):\n%s", diff)
			}
			if s.DroppedAttrs != tc.wantDrop || s.Status != tc.wantStat {
				t.Errorf("dropped %d, status %d; want %d, %d", s.DroppedAttrs, s.Status, tc.wantDrop, tc.wantStat)
			}
		})
	}
}

func TestSpanFromContext(t *testing.T) {
	t.Parallel()
	tel := mustNew(t, Options{SpanExporter: &MemoryExporter{}})
	if s := SpanFromContext(context.Background()); s != nil {
		t.Errorf("SpanFromContext(empty) = %v, want nil", s)
	}
	ctx, s := tel.Start(context.Background(), "s")
	if got := SpanFromContext(ctx); got != s {
		t.Errorf("SpanFromContext = %p, want %p", got, s)
	}
	if id := s.TraceID().String(); len(id) != 32 || strings.Trim(id, "0") == "" {
		t.Errorf("trace id %q is not 32 hex digits, not all zero", id)
	}
}

// TestNilIsNoop calls everything on the nil values a disabled Telemetry
// hands out: none may panic.
func TestNilIsNoop(t *testing.T) {
	t.Parallel()
	var tel *Telemetry
	ctx, s := tel.Start(context.Background(), "s", String("k", "v"))
	if s != nil || SpanFromContext(ctx) != nil {
		t.Error("nil Telemetry started a span")
	}
	s.SetAttrs(Int("n", 1))
	s.SetError(errors.New("x"))
	s.End()
	if s.TraceID().IsValid() || s.SpanID().IsValid() {
		t.Error("nil span has IDs")
	}
	m := tel.Metrics()
	m.TaskStarted(String("k", "v"))
	m.TaskFinished(time.Second, "completed")
	m.Error("x")
	m.Tokens(1, 2, "m")
	m.ToolCall("t", "allow")
	m.SandboxDenial("net")
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Errorf("Shutdown: %v", err)
	}
}

// TestMetricsOnly: with only metrics configured, spans cost nothing.
func TestMetricsOnly(t *testing.T) {
	t.Parallel()
	tel := mustNew(t, Options{MetricExporter: &MemoryExporter{}})
	ctx := context.Background()
	if got, s := tel.Start(ctx, "s"); s != nil || got != ctx {
		t.Error("Start made a span with no span exporter")
	}
	if tel.Metrics() == nil {
		t.Error("Metrics() = nil with a metric exporter")
	}
}
