package telemetry

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	colmetricpb "go.opentelemetry.io/proto/otlp/collector/metrics/v1"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	_ "google.golang.org/grpc/encoding/gzip" // lets the server read gzip requests
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// grpcCollector is a real gRPC OTLP receiver. Its Export methods fail with
// the queued errors first, then succeed.
type grpcCollector struct {
	coltracepb.UnimplementedTraceServiceServer
	colmetricpb.UnimplementedMetricsServiceServer

	mu      sync.Mutex
	calls   int
	auth    []string // authorization metadata of each call
	traces  []*coltracepb.ExportTraceServiceRequest
	metrics []*colmetricpb.ExportMetricsServiceRequest
	fail    []error
}

func (g *grpcCollector) call(ctx context.Context) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls++
	md, _ := metadata.FromIncomingContext(ctx)
	g.auth = append(g.auth, strings.Join(md.Get("authorization"), ","))
	if len(g.fail) > 0 {
		err := g.fail[0]
		g.fail = g.fail[1:]
		return err
	}
	return nil
}

func (g *grpcCollector) Export(ctx context.Context, req *coltracepb.ExportTraceServiceRequest) (*coltracepb.ExportTraceServiceResponse, error) {
	if err := g.call(ctx); err != nil {
		return nil, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	g.traces = append(g.traces, req)
	return &coltracepb.ExportTraceServiceResponse{}, nil
}

// metricsService adapts the collector to MetricsServiceServer, whose method
// has the same name as TraceServiceServer's.
type metricsService struct{ *grpcCollector }

func (m metricsService) Export(ctx context.Context, req *colmetricpb.ExportMetricsServiceRequest) (*colmetricpb.ExportMetricsServiceResponse, error) {
	if err := m.call(ctx); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.metrics = append(m.metrics, req)
	return &colmetricpb.ExportMetricsServiceResponse{}, nil
}

// startGRPC serves g on a loopback port and returns its address.
func startGRPC(t *testing.T, g *grpcCollector, metrics bool, opts ...grpc.ServerOption) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer(opts...)
	coltracepb.RegisterTraceServiceServer(srv, g)
	if metrics {
		colmetricpb.RegisterMetricsServiceServer(srv, metricsService{g})
	}
	go srv.Serve(lis)
	t.Cleanup(srv.Stop)
	return lis.Addr().String()
}

// selfSigned writes a certificate for 127.0.0.1, usable by server and
// client alike, and returns the paths of it and its key.
func selfSigned(t *testing.T) (certFile, keyFile string, cert tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "collector"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage:    x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})
	if err := os.WriteFile(certFile, certPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	if cert, err = tls.X509KeyPair(certPEM, keyPEM); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile, cert
}

func TestGRPCExport(t *testing.T) {
	t.Parallel()
	certFile, keyFile, cert := selfSigned(t)
	pool := x509.NewCertPool()
	pool.AddCert(cert.Leaf)
	mtls := grpc.Creds(credentials.NewTLS(&tls.Config{
		Certificates: []tls.Certificate{cert}, ClientCAs: pool, ClientAuth: tls.RequireAndVerifyClientCert,
	}))
	tests := []struct {
		name string
		opts []grpc.ServerOption
		env  func(addr string) map[string]string
	}{
		{name: "h2c with http scheme", env: func(addr string) map[string]string {
			return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + addr}
		}},
		{name: "h2c without scheme when insecure", env: func(addr string) map[string]string {
			return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": addr, "OTEL_EXPORTER_OTLP_INSECURE": "true"}
		}},
		{name: "gzip", env: func(addr string) map[string]string {
			return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + addr, "OTEL_EXPORTER_OTLP_COMPRESSION": "gzip"}
		}},
		{name: "mutual TLS, no scheme", opts: []grpc.ServerOption{mtls}, env: func(addr string) map[string]string {
			return map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": addr, "OTEL_EXPORTER_OTLP_CERTIFICATE": certFile,
				"OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE": certFile, "OTEL_EXPORTER_OTLP_CLIENT_KEY": keyFile}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := &grpcCollector{}
			e := tc.env(startGRPC(t, g, true, tc.opts...))
			e["OTEL_EXPORTER_OTLP_PROTOCOL"] = "grpc"
			e["OTEL_EXPORTER_OTLP_HEADERS"] = "authorization=Bearer%20t0ken"
			e["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment=ci"
			var logs logBuffer
			tel := mustNew(t, Options{Getenv: env(e), ServiceVersion: "1.2.3", Logger: logs.logger()})
			record(tel)
			shutdown(t, tel)
			g.mu.Lock()
			defer g.mu.Unlock()
			if len(g.traces) != 1 || len(g.metrics) != 1 {
				t.Fatalf("got %d trace and %d metric exports, want 1 each; log:\n%s", len(g.traces), len(g.metrics), logs.String())
			}
			checkTraces(t, g.traces[0])
			checkMetrics(t, g.metrics[0])
			if got := strings.Join(g.auth, ";"); got != "Bearer t0ken;Bearer t0ken" {
				t.Errorf("authorization metadata %q", got)
			}
		})
	}
}

func TestGRPCErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fail      []error
		noMetrics bool // the server does not implement MetricsService
		export    string
		wantErr   string // "" for success
		wantCalls int
	}{
		{
			name:      "error status",
			fail:      []error{status.Error(codes.InvalidArgument, "bad span: 100% wrong\nreally")},
			export:    "traces",
			wantErr:   "grpc status InvalidArgument: bad span: 100% wrong\nreally",
			wantCalls: 1,
		},
		{
			name:      "unavailable is retried",
			fail:      []error{status.Error(codes.Unavailable, "restarting")},
			export:    "traces",
			wantCalls: 2,
		},
		{
			name:      "unimplemented service (trailers-only reply)",
			noMetrics: true,
			export:    "metrics",
			wantErr:   "grpc status Unimplemented: unknown service opentelemetry.proto.collector.metrics.v1.MetricsService",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			g := &grpcCollector{fail: tc.fail}
			addr := startGRPC(t, g, !tc.noMetrics)
			cfg, err := parseEnv(env(map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://" + addr, "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}))
			if err != nil {
				t.Fatal(err)
			}
			ctx := context.Background()
			if tc.export == "traces" {
				c, _ := newClient(cfg.traces, Options{}, traceService)
				err = (&otlpTraces{c: c}).ExportSpans(ctx, []SpanData{{Name: "s"}})
			} else {
				c, _ := newClient(cfg.metrics, Options{}, metricService)
				err = (&otlpMetrics{c: c}).ExportMetrics(ctx, Snapshot{})
			}
			got := ""
			if err != nil {
				got = err.Error()
			}
			if !strings.HasSuffix(got, tc.wantErr) || (tc.wantErr == "") != (err == nil) {
				t.Errorf("export = %q, want …%q", got, tc.wantErr)
			}
			g.mu.Lock()
			defer g.mu.Unlock()
			if g.calls != tc.wantCalls {
				t.Errorf("%d calls reached the service, want %d", g.calls, tc.wantCalls)
			}
		})
	}
}

// FuzzGRPCMessage: unframing a collector's reply never panics, and a
// message it returns lies within the frame.
func FuzzGRPCMessage(f *testing.F) {
	f.Add([]byte{0, 0, 0, 0, 2, 0x0a, 0x00}, "")
	f.Add([]byte{1, 0, 0, 0, 1, 0x1f}, "gzip")
	f.Add([]byte{0, 0xff, 0xff, 0xff, 0xff}, "")
	f.Fuzz(func(t *testing.T, body []byte, encoding string) {
		msg, _, _, err := grpcMessage(body, encoding)
		if err == nil && len(body) > 0 && body[0] == 0 && len(msg) > len(body)-5 {
			t.Errorf("message of %d bytes from a body of %d", len(msg), len(body))
		}
	})
}
