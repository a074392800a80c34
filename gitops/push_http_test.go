package gitops

import (
	"bytes"
	"context"
	"encoding/base64"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// gitHTTPServer serves the bare repositories under root over git's smart
// HTTP protocol (git-http-backend through CGI) on loopback, answering 401
// to any request whose Authorization is not want. While each request is in
// flight it reads the command line of every process on the machine, which
// any user can, to catch a credential there.
type gitHTTPServer struct {
	*httptest.Server
	mu sync.Mutex
	// requests counts the authorised requests; sawURL counts those during
	// which some process's command line held the server's URL (git's own,
	// so the scan works); leaked lists command lines holding a secret.
	requests, sawURL int
	leaked           []string
	headers          [][]string // every request's Authorization values
}

func newGitHTTPServer(t *testing.T, root, want string, secrets ...string) *gitHTTPServer {
	t.Helper()
	execPath, err := exec.Command("git", "--exec-path").Output()
	if err != nil {
		t.Fatal(err)
	}
	backend := filepath.Join(strings.TrimSpace(string(execPath)), "git-http-backend")
	if _, err := os.Stat(backend); err != nil {
		t.Skipf("git-http-backend is not installed: %v", err)
	}
	s := &gitHTTPServer{}
	cgiH := &cgi.Handler{Path: backend, Env: []string{
		"GIT_PROJECT_ROOT=" + root, "GIT_HTTP_EXPORT_ALL=1", "REMOTE_USER=x-access-token",
	}}
	// Unstarted until s.Server is set: the handler reads s.URL.
	s.Server = httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth := r.Header.Values("Authorization")
		s.mu.Lock()
		s.headers = append(s.headers, auth)
		s.mu.Unlock()
		if len(auth) != 1 || auth[0] != want {
			w.Header().Set("WWW-Authenticate", `Basic realm="test"`)
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		saw, leaked := scanCmdlines(s.URL, secrets)
		s.mu.Lock()
		s.requests++
		if saw {
			s.sawURL++
		}
		s.leaked = append(s.leaked, leaked...)
		s.mu.Unlock()
		cgiH.ServeHTTP(w, r)
	}))
	s.Start()
	t.Cleanup(s.Close)
	return s
}

// scanCmdlines reports whether some process's command line holds url, and
// lists those holding a secret.
func scanCmdlines(url string, secrets []string) (saw bool, leaked []string) {
	dirs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range dirs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		if bytes.Contains(b, []byte(url)) {
			saw = true
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				leaked = append(leaked, strings.ReplaceAll(string(b), "\x00", " "))
			}
		}
	}
	return saw, leaked
}

// TestAuthedOverHTTP fetches and pushes over smart HTTP with a token: the
// server receives exactly the basic header (a header the checkout left in
// the repository's config is reset, not sent as well), and no process's
// command line holds the token or the header while git runs.
func TestAuthedOverHTTP(t *testing.T) {
	if _, err := os.Stat("/proc/self/cmdline"); err != nil {
		t.Skip("no /proc to read command lines from")
	}
	// Loopback only, whatever proxy the environment names.
	t.Setenv("NO_PROXY", "*")
	t.Setenv("no_proxy", "*")
	const token = "ghs_http_test_token_4f1c"
	basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
	fx := newPushFixture(t)
	ctx := context.Background()
	srv := newGitHTTPServer(t, filepath.Dir(fx.origin), "basic "+basic, token, basic)
	// What actions/checkout leaves behind when it persists credentials.
	gitT(t, fx.repo.Root, "config", "http.extraheader", "AUTHORIZATION: basic c3RhbGU=")
	url := srv.URL + "/" + filepath.Base(fx.origin)

	got, err := fx.repo.Fetch(ctx, url, "refs/heads/feature", token)
	if err != nil {
		t.Fatalf("Fetch over HTTP: %v", err)
	}
	if got != fx.feature {
		t.Errorf("Fetch = %s, want %s", got, fx.feature)
	}
	if err := fx.repo.Push(ctx, url, fx.next, "agent/http-fix", token); err != nil {
		t.Fatalf("Push over HTTP: %v", err)
	}
	if head := gitT(t, fx.origin, "rev-parse", "refs/heads/agent/http-fix"); head != fx.next {
		t.Errorf("origin agent/http-fix = %s, want %s", head, fx.next)
	}

	// A wrong token is refused, and the error does not show it.
	const wrong = "ghs_wrong_token_9d2e"
	_, err = fx.repo.Fetch(ctx, url, "refs/heads/feature", wrong)
	if err == nil {
		t.Fatal("Fetch with a wrong token succeeded")
	}
	if strings.Contains(err.Error(), wrong) || strings.Contains(err.Error(), base64.StdEncoding.EncodeToString([]byte("x-access-token:"+wrong))) {
		t.Errorf("the error shows the token: %v", err)
	}

	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.requests < 4 {
		t.Errorf("%d authorised requests, want at least 4 (two each for fetch and push)", srv.requests)
	}
	if srv.sawURL == 0 {
		t.Error("no process's command line held the server's URL while git ran: the scan cannot see git")
	}
	for _, l := range srv.leaked {
		t.Errorf("a command line holds the token: %s", l)
	}
	for _, h := range srv.headers {
		for _, v := range h {
			if strings.Contains(v, "c3RhbGU=") {
				t.Errorf("the checkout's header was sent as well: %q", h)
			}
		}
	}
	gitT(t, fx.repo.Root, "config", "--unset", "http.extraheader")
	assertNoToken(t, fx.repo, token)
}
