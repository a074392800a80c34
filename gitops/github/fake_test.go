package github

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

// apiPrefix is where the fake mounts the API, as GitHub Enterprise does, so
// tests also check that NewClient keeps a BaseURL path.
const apiPrefix = "/api/v3"

// stub answers one request; each stub is used at most once, in order, so a
// retry or a second page needs a second stub.
type stub struct {
	method, path string // path below apiPrefix, without query
	page         string // the "page" query parameter the request must carry; "" for none
	status       int    // default 200
	body         string // response JSON
	next         int    // if set, a Link header pointing at this page
	called       bool
}

// request is what the fake saw.
type request struct {
	Method, Path string
	Accept, Auth string `json:"-"`
	Body         any    `json:",omitempty"`
}

// fakeGitHub is a loopback stand-in for the GitHub REST API, in the style
// of cli/cli's httpmock: a request without a stub fails the test, and so
// does a stub nobody called.
type fakeGitHub struct {
	t   *testing.T
	srv *httptest.Server

	mu    sync.Mutex
	stubs []*stub
	reqs  []request
}

func newFake(t *testing.T) *fakeGitHub {
	t.Helper()
	f := &fakeGitHub{t: t}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve)) // 127.0.0.1 only
	t.Cleanup(f.srv.Close)
	t.Cleanup(f.Verify)
	return f
}

// Register adds stubs, in the order they should be called.
func (f *fakeGitHub) Register(stubs ...stub) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range stubs {
		f.stubs = append(f.stubs, &stubs[i])
	}
}

// Client returns a Client pointed at the fake.
func (f *fakeGitHub) Client() *Client {
	f.t.Helper()
	c, err := NewClient(Options{Token: "tok", BaseURL: f.srv.URL + apiPrefix, HTTPClient: f.srv.Client()})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// Verify fails the test for stubs that were registered but never called.
func (f *fakeGitHub) Verify() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, s := range f.stubs {
		if !s.called {
			f.t.Errorf("stub %s %s (page %q) was never called", s.method, s.path, s.page)
		}
	}
}

// Requests returns every request seen so far.
func (f *fakeGitHub) Requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

func (f *fakeGitHub) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	req := request{Method: r.Method, Path: r.URL.Path, Accept: r.Header.Get("Accept"), Auth: r.Header.Get("Authorization")}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &req.Body); err != nil {
			f.t.Errorf("%s %s: body is not JSON: %v", r.Method, r.URL.Path, err)
		}
	}
	path, ok := strings.CutPrefix(r.URL.Path, apiPrefix)
	page := r.URL.Query().Get("page")

	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	var s *stub
	for _, c := range f.stubs {
		if !c.called && ok && c.method == r.Method && c.path == path && c.page == page {
			s, c.called = c, true
			break
		}
	}
	f.mu.Unlock()

	if s == nil {
		f.t.Errorf("unexpected request %s %s", r.Method, r.URL.RequestURI())
		http.Error(w, `{"message":"no stub"}`, http.StatusNotImplemented)
		return
	}
	if s.next != 0 {
		w.Header().Set("Link", fmt.Sprintf(`<%s%s%s?page=%d>; rel="next"`, f.srv.URL, apiPrefix, path, s.next))
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(cmpOr(s.status, http.StatusOK))
	_, _ = io.WriteString(w, s.body)
}

func cmpOr(a, b int) int {
	if a != 0 {
		return a
	}
	return b
}

// writes renders the requests that changed something, for a golden file.
func writes(reqs []request) string {
	var b bytes.Buffer
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
		// Markdown bodies are the part reviewers read; show them unescaped too.
		if m, ok := r.Body.(map[string]any); ok {
			if body, ok := m["body"].(string); ok {
				fmt.Fprintf(&b, "-- body --\n%s-- end --\n", body)
			}
		}
	}
	if b.Len() == 0 {
		return "(no requests that change anything)\n"
	}
	return b.String()
}

// golden compares got with testdata/name, or rewrites it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got; go test -update to accept):\n%s", path, diff)
	}
}
