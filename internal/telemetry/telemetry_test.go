package telemetry

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// blockingExporter never finishes an export before its context ends.
type blockingExporter struct{ started chan struct{} }

func (b *blockingExporter) ExportSpans(ctx context.Context, _ []SpanData) error {
	select {
	case b.started <- struct{}{}:
	default:
	}
	<-ctx.Done()
	return ctx.Err()
}

func (b *blockingExporter) ExportMetrics(ctx context.Context, _ Snapshot) error {
	<-ctx.Done()
	return ctx.Err()
}

type failingExporter struct{}

func (failingExporter) ExportSpans(context.Context, []SpanData) error {
	return errors.New("collector down")
}
func (failingExporter) ExportMetrics(context.Context, Snapshot) error {
	return errors.New("collector down")
}

func TestShutdownIsBoundedByContext(t *testing.T) {
	t.Parallel()
	exp := &blockingExporter{started: make(chan struct{}, 1)}
	tel := mustNew(t, Options{SpanExporter: exp, MetricExporter: exp})
	_, s := tel.Start(context.Background(), "s")
	s.End()
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := tel.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Shutdown = %v, want deadline exceeded", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("Shutdown took %v", d)
	}
	if again := tel.Shutdown(context.Background()); again == nil || again.Error() != err.Error() {
		t.Errorf("second Shutdown = %v, want the first's %v", again, err)
	}
}

func TestExportFailuresAreLoggedNotReturned(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	tel := mustNew(t, Options{SpanExporter: failingExporter{}, MetricExporter: failingExporter{}, Logger: logs.logger()})
	_, s := tel.Start(context.Background(), "s")
	s.End()
	shutdown(t, tel)
	for _, want := range []string{"level=WARN msg=\"telemetry: export spans\"", "level=WARN msg=\"telemetry: export metrics\"", "collector down"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestSpanQueue(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		maxQueue, batch  int
		added            int
		closed           bool // flushed finally before the spans are added
		wantBatches      []int
		wantDroppedInLog string
	}{
		{name: "one batch", maxQueue: 10, batch: 4, added: 3, wantBatches: []int{3}},
		{name: "split into batches", maxQueue: 10, batch: 4, added: 9, wantBatches: []int{4, 4, 1}},
		{name: "full queue drops", maxQueue: 2, batch: 2, added: 5, wantBatches: []int{2}, wantDroppedInLog: "dropped=3"},
		{name: "closed queue ignores spans", maxQueue: 10, batch: 4, added: 3, closed: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var logs logBuffer
			mem := &batchRecorder{}
			q := newSpanQueue(mem, tc.maxQueue, tc.batch)
			if tc.closed {
				q.flush(context.Background(), logs.logger(), true)
			}
			for range tc.added {
				q.add(SpanData{Name: "s"})
			}
			q.flush(context.Background(), logs.logger(), false)
			if diff := cmp.Diff(tc.wantBatches, mem.sizes); diff != "" {
				t.Errorf("batch sizes (-want +got):\n%s", diff)
			}
			if tc.wantDroppedInLog != "" && !strings.Contains(logs.String(), tc.wantDroppedInLog) {
				t.Errorf("log lacks %q:\n%s", tc.wantDroppedInLog, logs.String())
			}
		})
	}
}

// batchRecorder records the size of each batch exported.
type batchRecorder struct{ sizes []int }

func (b *batchRecorder) ExportSpans(_ context.Context, spans []SpanData) error {
	b.sizes = append(b.sizes, len(spans))
	return nil
}

func TestNewWarnsAboutIgnoredSettings(t *testing.T) {
	t.Parallel()
	var logs logBuffer
	tel, err := New(context.Background(), Options{
		Getenv: env(map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_BSP_SCHEDULE_DELAY": "soon"}),
		Logger: logs.logger(),
	})
	if tel != nil || err != nil {
		t.Fatalf("New = %v, %v; want nil, nil", tel, err)
	}
	for _, want := range []string{"no OTEL_EXPORTER_OTLP_ENDPOINT", `OTEL_BSP_SCHEDULE_DELAY=\"soon\"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %q:\n%s", want, logs.String())
		}
	}
}

func TestNewRequiresGetenv(t *testing.T) {
	t.Parallel()
	if _, err := New(context.Background(), Options{}); err == nil {
		t.Error("New without Getenv succeeded")
	}
}
