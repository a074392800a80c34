package github

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/gitops/github/githubtest"
)

func TestUpsertSticky(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		opts   githubtest.Options
		client Options
		seed   func(s *githubtest.Server) // comments already on o/r#7
		want   []githubtest.Comment       // after two runs; IDs are ignored
	}{
		{
			name: "created once then updated",
			opts: githubtest.Options{Login: "git-agent-bot", PageSize: 2},
			seed: func(s *githubtest.Server) {
				for i := range 5 { // three pages before the sticky comment
					s.AddComment("o", "r", 7, "human", strings.Repeat("chat ", i+1))
				}
			},
			want: []githubtest.Comment{
				{User: "human", Body: "chat "}, {User: "human", Body: "chat chat "}, {User: "human", Body: "chat chat chat "},
				{User: "human", Body: "chat chat chat chat "}, {User: "human", Body: "chat chat chat chat chat "},
				{User: "git-agent-bot", Body: "run 2\n\n<!-- git-agent:fix-status -->\n"},
			},
		},
		{
			name: "marker written by another user is not ours",
			opts: githubtest.Options{Login: "git-agent-bot"},
			seed: func(s *githubtest.Server) {
				s.AddComment("o", "r", 7, "mallory", "click here <!-- git-agent:fix-status -->")
			},
			want: []githubtest.Comment{
				{User: "mallory", Body: "click here <!-- git-agent:fix-status -->"},
				{User: "git-agent-bot", Body: "run 2\n\n<!-- git-agent:fix-status -->\n"},
			},
		},
		{
			name: "actions token owns only the actions bot comments",
			opts: githubtest.Options{}, // GET /user answers 403
			seed: func(s *githubtest.Server) {
				s.AddComment("o", "r", 7, "mallory", "<!-- git-agent:fix-status -->")
			},
			want: []githubtest.Comment{
				{User: "mallory", Body: "<!-- git-agent:fix-status -->"},
				{User: "github-actions[bot]", Body: "run 2\n\n<!-- git-agent:fix-status -->\n"},
			},
		},
		{
			name:   "login from options skips asking",
			opts:   githubtest.Options{Login: "someone-else"},
			client: Options{Login: "my-app[bot]"},
			seed: func(s *githubtest.Server) {
				s.AddComment("o", "r", 7, "my-app[bot]", "run 0\n\n<!-- git-agent:fix-status -->\n")
			},
			want: []githubtest.Comment{{User: "my-app[bot]", Body: "run 2\n\n<!-- git-agent:fix-status -->\n"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := githubtest.New(t, tc.opts)
			tc.seed(s)
			var urls []string
			for run := 1; run <= 2; run++ { // a fresh client per run, as in CI
				c, _ := testClient(t, s, tc.client)
				url, err := c.UpsertSticky(context.Background(), "o", "r", 7, "fix-status", fmt.Sprintf("run %d\n", run))
				if err != nil {
					t.Fatalf("run %d: %v", run, err)
				}
				urls = append(urls, url)
			}
			got := s.Comments("o", "r", 7)
			if diff := cmp.Diff(tc.want, got, cmp.FilterPath(func(p cmp.Path) bool {
				f := p.Last().String()
				return f == ".ID" || f == ".Owner" || f == ".Repo" || f == ".Number"
			}, cmp.Ignore())); diff != "" {
				t.Errorf("comments (-want +got):\n%s", diff)
			}
			if urls[0] != urls[1] || !strings.HasSuffix(urls[1], "#issuecomment-"+strconv.FormatInt(got[len(got)-1].ID, 10)) {
				t.Errorf("urls = %q, want both the sticky comment's", urls)
			}
			for _, r := range s.Requests() {
				if r.Path == "/user" && tc.client.Login != "" {
					t.Errorf("GET /user with Options.Login set")
				}
			}
			golden(t, "sticky_"+strings.ReplaceAll(tc.name, " ", "_")+".golden", githubtest.Transcript(s.Requests()))
		})
	}
}

func TestUpsertStickyErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, marker string
		fail         func(s *githubtest.Server)
		wantKind     ErrorKind
		wantErr      string
	}{
		{name: "marker cannot end the comment", marker: "x -->", wantErr: `invalid marker "x -->"`},
		{name: "marker cannot look like a finding", marker: "rule:path:1", wantErr: "invalid marker"},
		{name: "GET /user with a bad token", marker: "m", wantKind: KindAuth,
			fail:    func(s *githubtest.Server) { s.Fail("GET", "/user", 401, `{"message":"Bad credentials"}`, nil) },
			wantErr: "update sticky comment m on o/r#7: find who the token belongs to (GET /user): GitHub API 401 auth"},
		{name: "fork is read-only", marker: "m", wantKind: KindForbidden,
			fail: func(s *githubtest.Server) {
				s.Fail("POST", "/repos/o/r/issues/7/comments", 403, `{"message":"Resource not accessible by integration"}`, nil)
			},
			wantErr: "create sticky comment m on o/r#7: GitHub API 403 forbidden: Resource not accessible by integration; GITHUB_TOKEN may not do this: on a pull request from a fork"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := githubtest.New(t, githubtest.Options{Login: "bot"})
			if tc.wantKind == KindAuth { // an existing marker makes it ask who the token is
				s.AddComment("o", "r", 7, "bot", "<!-- git-agent:m -->")
			}
			if tc.fail != nil {
				tc.fail(s)
			}
			c, _ := testClient(t, s, Options{})
			_, err := c.UpsertSticky(context.Background(), "o", "r", 7, tc.marker, "body")
			if tc.wantKind != "" {
				wantAPIError(t, err, tc.wantKind, tc.wantErr)
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestTruncate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		n    int
		want string
	}{
		{name: "fits", in: "short", n: 10, want: "short"},
		{name: "cut with a note", in: strings.Repeat("x", 40), n: 30, want: "xxxxxxxxxxxxx\n\n… (truncated)"},
		{name: "never splits a rune", in: strings.Repeat("é", 20), n: 30, want: "éééééé\n\n… (truncated)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := truncate(tc.in, tc.n)
			if got != tc.want || len(got) > tc.n {
				t.Errorf("truncate = %q (%d bytes), want %q", got, len(got), tc.want)
			}
		})
	}
}
