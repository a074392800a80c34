package cli

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/git-agent/git-agent/gitops/github/githubtest"
	"github.com/git-agent/git-agent/internal/model/modeltest"
)

// fixEnv is an issue_comment `/agent fix` run: a bare "origin" holding the
// pull request's branch feature (and refs/pull/42/head), the workspace a
// clone of it, a fake GitHub and a scripted model.
type fixEnv struct {
	*actionEnv
	origin, ws string
	head       string // the pull request's head commit
	model      *modeltest.Server
}

const fixPatch = "*** Begin Patch\n*** Update File: greet.txt\n@@\n-helo\n+hello\n*** End Patch"

func newFixEnv(t *testing.T, perms map[string]string, fork bool, turns ...modeltest.Turn) *fixEnv {
	t.Helper()
	if len(turns) == 0 {
		turns = []modeltest.Turn{
			modeltest.Call("c1", "apply_patch", map[string]string{"patch": fixPatch}),
			modeltest.Say("Fixed the greeting's spelling.\n\nhelo became hello."),
		}
	}
	e := newActionEnv(t, githubtest.Options{Permissions: perms}, "issue_comment_fix",
		setComment("/agent fix correct the spelling in greet.txt"))
	src := filepath.Join(e.dir, "src")
	git(t, "", "init", "-q", "-b", "main", src)
	writeTestFile(t, filepath.Join(src, "greet.txt"), "hi\n")
	git(t, src, "add", ".")
	git(t, src, "commit", "-q", "-m", "base")
	base := git(t, src, "rev-parse", "HEAD")
	git(t, src, "checkout", "-q", "-b", "feature")
	writeTestFile(t, filepath.Join(src, "greet.txt"), "helo\n")
	git(t, src, "commit", "-q", "-am", "greet")
	head := git(t, src, "rev-parse", "HEAD")
	origin := filepath.Join(e.dir, "origin.git")
	git(t, "", "clone", "-q", "--bare", src, origin)
	git(t, origin, "update-ref", "refs/pull/42/head", head)
	ws := e.env["GITHUB_WORKSPACE"]
	git(t, "", "clone", "-q", "-b", "main", origin, ws)
	e.srv.AddPullRequest(githubtest.PullRequest{Owner: actionOwner, Repo: actionRepo, Number: 42, HeadSHA: head, BaseSHA: base, Diff: actionDiff})

	m := modeltest.New(turns...)
	t.Cleanup(m.Close)
	for k, v := range map[string]string{"INPUT_PROVIDER": "openai", "INPUT_MODEL": "gpt-5", "INPUT_BASE-URL": m.URL + "/v1",
		"INPUT_API-KEY": "sk-fix-test-key"} {
		e.env[k] = v
	}
	if fork {
		e.env["GITHUB_API_URL"] = forkProxy(t, e.srv.URL)
	}
	return &fixEnv{actionEnv: e, origin: origin, ws: ws, head: head, model: m}
}

// forkProxy fronts the fake GitHub and answers GET pulls/42 with a head in
// contributor's fork; githubtest's Fork option would make the token
// read-only, which an issue_comment run's token is not.
func forkProxy(t *testing.T, api string) string {
	t.Helper()
	u, err := url.Parse(api)
	if err != nil {
		t.Fatal(err)
	}
	rp := httputil.NewSingleHostReverseProxy(u)
	rp.ModifyResponse = func(resp *http.Response) error {
		r := resp.Request
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/pulls/42") || strings.Contains(r.Header.Get("Accept"), "diff") {
			return nil
		}
		var pr map[string]any
		b, _ := io.ReadAll(resp.Body)
		if err := json.Unmarshal(b, &pr); err != nil {
			return err
		}
		pr["head"].(map[string]any)["repo"] = map[string]any{"full_name": "contributor/" + actionRepo, "fork": true}
		b, _ = json.Marshal(pr)
		resp.Body = io.NopCloser(bytes.NewReader(b))
		resp.ContentLength = int64(len(b))
		resp.Header.Set("Content-Length", strconv.Itoa(len(b)))
		return nil
	}
	p := httptest.NewServer(rp)
	t.Cleanup(p.Close)
	return p.URL + "/"
}

func writeTestFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// reply is the action's sticky comment.
func (e *fixEnv) reply(t *testing.T) string {
	t.Helper()
	cs := e.srv.Comments(actionOwner, actionRepo, 42)
	if len(cs) < 2 {
		t.Fatalf("no reply: %+v", cs)
	}
	return cs[len(cs)-1].Body
}

// assertClean checks the secrets reached neither the output nor the
// checkout's configuration.
func (e *fixEnv) assertClean(t *testing.T, r actionRunResult) {
	t.Helper()
	cfg, err := os.ReadFile(filepath.Join(e.ws, ".git", "config"))
	if err != nil {
		t.Fatal(err)
	}
	for _, secret := range []string{actionToken, "sk-fix-test-key"} {
		if strings.Contains(r.stderr, secret) || strings.Contains(string(cfg), secret) || strings.Contains(e.reply(t), secret) {
			t.Errorf("%s leaked:\nstderr:\n%s\nconfig:\n%s", secret, r.stderr, cfg)
		}
	}
	if strings.Contains(string(cfg), "extraheader") {
		t.Errorf("the checkout's config holds an extraheader:\n%s", cfg)
	}
}

func TestActionFix(t *testing.T) {
	t.Parallel()
	writer := map[string]string{"alice-dev": "write"}
	tests := []struct {
		name     string
		perms    map[string]string
		fork     bool
		turns    []modeltest.Turn
		env      map[string]string
		diverge  bool
		wantCode int
		want     string // conclusion
		check    func(t *testing.T, e *fixEnv, r actionRunResult)
	}{
		{
			name: "same repository: the commit is pushed onto the branch", perms: writer, want: "success",
			check: func(t *testing.T, e *fixEnv, r actionRunResult) {
				commit, sid := r.outputs["commit"], r.outputs["session-id"]
				if commit == "" || sid == "" || r.outputs["branch"] != "feature" {
					t.Fatalf("outputs = %v, want commit, session-id and branch feature", r.outputs)
				}
				if got := git(t, e.origin, "rev-parse", "refs/heads/feature"); got != commit {
					t.Errorf("origin feature = %s, want %s", got, commit)
				}
				if got := git(t, e.origin, "rev-parse", commit+"^"); got != e.head {
					t.Errorf("parent = %s, want the pull request's head %s", got, e.head)
				}
				msg := git(t, e.origin, "log", "-1", "--format=%B", commit)
				if !strings.Contains(msg, "Agent-Session: "+sid) || !strings.Contains(msg, "Agent-Audit: ") {
					t.Errorf("commit message lacks the trailers:\n%s", msg)
				}
				if got := git(t, e.origin, "show", commit+":greet.txt"); got != "hello" {
					t.Errorf("greet.txt = %q, want hello", got)
				}
				reply := e.reply(t)
				for _, s := range []string{"Pushed commit " + commit + " to `feature`", "Fixed the greeting's spelling.", "Session `" + sid + "`", r.outputs["audit-head"]} {
					if !strings.Contains(reply, s) {
						t.Errorf("reply lacks %q:\n%s", s, reply)
					}
				}
				assertReactions(t, e.actionEnv, "eyes", "rocket")
				if !strings.Contains(r.stdout, "::stop-commands::") {
					t.Errorf("the session's output was not fenced off from workflow commands:\n%s", r.stdout)
				}
			},
		},
		{
			name: "a moved branch is reported, never forced", perms: writer, diverge: true,
			wantCode: ExitFailed, want: "failure",
			check: func(t *testing.T, e *fixEnv, r actionRunResult) {
				if got := git(t, e.origin, "rev-parse", "refs/heads/feature"); got == r.outputs["commit"] || got == e.head {
					t.Errorf("origin feature = %s: want the other push kept", got)
				}
				if reply := e.reply(t); !strings.Contains(reply, "never force-pushes") {
					t.Errorf("reply = %s", reply)
				}
				if !strings.Contains(r.stdout, "::error title=git-agent fix::") {
					t.Errorf("no ::error:\n%s", r.stdout)
				}
				assertReactions(t, e.actionEnv, "eyes", "confused")
			},
		},
		{
			name: "fork: a new branch and a compare link", perms: writer, fork: true, want: "success",
			check: func(t *testing.T, e *fixEnv, r actionRunResult) {
				sid, commit := r.outputs["session-id"], r.outputs["commit"]
				branch := "agent/" + sid + "-fix"
				if r.outputs["branch"] != branch {
					t.Errorf("branch output = %q, want %q", r.outputs["branch"], branch)
				}
				if got := git(t, e.origin, "rev-parse", "refs/heads/"+branch); got != commit {
					t.Errorf("origin %s = %s, want %s", branch, got, commit)
				}
				if got := git(t, e.origin, "rev-parse", "refs/heads/feature"); got != e.head {
					t.Errorf("origin feature moved to %s", got)
				}
				link := "https://github.test/" + actionOwner + "/" + actionRepo + "/compare/main..." + branch + "?expand=1"
				if reply := e.reply(t); !strings.Contains(reply, link) {
					t.Errorf("reply lacks %s:\n%s", link, reply)
				}
			},
		},
		{
			name: "a reader is refused and nothing runs", perms: map[string]string{"alice-dev": "read"},
			wantCode: ExitFailed, want: "refused",
			check: func(t *testing.T, e *fixEnv, r actionRunResult) {
				if n := len(e.model.Requests()); n != 0 {
					t.Errorf("the model got %d requests", n)
				}
				if got := git(t, e.origin, "for-each-ref", "--format=%(refname) %(objectname)", "refs/heads"); strings.Contains(got, "agent/") ||
					!strings.Contains(got, "refs/heads/feature "+e.head) {
					t.Errorf("origin changed:\n%s", got)
				}
				if r.outputs["commit"] != "" {
					t.Errorf("commit output = %q", r.outputs["commit"])
				}
			},
		},
		{
			name: "max-turns is a hard limit", perms: writer, env: map[string]string{"INPUT_MAX-TURNS": "1"},
			wantCode: ExitFailed, want: "failure",
			check: func(t *testing.T, e *fixEnv, r actionRunResult) {
				if reply := e.reply(t); !strings.Contains(reply, "stopped at max-turns (1)") {
					t.Errorf("reply = %s", reply)
				}
				if got := git(t, e.origin, "rev-parse", "refs/heads/feature"); got != e.head {
					t.Errorf("origin feature moved to %s", got)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newFixEnv(t, tc.perms, tc.fork, tc.turns...)
			for k, v := range tc.env {
				e.env[k] = v
			}
			if tc.diverge {
				other := filepath.Join(e.dir, "other")
				git(t, "", "clone", "-q", "-b", "feature", e.origin, other)
				writeTestFile(t, filepath.Join(other, "other.txt"), "someone else\n")
				git(t, other, "add", ".")
				git(t, other, "commit", "-q", "-m", "someone else")
				git(t, other, "push", "-q", "origin", "feature")
			}
			r := e.run()
			if r.code != tc.wantCode || r.outputs["conclusion"] != tc.want {
				t.Fatalf("exit %d, conclusion %q; want %d, %q\nstdout:\n%s\nstderr:\n%s", r.code, r.outputs["conclusion"], tc.wantCode, tc.want, r.stdout, r.stderr)
			}
			e.assertClean(t, r)
			if tc.check != nil {
				tc.check(t, e, r)
			}
		})
	}
}
