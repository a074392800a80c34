package gitops

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// agentCommit starts a task, writes files, commits them with trailers and
// dates the commit at unix time when, so ordering is deterministic.
func agentCommit(t *testing.T, r *Repo, session, title string, files map[string]string, when int64) *Task {
	t.Helper()
	ctx := context.Background()
	task, err := r.StartTask(ctx, TaskOptions{SessionID: session, Title: title})
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range files {
		writeFile(t, filepath.Join(task.Worktree, name), content)
	}
	sha, err := task.Commit(ctx, title, "", []Trailer{
		{TrailerSession, session}, {TrailerModel, "m-" + session}, {TrailerProfile, "offline"}})
	if err != nil {
		t.Fatal(err)
	}
	if sha != "" {
		date := time.Unix(when, 0).UTC().Format(time.RFC3339)
		gitEnvT(t, task.Worktree, []string{"GIT_COMMITTER_DATE=" + date},
			"-c", "core.hooksPath=/dev/null", "commit", "-q", "--amend", "--no-edit", "--date="+date)
	}
	return task
}

func TestAgentBranchesAndFind(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRepo(t)
	old := agentCommit(t, r, "aaaa1111zz", "first task", map[string]string{"a.txt": "a\nmore\n", "n.txt": "1\n2\n"}, 1_700_000_000)
	agentCommit(t, r, "bbbb2222yy", "second task", map[string]string{"b.txt": "B\n"}, 1_700_000_100)
	agentCommit(t, r, "bbbb3333xx", "third task", nil, 0) // nothing committed: tip is the base
	if err := old.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	before := captureState(t, r)

	got, err := r.AgentBranches(ctx)
	if err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, r, before, "AgentBranches")
	want := []BranchInfo{
		{Branch: "agent/bbbb3333-third-task", Subject: "initial", Session: "bbbb3333"},
		{Branch: "agent/bbbb2222-second-task", Subject: "second task", Session: "bbbb2222yy", Model: "m-bbbb2222yy",
			Profile: "offline", Status: "completed", Added: 1, Deleted: 1, Files: 1, Time: time.Unix(1_700_000_100, 0)},
		{Branch: "agent/aaaa1111-first-task", Subject: "first task", Session: "aaaa1111zz", Model: "m-aaaa1111zz",
			Profile: "offline", Status: "completed", Added: 3, Deleted: 0, Files: 2, Time: time.Unix(1_700_000_000, 0)},
	}
	opts := []cmp.Option{cmpopts.IgnoreFields(BranchInfo{}, "Commit", "Worktree"), cmpopts.EquateApproxTime(0)}
	if len(got) == 3 {
		got[0].Time = time.Time{} // the base commit is dated whenever the test ran
	}
	if d := cmp.Diff(want, got, opts...); d != "" {
		t.Errorf("AgentBranches (-want +got):\n%s", d)
	}
	if len(got) == 3 && (got[2].Worktree != "" || !strings.HasSuffix(got[1].Worktree, "bbbb2222-second-task")) {
		t.Errorf("worktrees = %q, %q; want the removed task's empty", got[1].Worktree, got[2].Worktree)
	}

	tests := []struct {
		name, query, want, err string
	}{
		{name: "session prefix", query: "aaaa", want: "agent/aaaa1111-first-task"},
		{name: "full session", query: "bbbb2222yy", want: "agent/bbbb2222-second-task"},
		{name: "branch", query: "agent/bbbb3333-third-task", want: "agent/bbbb3333-third-task"},
		{name: "branch without prefix", query: "bbbb3333-third-task", want: "agent/bbbb3333-third-task"},
		{name: "ambiguous", query: "bbbb", err: "matches several"},
		{name: "none", query: "cccc", err: "no agent branch"},
		{name: "bare prefix, several branches", query: "agent/", err: "matches several"},
		{name: "empty", query: "", err: "empty name"},
	}
	for _, tt := range tests {
		b, err := r.FindAgentBranch(ctx, tt.query)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%s: FindAgentBranch(%q) = %q, %v; want error %q", tt.name, tt.query, b, err, tt.err)
			}
			continue
		}
		if err != nil || b != tt.want {
			t.Errorf("%s: FindAgentBranch(%q) = %q, %v; want %q", tt.name, tt.query, b, err, tt.want)
		}
	}
}
