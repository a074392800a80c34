package telemetry

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// ep is an endpoint's settings in comparable form.
type ep struct {
	Protocol, URL string
	Headers       http.Header
	Timeout       time.Duration
	Gzip          bool
}

func flat(e *endpoint) *ep {
	if e == nil {
		return nil
	}
	return &ep{e.protocol, e.url, e.headers, e.timeout, e.gzip}
}

func TestParseEnv(t *testing.T) {
	t.Parallel()
	h := func(kv ...string) http.Header {
		out := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	tests := []struct {
		name         string
		env          map[string]string
		traces, mets *ep
		wantService  string
		wantResource []Attr
		wantDelay    time.Duration
		wantInterval time.Duration
		wantWarnings int
	}{
		{
			name: "nothing set: nothing exported, no localhost default",
			env:  map[string]string{}, wantService: "git-agent", wantDelay: 5 * time.Second, wantInterval: time.Minute,
		},
		{
			name:        "generic endpoint gets the signal paths",
			env:         map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "https://collector.example:4318/"},
			traces:      &ep{protoHTTP, "https://collector.example:4318/v1/traces", h(), 10 * time.Second, false},
			mets:        &ep{protoHTTP, "https://collector.example:4318/v1/metrics", h(), 10 * time.Second, false},
			wantService: "git-agent", wantDelay: 5 * time.Second, wantInterval: time.Minute,
		},
		{
			name: "per-signal settings override and are used as is",
			env: map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT":         "http://c:4318/base",
				"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT":  "http://t:9999/custom",
				"OTEL_EXPORTER_OTLP_HEADERS":          "api-key=a%2Cb,x-org=acme",
				"OTEL_EXPORTER_OTLP_TRACES_HEADERS":   "API-Key=traces",
				"OTEL_EXPORTER_OTLP_TIMEOUT":          "2500",
				"OTEL_EXPORTER_OTLP_METRICS_TIMEOUT":  "0",
				"OTEL_EXPORTER_OTLP_METRICS_PROTOCOL": "grpc",
				"OTEL_EXPORTER_OTLP_COMPRESSION":      "GZIP",
				"OTEL_BSP_SCHEDULE_DELAY":             "100",
				"OTEL_METRIC_EXPORT_INTERVAL":         "1000",
			},
			traces:      &ep{protoHTTP, "http://t:9999/custom", h("Api-Key", "traces", "X-Org", "acme"), 2500 * time.Millisecond, true},
			mets:        &ep{protoGRPC, "http://c:4318", h("Api-Key", "a,b", "X-Org", "acme"), 0, true},
			wantService: "git-agent", wantDelay: 100 * time.Millisecond, wantInterval: time.Second,
		},
		{
			name: "grpc without scheme: TLS unless insecure",
			env: map[string]string{
				"OTEL_EXPORTER_OTLP_PROTOCOL":         "grpc",
				"OTEL_EXPORTER_OTLP_ENDPOINT":         "collector:4317",
				"OTEL_EXPORTER_OTLP_METRICS_INSECURE": "true",
			},
			traces:      &ep{protoGRPC, "https://collector:4317", h(), 10 * time.Second, false},
			mets:        &ep{protoGRPC, "http://collector:4317", h(), 10 * time.Second, false},
			wantService: "git-agent", wantDelay: 5 * time.Second, wantInterval: time.Minute,
		},
		{
			name: "one signal off",
			env: map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
				"OTEL_METRICS_EXPORTER":       "none",
				"OTEL_TRACES_EXPORTER":        "otlp",
			},
			traces:      &ep{protoHTTP, "http://c:4318/v1/traces", h(), 10 * time.Second, false},
			wantService: "git-agent", wantDelay: 5 * time.Second, wantInterval: time.Minute,
		},
		{
			name: "disabled",
			env: map[string]string{
				"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318",
				"OTEL_SDK_DISABLED":           "TRUE",
			},
			wantService: "git-agent", wantDelay: 5 * time.Second, wantInterval: time.Minute,
		},
		{
			name: "service name and resource",
			env: map[string]string{
				"OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs, team = a%20b ,,",
				"OTEL_SERVICE_NAME":        "ga-ci",
			},
			wantService: "ga-ci", wantResource: []Attr{String("team", "a b")}, wantDelay: 5 * time.Second, wantInterval: time.Minute,
		},
		{
			name:        "service name from resource attributes",
			env:         map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs"},
			wantService: "from-attrs", wantDelay: 5 * time.Second, wantInterval: time.Minute,
		},
		{
			name: "malformed numbers warn and use defaults",
			env: map[string]string{
				"OTEL_BSP_SCHEDULE_DELAY":     "0",
				"OTEL_METRIC_EXPORT_INTERVAL": "1m",
				"OTEL_TRACES_EXPORTER":        "otlp", // but no endpoint
			},
			wantService: "git-agent", wantDelay: 5 * time.Second, wantInterval: time.Minute, wantWarnings: 3,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := parseEnv(env(tc.env))
			if err != nil {
				t.Fatalf("parseEnv: %v", err)
			}
			if diff := cmp.Diff(tc.traces, flat(c.traces)); diff != "" {
				t.Errorf("traces (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.mets, flat(c.metrics)); diff != "" {
				t.Errorf("metrics (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.wantResource, c.resource); diff != "" {
				t.Errorf("resource (-want +got):\n%s", diff)
			}
			if c.serviceName != tc.wantService || c.bspDelay != tc.wantDelay || c.metricInterval != tc.wantInterval {
				t.Errorf("service %q, delay %v, interval %v; want %q, %v, %v",
					c.serviceName, c.bspDelay, c.metricInterval, tc.wantService, tc.wantDelay, tc.wantInterval)
			}
			if len(c.warnings) != tc.wantWarnings {
				t.Errorf("warnings %q, want %d", c.warnings, tc.wantWarnings)
			}
		})
	}
}

func TestParseEnvErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		env     map[string]string
		wantErr string
	}{
		{"http/json", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_PROTOCOL": "http/json"},
			`OTEL_EXPORTER_OTLP_PROTOCOL="http/json" is not supported: use http/protobuf or grpc`},
		{"unknown exporter", map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"},
			`OTEL_TRACES_EXPORTER="zipkin" is not supported: use otlp or none`},
		{"endpoint without scheme over http", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4318"},
			`OTEL_EXPORTER_OTLP_ENDPOINT: "collector:4318" is not an http:// or https:// URL with a host`},
		{"header without =", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_METRICS_HEADERS": "a=1,s3cr3t"},
			"OTEL_EXPORTER_OTLP_METRICS_HEADERS: entry 2 is not key=value"},
		{"bad percent-encoding", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_HEADERS": "k=s3cr3t%zz"},
			"OTEL_EXPORTER_OTLP_HEADERS: entry 1 has invalid percent-encoding"},
		{"compression", map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_EXPORTER_OTLP_COMPRESSION": "zstd"},
			`OTEL_EXPORTER_OTLP_COMPRESSION="zstd" is not supported: use gzip or none`},
		{"resource", map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "=x"},
			"OTEL_RESOURCE_ATTRIBUTES: entry 1 is not key=value"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := parseEnv(env(tc.env))
			if err == nil || err.Error() != tc.wantErr {
				t.Fatalf("parseEnv = %v, want %q", err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "s3cr3t") {
				t.Errorf("error reveals a header value: %v", err)
			}
		})
	}
}

// TestNewReturnsNil: with nowhere to send anything, New hands out the
// no-op nil Telemetry.
func TestNewReturnsNil(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
	}{
		{"no environment", map[string]string{}},
		{"exporters without endpoint", map[string]string{"OTEL_TRACES_EXPORTER": "otlp", "OTEL_METRICS_EXPORTER": "otlp"}},
		{"disabled", map[string]string{"OTEL_SDK_DISABLED": "true", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"}},
		{"both none", map[string]string{"OTEL_TRACES_EXPORTER": "none", "OTEL_METRICS_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tel, err := New(context.Background(), Options{Getenv: env(tc.env)})
			if tel != nil || err != nil {
				t.Errorf("New = %v, %v; want nil, nil", tel, err)
			}
		})
	}
	t.Run("error", func(t *testing.T) {
		t.Parallel()
		tel, err := New(context.Background(), Options{Getenv: env(map[string]string{"OTEL_TRACES_EXPORTER": "jaeger"})})
		if tel != nil || err == nil || !strings.HasPrefix(err.Error(), "telemetry: ") {
			t.Errorf("New = %v, %v; want nil and a telemetry: error", tel, err)
		}
	})
}

func FuzzParseList(f *testing.F) {
	f.Add("a=b,c=d%20e")
	f.Add("=,,=x,%zz=1")
	f.Fuzz(func(t *testing.T, s string) {
		kvs, err := parseList(s)
		if err != nil {
			return
		}
		for _, kv := range kvs {
			if kv[0] == "" {
				t.Errorf("parseList(%q) gave an empty key", s)
			}
		}
	})
}
