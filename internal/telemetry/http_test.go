package telemetry

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	metricpb "go.opentelemetry.io/proto/otlp/metrics/v1"
	statuspb "google.golang.org/genproto/googleapis/rpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/testing/protocmp"
)

// collector is an OTLP/HTTP receiver on loopback. It replies with the
// queued statuses first, then 200.
type collector struct {
	mu       sync.Mutex
	requests []*http.Request
	traces   []*coltracepb.ExportTraceServiceRequest
	metrics  []*colmetricpb.ExportMetricsServiceRequest
	replies  []func(http.ResponseWriter)
	t        *testing.T
}

func newCollector(t *testing.T, replies ...func(http.ResponseWriter)) (*collector, *httptest.Server) {
	c := &collector{replies: replies, t: t}
	srv := httptest.NewServer(c)
	t.Cleanup(srv.Close)
	return c, srv
}

func (c *collector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.requests = append(c.requests, r)
	if len(c.replies) > 0 {
		reply := c.replies[0]
		c.replies = c.replies[1:]
		reply(w)
		return
	}
	body, err := io.ReadAll(r.Body)
	if err == nil && r.Header.Get("Content-Encoding") == "gzip" {
		var zr *gzip.Reader
		if zr, err = gzip.NewReader(bytes.NewReader(body)); err == nil {
			body, err = io.ReadAll(zr)
		}
	}
	if err != nil {
		c.t.Errorf("collector: read body: %v", err)
	}
	var msg, reply proto.Message
	switch r.URL.Path {
	case "/otlp/v1/traces":
		req := &coltracepb.ExportTraceServiceRequest{}
		c.traces = append(c.traces, req)
		msg, reply = req, &coltracepb.ExportTraceServiceResponse{}
	case "/otlp/v1/metrics":
		req := &colmetricpb.ExportMetricsServiceRequest{}
		c.metrics = append(c.metrics, req)
		msg, reply = req, &colmetricpb.ExportMetricsServiceResponse{}
	default:
		c.t.Errorf("collector: POST to unexpected path %s", r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if err := proto.Unmarshal(body, msg); err != nil {
		c.t.Errorf("collector: %s: %v", r.URL.Path, err)
	}
	b, _ := proto.Marshal(reply)
	w.Header().Set("Content-Type", "application/x-protobuf")
	w.Write(b)
}

func (c *collector) snapshot() ([]*http.Request, []*coltracepb.ExportTraceServiceRequest, []*colmetricpb.ExportMetricsServiceRequest) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.requests, c.traces, c.metrics
}

// record makes a small trace and some metrics.
func record(tel *Telemetry) {
	ctx, session := tel.Start(context.Background(), "session", String("session.id", "s1"))
	_, tool := tel.Start(ctx, "tool.call", String("tool", "shell"))
	tool.End()
	session.End()
	m := tel.Metrics()
	m.TaskStarted()
	m.ToolCall("shell", "allow")
	m.ToolCall("shell", "allow")
	m.TaskFinished(40*time.Millisecond, "completed")
}

func TestHTTPExport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"plain", map[string]string{}},
		{"gzip", map[string]string{"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := newCollector(t)
			tc.env["OTEL_EXPORTER_OTLP_ENDPOINT"] = srv.URL + "/otlp/"
			tc.env["OTEL_EXPORTER_OTLP_HEADERS"] = "Authorization=Bearer%20t0ken,x-team=agents"
			tc.env["OTEL_EXPORTER_OTLP_METRICS_HEADERS"] = "x-team=metrics"
			tc.env["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=ci"
			tel := mustNew(t, Options{Getenv: env(tc.env), ServiceVersion: "1.2.3"})
			record(tel)
			shutdown(t, tel)

			reqs, traces, metrics := c.snapshot()
			type reqInfo struct{ Path, ContentType, Encoding, Auth, Team, UA string }
			var gotReqs []reqInfo
			for _, r := range reqs {
				gotReqs = append(gotReqs, reqInfo{r.URL.Path, r.Header.Get("Content-Type"), r.Header.Get("Content-Encoding"),
					r.Header.Get("Authorization"), r.Header.Get("X-Team"), r.Header.Get("User-Agent")})
			}
			enc := tc.env["OTEL_EXPORTER_OTLP_COMPRESSION"]
			wantReqs := []reqInfo{
				{"/otlp/v1/traces", "application/x-protobuf", enc, "Bearer t0ken", "agents", "git-agent/1.2.3"},
				{"/otlp/v1/metrics", "application/x-protobuf", enc, "Bearer t0ken", "metrics", "git-agent/1.2.3"},
			}
			if diff := cmp.Diff(wantReqs, gotReqs); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			if len(traces) != 1 || len(metrics) != 1 {
				t.Fatalf("got %d trace and %d metric requests, want 1 each", len(traces), len(metrics))
			}
			checkTraces(t, traces[0])
			checkMetrics(t, metrics[0])
		})
	}
}

// checkTraces checks the trace that record made, as a collector decoded it.
func checkTraces(t *testing.T, req *coltracepb.ExportTraceServiceRequest) {
	t.Helper()
	rs := req.GetResourceSpans()[0]
	res := map[string]string{}
	for _, a := range rs.GetResource().GetAttributes() {
		res[a.GetKey()] = a.GetValue().GetStringValue()
	}
	wantRes := map[string]string{"service.name": "git-agent", "service.version": "1.2.3", "deployment.environment": "ci"}
	if diff := cmp.Diff(wantRes, res); diff != "" {
		t.Errorf("resource (-want +got):\n%s", diff)
	}
	spans := rs.GetScopeSpans()[0].GetSpans()
	if len(spans) != 2 {
		t.Fatalf("got %d spans, want 2", len(spans))
	}
	tool, session := spans[0], spans[1]
	if tool.GetName() != "tool.call" || session.GetName() != "session" {
		t.Errorf("span names %q, %q", tool.GetName(), session.GetName())
	}
	if !bytes.Equal(tool.GetParentSpanId(), session.GetSpanId()) || !bytes.Equal(tool.GetTraceId(), session.GetTraceId()) {
		t.Error("tool.call is not a child of session in its trace")
	}
	if len(session.GetParentSpanId()) != 0 {
		t.Error("session has a parent")
	}
	wantAttr := []*commonpb.KeyValue{kv("tool", "shell")}
	if diff := cmp.Diff(wantAttr, tool.GetAttributes(), protocmp.Transform()); diff != "" {
		t.Errorf("tool.call attributes (-want +got):\n%s", diff)
	}
}

// checkMetrics checks the metrics that record made.
func checkMetrics(t *testing.T, req *colmetricpb.ExportMetricsServiceRequest) {
	t.Helper()
	got := map[string]string{}
	for _, m := range req.GetResourceMetrics()[0].GetScopeMetrics()[0].GetMetrics() {
		switch {
		case m.GetSum() != nil:
			got[m.GetName()] = sumPoints(m.GetSum().GetDataPoints())
		case m.GetHistogram() != nil:
			p := m.GetHistogram().GetDataPoints()[0]
			got[m.GetName()] = histPoint(p.GetCount(), p.GetSum(), p.GetBucketCounts())
		}
	}
	want := map[string]string{
		MetricTaskExecutions: "=1",
		MetricAgentsActive:   "=0",
		MetricToolCalls:      "decision=allow,tool=shell=2",
		MetricTaskDuration:   histPoint(1, 0.04, []uint64{0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("metrics (-want +got):\n%s", diff)
	}
}

// sumPoints renders NumberDataPoints as "k=v,k2=v2=value;..." for comparing.
func sumPoints(points []*metricpb.NumberDataPoint) string {
	var out []string
	for _, p := range points {
		var attrs []string
		for _, a := range p.GetAttributes() {
			attrs = append(attrs, a.GetKey()+"="+a.GetValue().GetStringValue())
		}
		out = append(out, fmt.Sprintf("%s=%d", strings.Join(attrs, ","), p.GetAsInt()))
	}
	return strings.Join(out, ";")
}

func histPoint(count uint64, sum float64, buckets []uint64) string {
	return fmt.Sprintf("count=%d sum=%.6f buckets=%v", count, sum, buckets)
}

func TestHTTPRetry(t *testing.T) {
	t.Parallel()
	unavailable := func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "0")
		w.WriteHeader(http.StatusServiceUnavailable)
	}
	c, srv := newCollector(t, unavailable, unavailable)
	tel := mustNew(t, Options{Getenv: env(map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": srv.URL + "/otlp/v1/traces"})})
	_, s := tel.Start(context.Background(), "s")
	s.End()
	shutdown(t, tel)
	reqs, traces, _ := c.snapshot()
	if len(reqs) != 3 || len(traces) != 1 {
		t.Errorf("got %d requests and %d decoded traces, want 3 and 1", len(reqs), len(traces))
	}
}

func TestHTTPErrors(t *testing.T) {
	t.Parallel()
	status := func(code int, contentType string, body []byte) func(http.ResponseWriter) {
		return func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", contentType)
			w.WriteHeader(code)
			w.Write(body)
		}
	}
	rpcStatus, _ := proto.Marshal(&statuspb.Status{Code: 3, Message: "bad span"})
	partial, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{
		PartialSuccess: &coltracepb.ExportTracePartialSuccess{RejectedSpans: 2, ErrorMessage: "too big"}})
	tests := []struct {
		name     string
		replies  []func(http.ResponseWriter)
		timeout  string
		wantErr  string
		wantReqs int
	}{
		{
			name:     "400 with a google.rpc.Status is not retried",
			replies:  []func(http.ResponseWriter){status(400, "application/x-protobuf", rpcStatus)},
			wantErr:  "http 400 Bad Request: bad span",
			wantReqs: 1,
		},
		{
			name:     "401 with text",
			replies:  []func(http.ResponseWriter){status(401, "text/plain", []byte("no token\n"))},
			wantErr:  "http 401 Unauthorized: no token",
			wantReqs: 1,
		},
		{
			name:     "a JSON reply to a protobuf request is fine",
			replies:  []func(http.ResponseWriter){status(200, "application/json", []byte(`{"partialSuccess":{}}`))},
			wantReqs: 1,
		},
		{
			name:     "partial success is reported",
			replies:  []func(http.ResponseWriter){status(200, "application/x-protobuf", partial)},
			wantErr:  "otlp: collector rejected 2 spans: too big",
			wantReqs: 1,
		},
		{
			name: "retry would pass the timeout",
			replies: []func(http.ResponseWriter){func(w http.ResponseWriter) {
				w.Header().Set("Retry-After", "30")
				w.WriteHeader(http.StatusTooManyRequests)
			}},
			timeout:  "1000",
			wantErr:  "http 429 Too Many Requests (not retrying: the wait of 30s would pass the export deadline)",
			wantReqs: 1,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, srv := newCollector(t, tc.replies...)
			cfg, err := parseEnv(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL + "/otlp", "OTEL_EXPORTER_OTLP_TIMEOUT": tc.timeout}))
			if err != nil {
				t.Fatal(err)
			}
			cl, err := newClient(cfg.traces, Options{}, traceService)
			if err != nil {
				t.Fatal(err)
			}
			err = (&otlpTraces{c: cl}).ExportSpans(context.Background(), []SpanData{{Name: "s"}})
			if (err == nil) != (tc.wantErr == "") || err != nil && !strings.HasSuffix(err.Error(), tc.wantErr) {
				t.Errorf("ExportSpans = %v, want …%q", err, tc.wantErr)
			}
			if reqs, _, _ := c.snapshot(); len(reqs) != tc.wantReqs {
				t.Errorf("%d requests, want %d", len(reqs), tc.wantReqs)
			}
		})
	}
}

// countingTransport counts the requests it carries.
type countingTransport struct {
	mu sync.Mutex
	n  int
}

func (c *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	c.mu.Lock()
	c.n++
	c.mu.Unlock()
	return http.DefaultTransport.RoundTrip(r)
}

func TestHTTPClientOption(t *testing.T) {
	t.Parallel()
	_, srv := newCollector(t)
	tr := &countingTransport{}
	tel := mustNew(t, Options{
		Getenv:     env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL + "/otlp"}),
		HTTPClient: &http.Client{Transport: tr},
	})
	record(tel)
	shutdown(t, tel)
	if tr.n != 2 {
		t.Errorf("the given client carried %d requests, want 2", tr.n)
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name, header string
		want         time.Duration
	}{
		{"absent", "", -1},
		{"seconds", "7", 7 * time.Second},
		{"zero", "0", 0},
		{"date", "Sun, 01 Jun 2025 10:00:05 GMT", 5 * time.Second},
		{"past date", "Sun, 01 Jun 2025 09:00:00 GMT", 0},
		{"garbage", "soon", -1},
		{"negative", "-3", -1},
	}
	for _, tc := range tests {
		if got := retryAfter(tc.header, now); got != tc.want {
			t.Errorf("%s: retryAfter(%q) = %v, want %v", tc.name, tc.header, got, tc.want)
		}
	}
}
