package gitops

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestApply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		mode  ApplyMode
		check func(t *testing.T, r *Repo, head, out string)
	}{
		{name: "merge", mode: ApplyMerge, check: func(t *testing.T, r *Repo, head, out string) {
			if p := gitT(t, r.Root, "rev-list", "--parents", "-n1", "HEAD"); len(strings.Fields(p)) != 3 {
				t.Errorf("HEAD is not a merge commit: %s", p)
			}
			if got := readFile(t, filepath.Join(r.Root, "a.txt")); got != "agent\n" {
				t.Errorf("a.txt = %q after merge", got)
			}
			if !strings.Contains(out, "merged agent/") {
				t.Errorf("summary = %q", out)
			}
		}},
		{name: "squash", mode: ApplySquash, check: func(t *testing.T, r *Repo, head, out string) {
			if h := gitT(t, r.Root, "rev-parse", "HEAD"); h != head {
				t.Errorf("squash moved HEAD")
			}
			if st := gitT(t, r.Root, "diff", "--cached", "--name-only"); st != "a.txt" {
				t.Errorf("staged = %q, want a.txt", st)
			}
			if !strings.Contains(out, "git commit") {
				t.Errorf("summary does not say what to do next: %q", out)
			}
		}},
		{name: "patch", mode: ApplyPatch, check: func(t *testing.T, r *Repo, head, out string) {
			if !strings.Contains(out, "Subject: [PATCH] agent change") || !strings.Contains(out, "+agent") {
				t.Errorf("patch = %q", out)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := newRepo(t)
			task := agentCommit(t, r, "cafe0001", "agent change", map[string]string{"a.txt": "agent\n"}, 1_700_000_000)
			writeFile(t, filepath.Join(r.Root, "b.txt"), "user edit\n") // dirty, but not a file the branch touches
			before := captureState(t, r)
			out, err := r.Apply(ctx, task.Branch, tt.mode)
			if err != nil {
				t.Fatal(err)
			}
			if tt.mode == ApplyPatch {
				assertUnchanged(t, r, before, "Apply(patch)")
			}
			if got := readFile(t, filepath.Join(r.Root, "b.txt")); got != "user edit\n" {
				t.Errorf("user's uncommitted edit lost: %q", got)
			}
			tt.check(t, r, before.Head, out)
		})
	}
}

func TestApplyRefusesConflictingChanges(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRepo(t)
	task := agentCommit(t, r, "cafe0002", "agent change", map[string]string{"a.txt": "agent\n", "new.txt": "n\n"}, 1_700_000_000)
	tests := []struct{ name, file string }{
		{"modified", "a.txt"},
		{"untracked", "new.txt"},
	}
	for _, tt := range tests {
		for _, mode := range []ApplyMode{ApplyMerge, ApplySquash} {
			writeFile(t, filepath.Join(r.Root, tt.file), "user's work\n")
			before := captureState(t, r)
			_, err := r.Apply(ctx, task.Branch, mode)
			if err == nil || !strings.Contains(err.Error(), "uncommitted changes") || !strings.Contains(err.Error(), tt.file) {
				t.Errorf("%s/%s: Apply error = %v, want uncommitted changes in %s", tt.name, mode, err, tt.file)
			}
			assertUnchanged(t, r, before, "refused Apply")
		}
		gitT(t, r.Root, "checkout", "--", "a.txt")
		os.Remove(filepath.Join(r.Root, "new.txt"))
	}
	if _, err := r.Apply(ctx, "main", ApplyMerge); err == nil {
		t.Error("Apply of a non-agent branch succeeded")
	}
}

func TestUndo(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRepo(t)
	dirty(t, r)
	task := agentCommit(t, r, "dead0001", "undo me", map[string]string{"a.txt": "x\n"}, 1_700_000_000)
	before := captureState(t, r)
	if err := r.Undo(ctx, task.Branch); err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, r, before, "Undo")
	if _, err := os.Stat(task.Worktree); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("worktree survived Undo: %v", err)
	}
	if refs := gitT(t, r.Root, "for-each-ref", "refs/heads/agent/"); refs != "" {
		t.Errorf("branch survived Undo: %s", refs)
	}
	if err := r.Undo(ctx, "main"); err == nil {
		t.Error("Undo deleted a non-agent branch")
	}
}

func TestGC(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRepo(t)
	dirty(t, r)
	gone := agentCommit(t, r, "aaaa0001", "dir deleted", nil, 0)
	dead := agentCommit(t, r, "bbbb0001", "session over", nil, 0)
	stale := agentCommit(t, r, "cccc0001", "stale lock", nil, 0)
	fresh := agentCommit(t, r, "dddd0001", "fresh lock", nil, 0)
	if err := os.RemoveAll(gone.Worktree); err != nil {
		t.Fatal(err)
	}
	lock := func(task *Task) string {
		return filepath.Join(gitT(t, task.Worktree, "rev-parse", "--absolute-git-dir"), "index.lock")
	}
	staleLock, freshLock := lock(stale), lock(fresh)
	writeFile(t, staleLock, "")
	writeFile(t, freshLock, "")
	old := time.Now().Add(-time.Hour)
	if err := os.Chtimes(staleLock, old, old); err != nil {
		t.Fatal(err)
	}
	before := captureState(t, r)

	removed, err := r.GC(ctx, GCOptions{Alive: func(id string) bool { return id != "bbbb0001" }})
	if err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, r, before, "GC")
	want := []string{"worktree " + gone.Worktree, "worktree " + dead.Worktree, "stale lock " + staleLock}
	if d := cmp.Diff(want, removed, cmpopts.SortSlices(func(a, b string) bool { return a < b })); d != "" {
		t.Errorf("GC removed (-want +got):\n%s", d)
	}
	list := gitT(t, r.Root, "worktree", "list", "--porcelain")
	for _, task := range []*Task{gone, dead} {
		if strings.Contains(list, task.Worktree) {
			t.Errorf("%s still registered:\n%s", task.Worktree, list)
		}
	}
	if _, err := os.Stat(freshLock); err != nil {
		t.Errorf("fresh index.lock removed: %v", err)
	}
	if n := strings.Count(gitT(t, r.Root, "branch", "--list", "agent/*"), "agent/"); n != 4 {
		t.Errorf("GC deleted branches: %d left, want 4", n)
	}
}
