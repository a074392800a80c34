package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/git-agent/git-agent/action"
	"github.com/git-agent/git-agent/review"
)

// fixPullRequest answers a pull_request event in mode fix or auto: the
// prompt input (in auto, else the review's findings) runs as a fix on the
// pull request's head, pushed like `/agent fix`. The actor who opened or
// pushed must be allowed to trigger git-agent. Forks are not fixed here:
// pull_request runs from forks get a read-only token and no secrets, so
// the run says so and points to the comment command. rv is the review auto
// mode just posted; nil in fix mode.
func (a *actionCtx) fixPullRequest(pr *action.PullRequest, rv *reviewed) error {
	task := strings.TrimSpace(a.in.Prompt)
	if task == "" && rv != nil {
		task = findingsTask(rv.findings)
		if task == "" {
			a.notice(fmt.Sprintf("mode auto: the review of #%d found nothing to fix", pr.Number))
			return nil
		}
	}
	if task == "" {
		a.res.conclusion = conclusionFailure
		msg := "mode fix on pull_request runs the prompt input as a task on the pull request: set prompt (or use mode auto, which fixes the review's findings)"
		_ = action.Error(a.f.IO.Out, "git-agent", msg, "", 0)
		return usageErrorf("%s", msg)
	}
	if a.ev.IsFork() {
		a.notice(fmt.Sprintf("pull request #%d comes from a fork: a pull_request run has a read-only token and no secrets, so it is not fixed here; a maintainer can comment `%s fix TASK`",
			pr.Number, a.in.TriggerPhrase))
		if rv == nil {
			a.res.conclusion = conclusionSkipped
		}
		return nil
	}
	owner, name, err := a.repo()
	if err != nil {
		return err
	}
	target := fmt.Sprintf("%s/%s#%d", owner, name, pr.Number)
	if err := a.authorize(owner, name, target, fmt.Sprintf("fix #%d", pr.Number),
		map[string]any{"event": "pull_request", "mode": a.in.Mode}); err != nil {
		return err
	}
	head, done, err := a.fixPR(owner, name, pr.Number, task, true)
	if errors.Is(err, errOwnHead) {
		a.notice(fmt.Sprintf("the head of #%d is git-agent's own commit: not fixing it again", pr.Number))
		if rv == nil {
			a.res.conclusion = conclusionSkipped
		}
		return nil
	}
	if err != nil {
		return a.fixFailed(owner, name, pr.Number, 0, err)
	}
	a.res.branch, a.res.commit = done.branch, done.commit
	if err := a.reply(owner, name, pr.Number, a.fixReply(head, done)); err != nil {
		return err
	}
	if rv == nil {
		a.res.conclusion = conclusionSuccess
	}
	return nil
}

// findingsTask is the task auto mode gives the agent: fix the review's
// errors and warnings. Their messages may come from a model that read the
// diff, so they are fenced as untrusted data. "" when there is nothing to
// fix (notes alone are not worth a commit).
func findingsTask(findings []review.Finding) string {
	var b strings.Builder
	n := 0
	for _, f := range findings {
		if f.Severity != review.SeverityError && f.Severity != review.SeverityWarning {
			continue
		}
		n++
		fmt.Fprintf(&b, "- %s:%d (%s, %s): %s\n", f.Path, f.Line, f.Severity, f.Rule, f.Message)
	}
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("Fix the %d problem(s) the review of this pull request found, changing as little as possible. "+
		"Where a finding is wrong, leave the code as it is and say why.\n\n", n) +
		action.Fence("review findings", b.String())
}
