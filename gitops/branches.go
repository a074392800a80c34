package gitops

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// BranchInfo describes one agent branch.
type BranchInfo struct {
	Branch, Commit, Subject string
	// Session, Model and Profile come from the tip commit's trailers; Session
	// falls back to the id prefix in the branch name.
	Session, Model, Profile string
	// Status is the Agent-Status trailer ("max_turns", "interrupted", ...),
	// or "completed" when the commit has none.
	Status                string
	Added, Deleted, Files int // diffstat against the merge base with HEAD
	Time                  time.Time
	Worktree              string // "" when the branch has no worktree
}

// AgentBranches lists refs/heads/agent/*, newest first.
func (r *Repo) AgentBranches(ctx context.Context) ([]BranchInfo, error) {
	g := r.git()
	refs, err := out(ctx, g, "for-each-ref", "--sort=-committerdate",
		"--format=%(refname:strip=2)%00%(objectname)%00%(committerdate:unix)%00%(subject)",
		"refs/heads/"+BranchPrefix)
	if err != nil {
		return nil, fmt.Errorf("list agent branches: %w", err)
	}
	wts, err := r.worktrees(ctx)
	if err != nil {
		return nil, fmt.Errorf("list agent branches: %w", err)
	}
	byBranch := map[string]string{}
	for _, w := range wts {
		byBranch[w.Branch] = w.Path
	}
	head, _ := r.head(ctx)
	var infos []BranchInfo
	for _, line := range strings.Split(refs, "\n") {
		f := strings.SplitN(line, "\x00", 4)
		if len(f) != 4 {
			continue
		}
		unix, _ := strconv.ParseInt(f[2], 10, 64)
		bi := BranchInfo{Branch: f[0], Commit: f[1], Subject: f[3],
			Time: time.Unix(unix, 0), Worktree: byBranch[f[0]]}
		tr, err := out(ctx, g, "log", "-1", "--format=%(trailers:only,unfold)", f[1])
		if err != nil {
			return nil, fmt.Errorf("list agent branches: %w", err)
		}
		agentCommit := false
		for _, t := range parseTrailers(tr) {
			switch strings.ToLower(t.Key) {
			case strings.ToLower(TrailerSession):
				bi.Session = t.Value
				agentCommit = true
			case strings.ToLower(TrailerModel):
				bi.Model = t.Value
			case strings.ToLower(TrailerProfile):
				bi.Profile = t.Value
			case "agent-status":
				bi.Status = t.Value
			}
		}
		if bi.Status == "" && agentCommit {
			bi.Status = "completed"
		}
		if bi.Session == "" {
			bi.Session, _, _ = strings.Cut(strings.TrimPrefix(f[0], BranchPrefix), "-")
		}
		if head != "" {
			if err := r.diffstat(ctx, head, &bi); err != nil {
				return nil, fmt.Errorf("list agent branches: %w", err)
			}
		}
		infos = append(infos, bi)
	}
	return infos, nil
}

func (r *Repo) diffstat(ctx context.Context, head string, bi *BranchInfo) error {
	base, err := out(ctx, r.git(), "merge-base", head, bi.Commit)
	if err != nil {
		return nil // unrelated history: no meaningful diffstat
	}
	ns, err := out(ctx, r.git(), "diff", "--numstat", "--no-renames", base, bi.Commit)
	if err != nil {
		return err
	}
	for _, l := range strings.Split(ns, "\n") {
		f := strings.SplitN(l, "\t", 3)
		if len(f) != 3 {
			continue
		}
		a, _ := strconv.Atoi(f[0]) // "-" for binary files counts as 0
		d, _ := strconv.Atoi(f[1])
		bi.Added += a
		bi.Deleted += d
		bi.Files++
	}
	return nil
}

func parseTrailers(s string) []Trailer {
	var ts []Trailer
	for _, l := range strings.Split(s, "\n") {
		k, v, ok := strings.Cut(l, ":")
		if ok && k != "" {
			ts = append(ts, Trailer{Key: strings.TrimSpace(k), Value: strings.TrimSpace(v)})
		}
	}
	return ts
}

// FindAgentBranch resolves a branch name (with or without "agent/") or a
// session id prefix to exactly one agent branch; "agent/" alone matches the
// only agent branch there is.
func (r *Repo) FindAgentBranch(ctx context.Context, sessionOrBranch string) (string, error) {
	if sessionOrBranch == "" {
		return "", fmt.Errorf("find agent branch: empty name")
	}
	q := strings.TrimPrefix(strings.TrimPrefix(sessionOrBranch, "refs/heads/"), BranchPrefix)
	infos, err := r.AgentBranches(ctx)
	if err != nil {
		return "", err
	}
	var matches []string
	for _, bi := range infos {
		if bi.Branch == BranchPrefix+q {
			return bi.Branch, nil
		}
		if strings.HasPrefix(bi.Session, q) || strings.HasPrefix(strings.TrimPrefix(bi.Branch, BranchPrefix), q) {
			matches = append(matches, bi.Branch)
		}
	}
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("no agent branch matches %q: run git agent log", sessionOrBranch)
	case 1:
		return matches[0], nil
	}
	return "", fmt.Errorf("%q matches several agent branches (%s): give more of the id",
		sessionOrBranch, strings.Join(matches, ", "))
}

// worktree is one entry of `git worktree list --porcelain`.
type worktree struct {
	Path, Branch string
	Locked       bool
	LockReason   string
}

func (r *Repo) worktrees(ctx context.Context) ([]worktree, error) {
	s, err := r.git().Run(ctx, "worktree", "list", "--porcelain", "-z")
	if err != nil {
		return nil, err
	}
	var wts []worktree
	for _, rec := range strings.Split(s, "\x00\x00") {
		var w worktree
		for _, f := range strings.Split(rec, "\x00") {
			k, v, _ := strings.Cut(f, " ")
			switch k {
			case "worktree":
				w.Path = v
			case "branch":
				w.Branch = strings.TrimPrefix(v, "refs/heads/")
			case "locked":
				w.Locked, w.LockReason = true, v
			}
		}
		if w.Path != "" {
			wts = append(wts, w)
		}
	}
	return wts, nil
}
