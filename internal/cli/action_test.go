package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/git-agent/git-agent/action"
	"github.com/git-agent/git-agent/gitops/github/githubtest"
	"github.com/google/go-cmp/cmp"
)

var updateActionGolden = flag.Bool("update-action-golden", false, "rewrite internal/cli/testdata/action/*.golden")

const (
	actionOwner = "git-agent"
	actionRepo  = "git-agent"
	actionToken = "ghs_action_test_token"
	// actionDiff adds an AWS key: one error finding on config.env line 2.
	actionDiff = "diff --git a/config.env b/config.env\nnew file mode 100644\nindex 0000000..1111111\n--- /dev/null\n+++ b/config.env\n@@ -0,0 +1,2 @@\n+REGION=eu-west-1\n+AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE\n"
)

// actionEnv is one run of `git agent action` against a githubtest server.
type actionEnv struct {
	t      *testing.T
	srv    *githubtest.Server
	dir    string
	env    map[string]string
	number int
}

// newActionEnv starts a fake GitHub holding the fixture's pull request and
// prepares the runner environment for the event fixture (a file in
// action/testdata/events), changed by edit.
func newActionEnv(t *testing.T, opts githubtest.Options, fixture string, edit func(ev map[string]any, srv *githubtest.Server)) *actionEnv {
	t.Helper()
	opts.Token = actionToken
	srv := githubtest.New(t, opts)
	dir := t.TempDir()
	data, err := os.ReadFile(filepath.Join("..", "..", "action", "testdata", "events", fixture+".json"))
	if err != nil {
		t.Fatal(err)
	}
	var ev map[string]any
	if err := json.Unmarshal(data, &ev); err != nil {
		t.Fatal(err)
	}
	number := 0
	if pr, ok := ev["pull_request"].(map[string]any); ok {
		number = int(pr["number"].(float64))
		head, base := pr["head"].(map[string]any), pr["base"].(map[string]any)
		srv.AddPullRequest(githubtest.PullRequest{Owner: actionOwner, Repo: actionRepo, Number: number,
			HeadSHA: head["sha"].(string), BaseSHA: base["sha"].(string), Diff: actionDiff})
	}
	if is, ok := ev["issue"].(map[string]any); ok {
		number = int(is["number"].(float64))
		cm := ev["comment"].(map[string]any)
		user := cm["user"].(map[string]any)["login"].(string)
		// The fake gives comments its own IDs; point the event at it.
		cm["id"] = srv.AddComment(actionOwner, actionRepo, number, user, cm["body"].(string))
		srv.AddPullRequest(githubtest.PullRequest{Owner: actionOwner, Repo: actionRepo, Number: number,
			HeadSHA: "6dcb09b5b57875f334f61aebed695e2e4193db5e", BaseSHA: "c7a2b4f0e3d1a9b8c6e5f4d3c2b1a09f8e7d6c5b", Diff: actionDiff})
	}
	if edit != nil {
		edit(ev, srv)
	}
	data, _ = json.Marshal(ev)
	evPath := filepath.Join(dir, "event.json")
	if err := os.WriteFile(evPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var name string
	for _, p := range []string{"pull_request", "issue_comment", "workflow_dispatch"} {
		if strings.HasPrefix(fixture, p) {
			name = p
		}
	}
	ws := filepath.Join(dir, "workspace")
	_ = os.Mkdir(ws, 0o755)
	return &actionEnv{t: t, srv: srv, dir: dir, number: number, env: map[string]string{
		"GITHUB_EVENT_NAME":   name,
		"GITHUB_EVENT_PATH":   evPath,
		"GITHUB_REPOSITORY":   actionOwner + "/" + actionRepo,
		"GITHUB_API_URL":      srv.URL,
		"GITHUB_SERVER_URL":   "https://github.test",
		"GITHUB_WORKSPACE":    ws,
		"GITHUB_OUTPUT":       filepath.Join(dir, "output"),
		"GITHUB_STEP_SUMMARY": filepath.Join(dir, "summary.md"),
		"RUNNER_TEMP":         dir,
		"HOME":                filepath.Join(dir, "home"),
		"XDG_CONFIG_HOME":     filepath.Join(dir, "home", ".config"),
		"XDG_STATE_HOME":      filepath.Join(dir, "home", ".state"),
		"INPUT_GITHUB-TOKEN":  actionToken,
	}}
}

type actionRunResult struct {
	code        int
	stdout      string
	stderr      string
	outputs     map[string]string
	transcript  string
	requestsLen int
}

func (e *actionEnv) run() actionRunResult {
	e.t.Helper()
	_ = os.Remove(e.env["GITHUB_OUTPUT"])
	before := len(e.srv.Requests())
	var out, errOut bytes.Buffer
	f := &Factory{
		IO:         Test(strings.NewReader(""), &out, &errOut),
		Getenv:     func(k string) string { return e.env[k] },
		Now:        func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
		Getwd:      func() (string, error) { return e.env["GITHUB_WORKSPACE"], nil },
		Context:    context.Background(),
		HTTPClient: e.srv.Client(),
		Environ:    func() []string { return nil },
		Log:        discardLogger(),
	}
	defer f.closeAll()
	err := actionRun(&ActionOptions{F: f, Sleep: func(context.Context, time.Duration) error { return nil }})
	r := actionRunResult{code: ExitCode(err), stdout: out.String(), stderr: errOut.String()}
	if err != nil {
		r.stderr += "error: " + err.Error() + "\n"
	}
	r.outputs = parseOutputs(e.t, e.env["GITHUB_OUTPUT"])
	reqs := e.srv.Requests()
	r.requestsLen = len(reqs) - before
	r.transcript = githubtest.Transcript(reqs[before:])
	var unmasked []string
	for _, l := range strings.Split(r.stdout, "\n") {
		if !strings.HasPrefix(l, "::add-mask::") {
			unmasked = append(unmasked, l)
		}
	}
	if strings.Contains(strings.Join(unmasked, "\n")+r.stderr+r.transcript, actionToken) {
		e.t.Errorf("the token leaked:\nstdout:\n%s\nstderr:\n%s", r.stdout, r.stderr)
	}
	return r
}

// parseOutputs reads a GITHUB_OUTPUT file of name<<DELIM records.
func parseOutputs(t *testing.T, path string) map[string]string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("outputs: %v", err)
	}
	got := map[string]string{}
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		if lines[i] == "" {
			continue
		}
		name, delim, ok := strings.Cut(lines[i], "<<")
		if !ok {
			t.Fatalf("outputs line %d: %q is not name<<DELIM", i+1, lines[i])
		}
		var val []string
		for i++; i < len(lines) && lines[i] != delim; i++ {
			val = append(val, lines[i])
		}
		if i == len(lines) {
			t.Fatalf("outputs: record %s not closed", name)
		}
		got[name] = strings.Join(val, "\n")
	}
	for _, k := range []string{"conclusion", "review-id", "comment-url", "findings", "session-id", "branch", "commit", "audit-log", "audit-head", "sbom", "bench"} {
		if _, ok := got[k]; !ok {
			t.Errorf("output %s not set", k)
		}
	}
	return got
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", "action", name+".golden")
	if *updateActionGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run Action -update-action-golden)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

func setComment(body string) func(map[string]any, *githubtest.Server) {
	return func(ev map[string]any, _ *githubtest.Server) { ev["comment"].(map[string]any)["body"] = body }
}

func TestAction(t *testing.T) {
	t.Parallel()
	writer := map[string]string{"alice-dev": "write"}
	tests := []struct {
		name     string
		fixture  string
		opts     githubtest.Options
		edit     func(map[string]any, *githubtest.Server)
		env      map[string]string
		setup    func(*githubtest.Server)
		wantCode int
		want     map[string]string // outputs to compare
		stdout   []string          // substrings of stdout
		notOut   []string
		check    func(t *testing.T, e *actionEnv, r actionRunResult)
		golden   string // compare the transcript of writes
	}{
		{
			name: "pull request opened: one review, one sticky", fixture: "pull_request_opened",
			wantCode: ExitFailed, want: map[string]string{"conclusion": "failure", "findings": "1"},
			stdout: []string{"::error title=git-agent::1 finding(s) at or above fail-on: error"},
			golden: "pull_request_opened",
			check: func(t *testing.T, e *actionEnv, r actionRunResult) {
				assertPosted(t, e, 1, 1)
				if r.outputs["review-id"] == "" || !strings.Contains(r.outputs["comment-url"], "issuecomment") {
					t.Errorf("outputs = %v, want review-id and comment-url", r.outputs)
				}
				if len(e.srv.CheckRuns()) != 1 || e.srv.CheckRuns()[0].Conclusion != "failure" {
					t.Errorf("check runs = %+v, want one failure", e.srv.CheckRuns())
				}
				if r.outputs["audit-head"] == "" || !strings.HasSuffix(r.outputs["audit-log"], "audit.jsonl") {
					t.Errorf("audit outputs = %q, %q", r.outputs["audit-head"], r.outputs["audit-log"])
				}
			},
		},
		{
			name: "fail-on never passes", fixture: "pull_request_opened",
			env:  map[string]string{"INPUT_FAIL-ON": "never"},
			want: map[string]string{"conclusion": "success", "findings": "1"},
			check: func(t *testing.T, e *actionEnv, r actionRunResult) {
				assertPosted(t, e, 1, 1)
			},
		},
		{
			name: "draft is skipped", fixture: "pull_request_opened",
			edit: func(ev map[string]any, _ *githubtest.Server) { ev["pull_request"].(map[string]any)["draft"] = true },
			want: map[string]string{"conclusion": "skipped", "findings": ""}, stdout: []string{"::notice", "draft"},
			check: func(t *testing.T, e *actionEnv, r actionRunResult) { assertPosted(t, e, 0, 0) },
		},
		{
			name: "fork: annotations, no writes, red per fail-on", fixture: "pull_request_fork_opened",
			opts:     githubtest.Options{Fork: true},
			wantCode: ExitFailed, want: map[string]string{"conclusion": "failure", "findings": "1", "review-id": ""},
			stdout: []string{"::error file=config.env,line=2,title=git-agent%3A secret/aws-access-key::", "comes from a fork"},
			check: func(t *testing.T, e *actionEnv, r actionRunResult) {
				if r.transcript != "(no requests that change anything)\n" {
					t.Errorf("a fork run wrote to GitHub:\n%s", r.transcript)
				}
				summary, _ := os.ReadFile(e.env["GITHUB_STEP_SUMMARY"])
				if !strings.Contains(string(summary), "config.env:2") {
					t.Errorf("step summary lacks the finding:\n%s", summary)
				}
			},
		},
		{
			name: "fork with fail-on never is green", fixture: "pull_request_fork_opened",
			opts: githubtest.Options{Fork: true}, env: map[string]string{"INPUT_FAIL-ON": "never"},
			want: map[string]string{"conclusion": "success", "findings": "1"}, stdout: []string{"::error file=config.env,line=2"},
		},
		{
			name: "403 on posting degrades to annotations", fixture: "pull_request_opened",
			setup: func(s *githubtest.Server) {
				s.Fail("POST", "/repos/git-agent/git-agent/pulls/42/reviews", 403, `{"message":"Resource not accessible by integration"}`, nil)
			},
			env:  map[string]string{"INPUT_FAIL-ON": "never"},
			want: map[string]string{"conclusion": "success", "review-id": ""}, stdout: []string{"::error file=config.env,line=2", "may not write"},
		},
		{
			name: "rate-limited posting fails clearly", fixture: "pull_request_opened",
			setup: func(s *githubtest.Server) {
				s.RateLimit("POST", "/repos/git-agent/git-agent/pulls/42/reviews", 3600).Always()
			},
			env:      map[string]string{"INPUT_FAIL-ON": "never"},
			wantCode: ExitFailed, want: map[string]string{"conclusion": "failure", "review-id": ""},
			stdout: []string{"::error title=git-agent::post the review on git-agent/git-agent#42", "rate_limited"},
		},
		{
			name: "/agent review by a writer", fixture: "issue_comment_review", opts: githubtest.Options{Permissions: writer},
			env:    map[string]string{"INPUT_FAIL-ON": "never"},
			want:   map[string]string{"conclusion": "success", "findings": "1"},
			golden: "comment_review",
			check: func(t *testing.T, e *actionEnv, r actionRunResult) {
				assertPosted(t, e, 1, 1)
				assertReactions(t, e, "eyes", "rocket")
			},
		},
		{
			name: "/agent review by a reader is refused", fixture: "issue_comment_review",
			opts:     githubtest.Options{Permissions: map[string]string{"alice-dev": "read"}},
			wantCode: ExitFailed, want: map[string]string{"conclusion": "refused", "findings": "", "review-id": ""},
			stdout: []string{"::error title=git-agent refused::", "alice-dev has read"},
			golden: "comment_refused",
			check: func(t *testing.T, e *actionEnv, r actionRunResult) {
				if n := len(e.srv.Reviews(actionOwner, actionRepo, e.number)); n != 0 {
					t.Errorf("%d reviews, want none", n)
				}
				assertReactions(t, e, "eyes")
			},
		},
		{
			name: "unlisted bot is refused", fixture: "issue_comment_bot",
			wantCode: ExitFailed, want: map[string]string{"conclusion": "refused"}, stdout: []string{"allowed-bots"},
			check: func(t *testing.T, e *actionEnv, r actionRunResult) {
				for _, q := range e.srv.Requests() {
					if strings.Contains(q.Path, "/permission") {
						t.Errorf("asked GitHub about a bot's permission: %s", q.Path)
					}
				}
				if n := len(e.srv.Reviews(actionOwner, actionRepo, e.number)); n != 0 {
					t.Errorf("%d reviews, want none", n)
				}
			},
		},
		{
			name: "bot listed in allowed-bots", fixture: "issue_comment_bot",
			env:  map[string]string{"INPUT_ALLOWED-BOTS": "renovate[bot], dependabot[bot]", "INPUT_FAIL-ON": "never"},
			want: map[string]string{"conclusion": "success", "findings": "1"},
			check: func(t *testing.T, e *actionEnv, r actionRunResult) {
				assertPosted(t, e, 1, 1)
				assertReactions(t, e, "eyes", "rocket")
			},
		},
		{
			name: "/agent fix without a checkout fails clearly", fixture: "issue_comment_fix", opts: githubtest.Options{Permissions: writer},
			wantCode: ExitFailed, want: map[string]string{"conclusion": "failure", "commit": ""},
			stdout: []string{"::error title=git-agent fix::fix needs the repository checked out"},
			check: func(t *testing.T, e *actionEnv, r actionRunResult) {
				cs := e.srv.Comments(actionOwner, actionRepo, e.number)
				if len(cs) != 2 || !strings.Contains(cs[1].Body, "`/agent fix` failed: fix needs the repository checked out") {
					t.Errorf("comments = %+v, want the command and one reply", cs)
				}
				assertReactions(t, e, "eyes", "confused")
			},
		},
		{
			name: "/agent help answers with usage", fixture: "issue_comment_review", opts: githubtest.Options{Permissions: writer},
			edit: setComment("/agent help"), want: map[string]string{"conclusion": "success"},
			check: func(t *testing.T, e *actionEnv, r actionRunResult) {
				cs := e.srv.Comments(actionOwner, actionRepo, e.number)
				if len(cs) != 2 || !strings.Contains(cs[1].Body, "/agent review") {
					t.Errorf("comments = %+v, want the command and the usage", cs)
				}
			},
		},
		{
			name: "comment not for git-agent", fixture: "issue_comment_review",
			edit: setComment("LGTM, thanks! /agent review later maybe"),
			want: map[string]string{"conclusion": "skipped"}, stdout: []string{"not for git-agent"},
			check: func(t *testing.T, e *actionEnv, r actionRunResult) {
				if r.requestsLen != 0 {
					t.Errorf("%d API requests, want none", r.requestsLen)
				}
			},
		},
		{
			name: "comment on a plain issue", fixture: "issue_comment_issue",
			want: map[string]string{"conclusion": "skipped"}, stdout: []string{"::notice", "not a pull request"},
		},
		{
			name: "workflow_dispatch needs a writer", fixture: "workflow_dispatch",
			wantCode: ExitFailed, want: map[string]string{"conclusion": "refused"}, stdout: []string{"::error title=git-agent refused::", "needs write, maintain or admin permission"},
		},
		{
			name: "timeout fails closed", fixture: "pull_request_opened", env: map[string]string{"INPUT_TIMEOUT": "1ns"},
			wantCode: ExitFailed, want: map[string]string{"conclusion": "failure"},
			stdout: []string{"::error title=git-agent::git agent action timed out after 1ns"},
			check:  func(t *testing.T, e *actionEnv, r actionRunResult) { assertPosted(t, e, 0, 0) },
		},
		{
			name: "bad input is a usage error", fixture: "pull_request_opened", env: map[string]string{"INPUT_FAIL-ON": "sometimes"},
			wantCode: ExitUsage, want: map[string]string{"conclusion": "failure"}, stdout: []string{"::error", "fail-on"},
		},
		{
			name: "secrets are masked first", fixture: "issue_comment_issue", env: map[string]string{"INPUT_API-KEY": "sk-secret-value"},
			want: map[string]string{"conclusion": "skipped"}, stdout: []string{"::add-mask::sk-secret-value\n::add-mask::" + actionToken + "\n"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			e := newActionEnv(t, tc.opts, tc.fixture, tc.edit)
			for k, v := range tc.env {
				e.env[k] = v
			}
			if tc.setup != nil {
				tc.setup(e.srv)
			}
			r := e.run()
			if r.code != tc.wantCode {
				t.Errorf("exit code %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.wantCode, r.stdout, r.stderr)
			}
			for k, v := range tc.want {
				if r.outputs[k] != v {
					t.Errorf("output %s = %q, want %q", k, r.outputs[k], v)
				}
			}
			for _, s := range tc.stdout {
				if !strings.Contains(r.stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
				}
			}
			if tc.check != nil {
				tc.check(t, e, r)
			}
			if tc.golden != "" {
				golden(t, tc.golden, r.transcript)
			}
		})
	}
}

// TestActionRerun checks that a second run on the same pull request
// updates the sticky summary and posts no duplicate review.
func TestActionRerun(t *testing.T) {
	t.Parallel()
	e := newActionEnv(t, githubtest.Options{}, "pull_request_opened", nil)
	first := e.run()
	second := e.run()
	if first.code != ExitFailed || second.code != ExitFailed {
		t.Fatalf("exit codes %d, %d, want %d twice", first.code, second.code, ExitFailed)
	}
	assertPosted(t, e, 1, 1)
	if second.outputs["review-id"] != "" || second.outputs["comment-url"] != first.outputs["comment-url"] {
		t.Errorf("second outputs = %v, want no new review and the same comment URL as %v", second.outputs, first.outputs)
	}
	if !strings.Contains(second.transcript, "== PATCH /repos/git-agent/git-agent/issues/comments/") ||
		strings.Contains(second.transcript, "/pulls/42/reviews") {
		t.Errorf("second run should only update the sticky:\n%s", second.transcript)
	}
	if first.outputs["audit-head"] == second.outputs["audit-head"] {
		t.Error("audit head did not move on the second run")
	}
}

// assertPosted checks how many reviews and issue comments the pull request has.
func assertPosted(t *testing.T, e *actionEnv, reviews, stickies int) {
	t.Helper()
	rs := e.srv.Reviews(actionOwner, actionRepo, e.number)
	if len(rs) != reviews {
		t.Errorf("%d reviews, want %d: %+v", len(rs), reviews, rs)
	}
	for _, r := range rs {
		if r.Event != "COMMENT" {
			t.Errorf("review event %q, want COMMENT", r.Event)
		}
	}
	if reviews > 0 && len(e.srv.ReviewComments(actionOwner, actionRepo, e.number)) == 0 {
		t.Error("no inline comment")
	}
	n := 0
	for _, c := range e.srv.Comments(actionOwner, actionRepo, e.number) {
		if strings.Contains(c.Body, "git-agent-summary") {
			n++
		}
	}
	if n != stickies {
		t.Errorf("%d sticky summaries, want %d", n, stickies)
	}
}

func assertReactions(t *testing.T, e *actionEnv, want ...string) {
	t.Helper()
	var got []string
	for _, r := range e.srv.Reactions() {
		got = append(got, r.Content)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("reactions (-want +got):\n%s", diff)
	}
}

// TestActionBaseRules checks that review rules come from the base commit's
// .git-agent/config.toml, never from the checkout, which the pull request
// controls.
func TestActionBaseRules(t *testing.T) {
	t.Parallel()
	e := newActionEnv(t, githubtest.Options{}, "pull_request_opened", nil)
	ws := e.env["GITHUB_WORKSPACE"]
	rule := func(name, pattern string) string {
		return "[[review_rules]]\nname = \"" + name + "\"\npattern = \"" + pattern + "\"\nseverity = \"warning\"\n"
	}
	git(t, ws, "init", "-q", "-b", "main")
	if err := os.MkdirAll(filepath.Join(ws, ".git-agent"), 0o755); err != nil {
		t.Fatal(err)
	}
	cfg := filepath.Join(ws, ".git-agent", "config.toml")
	if err := os.WriteFile(cfg, []byte(rule("base-rule", "REGION")), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, ws, "add", ".")
	git(t, ws, "commit", "-q", "-m", "base")
	base := git(t, ws, "rev-parse", "HEAD")
	// The pull request's head rewrites the rules in the checkout.
	if err := os.WriteFile(cfg, []byte(rule("head-rule", "eu-west")), 0o644); err != nil {
		t.Fatal(err)
	}
	e.srv.AddPullRequest(githubtest.PullRequest{Owner: actionOwner, Repo: actionRepo, Number: 42,
		HeadSHA: "6dcb09b5b57875f334f61aebed695e2e4193db5e", BaseSHA: base, Diff: actionDiff})
	e.env["INPUT_FAIL-ON"] = "never"
	r := e.run()
	if r.code != 0 || r.outputs["findings"] != "2" {
		t.Fatalf("exit %d, findings %q, want 0 and 2\nstdout:\n%s\nstderr:\n%s", r.code, r.outputs["findings"], r.stdout, r.stderr)
	}
	if !strings.Contains(r.transcript, "base-rule") || strings.Contains(r.transcript, "head-rule") {
		t.Errorf("want the base rule only:\n%s", r.transcript)
	}
}

// TestActionOutputsMatchActionYML: git agent action sets exactly the
// outputs action.yml declares, each declared as the run step's output of the
// same name, so none is silently empty or missing for the workflows that
// read them.
func TestActionOutputsMatchActionYML(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(b), "\noutputs:\n")
	section, _, _ := strings.Cut(rest, "\nruns:\n")
	key := regexp.MustCompile(`(?m)^  ([a-z][a-z0-9-]*):\n(?:    .*\n)*?    value: (.*)$`)
	var declared []string
	for _, m := range key.FindAllStringSubmatch(section, -1) {
		declared = append(declared, m[1])
		if want := "${{ steps.run.outputs." + m[1] + " }}"; m[2] != want {
			t.Errorf("output %s: value %q, want %q", m[1], m[2], want)
		}
	}
	if len(declared) == 0 {
		t.Fatal("no outputs found in action.yml")
	}

	f, _, _ := testFactory("")
	var local bytes.Buffer
	o := action.NewOutputs(func(string) string { return "" }, &local)
	if err := writeActionOutputs(f, o, &actionResult{started: f.Now()}); err != nil {
		t.Fatal(err)
	}
	var set []string
	for _, line := range strings.Split(strings.TrimSpace(local.String()), "\n") {
		if name, _, ok := strings.Cut(line, "="); ok {
			set = append(set, name)
		}
	}
	slices.Sort(declared)
	slices.Sort(set)
	if diff := cmp.Diff(declared, set); diff != "" {
		t.Errorf("outputs set by git agent action (+) versus declared in action.yml (-):\n%s", diff)
	}
}

func TestRuleID(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"model/division-by-zero", "model/division-by-zero"},
		{"model/Region Hardcoded", "model/region-hardcoded"},
		{"model/`x` <!-- y -->", "model/x-------y"},
		{"model/", "model/finding"},
		{"model/" + strings.Repeat("ab", 40), "model/" + strings.Repeat("ab", 24)},
		{"model/ü-ß", "model/finding"},
	}
	for _, tt := range tests {
		if got := ruleID(tt.in); got != tt.want {
			t.Errorf("ruleID(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
