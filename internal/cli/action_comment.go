package cli

import (
	"errors"
	"fmt"

	"github.com/git-agent/git-agent/action"
	"github.com/git-agent/git-agent/gitops/github"
	"github.com/git-agent/git-agent/internal/audit"
)

// actionSticky names the one comment per pull request where the action
// answers commands (help, refusals, fix results); the review's own
// summary is PostReview's sticky.
const actionSticky = "action"

// handleComment answers an issue_comment: a command on a pull request from
// someone allowed to give it.
func (a *actionCtx) handleComment() error {
	cm := a.ev.Comment
	cmd, ok := action.ParseCommand(cm.Body, a.in.TriggerPhrase)
	if !ok {
		return a.skip(fmt.Sprintf("the comment is not for git-agent: its first line does not start with %s", a.in.TriggerPhrase))
	}
	if !cm.OnPullRequest {
		return a.skip(fmt.Sprintf("#%d is an issue, not a pull request: git-agent commands work on pull requests only", cm.IssueNumber))
	}
	owner, name, err := a.repo()
	if err != nil {
		return err
	}
	c, err := a.github()
	if err != nil {
		return err
	}
	a.react(cm.ID, "eyes")
	if err := a.openRecorder(); err != nil {
		return err
	}
	allowed, reason, err := a.mayTrigger(owner, name, cm.Author)
	if err != nil {
		return err
	}
	target := fmt.Sprintf("%s/%s#%d", owner, name, cm.IssueNumber)
	decision := "allowed"
	if !allowed {
		decision = "denied"
	}
	a.record(audit.Entry{Operation: "github.actor", Target: target, Decision: decision, Reason: reason,
		Details: map[string]any{"login": cm.Author.Login, "command": cmd.Verb, "comment_id": cm.ID}})
	if !allowed {
		a.res.conclusion = conclusionRefused
		msg := fmt.Sprintf("git-agent did not run `%s %s` for %s: %s.", a.in.TriggerPhrase, cmd.Verb, cm.Author.Login, reason)
		if url, err := c.UpsertSticky(a.ctx, owner, name, cm.IssueNumber, actionSticky, "### git-agent\n\n"+msg+"\n"); err == nil {
			a.res.commentURL = url
		}
		_ = action.Error(a.f.IO.Out, "git-agent refused", msg, "", 0)
		return &ExitError{Code: ExitFailed}
	}

	switch cmd.Verb {
	case action.VerbReview:
		err := a.reviewPullRequest(cm.IssueNumber, false)
		var ee *ExitError
		if err == nil || errors.As(err, &ee) {
			a.react(cm.ID, "rocket") // reviewed; fail-on may still fail the step
		}
		return err
	case action.VerbFix:
		return a.fix(owner, name, cm, cmd.Task)
	default:
		if err := a.reply(owner, name, cm.IssueNumber, actionHelp(a.in.TriggerPhrase)); err != nil {
			return err
		}
		a.res.conclusion = conclusionSuccess
		return nil
	}
}

// mayTrigger decides whether login may run the agent: bots only when
// allowed-bots lists them by exact login, people with write, maintain or
// admin permission on the repository.
func (a *actionCtx) mayTrigger(owner, name string, u action.User) (bool, string, error) {
	if u.IsBot() {
		if a.in.BotAllowed(u.Login) {
			return true, "bot listed in allowed-bots", nil
		}
		return false, "bots may not trigger git-agent unless the workflow lists their exact login in the allowed-bots input", nil
	}
	level, err := a.client.Permission(a.ctx, owner, name, u.Login)
	if err != nil {
		return false, "", fmt.Errorf("check whether %s may trigger git-agent: %w", u.Login, err)
	}
	if github.CanWrite(level) {
		return true, "has " + level + " permission", nil
	}
	return false, fmt.Sprintf("triggering git-agent needs write, maintain or admin permission on %s/%s, and %s has %s", owner, name, u.Login, level), nil
}

// react acknowledges the comment. A reaction is a courtesy: failing to add
// one is a warning, not a failure.
func (a *actionCtx) react(commentID int64, content string) {
	owner, name, _ := a.repo()
	if err := a.client.React(a.ctx, owner, name, commentID, content); err != nil {
		_ = action.Warning(a.f.IO.Out, "git-agent", "could not react to the comment: "+err.Error(), "", 0)
	}
}

// reply writes msg into the action's sticky comment on the pull request.
func (a *actionCtx) reply(owner, name string, number int, msg string) error {
	url, err := a.client.UpsertSticky(a.ctx, owner, name, number, actionSticky, "### git-agent\n\n"+msg+"\n")
	if err != nil {
		return fmt.Errorf("answer on %s/%s#%d: %w", owner, name, number, err)
	}
	a.res.commentURL = url
	return nil
}

func actionHelp(trigger string) string {
	return fmt.Sprintf("Start a comment on this pull request with one of:\n\n"+
		"- `%[1]s review`: check the diff (secrets, conflict markers, large or binary files, the base branch's review rules) and post the findings as a review\n"+
		"- `%[1]s fix TASK`: do TASK on this pull request's branch and push the commit (a fork gets a new branch to open a pull request from)\n"+
		"- `%[1]s help`: this message\n\n"+
		"Only people with write access to the repository, and bots the workflow lists in `allowed-bots`, may run them.", trigger)
}
