package telemetry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// TestSanitize: a secret passed in any string the agent records never
// reaches an exporter, the OTLP wire or the metrics file.
func TestSanitize(t *testing.T) {
	t.Parallel()
	const secret = "sk-live-0123456789"
	sanitize := func(s string) string { return strings.ReplaceAll(s, secret, "[REDACTED]") }

	var mu sync.Mutex
	var wire []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		wire = append(wire, b...)
		mu.Unlock()
	}))
	defer srv.Close()

	// Every string that can carry a secret, through every sink.
	use := func(tel *Telemetry) {
		ctx, s := tel.Start(context.Background(), "exec "+secret, String("cmd", "curl -H 'Authorization: "+secret+"'"))
		s.SetAttrs(String("env", "TOKEN="+secret))
		s.SetError(errors.New("auth failed for " + secret))
		_, child := tel.Start(ctx, "child")
		child.End()
		s.End()
		m := tel.Metrics()
		m.TaskStarted(String("prompt", secret))
		m.Tokens(1, 1, secret)
		m.ToolCall(secret, "allow")
		m.Error(secret)
		m.SandboxDenial(secret)
		m.TaskFinished(1, secret)
	}
	resource := env(map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "note=" + secret})

	mem := &MemoryExporter{}
	file := filepath.Join(t.TempDir(), "metrics.json")
	sinks := []struct {
		name string
		opts Options
		read func() string
	}{
		{
			name: "memory exporter",
			opts: Options{Getenv: resource, SpanExporter: mem, MetricExporter: mem},
			read: func() string { return fmt.Sprintf("%#v %#v", mem.Spans(), mem.Snapshots()) },
		},
		{
			name: "metrics file",
			opts: Options{Getenv: resource, MetricsFile: file},
			read: func() string { b, _ := os.ReadFile(file); return string(b) },
		},
		{
			name: "otlp/http",
			opts: Options{Getenv: env(map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "note=" + secret, "OTEL_EXPORTER_OTLP_ENDPOINT": srv.URL})},
			read: func() string { mu.Lock(); defer mu.Unlock(); return string(wire) },
		},
	}
	for _, sink := range sinks {
		sink.opts.Sanitize = sanitize
		tel := mustNew(t, sink.opts)
		use(tel)
		shutdown(t, tel)
		got := sink.read()
		if strings.Contains(got, secret) {
			t.Errorf("%s: the secret got through:\n%s", sink.name, got)
		}
		if !strings.Contains(got, "[REDACTED]") {
			t.Errorf("%s: nothing redacted, so nothing was checked:\n%s", sink.name, got)
		}
	}
}
