package telemetry

import (
	"context"
	"log/slog"
	"sync"
)

// spanQueue holds ended spans until the background loop exports them. It is
// bounded: a span ended while it is full is dropped and counted, so a stalled
// collector costs memory only up to the limit.
type spanQueue struct {
	exp       SpanExporter
	maxQueue  int
	batchSize int
	ready     chan struct{} // signalled, without blocking, when a batch is full

	mu      sync.Mutex
	spans   []SpanData
	dropped int
	closed  bool
}

func newSpanQueue(exp SpanExporter, maxQueue, batchSize int) *spanQueue {
	return &spanQueue{exp: exp, maxQueue: maxQueue, batchSize: batchSize, ready: make(chan struct{}, 1)}
}

func (q *spanQueue) add(d SpanData) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return
	}
	if len(q.spans) >= q.maxQueue {
		q.dropped++
		return
	}
	q.spans = append(q.spans, d)
	if len(q.spans) >= q.batchSize {
		select {
		case q.ready <- struct{}{}:
		default:
		}
	}
}

// take empties the queue. After close, spans ended later are ignored.
func (q *spanQueue) take(close bool) (spans []SpanData, dropped int) {
	q.mu.Lock()
	defer q.mu.Unlock()
	spans, dropped = q.spans, q.dropped
	q.spans, q.dropped = nil, 0
	q.closed = q.closed || close
	return spans, dropped
}

// flush exports everything queued, in batches. Failures are logged, not
// returned: telemetry never fails the agent.
func (q *spanQueue) flush(ctx context.Context, log *slog.Logger, final bool) {
	spans, dropped := q.take(final)
	if dropped > 0 {
		log.Warn("telemetry: span queue full, spans dropped", "dropped", dropped, "limit", q.maxQueue)
	}
	for len(spans) > 0 {
		n := min(len(spans), q.batchSize)
		if err := q.exp.ExportSpans(ctx, spans[:n]); err != nil {
			log.Warn("telemetry: export spans", "spans", n, "err", err)
		}
		spans = spans[n:]
	}
}
