package telemetry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"sync"
	"time"
)

// maxSpanAttrs is OpenTelemetry's default attribute count limit per span;
// attributes beyond it are counted as dropped.
const maxSpanAttrs = 128

// TraceID identifies a trace: 16 random bytes, never all zero.
type TraceID [16]byte

// String returns the ID as 32 lowercase hex digits, as W3C traceparent writes it.
func (id TraceID) String() string { return hex.EncodeToString(id[:]) }

// IsValid reports whether the ID is not all zero.
func (id TraceID) IsValid() bool { return id != TraceID{} }

// SpanID identifies a span within a trace: 8 random bytes, never all zero.
type SpanID [8]byte

// String returns the ID as 16 lowercase hex digits.
func (id SpanID) String() string { return hex.EncodeToString(id[:]) }

// IsValid reports whether the ID is not all zero.
func (id SpanID) IsValid() bool { return id != SpanID{} }

// StatusCode is a span's status; the values are OTLP's.
type StatusCode int

// Span statuses. A span that neither failed nor was marked is Unset, which
// backends read as success.
const (
	StatusUnset StatusCode = 0
	StatusOK    StatusCode = 1
	StatusError StatusCode = 2
)

// SpanData is an ended span as handed to a SpanExporter. Its strings have
// already been through Options.Sanitize. Every span is of kind internal.
type SpanData struct {
	TraceID       TraceID
	SpanID        SpanID
	Parent        SpanID // zero for a root span
	Name          string
	Start, End    time.Time
	Attrs         []Attr // values are string, bool, int64 or float64
	DroppedAttrs  int    // attributes beyond the limit of 128
	Status        StatusCode
	StatusMessage string
}

// Span is an operation being timed. A nil *Span, which the disabled
// Telemetry hands out, ignores every call. A Span is safe for concurrent use;
// calls after End are ignored.
type Span struct {
	t     *Telemetry
	mu    sync.Mutex
	d     SpanData
	ended bool
}

type spanKey struct{}

// SpanFromContext returns the span that Start put in ctx, or nil.
func SpanFromContext(ctx context.Context) *Span {
	s, _ := ctx.Value(spanKey{}).(*Span)
	return s
}

// Start begins a span named name, a child of the span in ctx if there is one,
// and returns a context carrying it. End the span when the operation is over.
func (t *Telemetry) Start(ctx context.Context, name string, attrs ...Attr) (context.Context, *Span) {
	if t == nil || t.spans == nil {
		return ctx, nil
	}
	s := t.newSpan(ctx, name, attrs)
	return context.WithValue(ctx, spanKey{}, s), s
}

func (t *Telemetry) newSpan(ctx context.Context, name string, attrs []Attr) *Span {
	s := &Span{t: t}
	if p := SpanFromContext(ctx); p != nil {
		s.d.TraceID, s.d.Parent = p.d.TraceID, p.d.SpanID // immutable once set
	} else {
		s.d.TraceID = newTraceID()
	}
	s.d.SpanID = newSpanID()
	s.d.Name = t.sanitize(name)
	s.d.Start = t.now()
	s.setAttrs(attrs)
	return s
}

// SetAttrs adds attributes to the span, replacing any with the same key.
func (s *Span) SetAttrs(attrs ...Attr) {
	if s == nil || len(attrs) == 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.setAttrs(attrs)
	}
}

func (s *Span) setAttrs(attrs []Attr) {
	s.d.Attrs = normAttrs(s.d.Attrs, attrs, s.t.sanitize)
	if n := len(s.d.Attrs); n > maxSpanAttrs {
		s.d.DroppedAttrs += n - maxSpanAttrs
		s.d.Attrs = s.d.Attrs[:maxSpanAttrs]
	}
}

// SetError marks the span failed, with err's message as the status message.
// A nil err does nothing.
func (s *Span) SetError(err error) {
	if s == nil || err == nil {
		return
	}
	msg := s.t.sanitize(err.Error())
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.d.Status, s.d.StatusMessage = StatusError, msg
	}
}

// End records the span's end time and queues it for export. Only the first
// call counts.
func (s *Span) End() {
	if s == nil {
		return
	}
	end := s.t.now()
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	s.d.End = end
	d := s.d
	s.mu.Unlock()
	s.t.spans.add(d)
}

// TraceID returns the span's trace ID, for correlating logs; zero for a nil span.
func (s *Span) TraceID() TraceID {
	if s == nil {
		return TraceID{}
	}
	return s.d.TraceID
}

// SpanID returns the span's ID; zero for a nil span.
func (s *Span) SpanID() SpanID {
	if s == nil {
		return SpanID{}
	}
	return s.d.SpanID
}

func newTraceID() TraceID {
	var id TraceID
	for !id.IsValid() {
		rand.Read(id[:]) // never fails since Go 1.24
	}
	return id
}

func newSpanID() SpanID {
	var id SpanID
	for !id.IsValid() {
		rand.Read(id[:])
	}
	return id
}
