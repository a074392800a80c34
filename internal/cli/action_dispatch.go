package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/git-agent/git-agent/action"
	"github.com/git-agent/git-agent/gitops"
	"github.com/git-agent/git-agent/internal/agent"
	"github.com/git-agent/git-agent/internal/audit"
)

// dispatchTask answers workflow_dispatch: the prompt input runs as a
// session on the checked-out commit, and its commit is pushed to a new
// agent/<session> branch with a link to open a pull request — never onto
// the branch the run started from.
func (a *actionCtx) dispatchTask() error {
	owner, name, err := a.repo()
	if err != nil {
		return err
	}
	prompt := strings.TrimSpace(a.in.Prompt)
	if prompt == "" && a.ev.Dispatch != nil {
		prompt = strings.TrimSpace(a.ev.Dispatch.Inputs["prompt"])
	}
	if prompt == "" {
		a.res.conclusion = conclusionFailure
		msg := "workflow_dispatch needs a task: set the action's prompt input (or give the workflow an input named prompt)"
		_ = action.Error(a.f.IO.Out, "git-agent", msg, "", 0)
		return usageErrorf("%s", msg)
	}
	if err := a.authorize(owner, name, owner+"/"+name, "run the dispatched task",
		map[string]any{"event": "workflow_dispatch"}); err != nil {
		return err
	}
	repo, err := gitops.Open(a.ctx, a.workspace())
	if err != nil {
		return a.dispatchFailed(fmt.Errorf("the task needs the repository checked out (actions/checkout before git-agent): %w", err))
	}
	sha, err := (&gitops.Git{Dir: repo.Root}).Run(a.ctx, "rev-parse", "--verify", "HEAD^{commit}")
	if err != nil {
		return a.dispatchFailed(fmt.Errorf("find the checked-out commit: %w", err))
	}
	res, err := a.fixSession(repo, prompt, strings.TrimSpace(sha))
	if res != nil {
		a.res.sessionID = res.ID
	}
	if err != nil {
		return a.dispatchFailed(err)
	}
	out := res.Outcome
	if out.Status != agent.SessionCompleted {
		why := out.Status
		if out.Err != nil {
			why += ": " + oneLine(out.Err.Error())
		}
		return a.dispatchFailed(fmt.Errorf("session %s did not complete (%s), so nothing was pushed; raise max-turns or narrow the prompt", res.ID, why))
	}
	if out.Result == nil || out.Result.Commit == "" {
		a.notice(fmt.Sprintf("session %s made no changes, so nothing was pushed", res.ID))
		a.res.conclusion = conclusionSuccess
		return nil
	}
	commit := out.Result.Commit
	branch := gitops.BranchPrefix + res.ID
	err = repo.Push(a.ctx, fixRemote, commit, branch, a.token())
	entry := audit.Entry{Operation: "git.push", Target: branch, Decision: "ok", Details: map[string]any{"commit": commit, "event": "workflow_dispatch"}}
	if err != nil {
		entry.Decision, entry.Reason = "failed", err.Error()
	}
	a.record(entry)
	if err != nil {
		return a.dispatchFailed(fmt.Errorf("push commit %s to %s: %w", short(commit), branch, err))
	}
	a.res.branch, a.res.commit = branch, commit
	base := ""
	if a.ev.Dispatch != nil {
		base = strings.TrimPrefix(a.ev.Dispatch.Ref, "refs/heads/")
	}
	a.notice(fmt.Sprintf("pushed commit %s to the new branch %s; open a pull request: %s", commit, branch, a.client.CompareURL(owner, name, base, branch)))
	a.res.conclusion = conclusionSuccess
	return nil
}

// dispatchFailed makes a failed dispatched task a red step with the reason.
func (a *actionCtx) dispatchFailed(err error) error {
	a.res.conclusion = conclusionFailure
	_ = action.Error(a.f.IO.Out, "git-agent", oneLine(err.Error()), "", 0)
	if a.ctx.Err() == context.DeadlineExceeded {
		return err
	}
	return &ExitError{Code: ExitFailed}
}

// authorize decides whether the account that triggered the event may have
// git-agent do what (in "git-agent did not <what> for <login>") on target,
// and records the decision. A refusal fails the step with an ::error and
// the refused conclusion; err is that ExitError, or a failure to decide.
func (a *actionCtx) authorize(owner, name, target, what string, details map[string]any) error {
	if _, err := a.github(); err != nil {
		return err
	}
	if err := a.openRecorder(); err != nil {
		return err
	}
	actor := a.ev.TriggeredBy()
	allowed, reason, err := a.mayTrigger(owner, name, actor)
	if err != nil {
		return err
	}
	decision := "allowed"
	if !allowed {
		decision = "denied"
	}
	details["login"] = actor.Login
	a.record(audit.Entry{Operation: "github.actor", Target: target, Decision: decision, Reason: reason, Details: details})
	if !allowed {
		a.res.conclusion = conclusionRefused
		msg := fmt.Sprintf("git-agent did not %s for %s: %s.", what, actor.Login, reason)
		_ = action.Error(a.f.IO.Out, "git-agent refused", msg, "", 0)
		return &ExitError{Code: ExitFailed}
	}
	return nil
}
