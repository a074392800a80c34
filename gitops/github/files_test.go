package github

import (
	"context"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/gitops/github/githubtest"
)

func TestPullRequestFiles(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		files     int
		pageSize  int
		wantPages int
	}{
		{name: "no files", files: 0, pageSize: 100, wantPages: 1},
		{name: "one page", files: 3, pageSize: 100, wantPages: 1},
		{name: "three pages", files: 5, pageSize: 2, wantPages: 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := githubtest.New(t, githubtest.Options{PageSize: tc.pageSize})
			var fs []githubtest.File
			var want []File
			for i := range tc.files {
				name := fmt.Sprintf("f%d.go", i)
				fs = append(fs, githubtest.File{Filename: name, PreviousFilename: "old" + name, Status: "renamed", Additions: i, Deletions: 1, Patch: "@@ -1 +1 @@"})
				want = append(want, File{Path: name, PreviousPath: "old" + name, Status: "renamed", Additions: i, Deletions: 1, Patch: "@@ -1 +1 @@"})
			}
			s.AddPullRequest(githubtest.PullRequest{Owner: "o", Repo: "r", Number: 7, Files: fs})
			c, _ := testClient(t, s, Options{})
			got, err := c.PullRequestFiles(context.Background(), "o", "r", 7)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if n := len(s.Requests()); n != tc.wantPages {
				t.Errorf("%d requests, want %d pages", n, tc.wantPages)
			}
		})
	}
}

func TestCompareURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, api, server, base, head, want string
	}{
		{name: "github.com", base: "main", head: "git-agent/fix-7",
			want: "https://github.com/o/r/compare/main...git-agent/fix-7?expand=1"},
		{name: "enterprise", api: "https://ghe.example.com/api/v3", base: "main", head: "a b#c",
			want: "https://ghe.example.com/o/r/compare/main...a%20b%23c?expand=1"},
		{name: "explicit server", api: "http://127.0.0.1:9/", server: "https://github.example/", base: "main", head: "x",
			want: "https://github.example/o/r/compare/main...x?expand=1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := NewClient(Options{BaseURL: tc.api, ServerURL: tc.server})
			if err != nil {
				t.Fatal(err)
			}
			if got := c.CompareURL("o", "r", tc.base, tc.head); got != tc.want {
				t.Errorf("CompareURL = %q, want %q", got, tc.want)
			}
		})
	}
}
