package telemetry

import (
	"context"
	"slices"
	"sync"
)

// SpanExporter sends ended spans somewhere. ExportSpans is called from one
// goroutine at a time and must not keep spans after it returns.
type SpanExporter interface {
	ExportSpans(ctx context.Context, spans []SpanData) error
}

// MetricExporter sends a metrics snapshot somewhere.
type MetricExporter interface {
	ExportMetrics(ctx context.Context, snap Snapshot) error
}

// MemoryExporter keeps everything exported to it, for tests: pass it as
// Options.SpanExporter and Options.MetricExporter, call Shutdown, then look.
// Safe for concurrent use; the zero value is ready.
type MemoryExporter struct {
	mu        sync.Mutex
	spans     []SpanData
	snapshots []Snapshot
}

// ExportSpans implements SpanExporter.
func (m *MemoryExporter) ExportSpans(_ context.Context, spans []SpanData) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.spans = append(m.spans, spans...)
	return nil
}

// ExportMetrics implements MetricExporter.
func (m *MemoryExporter) ExportMetrics(_ context.Context, snap Snapshot) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.snapshots = append(m.snapshots, snap)
	return nil
}

// Spans returns the spans exported so far, in the order they ended.
func (m *MemoryExporter) Spans() []SpanData {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.spans)
}

// Snapshots returns the metric snapshots exported so far; the last one holds
// the final values.
func (m *MemoryExporter) Snapshots() []Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.snapshots)
}
