package gitops

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// ApplyMode says how Apply brings an agent branch into the user's checkout.
type ApplyMode string

const (
	ApplyMerge  ApplyMode = "merge"  // merge commit (--no-ff)
	ApplySquash ApplyMode = "squash" // changes staged, not committed
	ApplyPatch  ApplyMode = "patch"  // nothing applied; returns format-patch text
)

// Apply brings branch into the user's checkout, the one operation allowed to
// change it. Merge and squash refuse when the user has uncommitted changes to
// files the branch touches. It returns a summary, or the patch text.
func (r *Repo) Apply(ctx context.Context, branch string, mode ApplyMode) (string, error) {
	if !strings.HasPrefix(branch, BranchPrefix) {
		return "", fmt.Errorf("apply: %q is not an agent branch", branch)
	}
	head, err := r.head(ctx)
	if err != nil {
		return "", fmt.Errorf("apply: %w", err)
	}
	g := r.git()
	base, err := out(ctx, g, "merge-base", head, branch)
	if err != nil {
		return "", fmt.Errorf("apply %s: no common history with HEAD: %w", branch, err)
	}
	if mode == ApplyPatch {
		p, err := g.Run(ctx, "format-patch", "--stdout", "--no-signature", base+".."+branch)
		if err != nil {
			return "", fmt.Errorf("apply: %w", err)
		}
		return p, nil
	}
	if mode != ApplyMerge && mode != ApplySquash {
		return "", fmt.Errorf("apply: unknown mode %q (want merge, squash or patch)", mode)
	}
	if _, err := os.Stat(filepath.Join(r.GitDir, "MERGE_HEAD")); err == nil {
		return "", errors.New("apply: a merge is in progress: finish it with git commit or git merge --abort")
	}
	if err := r.checkClean(ctx, base, branch); err != nil {
		return "", err
	}
	if _, _, ok := r.identity(ctx); !ok {
		g.Env = r.identityEnv(ctx) // a merge commit needs some identity
	}
	if mode == ApplySquash {
		if _, err := g.Run(ctx, "merge", "--no-stat", "--no-verify", "--squash", branch); err != nil {
			return "", r.mergeFailed(ctx, err, "resolve them, then git commit")
		}
		return fmt.Sprintf("staged the changes from %s; review them with git diff --cached, then git commit", branch), nil
	}
	if _, err := g.Run(ctx, "merge", "--no-stat", "--no-verify", "--no-ff", "--no-edit", branch); err != nil {
		return "", r.mergeFailed(ctx, err, "resolve them and git commit, or git merge --abort")
	}
	sha, _ := out(ctx, g, "rev-parse", "--short", "HEAD")
	return fmt.Sprintf("merged %s into HEAD as %s", branch, sha), nil
}

// mergeFailed names the conflicted files, which git reports on stdout.
func (r *Repo) mergeFailed(ctx context.Context, err error, next string) error {
	files, _ := out(ctx, r.git(), "diff", "--name-only", "--diff-filter=U")
	if files == "" {
		return fmt.Errorf("apply: %w", err)
	}
	return fmt.Errorf("apply: merge conflict in %s: %s", strings.ReplaceAll(files, "\n", ", "), next)
}

// checkClean refuses when a path the branch changes is modified, staged or
// untracked in the user's checkout.
func (r *Repo) checkClean(ctx context.Context, base, branch string) error {
	g := r.git()
	changed, err := g.Run(ctx, "diff", "--name-only", "-z", "--no-renames", base, branch)
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	touched := map[string]bool{}
	for _, p := range strings.Split(changed, "\x00") {
		touched[p] = p != ""
	}
	st, err := g.Run(ctx, "status", "--porcelain", "-z", "--no-renames", "--untracked-files=all")
	if err != nil {
		return fmt.Errorf("apply: %w", err)
	}
	var clash []string
	for _, e := range strings.Split(st, "\x00") {
		if len(e) > 3 && touched[e[3:]] {
			clash = append(clash, e[3:])
		}
	}
	if len(clash) > 0 {
		return fmt.Errorf("apply %s: you have uncommitted changes in files it changes (%s): commit or stash them first",
			branch, strings.Join(clash, ", "))
	}
	return nil
}

// Undo removes branch's worktree, if any, and deletes the branch.
func (r *Repo) Undo(ctx context.Context, branch string) error {
	if !strings.HasPrefix(branch, BranchPrefix) {
		return fmt.Errorf("undo: %q is not an agent branch", branch)
	}
	wts, err := r.worktrees(ctx)
	if err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	for _, w := range wts {
		if w.Branch == branch && filepath.Clean(w.Path) != filepath.Clean(r.Root) {
			if err := r.removeWorktree(ctx, w.Path); err != nil {
				return fmt.Errorf("undo: %w", err)
			}
		}
	}
	if _, err := r.git().Run(ctx, "branch", "-D", "--", branch); err != nil {
		return fmt.Errorf("undo: %w", err)
	}
	return nil
}

// GCOptions controls GC.
type GCOptions struct {
	// Alive reports whether a session is still running; nil means all are,
	// so only worktrees whose directory is gone are removed.
	Alive func(sessionID string) bool
	Now   func() time.Time // default time.Now
}

// staleLock is how old an index.lock in an agent worktree must be before GC
// assumes its git process died.
const staleLock = 10 * time.Minute

// GC removes agent worktrees whose directory is gone or whose session is
// over, prunes worktree metadata, and deletes stale index.lock files in the
// agent worktrees that remain. Branches are kept. It returns what it removed.
func (r *Repo) GC(ctx context.Context, o GCOptions) ([]string, error) {
	now := o.Now
	if now == nil {
		now = time.Now
	}
	wts, err := r.worktrees(ctx)
	if err != nil {
		return nil, fmt.Errorf("gc: %w", err)
	}
	var removed []string
	for _, w := range wts {
		session, ok := strings.CutPrefix(w.LockReason, lockPrefix)
		if !ok && !strings.HasPrefix(w.Branch, BranchPrefix) {
			continue // not ours
		}
		if filepath.Clean(w.Path) == filepath.Clean(r.Root) {
			continue
		}
		_, statErr := os.Stat(w.Path)
		gone := errors.Is(statErr, os.ErrNotExist)
		dead := ok && o.Alive != nil && !o.Alive(session)
		if gone || dead {
			if err := r.removeWorktree(ctx, w.Path); err != nil {
				return removed, fmt.Errorf("gc: %w", err)
			}
			removed = append(removed, "worktree "+w.Path)
			continue
		}
		gitDir, err := out(ctx, &Git{Dir: w.Path}, "rev-parse", "--absolute-git-dir")
		if err != nil {
			continue
		}
		lock := filepath.Join(gitDir, "index.lock")
		if fi, err := os.Stat(lock); err == nil && now().Sub(fi.ModTime()) > staleLock {
			if err := os.Remove(lock); err != nil {
				return removed, fmt.Errorf("gc: %w", err)
			}
			removed = append(removed, "stale lock "+lock)
		}
	}
	if _, err := r.git().Run(ctx, "worktree", "prune"); err != nil {
		return removed, fmt.Errorf("gc: %w", err)
	}
	return removed, nil
}
