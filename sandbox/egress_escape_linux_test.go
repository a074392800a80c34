package sandbox_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/git-agent/git-agent/sandbox"
	"github.com/git-agent/git-agent/sandbox/egress"
)

// TestEgressProxy: under net-read-only the only way out is the egress proxy,
// which lets GET and HEAD through to allowed hosts and nothing else. Every
// refusal is checked against the upstream's own hit counter, and the direct
// connection is shown to work unconfined.
func TestEgressProxy(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		t.Skip("curl is not installed")
	}
	if err := sandbox.Available(sandbox.NetReadOnly); err != nil {
		if os.Getenv("GIT_AGENT_REQUIRE_SANDBOX") == "1" {
			t.Fatalf("GIT_AGENT_REQUIRE_SANDBOX=1 but net-read-only is refused: %v", err)
		}
		t.Skip(err)
	}
	var gets, posts atomic.Int32
	upstream := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			posts.Add(1)
		} else {
			gets.Add(1)
		}
		w.Write([]byte("hello from upstream"))
	}))
	defer upstream.Close()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { t.Error("the unlisted host was reached") }))
	defer other.Close()
	host := strings.TrimPrefix(upstream.URL, "http://")

	tests := []struct {
		name    string
		profile sandbox.Mode
		allow   []string
		script  string
		want    string // in stdout
		decided string // the proxy's decisions, as reported to Cmd.Egress
	}{
		{"GET through the proxy", sandbox.NetReadOnly, []string{host}, `curl -s --noproxy '' ` + upstream.URL, "hello from upstream", "GET allowed"},
		{"HEAD through the proxy", sandbox.NetReadOnly, []string{host}, `curl -s -o /dev/null -w '%{http_code}' -I --noproxy '' ` + upstream.URL, "200", "HEAD allowed"},
		{"POST refused", sandbox.NetReadOnly, []string{host}, `curl -s --noproxy '' -d x ` + upstream.URL, "only GET and HEAD are allowed", "POST denied"},
		{"unlisted host refused", sandbox.NetReadOnly, []string{host}, `curl -s --noproxy '' ` + other.URL, "is not on the allow list", "GET denied"},
		{"direct connection fails", sandbox.NetReadOnly, []string{host}, `curl -s -m 3 ` + upstream.URL + `; echo "exit=$?"`, "exit=7", ""},
		{"direct connection works unconfined", sandbox.Trusted, nil, `curl -s -m 3 ` + upstream.URL, "hello from upstream", ""},
		{"workspace-write without domains has no proxy", sandbox.WorkspaceWrite, nil, `echo "proxy=[$HTTPS_PROXY]"; curl -s -m 3 --noproxy '' ` + upstream.URL + `; echo "exit=$?"`, "proxy=[]\nexit=7", ""},
		{"workspace-write with a domain uses the proxy", sandbox.WorkspaceWrite, []string{host}, `curl -s --noproxy '' ` + upstream.URL, "hello from upstream", "GET allowed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			before := posts.Load()
			var mu sync.Mutex
			var decided []string
			res, err := sandbox.Run(t.Context(), sandbox.Profile{Mode: tc.profile, Workspace: ws, AllowDomains: tc.allow},
				&sandbox.Cmd{Args: []string{"/bin/sh", "-c", tc.script}, Dir: ws, Env: sandbox.BaseEnv(os.Environ()),
					Egress: func(d egress.Decision) {
						mu.Lock()
						defer mu.Unlock()
						verdict := "denied"
						if d.Allowed {
							verdict = "allowed"
						}
						decided = append(decided, d.Method+" "+verdict)
					}})
			if err != nil {
				t.Fatal(err)
			}
			mu.Lock()
			if got := strings.Join(decided, ", "); got != tc.decided {
				t.Errorf("egress decisions %q, want %q", got, tc.decided)
			}
			mu.Unlock()
			if !strings.Contains(string(res.Stdout), tc.want) {
				t.Errorf("stdout %q, want %q (stderr %q)", res.Stdout, tc.want, res.Stderr)
			}
			if tc.name == "POST refused" && posts.Load() != before {
				t.Error("the POST reached the upstream")
			}
		})
	}
	if gets.Load() == 0 {
		t.Error("no request reached the upstream at all")
	}
}
