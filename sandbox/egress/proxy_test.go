package egress

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// fixture is a running Proxy on a loopback listener that records what it
// decided and dialed. Its Dial reaches loopback only: "upstream.test" stands
// for 127.0.0.1, so name matching is tested without any resolver.
type fixture struct {
	addr   string
	cancel context.CancelFunc
	done   chan error

	mu        sync.Mutex
	decisions []Decision
	dials     []string
}

func startProxy(t *testing.T, p *Proxy) *fixture {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{addr: l.Addr().String(), done: make(chan error, 1)}
	p.Decided = func(d Decision) {
		f.mu.Lock()
		defer f.mu.Unlock()
		f.decisions = append(f.decisions, d)
	}
	p.Dial = func(ctx context.Context, network, addr string) (net.Conn, error) {
		f.mu.Lock()
		f.dials = append(f.dials, addr)
		f.mu.Unlock()
		host, port, _ := net.SplitHostPort(addr)
		if host == "upstream.test" {
			host = "127.0.0.1"
		}
		if host != "127.0.0.1" && host != "::1" {
			t.Errorf("proxy dialed %s; tests reach loopback only", addr)
			return nil, fmt.Errorf("test dial %s refused", addr)
		}
		var d net.Dialer
		return d.DialContext(ctx, network, net.JoinHostPort(host, port))
	}
	ctx, cancel := context.WithCancel(context.Background())
	f.cancel = cancel
	go func() { f.done <- p.Serve(ctx, l) }()
	t.Cleanup(func() {
		cancel()
		if err := f.wait(t); err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return f
}

func (f *fixture) wait(t *testing.T) error {
	t.Helper()
	select {
	case err := <-f.done:
		f.done <- err // later waits see it too
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return within 5s")
		return nil
	}
}

func (f *fixture) record() ([]Decision, []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]Decision(nil), f.decisions...), append([]string(nil), f.dials...)
}

// rawRequest sends raw bytes to the proxy and reads one response.
func rawRequest(t *testing.T, addr, method, raw string) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: method})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(body)
}

func TestForward(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	hits := map[string]http.Header{} // test name -> headers upstream saw
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.Header.Get("X-Test")] = r.Header.Clone()
		mu.Unlock()
		w.Header().Set("X-Upstream", "yes")
		fmt.Fprintf(w, "hello %s %s", r.Method, r.URL.Path)
	}))
	t.Cleanup(up.Close)
	hp := up.Listener.Addr().String()
	port := up.Listener.Addr().(*net.TCPAddr).Port
	ps := strconv.Itoa(port)
	allowIP := fmt.Sprintf("allowed by %q", hp)

	tests := []struct {
		name     string
		method   string
		raw      string // request line and headers; X-Test and Connection: close are added
		status   int
		body     string
		decision Decision
		dials    []string
		hit      bool
	}{
		{"GET allowed", "GET", "GET http://" + hp + "/a HTTP/1.1\r\nHost: " + hp + "\r\nProxy-Authorization: Basic eDp5\r\nConnection: X-Hop\r\nX-Hop: 1\r\nKeep-Alive: 5\r\nX-Keep: 1\r\n",
			200, "hello GET /a", Decision{true, "GET", "127.0.0.1", port, allowIP}, []string{hp}, true},
		{"HEAD allowed", "HEAD", "HEAD http://" + hp + "/a HTTP/1.1\r\nHost: " + hp + "\r\n",
			200, "", Decision{true, "HEAD", "127.0.0.1", port, allowIP}, []string{hp}, true},
		{"name allowed case-insensitively with trailing dot", "GET", "GET http://UpStream.TEST.:" + ps + "/n HTTP/1.1\r\nHost: x\r\n",
			200, "hello GET /n", Decision{true, "GET", "upstream.test", port, `allowed by "upstream.test:` + ps + `"`}, []string{"upstream.test:" + ps}, true},
		{"POST refused", "POST", "POST http://" + hp + "/ HTTP/1.1\r\nHost: " + hp + "\r\nContent-Length: 3\r\n\r\nabc",
			405, readOnlyReason + "\n", Decision{false, "POST", "127.0.0.1", port, readOnlyReason}, nil, false},
		{"DELETE refused", "DELETE", "DELETE http://" + hp + "/ HTTP/1.1\r\nHost: " + hp + "\r\n",
			405, readOnlyReason + "\n", Decision{false, "DELETE", "127.0.0.1", port, readOnlyReason}, nil, false},
		{"GET with body refused", "GET", "GET http://" + hp + "/ HTTP/1.1\r\nHost: " + hp + "\r\nContent-Length: 3\r\n\r\nabc",
			403, "net-read-only: request bodies are not forwarded\n", Decision{false, "GET", "127.0.0.1", port, "net-read-only: request bodies are not forwarded"}, nil, false},
		{"unlisted host", "GET", "GET http://blocked.example/ HTTP/1.1\r\nHost: blocked.example\r\n",
			403, "blocked.example:80 is not on the allow list\n", Decision{false, "GET", "blocked.example", 80, "blocked.example:80 is not on the allow list"}, nil, false},
		{"allowed host on another port", "GET", "GET http://127.0.0.1:1/ HTTP/1.1\r\nHost: 127.0.0.1:1\r\n",
			403, "127.0.0.1:1 is not on the allow list\n", Decision{false, "GET", "127.0.0.1", 1, "127.0.0.1:1 is not on the allow list"}, nil, false},
		{"name does not match IP entry", "GET", "GET http://localhost:" + ps + "/ HTTP/1.1\r\nHost: x\r\n",
			403, "localhost:" + ps + " is not on the allow list\n", Decision{false, "GET", "localhost", port, "localhost:" + ps + " is not on the allow list"}, nil, false},
		{"origin form", "GET", "GET /a HTTP/1.1\r\nHost: " + hp + "\r\n",
			403, "not a proxy request: send absolute-form http:// URLs, or CONNECT for https\n",
			Decision{false, "GET", "127.0.0.1", port, "not a proxy request: send absolute-form http:// URLs, or CONNECT for https"}, nil, false},
		{"https scheme", "GET", "GET https://" + hp + "/ HTTP/1.1\r\nHost: " + hp + "\r\n",
			403, `scheme "https" is not proxied: send http:// URLs, or CONNECT for https` + "\n",
			Decision{false, "GET", "127.0.0.1", port, `scheme "https" is not proxied: send http:// URLs, or CONNECT for https`}, nil, false},
		{"missing host", "GET", "GET http:///a HTTP/1.1\r\nHost: " + hp + "\r\n",
			400, "malformed request target (missing host): want http://host[:port]/path\n",
			Decision{false, "GET", "", 0, "malformed request target (missing host): want http://host[:port]/path"}, nil, false},
		{"CONNECT unlisted", "CONNECT", "CONNECT blocked.example:443 HTTP/1.1\r\nHost: blocked.example:443\r\n",
			403, "blocked.example:443 is not on the allow list\n", Decision{false, "CONNECT", "blocked.example", 443, "blocked.example:443 is not on the allow list"}, nil, false},
		{"CONNECT allowed host on default port", "CONNECT", "CONNECT 127.0.0.1:443 HTTP/1.1\r\nHost: 127.0.0.1:443\r\n",
			403, "127.0.0.1:443 is not on the allow list\n", Decision{false, "CONNECT", "127.0.0.1", 443, "127.0.0.1:443 is not on the allow list"}, nil, false},
		{"CONNECT without port", "CONNECT", "CONNECT 127.0.0.1 HTTP/1.1\r\nHost: 127.0.0.1\r\n",
			400, "malformed CONNECT target (missing port): want host:port\n", Decision{false, "CONNECT", "127.0.0.1", 0, "malformed CONNECT target (missing port): want host:port"}, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f := startProxy(t, &Proxy{Allow: []string{hp, "upstream.test:" + ps}})
			head, rest, _ := strings.Cut(tt.raw, "\r\n\r\n")
			raw := strings.TrimSuffix(head, "\r\n") + "\r\nX-Test: " + tt.name + "\r\nConnection: close\r\n\r\n" + rest
			resp, body := rawRequest(t, f.addr, tt.method, raw)
			if resp.StatusCode != tt.status || body != tt.body {
				t.Errorf("got %d %q, want %d %q", resp.StatusCode, body, tt.status, tt.body)
			}
			decisions, dials := f.record()
			if diff := cmp.Diff([]Decision{tt.decision}, decisions); diff != "" {
				t.Errorf("decisions (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.dials, dials); diff != "" {
				t.Errorf("dials (-want +got):\n%s", diff)
			}
			mu.Lock()
			h, hit := hits[tt.name]
			mu.Unlock()
			if hit != tt.hit {
				t.Fatalf("upstream hit = %v, want %v", hit, tt.hit)
			}
			if tt.hit && resp.Header.Get("X-Upstream") != "yes" {
				t.Errorf("response header X-Upstream = %q, want yes", resp.Header.Get("X-Upstream"))
			}
			for _, k := range []string{"Proxy-Authorization", "X-Hop", "Keep-Alive", "X-Forwarded-For", "Via"} {
				if v := h.Get(k); v != "" {
					t.Errorf("upstream saw %s: %q, want it stripped", k, v)
				}
			}
			if tt.name == "GET allowed" && h.Get("X-Keep") != "1" {
				t.Errorf("upstream saw X-Keep %q, want end-to-end headers kept", h.Get("X-Keep"))
			}
		})
	}
}

func TestConnectTunnel(t *testing.T) {
	t.Parallel()
	up := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "over tls")
	}))
	t.Cleanup(up.Close)
	hp := up.Listener.Addr().String()
	f := startProxy(t, &Proxy{Allow: []string{hp}})

	client := up.Client()
	tr := client.Transport.(*http.Transport)
	tr.Proxy = http.ProxyURL(&url.URL{Scheme: "http", Host: f.addr})
	t.Cleanup(tr.CloseIdleConnections)
	resp, err := client.Get(up.URL + "/x")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "over tls" {
		t.Errorf("got %d %q, want 200 %q", resp.StatusCode, body, "over tls")
	}
	decisions, dials := f.record()
	want := []Decision{{true, "CONNECT", "127.0.0.1", up.Listener.Addr().(*net.TCPAddr).Port, fmt.Sprintf("allowed by %q", hp)}}
	if diff := cmp.Diff(want, decisions); diff != "" {
		t.Errorf("decisions (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{hp}, dials); diff != "" {
		t.Errorf("dials (-want +got):\n%s", diff)
	}
}
