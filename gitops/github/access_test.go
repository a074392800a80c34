package github

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/gitops/github/githubtest"
)

// fakeSleep records the waits a Client asks for instead of sleeping.
type fakeSleep struct{ waits []time.Duration }

func (f *fakeSleep) sleep(_ context.Context, d time.Duration) error {
	f.waits = append(f.waits, d)
	return nil
}

// testClient returns a Client for s with a recording sleep and a fixed clock.
func testClient(t *testing.T, s *githubtest.Server, o Options) (*Client, *fakeSleep) {
	t.Helper()
	sl := &fakeSleep{}
	o.BaseURL, o.HTTPClient, o.Sleep = s.URL, s.Client(), sl.sleep
	if o.Token == "" {
		o.Token = "ghs_secret"
	}
	if o.Now == nil {
		o.Now = func() time.Time { return time.Unix(1_700_000_000, 0) }
	}
	c, err := NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, sl
}

// wantAPIError checks err is an *APIError of kind whose text has want.
func wantAPIError(t *testing.T, err error, kind ErrorKind, want string) *APIError {
	t.Helper()
	var e *APIError
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want an *APIError", err)
	}
	if e.Kind != kind || !strings.Contains(err.Error(), want) {
		t.Errorf("err = %v (kind %s), want kind %s and %q", err, e.Kind, kind, want)
	}
	if strings.Contains(err.Error(), "ghs_secret") {
		t.Errorf("err has the token: %v", err)
	}
	return e
}

func TestPermission(t *testing.T) {
	t.Parallel()
	perms := map[string]string{"ada": "admin", "max": "maintain", "wes": "write", "tri": "triage", "rea": "read", "non": "none"}
	tests := []struct {
		name, login, want string
		canWrite          bool
	}{
		{name: "admin", login: "ada", want: "admin", canWrite: true},
		{name: "maintain from role_name", login: "max", want: "maintain", canWrite: true},
		{name: "write", login: "wes", want: "write", canWrite: true},
		{name: "triage from role_name", login: "tri", want: "triage"},
		{name: "read", login: "rea", want: "read"},
		{name: "none", login: "non", want: "none"},
		{name: "not a collaborator (404)", login: "stranger", want: "none"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := githubtest.New(t, githubtest.Options{Permissions: perms})
			c, _ := testClient(t, s, Options{})
			got, err := c.Permission(context.Background(), "o", "r", tc.login)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want || CanWrite(got) != tc.canWrite {
				t.Errorf("Permission = %q (CanWrite %v), want %q (%v)", got, CanWrite(got), tc.want, tc.canWrite)
			}
		})
	}
}

func TestPermissionBadToken(t *testing.T) {
	t.Parallel()
	s := githubtest.New(t, githubtest.Options{Token: "other"})
	c, _ := testClient(t, s, Options{})
	_, err := c.Permission(context.Background(), "o", "r", "ada")
	wantAPIError(t, err, KindAuth, "set GITHUB_TOKEN")
}

func TestReact(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		opts     githubtest.Options
		content  string
		missing  bool // react to a comment that does not exist
		want     []githubtest.Reaction
		wantKind ErrorKind
		wantErr  string
	}{
		{name: "eyes", content: "eyes", want: []githubtest.Reaction{{Content: "eyes", User: "github-actions[bot]"}}},
		{name: "rocket as a user", opts: githubtest.Options{Login: "bot"}, content: "rocket",
			want: []githubtest.Reaction{{Content: "rocket", User: "bot"}}},
		{name: "unknown content is refused before asking", content: "tada", wantErr: "unknown reaction"},
		{name: "missing comment", content: "+1", missing: true, wantKind: KindNotFound, wantErr: "react +1 to comment 1"},
		{name: "fork is read-only", opts: githubtest.Options{Fork: true}, content: "-1", wantKind: KindForbidden,
			wantErr: "grant `pull-requests: write` in the workflow's permissions"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := githubtest.New(t, tc.opts)
			id := s.AddComment("o", "r", 7, "human", "/agent fix")
			if tc.missing {
				id = 1
			}
			c, _ := testClient(t, s, Options{})
			err := c.React(context.Background(), "o", "r", id, tc.content)
			switch {
			case tc.wantKind != "":
				wantAPIError(t, err, tc.wantKind, tc.wantErr)
				return
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if n := len(s.Requests()); n != 0 {
					t.Errorf("%d requests, want none", n)
				}
				return
			case err != nil:
				t.Fatal(err)
			}
			for i := range tc.want {
				tc.want[i].CommentID = id
			}
			if diff := cmp.Diff(tc.want, s.Reactions()); diff != "" {
				t.Errorf("reactions (-want +got):\n%s", diff)
			}
		})
	}
}

func TestRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, branch, want string
		wantKind           ErrorKind
	}{
		{name: "branch", branch: "git-agent/fix-7", want: "abc"},
		{name: "full ref", branch: "refs/heads/git-agent/fix-7", want: "abc"},
		{name: "heads ref", branch: "heads/git-agent/fix-7", want: "abc"},
		{name: "missing", branch: "nope", wantKind: KindNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := githubtest.New(t, githubtest.Options{})
			s.SetRef("o", "r", "git-agent/fix-7", "abc")
			c, _ := testClient(t, s, Options{})
			got, err := c.Ref(context.Background(), "o", "r", tc.branch)
			if tc.wantKind != "" {
				wantAPIError(t, err, tc.wantKind, "get branch nope of o/r")
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("Ref = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
}

func TestErrorKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		status   int
		body     string
		header   http.Header
		wantKind ErrorKind
		wantErr  string
	}{
		{name: "401", status: 401, body: `{"message":"Bad credentials"}`, wantKind: KindAuth, wantErr: "Bad credentials; GitHub rejected the token: set GITHUB_TOKEN"},
		{name: "403", status: 403, body: `{"message":"Resource not accessible by integration"}`, wantKind: KindForbidden, wantErr: "`contents: read`"},
		{name: "404", status: 404, body: `{"message":"Not Found"}`, wantKind: KindNotFound, wantErr: "a private repository needs `contents: read`"},
		{name: "422 with details", status: 422, body: `{"message":"Validation Failed","errors":[{"resource":"Ref","field":"ref","code":"invalid"}]}`,
			wantKind: KindInvalid, wantErr: "Validation Failed (ref invalid)"},
		{name: "500", status: 502, body: `not json`, wantKind: KindServer, wantErr: "502 server: Bad Gateway; GitHub failed; run again later"},
		{name: "token echoed back is scrubbed", status: 401, body: `{"message":"token ghs_secret is bad"}`, wantKind: KindAuth, wantErr: "token [token] is bad"},
		{name: "429 over a minute", status: 429, body: `{"message":"slow down"}`, header: http.Header{"Retry-After": {"120"}},
			wantKind: KindRateLimited, wantErr: "wait 2m0s and run again"},
		{name: "primary limit resets in an hour", status: 403, body: `{"message":"API rate limit exceeded"}`,
			header: http.Header{"X-Ratelimit-Remaining": {"0"}, "X-Ratelimit-Reset": {"1700003600"}}, wantKind: KindRateLimited, wantErr: "wait 1h0m0s"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := githubtest.New(t, githubtest.Options{})
			s.Fail("GET", "/repos/o/r/git/ref/heads/*", tc.status, tc.body, tc.header)
			c, sl := testClient(t, s, Options{})
			_, err := c.Ref(context.Background(), "o", "r", "main")
			wantAPIError(t, err, tc.wantKind, tc.wantErr)
			if len(sl.waits) != 0 {
				t.Errorf("slept %v, want no retry", sl.waits)
			}
		})
	}
}
