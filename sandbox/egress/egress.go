// Package egress is the HTTP proxy through which confined commands reach the
// network. It allows exactly two things, and only to host:port pairs on its
// allow list: CONNECT tunnels, and plain-HTTP GET and HEAD requests in
// absolute form. Everything else is refused with an HTTP error and never
// forwarded. Hosts are matched on the name the client asked for; names are
// never resolved to decide. Like the rest of sandbox, egress never imports
// agent, model or tool code.
package egress

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// Decision is what the proxy decided about one request, for the audit log.
type Decision struct {
	Allowed bool
	Method  string // CONNECT, GET, POST, ...
	Host    string // as the client asked, lower-cased, without trailing dot
	Port    int
	Reason  string // the allow-list entry that matched, or why it was refused
}

// Proxy is an allow-list HTTP proxy. The zero value refuses everything.
type Proxy struct {
	// Allow lists "host" or "host:port" entries (lower-cased, no scheme);
	// "*.example.com" matches subdomains only. A bare host allows ports 80
	// (HTTP) and 443 (CONNECT). ParseAllow produces valid entries.
	Allow []string
	// Dial opens upstream connections; default net.Dialer{Timeout: 10s}.DialContext.
	Dial func(ctx context.Context, network, addr string) (net.Conn, error)
	// Decided, if set, is told every decision. It may be called concurrently.
	Decided func(Decision)
	// IdleTimeout ends tunnels and upstream waits with no traffic for this
	// long; default 2 minutes.
	IdleTimeout time.Duration
	// MaxConns bounds concurrent client connections; default 64. Further
	// clients wait to be accepted.
	MaxConns int
}

const (
	defaultIdleTimeout = 2 * time.Minute
	defaultMaxConns    = 64
	readOnlyReason     = "net-read-only: only GET and HEAD are allowed"
)

// Serve proxies connections accepted from l until ctx ends or l is closed,
// then closes l and every live connection, waits for its goroutines, and
// returns nil. An invalid Allow entry is an error before anything is served.
func (p *Proxy) Serve(ctx context.Context, l net.Listener) error {
	s, err := p.newServer()
	if err != nil {
		l.Close()
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	srv := &http.Server{
		Handler:           s,
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 30 * time.Second,
		IdleTimeout:       s.idle,
		ErrorLog:          log.New(io.Discard, "", 0), // refusals are reported through Decided
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(newLimitListener(l, p.maxConns())) }()

	served := false
	select {
	case <-ctx.Done():
	case err = <-errc:
		served = true
	}
	cancel() // aborts upstream dials and requests of live handlers
	srv.Close()
	s.closeHijacked()
	if !served {
		<-errc
	}
	s.wg.Wait()
	s.transport.CloseIdleConnections()
	if errors.Is(err, http.ErrServerClosed) || errors.Is(err, net.ErrClosed) {
		return nil
	}
	return err
}

func (p *Proxy) maxConns() int {
	if p.MaxConns > 0 {
		return p.MaxConns
	}
	return defaultMaxConns
}

// server is the state of one Serve call.
type server struct {
	rules     []rule
	dial      func(ctx context.Context, network, addr string) (net.Conn, error)
	decided   func(Decision)
	idle      time.Duration
	transport *http.Transport

	mu       sync.Mutex
	closed   bool
	hijacked map[net.Conn]struct{}
	wg       sync.WaitGroup // running handlers, including their tunnels
}

func (p *Proxy) newServer() (*server, error) {
	s := &server{
		dial:     p.Dial,
		decided:  p.Decided,
		idle:     p.IdleTimeout,
		hijacked: make(map[net.Conn]struct{}),
	}
	for _, e := range p.Allow {
		r, err := parseRule(e)
		if err != nil {
			return nil, err
		}
		s.rules = append(s.rules, r)
	}
	if s.dial == nil {
		s.dial = (&net.Dialer{Timeout: 10 * time.Second}).DialContext
	}
	if s.idle <= 0 {
		s.idle = defaultIdleTimeout
	}
	s.transport = &http.Transport{
		Proxy:                 nil, // never chain to the host's own proxy settings
		DialContext:           s.dial,
		DisableCompression:    true, // pass Accept-Encoding and bodies through untouched
		MaxIdleConnsPerHost:   4,
		IdleConnTimeout:       s.idle,
		ResponseHeaderTimeout: s.idle,
	}
	return s, nil
}

// enter registers a handler; it fails once Serve is shutting down so that
// wg.Add never races wg.Wait.
func (s *server) enter() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.wg.Add(1)
	return true
}

// track records connections taken over from net/http, which http.Server.Close
// no longer sees. It fails, and the caller must close them, after shutdown.
func (s *server) track(cs ...net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	for _, c := range cs {
		s.hijacked[c] = struct{}{}
	}
	return true
}

func (s *server) untrack(cs ...net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, c := range cs {
		c.Close()
		delete(s.hijacked, c)
	}
}

func (s *server) closeHijacked() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	for c := range s.hijacked {
		c.Close()
	}
}

func (s *server) decide(d Decision) {
	if s.decided != nil {
		s.decided(d)
	}
}

// limitListener holds Accept while max connections are open, as
// golang.org/x/net/netutil.LimitListener does, without the dependency.
type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func newLimitListener(l net.Listener, max int) *limitListener {
	return &limitListener{Listener: l, sem: make(chan struct{}, max), done: make(chan struct{})}
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: sync.OnceFunc(func() { <-l.sem })}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitConn struct {
	net.Conn
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.release()
	return err
}
