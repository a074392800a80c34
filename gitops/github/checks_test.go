package github

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/gitops/github/githubtest"
)

func annotations(n int) []Annotation {
	var as []Annotation
	for i := 1; i <= n; i++ {
		as = append(as, Annotation{Path: "main.go", StartLine: i, Level: "warning", Message: fmt.Sprintf("finding %d", i)})
	}
	return as
}

func TestCreateCheckRun(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		run        CheckRun
		wantWrites []string // method and annotation count per request
		golden     bool
	}{
		{
			name: "small run",
			run: CheckRun{Name: "git-agent", HeadSHA: "head1", Conclusion: "failure", Title: "2 problems", Summary: "**2** findings", Text: "details",
				Annotations: []Annotation{
					{Path: "a.go", StartLine: 3, EndLine: 5, Level: "failure", Title: "secret/aws-access-key", Message: "AWS key in source"},
					{Path: "b.go", StartLine: 9, Level: "notice", Message: "prefer a shorter name"},
				}},
			wantWrites: []string{"POST 2"},
			golden:     true,
		},
		{
			name:       "120 annotations in batches of 50",
			run:        CheckRun{Name: "git-agent", HeadSHA: "head1", Conclusion: "neutral", Annotations: annotations(120)},
			wantWrites: []string{"POST 50", "PATCH 50", "PATCH 20"},
		},
		{
			name:       "exactly 50 need no update",
			run:        CheckRun{Name: "git-agent", HeadSHA: "head1", Conclusion: "success", Annotations: annotations(50)},
			wantWrites: []string{"POST 50"},
		},
		{
			name:       "summary capped",
			run:        CheckRun{Name: "git-agent", HeadSHA: "head1", Conclusion: "success", Summary: strings.Repeat("x", 70000)},
			wantWrites: []string{"POST 0"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := githubtest.New(t, githubtest.Options{})
			c, _ := testClient(t, s, Options{})
			id, url, err := c.CreateCheckRun(context.Background(), "o", "r", tc.run)
			if err != nil {
				t.Fatal(err)
			}
			var writes []string
			for _, r := range s.Requests() {
				out, _ := r.Body.(map[string]any)["output"].(map[string]any)
				anns, _ := out["annotations"].([]any)
				writes = append(writes, fmt.Sprintf("%s %d", r.Method, len(anns)))
			}
			if diff := cmp.Diff(tc.wantWrites, writes); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
			runs := s.CheckRuns()
			if len(runs) != 1 || runs[0].ID != id || url != fmt.Sprintf("https://github.test/o/r/runs/%d", id) {
				t.Fatalf("CreateCheckRun = %d, %q; server has %+v", id, url, runs)
			}
			got := runs[0]
			if got.Status != "completed" || got.Conclusion != tc.run.Conclusion || len(got.Annotations) != len(tc.run.Annotations) ||
				len(got.Summary) > 65535 || got.Title == "" {
				t.Errorf("check run = %s/%s, %d annotations, title %q, summary of %d bytes",
					got.Status, got.Conclusion, len(got.Annotations), got.Title, len(got.Summary))
			}
			if tc.golden {
				golden(t, "check_run_"+strings.ReplaceAll(tc.name, " ", "_")+".golden", githubtest.Transcript(s.Requests()))
			}
		})
	}
}

func TestCreateCheckRunErrors(t *testing.T) {
	t.Parallel()
	ok := CheckRun{Name: "git-agent", HeadSHA: "head1", Conclusion: "success", Annotations: annotations(60)}
	tests := []struct {
		name     string
		opts     githubtest.Options
		run      CheckRun
		fail     func(s *githubtest.Server)
		wantKind ErrorKind
		wantErr  string
		wantID   bool
	}{
		{name: "bad conclusion", run: CheckRun{Name: "n", HeadSHA: "h", Conclusion: "great"}, wantErr: `conclusion "great"`},
		{name: "bad level", run: CheckRun{Name: "n", HeadSHA: "h", Conclusion: "success",
			Annotations: []Annotation{{Path: "a", StartLine: 1, Level: "error", Message: "m"}}}, wantErr: `annotation 0: level "error"`},
		{name: "bad lines", run: CheckRun{Name: "n", HeadSHA: "h", Conclusion: "success",
			Annotations: []Annotation{{Path: "a", StartLine: 5, EndLine: 2, Level: "notice", Message: "m"}}}, wantErr: "annotation 0: want a path"},
		{name: "fork is read-only", opts: githubtest.Options{Fork: true}, run: ok, wantKind: KindForbidden,
			wantErr: "create check run \"git-agent\" on o/r: GitHub API 403 forbidden: Resource not accessible by integration; GITHUB_TOKEN may not do this: " +
				"on a pull request from a fork the token is read-only, so run on pull_request_target or skip posting; otherwise grant `checks: write` in the workflow's permissions"},
		{name: "failed update keeps the id", run: ok, wantKind: KindInvalid, wantID: true,
			fail: func(s *githubtest.Server) {
				s.Fail("PATCH", "/repos/o/r/check-runs/*", 422, `{"message":"Validation Failed"}`, nil)
			},
			wantErr: "add annotations 51-60 to check run"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := githubtest.New(t, tc.opts)
			if tc.fail != nil {
				tc.fail(s)
			}
			c, _ := testClient(t, s, Options{})
			id, _, err := c.CreateCheckRun(context.Background(), "o", "r", tc.run)
			if tc.wantKind != "" {
				wantAPIError(t, err, tc.wantKind, tc.wantErr)
			} else if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if (id != 0) != tc.wantID {
				t.Errorf("id = %d, want one: %v", id, tc.wantID)
			}
		})
	}
}

func TestRateLimitRetry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     func(s *githubtest.Server)
		wantWaits []string
		wantErr   string // rate_limited error, if any
		wantRetry int    // RetryAfter in seconds
	}{
		{name: "retry-after 1 is retried once",
			fault:     func(s *githubtest.Server) { s.RateLimit("POST", "/repos/o/r/check-runs", 1) },
			wantWaits: []string{"1s"}},
		{name: "retry-after 3600 fails with the wait",
			fault:   func(s *githubtest.Server) { s.RateLimit("POST", "/repos/o/r/check-runs", 3600) },
			wantErr: "wait 1h0m0s and run again", wantRetry: 3600},
		{name: "a second limit after the retry fails",
			fault:     func(s *githubtest.Server) { s.RateLimit("POST", "/repos/o/r/check-runs", 2).Always() },
			wantWaits: []string{"2s"}, wantErr: "secondary rate limit", wantRetry: 2},
		{name: "primary limit resetting in 30s is retried",
			fault: func(s *githubtest.Server) {
				s.Fail("POST", "/repos/o/r/check-runs", 403, `{"message":"API rate limit exceeded"}`,
					map[string][]string{"X-RateLimit-Remaining": {"0"}, "X-RateLimit-Reset": {"1700000030"}})
			},
			wantWaits: []string{"30s"}},
		{name: "429 with retry-after is retried",
			fault: func(s *githubtest.Server) {
				s.Fail("POST", "/repos/o/r/check-runs", 429, `{"message":"too many"}`, map[string][]string{"Retry-After": {"5"}})
			},
			wantWaits: []string{"5s"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := githubtest.New(t, githubtest.Options{})
			tc.fault(s)
			c, sl := testClient(t, s, Options{})
			_, _, err := c.CreateCheckRun(context.Background(), "o", "r", CheckRun{Name: "n", HeadSHA: "h", Conclusion: "success"})
			var waits []string
			for _, w := range sl.waits {
				waits = append(waits, w.String())
			}
			if diff := cmp.Diff(tc.wantWaits, waits); diff != "" {
				t.Errorf("waits (-want +got):\n%s", diff)
			}
			if tc.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if n := len(s.CheckRuns()); n != 1 {
					t.Errorf("%d check runs, want 1", n)
				}
				return
			}
			e := wantAPIError(t, err, KindRateLimited, tc.wantErr)
			if int(e.RetryAfter.Seconds()) != tc.wantRetry {
				t.Errorf("RetryAfter = %v, want %ds", e.RetryAfter, tc.wantRetry)
			}
		})
	}
}
