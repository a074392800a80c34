package telemetry

import (
	"bytes"
	"math"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"
	resourcepb "go.opentelemetry.io/proto/otlp/resource/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// The tests in this file decode what the hand-written encoder produces with
// the official generated types, and compare with the message we mean.

func kv(k string, v any) *commonpb.KeyValue {
	var av commonpb.AnyValue
	switch v := v.(type) {
	case string:
		av.Value = &commonpb.AnyValue_StringValue{StringValue: v}
	case bool:
		av.Value = &commonpb.AnyValue_BoolValue{BoolValue: v}
	case int64:
		av.Value = &commonpb.AnyValue_IntValue{IntValue: v}
	case float64:
		av.Value = &commonpb.AnyValue_DoubleValue{DoubleValue: v}
	}
	return &commonpb.KeyValue{Key: k, Value: &av}
}

func scope(version string) *commonpb.InstrumentationScope {
	return &commonpb.InstrumentationScope{Name: scopeName, Version: version}
}

func TestEncodeTraces(t *testing.T) {
	t.Parallel()
	t0 := time.Unix(1700000000, 123)
	long := string(bytes.Repeat([]byte("x"), 300)) // a length prefix of two bytes
	spans := []SpanData{
		{
			TraceID: TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, SpanID: SpanID{1, 1, 1, 1, 1, 1, 1, 1},
			Name: "session", Start: t0, End: t0.Add(time.Second),
			// Zero values are present in a oneof: they must be on the wire.
			Attrs: []Attr{String("empty", ""), Bool("no", false), Int64("zero", 0), Int64("neg", -42),
				Float("pi", math.Pi), Float("zerof", 0), String("long", long)},
		},
		{
			TraceID: TraceID{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16}, SpanID: SpanID{2, 2, 2, 2, 2, 2, 2, 2},
			Parent: SpanID{1, 1, 1, 1, 1, 1, 1, 1}, Name: "tool.call", Start: t0, End: t0.Add(time.Millisecond),
			DroppedAttrs: 2, Status: StatusError, StatusMessage: "exit status 1",
		},
	}
	got := &coltracepb.ExportTraceServiceRequest{}
	if err := proto.Unmarshal(encodeTraces([]Attr{String("service.name", "git-agent")}, "1.2.3", spans), got); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	start, end := uint64(t0.UnixNano()), uint64(t0.Add(time.Second).UnixNano())
	want := &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", "git-agent")}},
		ScopeSpans: []*tracepb.ScopeSpans{{
			Scope: scope("1.2.3"),
			Spans: []*tracepb.Span{
				{
					TraceId: spans[0].TraceID[:], SpanId: spans[0].SpanID[:], Name: "session",
					Kind: tracepb.Span_SPAN_KIND_INTERNAL, StartTimeUnixNano: start, EndTimeUnixNano: end,
					Attributes: []*commonpb.KeyValue{kv("empty", ""), kv("no", false), kv("zero", int64(0)), kv("neg", int64(-42)),
						kv("pi", math.Pi), kv("zerof", 0.0), kv("long", long)},
					Flags: 0x101,
				},
				{
					TraceId: spans[1].TraceID[:], SpanId: spans[1].SpanID[:], ParentSpanId: spans[0].SpanID[:], Name: "tool.call",
					Kind: tracepb.Span_SPAN_KIND_INTERNAL, StartTimeUnixNano: start, EndTimeUnixNano: uint64(t0.Add(time.Millisecond).UnixNano()),
					DroppedAttributesCount: 2,
					Status:                 &tracepb.Status{Code: tracepb.Status_STATUS_CODE_ERROR, Message: "exit status 1"},
					Flags:                  0x101,
				},
			},
		}},
	}}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("ExportTraceServiceRequest (-want +got):\n%s", diff)
	}
}

func TestEncodeMetrics(t *testing.T) {
	t.Parallel()
	t0, t1 := time.Unix(1700000000, 0), time.Unix(1700000030, 5)
	snap := Snapshot{
		Resource: []Attr{String("service.name", "git-agent")},
		Start:    t0, Time: t1,
		Metrics: []MetricData{
			{Name: MetricTaskExecutions, Unit: "1", Type: Counter, Description: "Tasks started.",
				Points: []DataPoint{{Attrs: []Attr{String("mode", "run")}, Value: 3}}},
			{Name: MetricAgentsActive, Unit: "{agent}", Type: Gauge,
				Points: []DataPoint{{Value: 0}, {Attrs: []Attr{Bool("x", true)}, Value: -1}}},
			{Name: MetricErrors, Unit: "1", Type: Counter}, // no points: left out
			{Name: MetricTaskDuration, Unit: "s", Type: Histogram,
				Points: []DataPoint{{Attrs: []Attr{String("status", "completed")}, Count: 2, Sum: 0.5, Min: 0.1, Max: 0.4,
					Bounds: []float64{0.25, 1}, BucketCounts: []uint64{1, 1, 0}}}},
		},
	}
	got := &colmetricpb.ExportMetricsServiceRequest{}
	if err := proto.Unmarshal(encodeMetrics("1.2.3", snap), got); err != nil {
		t.Fatalf("unmarshal: %v", err)
	}
	start, now := uint64(t0.UnixNano()), uint64(t1.UnixNano())
	cumulative := metricpb.AggregationTemporality_AGGREGATION_TEMPORALITY_CUMULATIVE
	number := func(v int64, attrs ...*commonpb.KeyValue) *metricpb.NumberDataPoint {
		return &metricpb.NumberDataPoint{StartTimeUnixNano: start, TimeUnixNano: now,
			Value: &metricpb.NumberDataPoint_AsInt{AsInt: v}, Attributes: attrs}
	}
	want := &colmetricpb.ExportMetricsServiceRequest{ResourceMetrics: []*metricpb.ResourceMetrics{{
		Resource: &resourcepb.Resource{Attributes: []*commonpb.KeyValue{kv("service.name", "git-agent")}},
		ScopeMetrics: []*metricpb.ScopeMetrics{{
			Scope: scope("1.2.3"),
			Metrics: []*metricpb.Metric{
				{Name: MetricTaskExecutions, Unit: "1", Description: "Tasks started.", Data: &metricpb.Metric_Sum{Sum: &metricpb.Sum{
					AggregationTemporality: cumulative, IsMonotonic: true,
					DataPoints: []*metricpb.NumberDataPoint{number(3, kv("mode", "run"))}}}},
				{Name: MetricAgentsActive, Unit: "{agent}", Data: &metricpb.Metric_Sum{Sum: &metricpb.Sum{
					AggregationTemporality: cumulative,
					DataPoints:             []*metricpb.NumberDataPoint{number(0), number(-1, kv("x", true))}}}},
				{Name: MetricTaskDuration, Unit: "s", Data: &metricpb.Metric_Histogram{Histogram: &metricpb.Histogram{
					AggregationTemporality: cumulative,
					DataPoints: []*metricpb.HistogramDataPoint{{
						StartTimeUnixNano: start, TimeUnixNano: now, Attributes: []*commonpb.KeyValue{kv("status", "completed")},
						Count: 2, Sum: proto.Float64(0.5), Min: proto.Float64(0.1), Max: proto.Float64(0.4),
						ExplicitBounds: []float64{0.25, 1}, BucketCounts: []uint64{1, 1, 0},
					}},
				}}},
			},
		}},
	}}}
	if diff := cmp.Diff(want, got, protocmp.Transform()); diff != "" {
		t.Errorf("ExportMetricsServiceRequest (-want +got):\n%s", diff)
	}
}

func TestPartialSuccess(t *testing.T) {
	t.Parallel()
	reply := func(m proto.Message) []byte {
		b, err := proto.Marshal(m)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name    string
		reply   []byte
		wantErr string
	}{
		{name: "empty reply", reply: nil},
		{name: "all accepted", reply: reply(&coltracepb.ExportTraceServiceResponse{})},
		{
			name:    "some rejected",
			reply:   reply(&coltracepb.ExportTraceServiceResponse{PartialSuccess: &coltracepb.ExportTracePartialSuccess{RejectedSpans: 3, ErrorMessage: "too old"}}),
			wantErr: "otlp: collector rejected 3 spans: too old",
		},
		{
			name:    "warning only",
			reply:   reply(&colmetricpb.ExportMetricsServiceResponse{PartialSuccess: &colmetricpb.ExportMetricsPartialSuccess{ErrorMessage: "deprecated"}}),
			wantErr: "otlp: collector warns: deprecated",
		},
		{name: "garbage", reply: []byte{0x0a, 0x05, 0x08}, wantErr: "otlp: reading the collector's reply: malformed protobuf"},
		{name: "bad nested", reply: []byte{0x0a, 0x01, 0x08}, wantErr: "otlp: reading the collector's reply: malformed protobuf"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			err := partialSuccess(tc.reply, "spans")
			got := ""
			if err != nil {
				got = err.Error()
			}
			if got != tc.wantErr {
				t.Errorf("partialSuccess = %q, want %q", got, tc.wantErr)
			}
		})
	}
}

// FuzzReadFields checks the reader of collector replies against protowire:
// it must never panic, and must agree on which inputs are well formed.
func FuzzReadFields(f *testing.F) {
	f.Add([]byte{0x0a, 0x02, 0x08, 0x03})
	f.Add([]byte{0x09, 1, 2, 3, 4, 5, 6, 7, 8, 0x15, 1, 2, 3, 4})
	f.Add([]byte{0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f})
	f.Fuzz(func(t *testing.T, b []byte) {
		var fields int
		err := readFields(b, func(int, int, uint64, []byte) { fields++ })
		want, rest := 0, b
		for len(rest) > 0 {
			num, typ, n := protowire.ConsumeTag(rest)
			if n < 0 || typ == protowire.StartGroupType || typ == protowire.EndGroupType {
				want = -1
				break
			}
			m := protowire.ConsumeFieldValue(num, typ, rest[n:])
			if m < 0 {
				want = -1
				break
			}
			rest = rest[n+m:]
			want++
		}
		if (err != nil) != (want < 0) || (err == nil && fields != want) {
			t.Errorf("readFields(%x): %d fields, err %v; protowire: %d fields", b, fields, err, want)
		}
	})
}
