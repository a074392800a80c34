package egress

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !s.enter() {
		http.Error(w, "egress proxy is shutting down", http.StatusServiceUnavailable)
		return
	}
	defer s.wg.Done()
	if r.Method == http.MethodConnect {
		s.connect(w, r)
		return
	}
	s.forward(w, r)
}

// refuse reports d and answers with its reason as a one-line body.
func (s *server) refuse(w http.ResponseWriter, d Decision, code int) {
	s.decide(d)
	http.Error(w, d.Reason, code)
}

// target splits the host and port a request asks for; defPort stands in
// for a missing port, and 0 means the port is required.
func target(u *url.URL, defPort int) (string, int, error) {
	host := normHost(u.Hostname())
	if host == "" {
		return "", 0, errors.New("missing host")
	}
	if u.Port() == "" {
		if defPort == 0 {
			return host, 0, errors.New("missing port")
		}
		return host, defPort, nil
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil || port < 1 || port > 65535 {
		return host, 0, fmt.Errorf("bad port %q", u.Port())
	}
	return host, port, nil
}

func (s *server) connect(w http.ResponseWriter, r *http.Request) {
	d := Decision{Method: r.Method}
	host, port, err := target(r.URL, 0)
	d.Host, d.Port = host, port
	if err != nil {
		d.Reason = "malformed CONNECT target (" + err.Error() + "): want host:port"
		s.refuse(w, d, http.StatusBadRequest)
		return
	}
	addr := net.JoinHostPort(host, strconv.Itoa(port))
	entry, ok := match(s.rules, host, port, 443)
	if !ok {
		d.Reason = addr + " is not on the allow list"
		s.refuse(w, d, http.StatusForbidden)
		return
	}
	d.Allowed, d.Reason = true, "allowed by "+strconv.Quote(entry)
	s.decide(d)

	up, err := s.dial(r.Context(), "tcp", addr)
	if err != nil {
		http.Error(w, "dial "+addr+": "+err.Error(), http.StatusBadGateway)
		return
	}
	client, brw, err := http.NewResponseController(w).Hijack()
	if err != nil {
		up.Close()
		http.Error(w, "tunnel: "+err.Error(), http.StatusInternalServerError)
		return
	}
	if !s.track(client, up) {
		client.Close()
		up.Close()
		return
	}
	defer s.untrack(client, up)
	client.SetDeadline(time.Time{})
	if _, err := io.WriteString(client, "HTTP/1.1 200 Connection established\r\n\r\n"); err != nil {
		return
	}
	// A client may send its first bytes (a TLS ClientHello) without waiting
	// for the 200; net/http has already read them into brw.
	if n := brw.Reader.Buffered(); n > 0 {
		b, _ := brw.Reader.Peek(n)
		if _, err := up.Write(b); err != nil {
			return
		}
	}
	s.splice(client, up)
}

// splice copies both ways until either side closes, errors or both are idle
// for s.idle, then closes both.
func (s *server) splice(a, b net.Conn) {
	var last atomic.Int64
	last.Store(time.Now().UnixNano())
	done := make(chan struct{})
	go func() {
		defer close(done)
		s.pipe(b, a, &last)
		a.Close()
		b.Close()
	}()
	s.pipe(a, b, &last)
	a.Close()
	b.Close()
	<-done
}

func (s *server) pipe(dst, src net.Conn, last *atomic.Int64) {
	buf := make([]byte, 32<<10)
	for {
		src.SetReadDeadline(time.Now().Add(s.idle))
		n, err := src.Read(buf)
		if n > 0 {
			last.Store(time.Now().UnixNano())
			dst.SetWriteDeadline(time.Now().Add(s.idle))
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			// A quiet direction stays open while the other one is busy.
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() && time.Since(time.Unix(0, last.Load())) < s.idle {
				continue
			}
			return
		}
	}
}

func (s *server) forward(w http.ResponseWriter, r *http.Request) {
	d := Decision{Method: r.Method}
	switch scheme := strings.ToLower(r.URL.Scheme); {
	case scheme == "":
		d.Host, d.Port, _ = target(&url.URL{Host: r.Host}, 80)
		d.Reason = "not a proxy request: send absolute-form http:// URLs, or CONNECT for https"
		s.refuse(w, d, http.StatusForbidden)
		return
	case scheme != "http":
		d.Host, d.Port, _ = target(r.URL, 0)
		d.Reason = fmt.Sprintf("scheme %q is not proxied: send http:// URLs, or CONNECT for https", scheme)
		s.refuse(w, d, http.StatusForbidden)
		return
	}
	host, port, err := target(r.URL, 80)
	d.Host, d.Port = host, port
	if err != nil {
		d.Reason = "malformed request target (" + err.Error() + "): want http://host[:port]/path"
		s.refuse(w, d, http.StatusBadRequest)
		return
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		d.Reason = readOnlyReason
		s.refuse(w, d, http.StatusMethodNotAllowed)
		return
	}
	if r.ContentLength != 0 {
		d.Reason = "net-read-only: request bodies are not forwarded"
		s.refuse(w, d, http.StatusForbidden)
		return
	}
	entry, ok := match(s.rules, host, port, 80)
	if !ok {
		d.Reason = net.JoinHostPort(host, strconv.Itoa(port)) + " is not on the allow list"
		s.refuse(w, d, http.StatusForbidden)
		return
	}
	d.Allowed, d.Reason = true, "allowed by "+strconv.Quote(entry)
	s.decide(d)

	// A fresh request to exactly the host that was checked: no userinfo, no
	// fragment, no Host header of the client's choosing, no body.
	u := &url.URL{Scheme: "http", Host: host, Path: r.URL.Path, RawPath: r.URL.RawPath, RawQuery: r.URL.RawQuery}
	if strings.Contains(host, ":") {
		u.Host = "[" + host + "]"
	}
	if r.URL.Port() != "" {
		u.Host = net.JoinHostPort(host, strconv.Itoa(port))
	}
	out, err := http.NewRequestWithContext(r.Context(), r.Method, u.String(), nil)
	if err != nil {
		http.Error(w, "build upstream request: "+err.Error(), http.StatusBadRequest)
		return
	}
	out.Header = cleanHeader(r.Header)
	resp, err := s.transport.RoundTrip(out)
	if err != nil {
		http.Error(w, "upstream "+u.Host+": "+err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range cleanHeader(resp.Header) {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	rc := http.NewResponseController(w)
	buf := make([]byte, 32<<10)
	for {
		n, err := resp.Body.Read(buf)
		if n > 0 {
			if _, err := w.Write(buf[:n]); err != nil {
				return
			}
			rc.Flush()
		}
		if err != nil {
			return
		}
	}
}

// hopByHop headers describe one connection and are never passed on; see
// RFC 9110 section 7.6.1. Proxy-Authorization is the client's to this proxy.
var hopByHop = []string{
	"Connection", "Proxy-Connection", "Keep-Alive", "Proxy-Authenticate",
	"Proxy-Authorization", "Te", "Trailer", "Transfer-Encoding", "Upgrade",
}

// cleanHeader copies h without hop-by-hop headers, including those named
// in Connection.
func cleanHeader(h http.Header) http.Header {
	out := h.Clone()
	for _, v := range h.Values("Connection") {
		for f := range strings.SplitSeq(v, ",") {
			out.Del(strings.TrimSpace(f))
		}
	}
	for _, k := range hopByHop {
		out.Del(k)
	}
	if out == nil {
		out = http.Header{}
	}
	return out
}
