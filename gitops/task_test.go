package gitops

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestOpen(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRepo(t)
	sub := filepath.Join(r.Root, "sub", "dir")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := Open(ctx, sub)
	if err != nil {
		t.Fatal(err)
	}
	want := &Repo{Root: r.Root, GitDir: filepath.Join(r.Root, ".git"), CommonDir: filepath.Join(r.Root, ".git"),
		openHead: gitT(t, r.Root, "rev-parse", "HEAD")}
	if d := cmp.Diff(want, got, cmp.AllowUnexported(Repo{})); d != "" {
		t.Errorf("Open (-want +got):\n%s", d)
	}
	// The HEAD Open read serves once; then head asks git.
	for range 2 {
		if h, err := got.head(ctx); err != nil || h != want.openHead {
			t.Errorf("head = %q, %v; want %s", h, err, want.openHead)
		}
	}
	if got.openHead != "" {
		t.Error("the HEAD Open read was not used up")
	}
	if _, err := Open(ctx, t.TempDir()); !errors.Is(err, ErrNotRepo) {
		t.Errorf("Open outside a repo: got %v, want ErrNotRepo", err)
	}
	// A repository without commits opens; it has no head.
	unborn := t.TempDir()
	gitT(t, unborn, "init", "-q")
	u, err := Open(ctx, unborn)
	if err != nil {
		t.Fatalf("Open an unborn repository: %v", err)
	}
	if u.openHead != "" {
		t.Errorf("unborn openHead = %q", u.openHead)
	}
	if _, err := u.head(ctx); err == nil || !strings.Contains(err.Error(), "no commits yet") {
		t.Errorf("head of an unborn repository: %v", err)
	}
}

func TestTaskLifecycle(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		dirty bool
	}{
		{name: "clean checkout"},
		{name: "dirty checkout", dirty: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := newRepo(t)
			if tt.dirty {
				dirty(t, r)
			}
			before := captureState(t, r)

			task, err := r.StartTask(ctx, TaskOptions{SessionID: "3fa85f64a1b2c3", Title: "Fix the README typo!"})
			if err != nil {
				t.Fatal(err)
			}
			assertUnchanged(t, r, before, "StartTask")
			if want := "agent/3fa85f64-fix-the-readme-typo"; task.Branch != want {
				t.Errorf("branch = %q, want %q", task.Branch, want)
			}
			if got := readFile(t, filepath.Join(task.Worktree, "a.txt")); got != "a\n" {
				t.Errorf("worktree a.txt = %q, want the committed a", got)
			}
			if l := gitT(t, r.Root, "worktree", "list", "--porcelain"); !strings.Contains(l, "locked git-agent session 3fa85f64a1b2c3") {
				t.Errorf("worktree not locked with the session id:\n%s", l)
			}

			if sha, err := task.Commit(ctx, "nothing", "", nil); err != nil || sha != "" {
				t.Errorf("Commit with no changes = %q, %v; want \"\", nil", sha, err)
			}
			writeFile(t, filepath.Join(task.Worktree, "a.txt"), "fixed\n")
			writeFile(t, filepath.Join(task.Worktree, "c.txt"), "new\n")
			sha, err := task.Commit(ctx, "fix typo", "# not a comment\nbody", []Trailer{
				{TrailerSession, "3fa85f64a1b2c3"}, {TrailerModel, "gpt-x"}})
			if err != nil || sha == "" {
				t.Fatalf("Commit = %q, %v", sha, err)
			}
			assertUnchanged(t, r, before, "Commit")
			msg := gitT(t, r.Root, "log", "-1", "--format=%B", sha)
			if want := "fix typo\n\n# not a comment\nbody\n\nAgent-Session: 3fa85f64a1b2c3\nAgent-Model: gpt-x"; msg != want {
				t.Errorf("message = %q, want %q", msg, want)
			}
			if tr := gitT(t, r.Root, "log", "-1", "--format=%(trailers)", sha); tr != "Agent-Session: 3fa85f64a1b2c3\nAgent-Model: gpt-x" {
				t.Errorf("trailers = %q", tr)
			}
			if a := gitT(t, r.Root, "log", "-1", "--format=%an <%ae>|%cn", sha); a != "git-agent <git-agent@localhost>|git-agent" {
				t.Errorf("identity = %q", a)
			}

			if err := task.Remove(ctx); err != nil {
				t.Fatal(err)
			}
			assertUnchanged(t, r, before, "Remove")
			if _, err := os.Stat(task.Worktree); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("worktree still there: %v", err)
			}
			if got := gitT(t, r.Root, "rev-parse", task.Branch); got != sha {
				t.Errorf("branch after Remove = %q, want %q", got, sha)
			}
		})
	}
}

func TestCommitUsesUserIdentity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRepo(t)
	gitT(t, r.Root, "config", "user.name", "Ada")
	gitT(t, r.Root, "config", "user.email", "ada@example.com")
	task, err := r.StartTask(ctx, TaskOptions{SessionID: "abc", Title: "x"})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(task.Worktree, "x"), "x")
	sha, err := task.Commit(ctx, "x", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if a := gitT(t, r.Root, "log", "-1", "--format=%an <%ae>", sha); a != "Ada <ada@example.com>" {
		t.Errorf("author = %q", a)
	}
}

func TestIncludeUncommitted(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRepo(t)
	dirty(t, r)
	gitT(t, r.Root, "stash", "push", "-q", "--", "b.txt") // a stash entry that must survive
	writeFile(t, filepath.Join(r.Root, "b.txt"), "b staged\n")
	gitT(t, r.Root, "add", "b.txt")
	before := captureState(t, r)

	task, err := r.StartTask(ctx, TaskOptions{SessionID: "feedbeef01", Title: "continue", IncludeUncommitted: true})
	if err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, r, before, "StartTask(IncludeUncommitted)")
	want := map[string]string{"a.txt": "a modified\n", "b.txt": "b staged\n", "new.txt": "untracked\n"}
	for name, content := range want {
		if got := readFile(t, filepath.Join(task.Worktree, name)); got != content {
			t.Errorf("%s = %q, want %q", name, got, content)
		}
	}
	if _, err := os.Stat(filepath.Join(task.Worktree, "debug.log")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("ignored file copied into the worktree: %v", err)
	}
	if p := gitT(t, r.Root, "rev-parse", task.BaseCommit+"^"); p != before.Head {
		t.Errorf("snapshot parent = %s, want HEAD %s", p, before.Head)
	}
	if st := gitT(t, task.Worktree, "status", "--porcelain"); st != "" {
		t.Errorf("task worktree not clean:\n%s", st)
	}
	if err := task.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, r, before, "Remove")
}

func TestSlug(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain", "Fix bug", "fix-bug"},
		{"punctuation", "  --Add: CSV export (v2)!! ", "add-csv-export-v2"},
		{"empty", "???", "task"},
		{"unicode", "über café", "ber-caf"},
		{"long", strings.Repeat("abc ", 30), "abc-abc-abc-abc-abc-abc-abc-abc-abc-abc"},
	}
	for _, tt := range tests {
		if got := Slug(tt.in); got != tt.want || len(got) > 40 {
			t.Errorf("%s: Slug(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestStartTaskRejects(t *testing.T) {
	t.Parallel()
	r := newRepo(t)
	tests := []struct {
		name string
		o    TaskOptions
	}{
		{"no session", TaskOptions{Title: "x"}},
		{"option-like session", TaskOptions{SessionID: "-x", Title: "x"}},
		{"unknown base", TaskOptions{SessionID: "s1", Base: "nope"}},
		{"base with snapshot", TaskOptions{SessionID: "s2", Base: "HEAD", IncludeUncommitted: true}},
	}
	for _, tt := range tests {
		if _, err := r.StartTask(context.Background(), tt.o); err == nil {
			t.Errorf("%s: StartTask succeeded, want an error", tt.name)
		}
	}
	if refs := gitT(t, r.Root, "for-each-ref", "refs/heads/agent/"); refs != "" {
		t.Errorf("failed StartTask left branches behind:\n%s", refs)
	}
}

func TestStartTaskDoesNotClobber(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRepo(t)
	first := agentCommit(t, r, "same0001", "same title", map[string]string{"x": "1"}, 1_700_000_000)
	tip := gitT(t, r.Root, "rev-parse", first.Branch)
	if _, err := r.StartTask(ctx, TaskOptions{SessionID: "same0001", Title: "same title"}); err == nil ||
		!strings.Contains(err.Error(), "already exists") {
		t.Errorf("StartTask over an existing branch = %v, want already exists", err)
	}
	if got := gitT(t, r.Root, "rev-parse", first.Branch); got != tip {
		t.Errorf("existing branch moved to %s", got)
	}

	root := t.TempDir()
	writeFile(t, filepath.Join(root, "occu0001-taken", "file"), "in the way")
	if _, err := r.StartTask(ctx, TaskOptions{SessionID: "occu0001", Title: "taken", WorktreeRoot: root}); err == nil {
		t.Error("StartTask into a non-empty directory succeeded")
	}
	if refs := gitT(t, r.Root, "for-each-ref", "refs/heads/agent/occu0001-taken"); refs != "" {
		t.Errorf("failed worktree add left its branch behind: %s", refs)
	}
}

func TestResumeTask(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRepo(t)
	dirty(t, r)
	task := agentCommit(t, r, "re5ume0001", "resume me", map[string]string{"a.txt": "agent\n"}, 1_700_000_000)
	before := captureState(t, r)

	same, err := r.ResumeTask(ctx, task.Branch)
	if err != nil || same.Worktree != task.Worktree {
		t.Fatalf("ResumeTask with a live worktree = %+v, %v; want %s", same, err, task.Worktree)
	}
	if err := task.Remove(ctx); err != nil {
		t.Fatal(err)
	}
	again, err := r.ResumeTask(ctx, task.Branch)
	if err != nil {
		t.Fatal(err)
	}
	assertUnchanged(t, r, before, "ResumeTask")
	if got := readFile(t, filepath.Join(again.Worktree, "a.txt")); got != "agent\n" {
		t.Errorf("resumed worktree a.txt = %q, want the branch's", got)
	}
	if l := gitT(t, r.Root, "worktree", "list", "--porcelain"); !strings.Contains(l, "locked git-agent session re5ume0001") {
		t.Errorf("resumed worktree not locked with the full session id:\n%s", l)
	}
	writeFile(t, filepath.Join(again.Worktree, "a.txt"), "more\n")
	if sha, err := again.Commit(ctx, "more", "", nil); err != nil || sha == "" {
		t.Errorf("Commit after resume = %q, %v", sha, err)
	}
	if _, err := r.ResumeTask(ctx, "main"); err == nil {
		t.Error("ResumeTask of a non-agent branch succeeded")
	}
}

// TestCommitIdentity: the commit is the user's when their config names
// them (read in the task's worktree), else git-agent's.
func TestCommitIdentity(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		config map[string]string
		want   string
	}{
		{"configured", map[string]string{"user.name": "Ada Lovelace", "user.email": "ada@example.com"}, "Ada Lovelace <ada@example.com>|Ada Lovelace"},
		{"name only", map[string]string{"user.name": "Ada Lovelace"}, "git-agent <git-agent@localhost>|git-agent"},
		{"none", nil, "git-agent <git-agent@localhost>|git-agent"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			r := newRepo(t)
			for k, v := range tc.config {
				gitT(t, r.Root, "config", k, v)
			}
			task, err := r.StartTask(ctx, TaskOptions{SessionID: "id000001", Title: "identity"})
			if err != nil {
				t.Fatal(err)
			}
			writeFile(t, filepath.Join(task.Worktree, "n.txt"), "n\n")
			sha, err := task.Commit(ctx, "identity", "", nil)
			if err != nil || sha == "" {
				t.Fatalf("Commit = %q, %v", sha, err)
			}
			if tip := gitT(t, r.Root, "rev-parse", task.Branch); tip != sha {
				t.Errorf("Commit returned %s, the branch is at %s", sha, tip)
			}
			if got := gitT(t, r.Root, "log", "-1", "--format=%an <%ae>|%cn", sha); got != tc.want {
				t.Errorf("identity = %q, want %q", got, tc.want)
			}
		})
	}
}
