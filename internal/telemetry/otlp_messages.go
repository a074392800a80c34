package telemetry

import (
	"math"
	"time"
)

// scopeName is the instrumentation scope of everything git-agent records.
const scopeName = "github.com/git-agent/git-agent"

// The field numbers below are opentelemetry-proto v1's, with the field name
// alongside; encode_test.go decodes the output with the official types.

// encodeTraces returns an ExportTraceServiceRequest.
func encodeTraces(resource []Attr, version string, spans []SpanData) []byte {
	var p pbuf
	p.message(1, func(p *pbuf) { // resource_spans
		p.message(1, func(p *pbuf) { encodeAttrs(p, 1, resource) }) // resource{attributes}
		p.message(2, func(p *pbuf) {                                // scope_spans
			encodeScope(p, version)
			for i := range spans {
				p.message(2, func(p *pbuf) { encodeSpan(p, &spans[i]) }) // spans
			}
		})
	})
	return p.b
}

func encodeSpan(p *pbuf, s *SpanData) {
	p.bytes(1, s.TraceID[:]) // trace_id
	p.bytes(2, s.SpanID[:])  // span_id
	if s.Parent.IsValid() {
		p.bytes(4, s.Parent[:]) // parent_span_id
	}
	p.string(5, s.Name)                          // name
	p.uint64(6, 1)                               // kind: SPAN_KIND_INTERNAL
	p.fixed64(7, unixNano(s.Start))              // start_time_unix_nano
	p.fixed64(8, unixNano(s.End))                // end_time_unix_nano
	encodeAttrs(p, 9, s.Attrs)                   // attributes
	p.uint64(10, uint64(max(s.DroppedAttrs, 0))) // dropped_attributes_count
	if s.Status != StatusUnset || s.StatusMessage != "" {
		p.message(15, func(p *pbuf) { // status
			p.string(2, s.StatusMessage)  // message
			p.uint64(3, uint64(s.Status)) // code
		})
	}
	// flags: sampled (W3C trace flags), and "the parent is known not to be
	// remote" (SPAN_FLAGS_CONTEXT_HAS_IS_REMOTE_MASK set, IS_REMOTE clear).
	p.fixed32(16, 0x01|0x100)
}

// encodeMetrics returns an ExportMetricsServiceRequest. Metrics without
// points are left out.
func encodeMetrics(version string, snap Snapshot) []byte {
	start, now := unixNano(snap.Start), unixNano(snap.Time)
	var p pbuf
	p.message(1, func(p *pbuf) { // resource_metrics
		p.message(1, func(p *pbuf) { encodeAttrs(p, 1, snap.Resource) }) // resource{attributes}
		p.message(2, func(p *pbuf) {                                     // scope_metrics
			encodeScope(p, version)
			for _, m := range snap.Metrics {
				if len(m.Points) > 0 {
					p.message(2, func(p *pbuf) { encodeMetric(p, &m, start, now) }) // metrics
				}
			}
		})
	})
	return p.b
}

func encodeMetric(p *pbuf, m *MetricData, start, now uint64) {
	p.string(1, m.Name)        // name
	p.string(2, m.Description) // description
	p.string(3, m.Unit)        // unit
	if m.Type == Histogram {
		p.message(9, func(p *pbuf) { // histogram
			for i := range m.Points {
				p.message(1, func(p *pbuf) { encodeHistogramPoint(p, &m.Points[i], start, now) }) // data_points
			}
			p.uint64(2, 2) // aggregation_temporality: CUMULATIVE
		})
		return
	}
	p.message(7, func(p *pbuf) { // sum
		for i := range m.Points {
			p.message(1, func(p *pbuf) { // data_points (NumberDataPoint)
				p.fixed64(2, start)                           // start_time_unix_nano
				p.fixed64(3, now)                             // time_unix_nano
				p.fixed64Always(6, uint64(m.Points[i].Value)) // as_int (sfixed64)
				encodeAttrs(p, 7, m.Points[i].Attrs)          // attributes
			})
		}
		p.uint64(2, 2) // aggregation_temporality: CUMULATIVE
		if m.Type == Counter {
			p.boolAlways(3, true) // is_monotonic
		}
	})
}

func encodeHistogramPoint(p *pbuf, d *DataPoint, start, now uint64) {
	p.fixed64(2, start)                // start_time_unix_nano
	p.fixed64(3, now)                  // time_unix_nano
	p.fixed64Always(4, d.Count)        // count
	p.doubleAlways(5, d.Sum)           // sum (optional)
	p.packedFixed64(6, d.BucketCounts) // bucket_counts
	bounds := make([]uint64, len(d.Bounds))
	for i, b := range d.Bounds {
		bounds[i] = math.Float64bits(b)
	}
	p.packedFixed64(7, bounds) // explicit_bounds
	encodeAttrs(p, 9, d.Attrs) // attributes
	if d.Count > 0 {
		p.doubleAlways(11, d.Min) // min (optional)
		p.doubleAlways(12, d.Max) // max (optional)
	}
}

// encodeScope writes the scope field of ScopeSpans and ScopeMetrics.
func encodeScope(p *pbuf, version string) {
	p.message(1, func(p *pbuf) { // scope (InstrumentationScope)
		p.string(1, scopeName) // name
		p.string(2, version)   // version
	})
}

// encodeAttrs writes attrs as repeated KeyValue field num.
func encodeAttrs(p *pbuf, num int, attrs []Attr) {
	for _, a := range attrs {
		p.message(num, func(p *pbuf) {
			p.string(1, a.Key)           // key
			p.message(2, func(p *pbuf) { // value (AnyValue: a oneof, so zero values are written)
				switch v := a.Value.(type) {
				case string:
					p.stringAlways(1, v) // string_value
				case bool:
					p.boolAlways(2, v) // bool_value
				case int64:
					p.int64Always(3, v) // int_value
				case float64:
					p.doubleAlways(4, v) // double_value
				}
			})
		})
	}
}

func unixNano(t time.Time) uint64 {
	if t.IsZero() {
		return 0
	}
	return uint64(t.UnixNano())
}
