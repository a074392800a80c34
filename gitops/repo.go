package gitops

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// Repo is the user's checkout: the worktree that contains the directory
// git-agent was started in.
type Repo struct {
	Root      string // top level of that worktree
	GitDir    string // its git dir (holds its index and HEAD)
	CommonDir string // shared objects, refs and config

	// openHead is the commit HEAD pointed to when Open looked, used once by
	// head instead of asking git again ("" when unborn, or used).
	openHead string
}

// ErrNotRepo is returned by Open outside a git work tree.
var ErrNotRepo = errors.New("not a git repository: run git init or pass -C")

// Open finds the repository containing dir. The same git call reads what
// HEAD points to, which the task git-agent starts next needs: every git
// process costs a few milliseconds.
func Open(ctx context.Context, dir string) (*Repo, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	g := &Git{Dir: abs}
	out, err := g.Run(ctx, "rev-parse", "--path-format=absolute",
		"--show-toplevel", "--absolute-git-dir", "--git-common-dir", "--verify", "--quiet", "HEAD^{commit}")
	var ge *GitError
	switch {
	case errors.As(err, &ge) && (strings.Contains(ge.Stderr, "not a git repository") ||
		strings.Contains(ge.Stderr, "must be run in a work tree")):
		return nil, fmt.Errorf("open %s: %w", abs, ErrNotRepo)
	case errors.As(err, &ge) && ge.ExitCode == 1 && strings.TrimSpace(ge.Stderr) == "":
		// --quiet: HEAD names no commit yet (an unborn branch); the paths
		// were printed all the same.
	case err != nil:
		return nil, fmt.Errorf("open repository: %w", err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 3 && len(lines) != 4 {
		return nil, fmt.Errorf("open %s: %w", abs, ErrNotRepo)
	}
	r := &Repo{Root: lines[0], GitDir: lines[1], CommonDir: filepath.Clean(lines[2])}
	if len(lines) == 4 && err == nil {
		r.openHead = lines[3]
	}
	return r, nil
}

// git runs in the user's worktree. Only read-only commands and ref/worktree
// administration go through it; Apply is the one caller that writes there.
func (r *Repo) git() *Git { return &Git{Dir: r.Root} }

// out runs git and returns stdout without the trailing newline.
func out(ctx context.Context, g *Git, args ...string) (string, error) {
	s, err := g.Run(ctx, args...)
	return strings.TrimRight(s, "\n"), err
}

// identity is the user's configured name and email, if both are set.
func (r *Repo) identity(ctx context.Context) (name, email string, ok bool) {
	// One git call for both (each costs a few milliseconds).
	s, _ := r.git().Run(ctx, "config", "--null", "--get-regexp", `^user\.(name|email)$`)
	name, email, _ = splitConfig(s)
	return name, email, name != "" && email != ""
}

// splitConfig reads `git config --null --get-regexp` output: the user's
// name and email, and every other key.
func splitConfig(s string) (name, email string, keys []string) {
	for _, kv := range strings.Split(s, "\x00") {
		key, val, _ := strings.Cut(kv, "\n")
		switch key {
		case "user.name":
			name = val
		case "user.email":
			email = val
		case "":
		default:
			keys = append(keys, key)
		}
	}
	return name, email, keys
}

// identityEnv is the author and committer for commits git-agent makes: the
// user's configured identity, else git-agent's own.
func (r *Repo) identityEnv(ctx context.Context) []string {
	name, email, _ := r.identity(ctx)
	return identityEnv(name, email)
}

// identityEnv sets author and committer to name and email, or to
// git-agent's own identity unless both are set.
func identityEnv(name, email string) []string {
	if name == "" || email == "" {
		name, email = "git-agent", "git-agent@localhost"
	}
	return []string{
		"GIT_AUTHOR_NAME=" + name, "GIT_AUTHOR_EMAIL=" + email,
		"GIT_COMMITTER_NAME=" + name, "GIT_COMMITTER_EMAIL=" + email,
	}
}

// head returns the commit HEAD points to: the first time, as Open saw it.
func (r *Repo) head(ctx context.Context) (string, error) {
	if h := r.openHead; h != "" {
		r.openHead = ""
		return h, nil
	}
	sha, err := out(ctx, r.git(), "rev-parse", "--verify", "--quiet", "HEAD^{commit}")
	if err != nil || sha == "" {
		return "", errors.New("repository has no commits yet: make a first commit, then retry")
	}
	return sha, nil
}
