package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/git-agent/git-agent/action"
	"github.com/git-agent/git-agent/gitops/github"
	"github.com/git-agent/git-agent/internal/audit"
	"github.com/git-agent/git-agent/internal/config"
	"github.com/git-agent/git-agent/review"
)

// reviewed is a pull request and what the checks found in its diff.
type reviewed struct {
	pr       *github.PR
	files    []review.FileDiff
	findings []review.Finding
}

// reviewPullRequest reviews pull request number with the base branch's
// review rules and posts one review plus the sticky summary. With a
// read-only token (fork is set, or GitHub answers 403) it writes nothing to
// GitHub: the findings become annotations and the step summary. The exit
// status then follows fail-on only.
func (a *actionCtx) reviewPullRequest(number int, fork bool) error {
	owner, name, err := a.repo()
	if err != nil {
		return err
	}
	c, err := a.github()
	if err != nil {
		return err
	}
	pr, err := c.PullRequest(a.ctx, owner, name, number)
	if err != nil {
		return err
	}
	raw, err := c.PullRequestDiff(a.ctx, owner, name, number)
	if err != nil {
		return err
	}
	files, err := review.ParseDiff(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("parse the diff of %s: %w", pr, err)
	}
	findings, err := review.Check(files, a.baseReviewOptions(pr.BaseSHA))
	if err != nil {
		return err
	}
	if err := a.openRecorder(); err != nil {
		return err
	}
	if a.modelReviewEnabled() {
		findings = append(findings, a.modelReview(pr, files)...)
		review.Sort(findings)
	}
	rv := &reviewed{pr: pr, files: files, findings: findings}
	a.res.findings = rv

	if fork {
		a.degrade(rv, "the pull request comes from a fork, so the token is read-only")
		return a.failOn(findings)
	}
	e, w, i := review.Summary(findings)
	summary := fmt.Sprintf("### git-agent review\n\n%d error(s), %d warning(s), %d note(s) in %d file(s) at %s.\n",
		e, w, i, len(files), short(pr.HeadSHA))
	posted, err := c.PostReview(a.ctx, pr, files, findings, github.PostOptions{Summary: summary})
	var apiErr *github.APIError
	if errors.As(err, &apiErr) && apiErr.Kind == github.KindForbidden {
		a.degrade(rv, "the token may not write to the pull request ("+apiErr.Message+")")
		return a.failOn(findings)
	}
	entry := audit.Entry{Operation: "github.review", Target: pr.String(), Decision: "ok"}
	if err != nil {
		entry.Decision, entry.Reason = "failed", err.Error()
	} else {
		entry.Details = map[string]any{"review_id": posted.ReviewID, "inline": posted.Posted, "in_body": posted.Summarised,
			"skipped": posted.Skipped, "summary_url": posted.SummaryURL, "head": pr.HeadSHA, "trigger": a.ev.Name}
	}
	a.record(entry)
	if err != nil {
		return fmt.Errorf("post the review on %s: %w", pr, err)
	}
	a.res.reviewID, a.res.commentURL = posted.ReviewID, posted.SummaryURL
	fmt.Fprintf(a.f.IO.ErrOut, "posted review on %s: %d inline, %d in the body, %d already posted\n",
		pr, posted.Posted, posted.Summarised, posted.Skipped)
	a.checkRun(rv)
	return a.failOn(findings)
}

// degrade reports findings without writing to GitHub: one annotation per
// finding on stdout (the runner shows them on the diff) plus the step
// summary, which writeActionOutputs adds.
func (a *actionCtx) degrade(rv *reviewed, why string) {
	out := a.f.IO.Out
	a.notice(fmt.Sprintf("not posting a review on %s: %s; the findings are annotations and in the step summary instead", rv.pr, why))
	for _, fd := range rv.findings {
		title := "git-agent: " + fd.Rule
		switch fd.Severity {
		case review.SeverityError:
			_ = action.Error(out, title, fd.Message, fd.Path, fd.Line)
		case review.SeverityWarning:
			_ = action.Warning(out, title, fd.Message, fd.Path, fd.Line)
		default:
			_ = action.Notice(out, title, fd.Message, fd.Path, fd.Line)
		}
	}
	a.record(audit.Entry{Operation: "github.review", Target: rv.pr.String(), Decision: "degraded", Reason: why,
		Details: map[string]any{"findings": len(rv.findings), "head": rv.pr.HeadSHA}})
}

// checkRun reports the review as a check run with annotations when the
// token has checks: write. It is optional: without the permission it says
// so, and a failure is a warning, since the review itself is posted.
func (a *actionCtx) checkRun(rv *reviewed) {
	owner, name, _ := a.repo()
	conclusion := conclusionSuccess
	if a.failing(rv.findings) > 0 {
		conclusion = conclusionFailure
	}
	e, w, i := review.Summary(rv.findings)
	run := github.CheckRun{Name: "git-agent review", HeadSHA: rv.pr.HeadSHA, Conclusion: conclusion,
		Title: fmt.Sprintf("%d error(s), %d warning(s), %d note(s)", e, w, i)}
	for _, fd := range rv.findings {
		level := "notice"
		switch fd.Severity {
		case review.SeverityError:
			level = "failure"
		case review.SeverityWarning:
			level = "warning"
		}
		run.Annotations = append(run.Annotations, github.Annotation{Path: fd.Path, StartLine: max(fd.Line, 1),
			EndLine: max(fd.EndLine, fd.Line, 1), Level: level, Title: fd.Rule, Message: fd.Message})
	}
	_, _, err := a.client.CreateCheckRun(a.ctx, owner, name, run)
	var apiErr *github.APIError
	switch {
	case err == nil:
	case errors.As(err, &apiErr) && apiErr.Kind == github.KindForbidden:
		a.notice("no check run: the token lacks checks: write (optional; add it to permissions: to get one)")
	default:
		_ = action.Warning(a.f.IO.Out, "git-agent", "the review is posted but the check run failed: "+err.Error(), "", 0)
	}
}

// failThresholdInput ranks the fail-on input; "never" ranks above every
// severity.
func failThresholdInput(s string) int {
	switch s {
	case "warning":
		return rank(review.SeverityWarning)
	case "note":
		return rank(review.SeverityInfo)
	case "never":
		return rank(review.SeverityError) + 1
	}
	return rank(review.SeverityError)
}

// failing counts the findings at or above fail-on.
func (a *actionCtx) failing(findings []review.Finding) int {
	n, threshold := 0, failThresholdInput(a.in.FailOn)
	for _, fd := range findings {
		if rank(fd.Severity) >= threshold {
			n++
		}
	}
	return n
}

// failOn sets the conclusion from fail-on and fails the step when a
// finding reaches it.
func (a *actionCtx) failOn(findings []review.Finding) error {
	n := a.failing(findings)
	if n == 0 {
		a.res.conclusion = conclusionSuccess
		return nil
	}
	a.res.conclusion = conclusionFailure
	_ = action.Error(a.f.IO.Out, "git-agent", fmt.Sprintf("%d finding(s) at or above fail-on: %s; fix them, or set fail-on to change the threshold", n, a.in.FailOn), "", 0)
	return &ExitError{Code: ExitFailed}
}

// baseReviewOptions reads the review rules from the base commit's
// .git-agent/config.toml (plus the user's and git's settings), never from
// the checkout: the pull request's head may change its own rules to hide
// what it adds. Without the base commit in the checkout, the repository's
// rules are skipped with a notice.
func (a *actionCtx) baseReviewOptions(baseSHA string) review.Options {
	tmp, err := os.MkdirTemp("", "git-agent-base-config-")
	if err != nil {
		_ = action.Warning(a.f.IO.Out, "git-agent", "review rules skipped: "+err.Error(), "", 0)
		return review.Options{}
	}
	defer os.RemoveAll(tmp)
	if ws := a.workspace(); ws != "" && baseSHA != "" && repoRoot(ws) != "" {
		if _, err := reviewGit(a.ctx, ws, "cat-file", "-e", baseSHA+"^{commit}"); err != nil {
			a.notice(fmt.Sprintf("the base commit %s is not in the checkout, so the repository's review rules were skipped: check out with fetch-depth: 0 to use them", short(baseSHA)))
		} else if data, err := reviewGit(a.ctx, ws, "show", baseSHA+":"+filepath.ToSlash(filepath.Join(".git-agent", "config.toml"))); err == nil {
			dir := filepath.Join(tmp, ".git-agent")
			if err := os.Mkdir(dir, 0o700); err == nil {
				_ = os.WriteFile(filepath.Join(dir, "config.toml"), data, 0o600)
			}
		}
	}
	loaded, err := config.Load(a.ctx, config.LoadOptions{RepoRoot: tmp, Getenv: a.f.Getenv,
		UserFile: config.UserFile(a.f.Getenv, "config.toml"), GitConfig: func(ctx context.Context, _ string) (map[string]string, error) {
			return config.ReadGitConfig(ctx, tmp) // not a repository: global settings only
		}})
	if err != nil {
		_ = action.Warning(a.f.IO.Out, "git-agent", "configured review rules skipped: "+err.Error(), "", 0)
		return review.Options{}
	}
	var o review.Options
	for _, r := range loaded.Config.ReviewRules {
		o.Rules = append(o.Rules, review.Rule{Name: r.Name, Paths: r.Paths, Pattern: r.Pattern,
			Severity: review.Severity(r.Severity), Message: r.Message})
	}
	return o
}

// workspace is the checkout: GITHUB_WORKSPACE, else the working directory.
func (a *actionCtx) workspace() string {
	if a.ev.Workspace != "" {
		return a.ev.Workspace
	}
	if wd, err := a.f.Getwd(); err == nil {
		return wd
	}
	return ""
}

// openRecorder opens the audit log in the state directory the user, git
// and environment configure (never the checkout's config).
func (a *actionCtx) openRecorder() error {
	if a.rec != nil {
		return nil
	}
	stateDir := ""
	if l, err := config.Load(a.ctx, config.LoadOptions{Getenv: a.f.Getenv, UserFile: config.UserFile(a.f.Getenv, "config.toml"),
		GitConfig: config.ReadGitConfig}); err == nil {
		stateDir = l.Config.StateDir
	}
	log, err := a.f.openAudit(stateDir)
	if err != nil {
		return err
	}
	a.rec = &recorder{log: log}
	a.res.auditLog = log.Path()
	a.res.auditHead = log.Head()
	return nil
}

// record appends an audit entry and keeps the audit-head output current.
func (a *actionCtx) record(e audit.Entry) {
	if a.rec == nil {
		return
	}
	a.rec.note(a.f, e)
	a.res.auditHead = a.rec.log.Head()
}

// severityName is a finding's severity as the summary and fail-on say it.
func severityName(s review.Severity) string {
	if s == review.SeverityInfo {
		return "note"
	}
	return string(s)
}
