// Package githubtest is an in-memory fake of the slice of the GitHub REST API
// that package github calls, served on loopback by httptest, for tests in
// any package (unit tests, cli tests, testscripts). It speaks the real wire
// format, including Link paging, keeps state (comments created are listed
// afterwards), records every request, and injects faults. It must never
// import package github: it fakes the server, not the client.
package githubtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"
)

// Options configures a Server.
type Options struct {
	// Token, when set, is the only token accepted: other requests get 401.
	Token string
	// Login is the token's user, answered by GET /user and the author of
	// what the client writes. Empty means a GitHub Actions token: GET /user
	// answers 403 and the author is the Bot github-actions[bot].
	Login string
	// Permissions maps logins to collaborator permission levels (admin,
	// maintain, write, triage, read, none); others get 404.
	Permissions map[string]string
	// Fork makes pull requests come from a fork, so the token is read-only:
	// every POST, PATCH, PUT and DELETE answers 403.
	Fork bool
	// PageSize caps list pages, default 100 as on GitHub; set it low to
	// exercise paging.
	PageSize int
}

// Request is one request the server saw. Body is the decoded JSON, if any.
type Request struct {
	Method, Path, Query string
	Body                any `json:",omitempty"`
}

// Server is a fake GitHub REST API. Its methods are safe for concurrent use.
type Server struct {
	// URL is the API root with a trailing slash, as go-github needs it:
	// use it as GITHUB_API_URL.
	URL string

	t    testing.TB
	srv  *httptest.Server
	mux  *http.ServeMux
	opts Options

	mu      sync.Mutex
	reqs    []Request
	faults  []*Fault
	expects []*expectation
	state
}

// New starts a Server that closes, and checks Verify, when t ends.
// Requests no route covers fail t, as they mean the fake is missing a route.
func New(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.PageSize <= 0 {
		opts.PageSize = 100
	}
	s := &Server{t: t, opts: opts, mux: http.NewServeMux()}
	s.state.init()
	s.routes()
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	s.URL = s.srv.URL + "/"
	t.Cleanup(func() {
		s.Verify(t)
		s.srv.Close()
	})
	return s
}

// Client is an *http.Client for the server.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// Close stops the server; New's cleanup also does.
func (s *Server) Close() { s.srv.Close() }

// Fault is a canned failure for requests matching Method and Pattern.
type Fault struct {
	Method, Pattern string // Pattern as in path.Match: '*' matches one path segment
	Status          int
	Body            string
	Header          http.Header
	always          bool
	hits            int
}

// Always makes the fault answer every matching request, not only the first.
func (f *Fault) Always() *Fault { f.always = true; return f }

// Fail answers the next request matching method and pathPattern (path.Match
// syntax, e.g. "/repos/o/r/issues/*/comments") with status, body and
// headers, instead of the fake's own answer. Verify fails if it never hit.
func (s *Server) Fail(method, pathPattern string, status int, body string, headers http.Header) *Fault {
	if _, err := path.Match(pathPattern, "/"); err != nil {
		s.t.Fatalf("githubtest: bad pattern %q: %v", pathPattern, err)
	}
	f := &Fault{Method: method, Pattern: pathPattern, Status: status, Body: body, Header: headers}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, f)
	return f
}

// RateLimit fails the next matching request with GitHub's secondary rate
// limit: 403 with Retry-After in whole seconds.
func (s *Server) RateLimit(method, pathPattern string, retryAfterSeconds int) *Fault {
	return s.Fail(method, pathPattern, http.StatusForbidden,
		`{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",`+
			`"documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}`,
		http.Header{"Retry-After": {fmt.Sprint(retryAfterSeconds)}})
}

type expectation struct {
	method, pattern string
	hits            int
}

// Expect registers that a request matching method and pathPattern must come;
// Verify fails the test otherwise.
func (s *Server) Expect(method, pathPattern string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expects = append(s.expects, &expectation{method: method, pattern: pathPattern})
}

// Verify fails t for every Fail or Expect that no request matched.
func (s *Server) Verify(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, f := range s.faults {
		if f.hits == 0 {
			t.Errorf("githubtest: fault %s %s (%d) was never hit", f.Method, f.Pattern, f.Status)
		}
	}
	for _, e := range s.expects {
		if e.hits == 0 {
			t.Errorf("githubtest: expected %s %s was never requested", e.method, e.pattern)
		}
	}
}

// Requests returns every request so far, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.reqs...)
}

func matches(method, pattern string, r *http.Request) bool {
	ok, _ := path.Match(pattern, r.URL.Path)
	return ok && method == r.Method
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	req := Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &req.Body); err != nil {
			writeError(w, http.StatusBadRequest, "Problems parsing JSON")
			return
		}
	}
	s.mu.Lock()
	s.reqs = append(s.reqs, req)
	for _, e := range s.expects {
		if matches(e.method, e.pattern, r) {
			e.hits++
		}
	}
	var fault *Fault
	for _, f := range s.faults {
		if matches(f.Method, f.Pattern, r) && (f.always || f.hits == 0) {
			f.hits++
			fault = f
			break
		}
	}
	s.mu.Unlock()

	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	switch {
	case fault != nil:
		for k, vs := range fault.Header {
			w.Header()[http.CanonicalHeaderKey(k)] = vs
		}
		w.WriteHeader(fault.Status)
		_, _ = io.WriteString(w, fault.Body)
	case s.opts.Token != "" && r.Header.Get("Authorization") != "Bearer "+s.opts.Token:
		writeError(w, http.StatusUnauthorized, "Bad credentials")
	case s.opts.Fork && r.Method != http.MethodGet && r.Method != http.MethodHead:
		writeError(w, http.StatusForbidden, "Resource not accessible by integration")
	default:
		r.Body = io.NopCloser(strings.NewReader(string(raw)))
		if _, pattern := s.mux.Handler(r); pattern == "" {
			s.t.Errorf("githubtest: no route for %s %s", r.Method, r.URL.Path)
			writeError(w, http.StatusNotFound, "Not Found")
			return
		}
		s.mux.ServeHTTP(w, r)
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Transcript renders the requests that change something (all but GET) as
// "== METHOD PATH" and indented JSON, for golden files.
func Transcript(reqs []Request) string {
	var b strings.Builder
	for _, r := range reqs {
		if r.Method == http.MethodGet {
			continue
		}
		fmt.Fprintf(&b, "== %s %s\n", r.Method, r.Path)
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // keep <!-- markers --> readable
		enc.SetIndent("", "  ")
		if err := enc.Encode(r.Body); err != nil {
			fmt.Fprintf(&b, "(cannot encode: %v)\n", err)
		}
	}
	if b.Len() == 0 {
		return "(no requests that change anything)\n"
	}
	return b.String()
}
