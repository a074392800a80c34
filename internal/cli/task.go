package cli

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/git-agent/git-agent/gitops"
	"github.com/git-agent/git-agent/internal/agent"
	"github.com/git-agent/git-agent/internal/audit"
)

// taskPlace is where a session works: a linked worktree on its own agent
// branch (the default inside a repository), the current checkout
// (--in-place), or a plain directory outside any repository.
type taskPlace struct {
	Workspace string // the directory the session works in
	Repo      *gitops.Repo
	Task      *gitops.Task // nil unless in a worktree
	InPlace   bool
	Note      string // shown when the session could not get a worktree

	rec   *recorder           // audit entries for the commit
	clean func(string) string // sanitizes the commit message
}

// prepareTask picks the session's workspace for dir.
func prepareTask(ctx context.Context, f *Factory, dir, id, prompt string, fl sessionFlags, resumeBranch string, resumeInPlace bool) (*taskPlace, error) {
	repo, err := gitops.Open(ctx, dir)
	if err != nil {
		if fl.InPlace || fl.Base != "" || fl.IncludeUncommitted {
			return nil, usageErrorf("%v", err)
		}
		return &taskPlace{Workspace: dir, Note: "not a git repository: working in place, no branch or commit"}, nil
	}
	if fl.InPlace || resumeInPlace {
		if fl.Commit {
			// The commit takes everything in the checkout: it must hold only
			// what the session does.
			st, err := (&gitops.Git{Dir: repo.Root}).Run(ctx, "status", "--porcelain")
			if err != nil {
				return nil, err
			}
			if strings.TrimSpace(st) != "" {
				return nil, usageErrorf("--in-place --commit needs a clean checkout, or your own changes would land in the agent's commit: commit or stash them first (or drop --in-place to work in a worktree)")
			}
		}
		return &taskPlace{Workspace: dir, Repo: repo, InPlace: true}, nil
	}
	var task *gitops.Task
	if resumeBranch != "" {
		task, err = repo.ResumeTask(ctx, resumeBranch)
	} else {
		task, err = repo.StartTask(ctx, gitops.TaskOptions{SessionID: id, Title: prompt, Base: fl.Base, IncludeUncommitted: fl.IncludeUncommitted})
	}
	if err != nil {
		return nil, fmt.Errorf("create the task's worktree: %w", err)
	}
	ws := task.Worktree
	// Keep the user's position in the repository: a run from a
	// subdirectory works in the same subdirectory of the worktree.
	if rel, err := filepath.Rel(repo.Root, dir); err == nil && rel != "." && !strings.HasPrefix(rel, "..") {
		if st, err := os.Stat(filepath.Join(ws, rel)); err == nil && st.IsDir() {
			ws = filepath.Join(ws, rel)
		}
	}
	if real, err := filepath.EvalSymlinks(ws); err == nil {
		ws = real
	}
	return &taskPlace{Workspace: ws, Repo: repo, Task: task}, nil
}

// finish commits the session's changes with provenance trailers, outside the
// sandbox, and removes the worktree unless it is kept. It never touches the
// user's checkout.
//
// auditHead is the audit chain's head when the session's work is done; the
// Agent-Audit trailer ties the commit to it (`git agent audit verify`).
func (t *taskPlace) finish(ctx context.Context, out *agent.Outcome, meta agent.Meta, prompt string, fl sessionFlags, auditHead string) *agent.ResultInfo {
	if t.Task == nil && !(t.InPlace && fl.Commit) {
		if t.Note != "" {
			return &agent.ResultInfo{Note: t.Note}
		}
		return nil
	}
	// A canceled session still commits what it did: nothing is lost.
	ctx = context.WithoutCancel(ctx)
	trailers := []gitops.Trailer{
		{Key: "Agent-Session", Value: meta.ID},
		{Key: "Agent-Model", Value: meta.Provider + "/" + meta.Model},
		{Key: "Agent-Profile", Value: meta.Profile},
	}
	if out.Status != agent.SessionCompleted {
		trailers = append(trailers, gitops.Trailer{Key: "Agent-Status", Value: out.Status})
	}
	if auditHead != "" {
		trailers = append(trailers, gitops.Trailer{Key: "Agent-Audit", Value: auditHead})
	}
	subject, body := commitMessage(prompt, out.FinalMessage)
	if t.clean != nil {
		// A commit outlives every log: no home path, user name or secret in it.
		subject, body = t.clean(subject), t.clean(body)
	}
	res := &agent.ResultInfo{}
	task := t.Task
	if t.InPlace {
		task = &gitops.Task{Repo: t.Repo, Worktree: t.Repo.Root}
	}
	sha, err := task.Commit(ctx, subject, body, trailers)
	switch {
	case err != nil:
		res.Note = "commit failed: " + err.Error()
	case sha == "":
		res.Note = "no changes"
	default:
		res.Commit = sha
		res.Branch = task.Branch
	}
	if sha != "" || err != nil {
		e := audit.Entry{Operation: "commit", Target: task.Branch, Decision: "ok", Details: map[string]any{"commit": sha, "audit_head": auditHead}}
		if err != nil {
			e.Decision, e.Reason = "failed", err.Error()
		}
		if t.rec != nil {
			_ = t.rec.record(e) // a lost entry shows as a chain that lacks it; the commit stands
		}
	}
	if t.Task != nil {
		if fl.KeepWorktree {
			res.Worktree = t.Task.Worktree
		} else if err := t.Task.Remove(ctx); err != nil {
			res.Note = strings.TrimSpace(res.Note + "; remove worktree: " + err.Error())
			res.Worktree = t.Task.Worktree
		}
		if sha == "" && err == nil && !fl.KeepWorktree {
			// Nothing to keep: do not leave an empty branch behind.
			e := audit.Entry{Operation: "branch.delete", Target: t.Task.Branch, Decision: "ok", Reason: "the session made no changes"}
			if err := t.Repo.Undo(ctx, t.Task.Branch); err != nil {
				e.Decision, e.Reason = "failed", err.Error()
			}
			if t.rec != nil {
				_ = t.rec.record(e)
			}
			res.Branch = ""
		}
	}
	return res
}

// commitMessage is the session's summary as a commit message: the first line
// of the model's answer (or of the task) as the subject, the rest and the
// task as the body.
func commitMessage(prompt, final string) (subject, body string) {
	first := func(s string) string {
		s = strings.TrimSpace(s)
		if i := strings.IndexByte(s, '\n'); i >= 0 {
			s = s[:i]
		}
		s = strings.TrimLeft(s, "#*- ")
		if len([]rune(s)) > 72 {
			s = string([]rune(s)[:71]) + "…"
		}
		return s
	}
	subject = first(final)
	if subject == "" {
		subject = "agent: " + first(prompt)
	}
	body = strings.TrimSpace(final)
	if strings.HasPrefix(body, strings.TrimSuffix(subject, "…")) {
		body = strings.TrimSpace(strings.TrimPrefix(body, strings.TrimSuffix(subject, "…")))
	}
	if body != "" {
		body += "\n\n"
	}
	body += "Task: " + strings.TrimSpace(prompt)
	return subject, body
}
