package gitops

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// ResumeTask gives an existing agent branch a worktree to continue in: the
// one it still has, or a new locked one under the default worktree root. The
// lock names the session from the tip's Agent-Session trailer (else the id in
// the branch name), so GC treats it like the original task.
func (r *Repo) ResumeTask(ctx context.Context, branch string) (*Task, error) {
	branch = strings.TrimPrefix(branch, "refs/heads/")
	if !strings.HasPrefix(branch, BranchPrefix) {
		return nil, fmt.Errorf("resume task: %q is not an agent branch", branch)
	}
	g := r.git()
	tip, err := out(ctx, g, "rev-parse", "--verify", "--quiet", "refs/heads/"+branch)
	if err != nil {
		return nil, fmt.Errorf("resume task: no branch %s: run git agent log", branch)
	}
	base := tip
	if head, err := r.head(ctx); err == nil {
		if mb, err := out(ctx, g, "merge-base", head, tip); err == nil {
			base = mb
		}
	}
	task := &Task{Repo: r, Branch: branch, BaseCommit: base}
	wts, err := r.worktrees(ctx)
	if err != nil {
		return nil, fmt.Errorf("resume task: %w", err)
	}
	for _, w := range wts {
		if w.Branch != branch {
			continue
		}
		if filepath.Clean(w.Path) == filepath.Clean(r.Root) {
			return nil, fmt.Errorf("resume task: %s is checked out in your checkout; switch away from it first", branch)
		}
		if _, err := os.Stat(w.Path); err == nil {
			task.Worktree = w.Path
			return task, nil
		}
		if err := r.removeWorktree(ctx, w.Path); err != nil { // its directory is gone
			return nil, fmt.Errorf("resume task: %w", err)
		}
	}
	trailers, err := out(ctx, g, "log", "-1", "--format=%(trailers:only,unfold)", tip)
	if err != nil {
		return nil, fmt.Errorf("resume task: %w", err)
	}
	name := strings.TrimPrefix(branch, BranchPrefix)
	session, _, _ := strings.Cut(name, "-")
	for _, t := range parseTrailers(trailers) {
		if strings.EqualFold(t.Key, TrailerSession) && sessionRE().MatchString(t.Value) {
			session = t.Value
		}
	}
	root := filepath.Join(r.CommonDir, "git-agent", "worktrees")
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("resume task: %w", err)
	}
	task.Worktree = filepath.Join(root, strings.ReplaceAll(name, "/", "-"))
	if _, err := g.Run(ctx, "worktree", "add", "--quiet", "--lock",
		"--reason", lockPrefix+session, task.Worktree, branch); err != nil {
		var ge *GitError
		if errors.As(err, &ge) && strings.Contains(ge.Stderr, "already exists") {
			return nil, fmt.Errorf("resume task: %s is in the way: remove it or run git agent gc", task.Worktree)
		}
		return nil, fmt.Errorf("resume task: %w", err)
	}
	return task, nil
}
