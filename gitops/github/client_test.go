package github

import (
	"context"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestNewClient(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, baseURL, want, wantErr string
	}{
		{name: "default", want: "https://api.github.com/"},
		{name: "enterprise gets a trailing slash", baseURL: "https://ghe.example.com/api/v3", want: "https://ghe.example.com/api/v3/"},
		{name: "trailing slash kept", baseURL: "http://127.0.0.1:8080/", want: "http://127.0.0.1:8080/"},
		{name: "no scheme", baseURL: "api.github.com", wantErr: "invalid API URL"},
		{name: "bad scheme", baseURL: "ftp://example.com/", wantErr: "invalid API URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(Options{BaseURL: tc.baseURL})
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.gh.BaseURL.String(); got != tc.want {
				t.Errorf("BaseURL = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPullRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		stub    stub
		want    *PR
		wantErr string
	}{
		{
			name: "heads and bases",
			stub: stub{method: "GET", path: "/repos/o/r/pulls/7",
				body: `{"number":7,"head":{"sha":"abc123"},"base":{"sha":"def456"}}`},
			want: &PR{Owner: "o", Repo: "r", Number: 7, HeadSHA: "abc123", BaseSHA: "def456"},
		},
		{
			name:    "not found says what to check",
			stub:    stub{method: "GET", path: "/repos/o/r/pulls/7", status: 404, body: `{"message":"Not Found"}`},
			wantErr: "get pull request o/r#7: GitHub API 404 not_found: Not Found; check the owner",
		},
		{
			name:    "bad token says to set one",
			stub:    stub{method: "GET", path: "/repos/o/r/pulls/7", status: 401, body: `{"message":"Bad credentials"}`},
			wantErr: "set GITHUB_TOKEN",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.Register(tc.stub)
			got, err := f.Client().PullRequest(context.Background(), "o", "r", 7)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("PullRequest (-want +got):\n%s", diff)
			}
			if auth := f.Requests()[0].Auth; auth != "Bearer tok" {
				t.Errorf("Authorization = %q, want the token", auth)
			}
		})
	}
}

func TestPullRequestDiff(t *testing.T) {
	t.Parallel()
	const diff = "diff --git a/a.go b/a.go\n--- a/a.go\n+++ b/a.go\n@@ -1 +1 @@\n-x\n+y\n"
	tests := []struct {
		name    string
		stub    stub
		want    string
		wantErr string
	}{
		{name: "raw diff", stub: stub{method: "GET", path: "/repos/o/r/pulls/7", body: diff}, want: diff},
		{name: "server error", stub: stub{method: "GET", path: "/repos/o/r/pulls/7", status: 502, body: `{"message":"bad gateway"}`},
			wantErr: "get diff of o/r#7"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.Register(tc.stub)
			got, err := f.Client().PullRequestDiff(context.Background(), "o", "r", 7)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tc.want {
				t.Errorf("diff = %q, want %q", got, tc.want)
			}
			if accept := f.Requests()[0].Accept; accept != "application/vnd.github.v3.diff" {
				t.Errorf("Accept = %q, want the diff media type", accept)
			}
		})
	}
}
