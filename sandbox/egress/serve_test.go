package egress

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"
)

const established = "HTTP/1.1 200 Connection established\r\n\r\n"

// upstreamListener accepts loopback connections and hands them to the test.
func upstreamListener(t *testing.T) (net.Listener, <-chan net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	conns := make(chan net.Conn, 4)
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			conns <- c
		}
	}()
	return l, conns
}

func openTunnel(t *testing.T, proxyAddr, target string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", proxyAddr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(5 * time.Second))
	io.WriteString(c, "CONNECT "+target+" HTTP/1.1\r\nHost: "+target+"\r\n\r\n")
	buf := make([]byte, len(established))
	if _, err := io.ReadFull(c, buf); err != nil || string(buf) != established {
		t.Fatalf("CONNECT reply %q, %v; want %q", buf, err, established)
	}
	return c
}

func accept(t *testing.T, conns <-chan net.Conn) net.Conn {
	t.Helper()
	select {
	case c := <-conns:
		t.Cleanup(func() { c.Close() })
		c.SetDeadline(time.Now().Add(5 * time.Second))
		return c
	case <-time.After(5 * time.Second):
		t.Fatal("upstream never accepted")
		return nil
	}
}

// expectClosed fails unless the peer closed c, rather than c timing out.
func expectClosed(t *testing.T, name string, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := c.Read(make([]byte, 1)); n != 0 || err == nil || errors.Is(err, context.DeadlineExceeded) || isTimeout(err) {
		t.Errorf("%s: read %d, %v; want the tunnel closed", name, n, err)
	}
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// Not parallel: it counts goroutines.
func TestServeCancelClosesEverything(t *testing.T) {
	before := runtime.NumGoroutine()

	ul, conns := upstreamListener(t)
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "partial")
		if r.URL.Path == "/fast" {
			return
		}
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}))
	f := startProxy(t, &Proxy{Allow: []string{ul.Addr().String(), slow.Listener.Addr().String()}})

	c := openTunnel(t, f.addr, ul.Addr().String())
	u := accept(t, conns)
	io.WriteString(c, "ping")
	io.WriteString(u, "pong")
	for _, side := range []struct {
		c    net.Conn
		want string
	}{{u, "ping"}, {c, "pong"}} {
		buf := make([]byte, 4)
		if _, err := io.ReadFull(side.c, buf); err != nil || string(buf) != side.want {
			t.Fatalf("tunnel carried %q, %v; want %q", buf, err, side.want)
		}
	}

	hp := slow.Listener.Addr().String()
	// A plain GET whose response body never ends.
	pc, err := net.Dial("tcp", f.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	io.WriteString(pc, "GET http://"+hp+"/ HTTP/1.1\r\nHost: "+hp+"\r\n\r\n")
	pc.SetReadDeadline(time.Now().Add(5 * time.Second))
	head := make([]byte, 12)
	if _, err := io.ReadFull(pc, head); err != nil || string(head) != "HTTP/1.1 200" {
		t.Fatalf("slow GET: %q, %v", head, err)
	}
	// A finished GET, alongside it, leaves an idle upstream connection in
	// the proxy's pool.
	resp, body := rawRequest(t, f.addr, "GET", "GET http://"+hp+"/fast HTTP/1.1\r\nHost: "+hp+"\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != 200 || body != "partial" {
		t.Fatalf("fast GET: %d %q", resp.StatusCode, body)
	}

	f.cancel()
	if err := f.wait(t); err != nil {
		t.Fatalf("Serve = %v, want nil", err)
	}
	expectClosed(t, "client side of tunnel", c)
	expectClosed(t, "upstream side of tunnel", u)
	if _, err := io.ReadAll(pc); err != nil {
		t.Errorf("slow GET after cancel: %v, want the connection closed", err)
	}

	c.Close()
	u.Close()
	pc.Close()
	// Upstream servers are still up, so pooled upstream connections would
	// survive if Serve had left them open.
	waitGoroutines(t, func(stacks string) bool {
		return !strings.Contains(stacks, "sandbox/egress/egress.go") &&
			!strings.Contains(stacks, "sandbox/egress/handler.go") &&
			!strings.Contains(stacks, "net/http.(*persistConn)")
	})
	ul.Close()
	slow.Close()
	waitGoroutines(t, func(string) bool { return runtime.NumGoroutine() <= before })
}

// waitGoroutines polls the stacks of all goroutines until done says so.
func waitGoroutines(t *testing.T, done func(stacks string) bool) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		stacks := string(buf[:runtime.Stack(buf, true)])
		if done(stacks) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines left after Serve returned:\n%s", stacks)
		}
	}
}

func TestIdleTimeout(t *testing.T) {
	t.Parallel()
	ul, conns := upstreamListener(t)
	const idle = 150 * time.Millisecond
	f := startProxy(t, &Proxy{Allow: []string{ul.Addr().String()}, IdleTimeout: idle})
	c := openTunnel(t, f.addr, ul.Addr().String())
	u := accept(t, conns)

	// Traffic one way keeps the tunnel open though the other way is quiet.
	buf := make([]byte, 1)
	for i := range 6 {
		time.Sleep(idle / 3)
		if _, err := c.Write([]byte{'a' + byte(i)}); err != nil {
			t.Fatalf("write %d: %v", i, err)
		}
		if _, err := io.ReadFull(u, buf); err != nil || buf[0] != 'a'+byte(i) {
			t.Fatalf("read %d: %q, %v", i, buf, err)
		}
	}
	start := time.Now()
	expectClosed(t, "client", c)
	expectClosed(t, "upstream", u)
	if d := time.Since(start); d < idle/2 {
		t.Errorf("tunnel closed %v after the last byte, want about %v", d, idle)
	}
}

func TestMaxConns(t *testing.T) {
	t.Parallel()
	ul, conns := upstreamListener(t)
	f := startProxy(t, &Proxy{Allow: []string{ul.Addr().String()}, MaxConns: 1})
	first := openTunnel(t, f.addr, ul.Addr().String())
	accept(t, conns)

	second, err := net.Dial("tcp", f.addr) // the kernel queues it; the proxy must not serve it yet
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	io.WriteString(second, "CONNECT "+ul.Addr().String()+" HTTP/1.1\r\nHost: x\r\n\r\n")
	second.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
	if n, err := second.Read(make([]byte, 1)); !isTimeout(err) {
		t.Fatalf("second client read %d, %v while the first is open; want no answer yet", n, err)
	}
	first.Close()
	second.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, len(established))
	if _, err := io.ReadFull(second, buf); err != nil || string(buf) != established {
		t.Fatalf("second client after first closed: %q, %v", buf, err)
	}
}

func TestServeReturnsWhenListenerClosed(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- (&Proxy{}).Serve(context.Background(), l) }()
	time.Sleep(20 * time.Millisecond)
	l.Close()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve = %v, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after its listener closed")
	}
}

func TestServeRejectsBadAllow(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	err = (&Proxy{Allow: []string{"ok.example", "http://bad.example"}}).Serve(context.Background(), l)
	if err == nil || !strings.HasPrefix(err.Error(), `allow-domain "http://bad.example": scheme not allowed;`) {
		t.Errorf("Serve = %v, want the bad entry named", err)
	}
	if _, err := l.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Errorf("listener still open after Serve: Accept = %v", err)
	}
}
