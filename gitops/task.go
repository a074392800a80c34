package gitops

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
)

// BranchPrefix is the namespace of every branch git-agent creates.
const BranchPrefix = "agent/"

// Trailer keys Commit callers use and AgentBranches reads back.
const (
	TrailerSession = "Agent-Session"
	TrailerModel   = "Agent-Model"
	TrailerProfile = "Agent-Profile"
)

// lockPrefix starts the reason git-agent locks its worktrees with; GC reads
// the session id back from it.
const lockPrefix = "git-agent session "

// TaskOptions describes a task to start.
type TaskOptions struct {
	SessionID string // short id, e.g. 3fa85f64a1b2
	Title     string // the task text; slugified into the branch name
	Base      string // ref to start from; "" means HEAD
	// IncludeUncommitted starts from a snapshot commit of the user's tracked
	// and untracked (not ignored) changes, built in a throwaway index.
	IncludeUncommitted bool
	// WorktreeRoot is where worktrees go, default <CommonDir>/git-agent/worktrees.
	// Keep it outside the user's working tree, or a later IncludeUncommitted
	// snapshot would pick the nested worktrees up as gitlinks.
	WorktreeRoot string
}

// Task is a started task: a locked linked worktree on its own branch.
type Task struct {
	Repo       *Repo
	Branch     string
	Worktree   string
	BaseCommit string
}

// Trailer is one "Key: Value" line at the end of a commit message.
type Trailer struct{ Key, Value string }

var sessionRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`) })

// StartTask creates branch agent/<session[:8]>-<slug> and a worktree for it.
func (r *Repo) StartTask(ctx context.Context, o TaskOptions) (*Task, error) {
	if !sessionRE().MatchString(o.SessionID) {
		return nil, fmt.Errorf("start task: invalid session id %q", o.SessionID)
	}
	if o.IncludeUncommitted && o.Base != "" {
		return nil, errors.New("start task: IncludeUncommitted snapshots HEAD plus changes; leave Base empty")
	}
	sid := o.SessionID
	if len(sid) > 8 {
		sid = sid[:8]
	}
	name := sid + "-" + Slug(o.Title)
	branch := BranchPrefix + name
	var base string
	var err error
	switch {
	case o.IncludeUncommitted:
		base, err = r.snapshot(ctx)
	case o.Base == "":
		base, err = r.head(ctx)
	default:
		base, err = out(ctx, r.git(), "rev-parse", "--verify", "--quiet", o.Base+"^{commit}")
		if err != nil {
			err = fmt.Errorf("unknown base %q", o.Base)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("start task: %w", err)
	}
	root := o.WorktreeRoot
	if root == "" {
		root = filepath.Join(r.CommonDir, "git-agent", "worktrees")
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return nil, fmt.Errorf("start task: %w", err)
	}
	path := filepath.Join(root, name)
	// --lock makes add and lock one step, so GC never sees an unlocked task.
	// -b refuses a branch that exists, which is the check (one git process
	// fewer than asking first).
	_, err = r.git().Run(ctx, "worktree", "add", "--quiet", "--lock",
		"--reason", lockPrefix+o.SessionID, "-b", branch, path, base)
	var ge *GitError
	switch {
	case errors.As(err, &ge) && strings.Contains(ge.Stderr, "a branch named") && strings.Contains(ge.Stderr, "already exists"):
		// Someone else's branch: leave it alone.
		return nil, fmt.Errorf("start task: branch %s already exists: use a new session id, or git agent undo it", branch)
	case err != nil:
		// git creates the branch before it checks the path; do not leave it behind.
		_, _ = r.git().Run(ctx, "branch", "-D", "--", branch)
		return nil, fmt.Errorf("start task: %w", err)
	}
	return &Task{Repo: r, Branch: branch, Worktree: path, BaseCommit: base}, nil
}

// snapshot commits the user's current changes on top of HEAD without touching
// their index, stash or files: `git add -A` goes into a copy of the index.
func (r *Repo) snapshot(ctx context.Context) (string, error) {
	head, err := r.head(ctx)
	if err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "git-agent-index-")
	if err != nil {
		return "", fmt.Errorf("snapshot: %w", err)
	}
	defer os.RemoveAll(dir)
	index := filepath.Join(dir, "index")
	if err := copyFile(filepath.Join(r.GitDir, "index"), index); err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("snapshot: %w", err)
	}
	g := &Git{Dir: r.Root, Env: append(r.identityEnv(ctx), "GIT_INDEX_FILE="+index)}
	if _, err := g.Run(ctx, "add", "-A", "--", ":/"); err != nil {
		return "", fmt.Errorf("snapshot: %w", err)
	}
	tree, err := out(ctx, g, "write-tree")
	if err != nil {
		return "", fmt.Errorf("snapshot: %w", err)
	}
	if headTree, _ := out(ctx, g, "rev-parse", head+"^{tree}"); headTree == tree {
		return head, nil
	}
	sha, err := out(ctx, g, "commit-tree", tree, "-p", head, "-m", "git-agent: snapshot of uncommitted changes")
	if err != nil {
		return "", fmt.Errorf("snapshot: %w", err)
	}
	return sha, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}

// Commit stages everything in the task's worktree and commits it. It returns
// "" and nil when there is nothing to commit.
func (t *Task) Commit(ctx context.Context, subject, body string, trailers []Trailer) (string, error) {
	msg, err := commitMessage(subject, body, trailers)
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	// add and commit run back to back, nothing else in between: one read of
	// the worktree's config gives the identity and the drivers to blank for
	// both. Each git process costs a few milliseconds.
	g, err := t.committer(ctx)
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	if _, err := g.Run(ctx, "add", "-A", "--", ":/"); err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	stdout, err := g.run(ctx, []byte(msg), "commit", "--quiet", "--no-verify", "--no-gpg-sign",
		"--cleanup=whitespace", "-F", "-")
	var ge *GitError
	if errors.As(err, &ge) && ge.ExitCode == 1 && nothingToCommit(stdout) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("commit: %w", err)
	}
	if sha := t.branchTip(); sha != "" {
		return sha, nil
	}
	return out(ctx, g, "rev-parse", "HEAD")
}

// nothingToCommit reports whether git commit's stdout says the index has
// no change (git runs with LC_ALL=C, so the words are these).
func nothingToCommit(stdout string) bool {
	return strings.Contains(stdout, "nothing to commit") || strings.Contains(stdout, "nothing added to commit")
}

// branchTip reads the commit the task's branch points to from its loose
// ref file, which git commit has just written; "" when it is not there (a
// reftable repository, say), and the caller asks git.
func (t *Task) branchTip() string {
	b, err := os.ReadFile(filepath.Join(t.Repo.CommonDir, filepath.FromSlash("refs/heads/"+t.Branch)))
	if err != nil {
		return ""
	}
	sha := strings.TrimSpace(string(b))
	if !objectRE().MatchString(sha) {
		return ""
	}
	return sha
}

// committer is a runner in the task's worktree with the author and
// committer set, and the worktree config's drivers pinned, both from one
// git config call.
func (t *Task) committer(ctx context.Context) (*Git, error) {
	g := &Git{Dir: t.Worktree}
	args := []string{"config", "--null", "--get-regexp", `^(user\.(name|email)|(filter|merge)\..+\..+)$`}
	s, err := g.runPlain(ctx, args...)
	var ge *GitError
	if errors.As(err, &ge) && ge.ExitCode == 1 {
		s, err = "", nil // none of those keys
	}
	if err != nil {
		return nil, fmt.Errorf("read the worktree's config: %w", err)
	}
	name, email, keys := splitConfig(s)
	g.Env = identityEnv(name, email)
	g.pin = &driverPin{done: true, ov: overridesFor(keys)}
	return g, nil
}

var trailerKeyRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]*$`) })

// commitMessage builds "subject\n\nbody\n\nKey: Value..." so that the
// trailers always form the last paragraph, where git looks for them.
func commitMessage(subject, body string, trailers []Trailer) (string, error) {
	subject = strings.Join(strings.Fields(subject), " ")
	if subject == "" {
		return "", errors.New("empty subject")
	}
	parts := []string{subject}
	if b := strings.TrimSpace(body); b != "" {
		parts = append(parts, b)
	}
	var tl []string
	for _, tr := range trailers {
		if !trailerKeyRE().MatchString(tr.Key) {
			return "", fmt.Errorf("invalid trailer key %q", tr.Key)
		}
		tl = append(tl, tr.Key+": "+strings.Join(strings.Fields(tr.Value), " "))
	}
	if len(tl) > 0 {
		parts = append(parts, strings.Join(tl, "\n"))
	}
	return strings.Join(parts, "\n\n") + "\n", nil
}

// Remove deletes the task's worktree, keeping its branch.
func (t *Task) Remove(ctx context.Context) error {
	if err := t.Repo.removeWorktree(ctx, t.Worktree); err != nil {
		return fmt.Errorf("remove task: %w", err)
	}
	return nil
}

func (r *Repo) removeWorktree(ctx context.Context, path string) error {
	g := r.git()
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		_, _ = g.Run(ctx, "worktree", "unlock", path) // prune keeps locked entries
		_, err := g.Run(ctx, "worktree", "prune")
		return err
	}
	// The second --force removes a locked worktree without a separate unlock.
	// With --force git deletes the files without reading them through
	// attributes (it checks cleanliness only without), so no driver lookup.
	_, err := g.runPlain(ctx, "worktree", "remove", "--force", "--force", path)
	return err
}

// Slug turns a task title into at most 40 characters of [a-z0-9-].
func Slug(title string) string {
	var b strings.Builder
	dash := false
	for _, c := range strings.ToLower(title) {
		if c >= 'a' && c <= 'z' || c >= '0' && c <= '9' {
			b.WriteRune(c)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	s := strings.Trim(b.String(), "-")
	if s == "" {
		return "task"
	}
	return s
}
