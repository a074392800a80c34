package gitops

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// evilRepo is a repository whose .git/config arms every execution vector we
// know of; each armed program appends its name to log.
type evilRepo struct {
	*Repo
	log string
}

func newEvilRepo(t *testing.T) evilRepo {
	t.Helper()
	r := newRepo(t)
	// History is made while the config is still harmless: a ref to fork from
	// and a user commit that will conflict with an agent change to b.txt.
	writeFile(t, filepath.Join(r.Root, ".gitattributes"), "* filter=x diff=tc merge=m\n")
	gitT(t, r.Root, "add", ".gitattributes")
	gitT(t, r.Root, "commit", "-q", "-m", "attributes")
	gitT(t, r.Root, "branch", "fork")
	gitT(t, r.Root, "checkout", "-q", "-b", "theirs")
	writeFile(t, filepath.Join(r.Root, "b.txt"), "their b\n")
	gitT(t, r.Root, "commit", "-q", "-am", "their b")
	gitT(t, r.Root, "checkout", "-q", "main")
	writeFile(t, filepath.Join(r.Root, "b.txt"), "user b\n")
	gitT(t, r.Root, "commit", "-q", "-am", "user b")

	bin := t.TempDir()
	log := filepath.Join(t.TempDir(), "markers")
	script := func(name, tail string) string {
		p := filepath.Join(bin, name)
		writeFile(t, p, "#!/bin/sh\necho \""+name+" $*\" >> '"+log+"'\n"+tail+"\n")
		if err := os.Chmod(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	hooks := filepath.Join(bin, "hooks")
	for _, h := range []string{"post-checkout", "pre-commit", "prepare-commit-msg", "commit-msg", "post-commit",
		"pre-merge-commit", "post-merge", "reference-transaction", "post-index-change", "pre-auto-gc"} {
		script(filepath.Join("hooks", h), "exit 0")
	}
	config := [][2]string{
		{"core.hooksPath", hooks},
		{"core.fsmonitor", script("fsmonitor", "exit 0")},
		{"core.pager", script("pager", "cat")},
		{"diff.external", script("extdiff", "exit 0")},
		{"diff.tc.textconv", script("textconv", `cat "$1"`)},
		{"diff.tc.command", script("diffcmd", "exit 0")},
		{"filter.x.clean", script("clean", "cat")},
		{"filter.x.smudge", script("smudge", "cat")},
		{"filter.x.required", "true"},
		{"merge.m.driver", script("mergedriver", "exit 1") + " %O %A %B"},
		{"commit.gpgSign", "true"},
		{"gpg.program", script("gpg", "exit 1")},
		{"credential.helper", script("credential", "exit 0")},
		{"core.editor", script("editor", "exit 0")},
	}
	for _, kv := range config {
		gitT(t, r.Root, "config", kv[0], kv[1])
	}
	return evilRepo{Repo: r, log: log}
}

func (e evilRepo) markers(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(e.log)
	if errors.Is(err, os.ErrNotExist) {
		return ""
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestHardeningRunsNothingFromTheRepository(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	e := newEvilRepo(t)
	step := func(name string, err error) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if m := e.markers(t); m != "" {
			t.Fatalf("%s ran programs named by the repository:\n%s", name, m)
		}
	}
	writeFile(t, filepath.Join(e.Root, "a.txt"), "user's uncommitted a\n")
	writeFile(t, filepath.Join(e.Root, "new.txt"), "untracked\n")

	snap, err := e.StartTask(ctx, TaskOptions{SessionID: "e0000001", Title: "snapshot", IncludeUncommitted: true})
	step("StartTask(IncludeUncommitted)", err)
	writeFile(t, filepath.Join(snap.Worktree, "a.txt"), "agent a\n")
	_, err = snap.Commit(ctx, "agent a", "", []Trailer{{TrailerSession, "e0000001"}})
	step("Commit", err)

	clean, err := e.StartTask(ctx, TaskOptions{SessionID: "e0000002", Title: "clean merge"})
	step("StartTask", err)
	writeFile(t, filepath.Join(clean.Worktree, "c.txt"), "c\n")
	_, err = clean.Commit(ctx, "add c", "", nil)
	step("Commit", err)

	conflict, err := e.StartTask(ctx, TaskOptions{SessionID: "e0000003", Title: "conflict", Base: "fork"})
	step("StartTask(Base)", err)
	writeFile(t, filepath.Join(conflict.Worktree, "b.txt"), "agent b\n")
	_, err = conflict.Commit(ctx, "agent b", "", nil)
	step("Commit", err)

	_, err = e.AgentBranches(ctx)
	step("AgentBranches", err)
	_, err = e.FindAgentBranch(ctx, "e0000002")
	step("FindAgentBranch", err)
	patch, err := e.Apply(ctx, snap.Branch, ApplyPatch)
	step("Apply(patch)", err)
	if !strings.Contains(patch, "+agent a") {
		t.Errorf("patch lost the change (textconv or filter interfered):\n%s", patch)
	}
	_, err = e.Apply(ctx, clean.Branch, ApplyMerge)
	step("Apply(merge)", err)
	// The b.txt merge needs the repository's merge driver; it must conflict, not run it.
	if _, err := e.Apply(ctx, conflict.Branch, ApplyMerge); err == nil || !strings.Contains(err.Error(), "merge conflict in b.txt") {
		t.Errorf("conflicting Apply(merge) = %v, want a merge conflict", err)
	}
	step("Apply(merge) with a merge driver", nil)
	_, err = (&Git{Dir: e.Root}).Run(ctx, "merge", "--abort")
	step("Git.Run(merge --abort)", err)
	_, err = e.GC(ctx, GCOptions{Alive: func(string) bool { return false }})
	step("GC", err)
	step("Undo", e.Undo(ctx, snap.Branch))
	_, err = (&Git{Dir: e.Root}).Run(ctx, "diff", "HEAD~1")
	step("Git.Run(diff)", err)
}

// TestHardeningControl proves the evil repository is armed: plain git runs
// each vector the hardened test says never fires.
func TestHardeningControl(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		args   []string
		marker string
	}{
		{"fsmonitor", []string{"status"}, "fsmonitor"},
		{"clean filter", []string{"add", "a.txt"}, "clean"},
		{"diff driver command", []string{"diff"}, "diffcmd"},
		{"textconv", []string{"log", "-p", "--no-ext-diff", "-1"}, "textconv"},
		{"hooks", []string{"commit", "--allow-empty", "--no-gpg-sign", "-m", "x"}, "pre-commit"},
		{"gpg", []string{"commit", "--allow-empty", "--no-verify", "-m", "x"}, "gpg"},
		{"merge driver", []string{"merge", "theirs"}, "mergedriver"},
		{"smudge and post-checkout", []string{"checkout", "-q", "fork"}, "smudge"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := newEvilRepo(t)
			writeFile(t, filepath.Join(e.Root, "a.txt"), "changed\n")
			_, _ = gitEnv(e.Root, []string{"GIT_PAGER="}, tt.args...) // some vectors make git fail; we only want the marker
			if m := e.markers(t); !strings.Contains(m, tt.marker) {
				t.Errorf("plain git %v did not run %s; markers:\n%s", tt.args, tt.marker, m)
			}
		})
	}
}

// TestHardeningIgnoresInheritedGitEnv: variables in git-agent's own
// environment must not redirect git or arm it either.
func TestHardeningIgnoresInheritedGitEnv(t *testing.T) {
	ctx := context.Background()
	r := newRepo(t)
	bin := t.TempDir()
	log := filepath.Join(bin, "markers")
	evil := filepath.Join(bin, "evil")
	writeFile(t, evil, "#!/bin/sh\necho evil >> '"+log+"'\n")
	if err := os.Chmod(evil, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("GIT_DIR", bin)
	t.Setenv("GIT_INDEX_FILE", filepath.Join(bin, "index"))
	t.Setenv("GIT_EXTERNAL_DIFF", evil)
	t.Setenv("GIT_CONFIG_PARAMETERS", "'core.pager'='"+evil+"'")

	task, err := r.StartTask(ctx, TaskOptions{SessionID: "env00001", Title: "env"})
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(task.Worktree, "a.txt"), "changed\n")
	if _, err := task.Commit(ctx, "change", "", nil); err != nil {
		t.Fatal(err)
	}
	if _, err := (&Git{Dir: task.Worktree}).Run(ctx, "diff", "HEAD~1"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.AgentBranches(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(log); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("inherited environment made git run %s", evil)
	}
	if _, err := os.Stat(filepath.Join(bin, "index")); !errors.Is(err, os.ErrNotExist) {
		t.Error("inherited GIT_INDEX_FILE was used")
	}
}
