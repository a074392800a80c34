package cli

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/git-agent/git-agent/action"
	"github.com/git-agent/git-agent/gitops/github"
	"github.com/git-agent/git-agent/internal/bench"
	"github.com/spf13/cobra"
)

// ActionOptions are the inputs of `git agent action`. Everything else comes
// from the runner's environment: the INPUT_* variables and the event.
type ActionOptions struct {
	F *Factory
	// Sleep replaces the GitHub client's rate-limit wait in tests.
	Sleep func(ctx context.Context, d time.Duration) error
}

// NewCmdAction builds `git agent action`. runF replaces the behaviour in
// tests.
func NewCmdAction(f *Factory, runF func(*ActionOptions) error) *cobra.Command {
	opts := &ActionOptions{F: f}
	cmd := &cobra.Command{
		Use:   "action",
		Short: "Run as the git-agent GitHub Action: review pull requests, answer /agent comments",
		Long: `Run inside a GitHub Actions job (see action.yml and docs/action.md). The
inputs come from INPUT_* variables and the trigger from GITHUB_EVENT_NAME and
GITHUB_EVENT_PATH:

  pull_request    review the diff with the base branch's review rules (and
                  a model, given provider or api-key) and post one review
                  with inline comments plus one sticky summary; mode fix runs
                  the prompt on the pull request's head and pushes the
                  commit, mode auto reviews and then fixes
  issue_comment   "/agent review" from someone with write access (or a bot in
                  allowed-bots) does the same; "/agent help" answers with usage;
                  "/agent fix TASK" runs the task on the pull request's head
                  and pushes the commit (never forced; a fork gets a new
                  branch and a link to open a pull request)
  workflow_dispatch  the prompt runs on the checked-out commit and is pushed
                  to a new agent/ branch

Pull requests from forks get a read-only token: findings become workflow
annotations and the step summary instead. The exit status is 1 when a finding
is at or above fail-on, when the commenter may not trigger the agent, and on
any failure, each explained by an ::error annotation.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return actionRun(opts)
		},
	}
	return cmd
}

// Action conclusions, the conclusion output.
const (
	conclusionSuccess = "success"
	conclusionFailure = "failure"
	conclusionSkipped = "skipped"
	conclusionRefused = "refused"
)

// actionResult is what a run produced: the step's outputs and summary.
type actionResult struct {
	conclusion string
	reviewID   int64
	commentURL string
	findings   *reviewed // nil when no review ran
	auditLog   string
	auditHead  string
	sessionID  string // set by fix
	branch     string
	commit     string
	sbom       string
	bench      string
	started    time.Time
	// sbomComponents counts the SBOM's components; benchFigures are the
	// bench input's results.
	sbomComponents int
	benchFigures   []bench.Figure
	// usage is what the model review cost; nil when no model ran.
	usage *action.Usage
}

// actionRun reads the inputs and the event and dispatches on the event.
// Whatever happens, the outputs and the step summary are written, and a
// failure is also an ::error annotation: never a silent green skip.
func actionRun(opts *ActionOptions) (err error) {
	f := opts.F
	out := f.IO.Out
	res := &actionResult{started: f.Now()}

	in, inErr := action.ReadInputs(f.Getenv)
	// Mask first: nothing below may print a secret unmasked.
	for _, s := range in.Secrets() {
		if merr := action.AddMask(out, s); merr != nil {
			return fmt.Errorf("mask secrets: %w", merr)
		}
	}
	outputs := action.NewOutputs(f.Getenv, out)
	defer func() {
		if err != nil && res.conclusion == "" {
			res.conclusion = conclusionFailure
		}
		if werr := writeActionOutputs(f, outputs, res); werr != nil && err == nil {
			err = werr
		}
		if err != nil {
			var ee *ExitError
			if !errors.As(err, &ee) {
				_ = action.Error(out, "git-agent", err.Error(), "", 0)
			}
		}
	}()
	if inErr != nil {
		return &UsageError{Err: fmt.Errorf("action inputs: %w", inErr)}
	}
	ev, err := action.ReadEvent(f.Getenv)
	if err != nil {
		return &UsageError{Err: err}
	}

	ctx, cancel := context.WithTimeout(f.Context, in.Timeout)
	defer cancel()
	run := &actionCtx{f: f, opts: opts, in: in, ev: ev, res: res, ctx: ctx}
	err = run.dispatch()
	var ee *ExitError
	if err == nil || errors.As(err, &ee) {
		if xerr := run.extras(); xerr != nil {
			err = xerr
		}
	}
	if ctx.Err() == context.DeadlineExceeded {
		res.conclusion = conclusionFailure
		return fmt.Errorf("git agent action timed out after %s and stopped (fail closed); raise the timeout input or review a smaller change", in.Timeout)
	}
	return err
}

// actionCtx is one run's state, shared by the event handlers.
type actionCtx struct {
	f      *Factory
	opts   *ActionOptions
	in     action.Inputs
	ev     *action.Event
	res    *actionResult
	ctx    context.Context
	client *github.Client
	rec    *recorder
}

func (a *actionCtx) notice(msg string) {
	_ = action.Notice(a.f.IO.Out, "git-agent", msg, "", 0)
}

// skip ends the run successfully with a notice saying why it did nothing.
func (a *actionCtx) skip(msg string) error {
	a.notice(msg)
	a.res.conclusion = conclusionSkipped
	return nil
}

func (a *actionCtx) dispatch() error {
	switch a.ev.Kind {
	case action.KindPullRequest:
		pr := a.ev.PullRequest
		if pr.Draft {
			return a.skip(fmt.Sprintf("pull request #%d is a draft: not reviewed; it will be when it is marked ready for review", pr.Number))
		}
		switch a.in.Mode {
		case "fix":
			return a.fixPullRequest(pr, nil)
		case "auto":
			err := a.reviewPullRequest(pr.Number, a.ev.IsFork())
			var ee *ExitError
			if err != nil && !errors.As(err, &ee) {
				return err
			}
			// The review is posted; its fail-on verdict stands unless the fix
			// itself fails.
			if ferr := a.fixPullRequest(pr, a.res.findings); ferr != nil {
				return ferr
			}
			if err != nil {
				a.res.conclusion = conclusionFailure
			}
			return err
		}
		return a.reviewPullRequest(pr.Number, a.ev.IsFork())
	case action.KindComment:
		return a.handleComment()
	case action.KindDispatch:
		return a.dispatchTask()
	}
	return a.skip("nothing to do: " + a.ev.Reason)
}

// repo splits GITHUB_REPOSITORY.
func (a *actionCtx) repo() (string, string, error) {
	owner, name, ok := strings.Cut(a.ev.Repository, "/")
	if !ok || owner == "" || name == "" {
		return "", "", usageErrorf("GITHUB_REPOSITORY is not set to owner/name: run inside GitHub Actions or set it")
	}
	return owner, name, nil
}

// github returns the API client, made on first use from github-token (or
// GITHUB_TOKEN) and GITHUB_API_URL.
func (a *actionCtx) github() (*github.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	token := a.in.GitHubToken
	if token == "" {
		token = a.f.Getenv("GITHUB_TOKEN")
	}
	if token == "" {
		return nil, usageErrorf("no GitHub token: set the github-token input (the default is ${{ github.token }}) with pull-requests: write")
	}
	c, err := github.NewClient(github.Options{Token: token, BaseURL: a.ev.APIURL, ServerURL: a.ev.ServerURL,
		HTTPClient: a.f.HTTPClient, Sleep: a.opts.Sleep, Now: a.f.Now})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	a.client = c
	return c, nil
}

// writeActionOutputs sets every output (empty ones too, so later steps can
// test them) and appends the step summary.
func writeActionOutputs(f *Factory, o *action.Outputs, res *actionResult) error {
	var count, reviewID string
	if res.findings != nil {
		count = strconv.Itoa(len(res.findings.findings))
	}
	if res.reviewID != 0 {
		reviewID = strconv.FormatInt(res.reviewID, 10)
	}
	pairs := [][2]string{
		{"conclusion", res.conclusion}, {"review-id", reviewID}, {"comment-url", res.commentURL},
		{"findings", count}, {"session-id", res.sessionID}, {"branch", res.branch}, {"commit", res.commit},
		{"audit-log", res.auditLog}, {"audit-head", res.auditHead}, {"sbom", res.sbom}, {"bench", res.bench},
	}
	var errs []error
	for _, p := range pairs {
		if err := o.Set(p[0], p[1]); err != nil {
			errs = append(errs, err)
		}
	}
	if err := o.WriteSummary(actionSummary(f, res)); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// actionSummary renders the step summary.
func actionSummary(f *Factory, res *actionResult) string {
	s := action.Summary{Title: "git agent: " + res.conclusion, AuditHead: res.auditHead, AuditLog: res.auditLog, Usage: res.usage}
	if res.findings != nil {
		for _, fd := range res.findings.findings {
			s.Findings = append(s.Findings, action.Finding{Severity: severityName(fd.Severity), File: fd.Path,
				Line: fd.Line, Rule: fd.Rule, Message: fd.Message})
		}
	}
	if res.commentURL != "" {
		s.Links = append(s.Links, action.Link{Text: "review summary", URL: res.commentURL})
	}
	extrasSummary(&s, res)
	md := s.Markdown()
	if res.findings == nil {
		// No review ran: "No findings." would mislead.
		md = strings.Replace(md, "No findings.\n\n", "No review ran.\n\n", 1)
	}
	return md + fmt.Sprintf("\n**Duration:** %s\n", f.Now().Sub(res.started).Round(time.Millisecond))
}
