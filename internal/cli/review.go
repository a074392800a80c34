package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"github.com/git-agent/git-agent/gitops"
	"strings"

	"github.com/git-agent/git-agent/review"
	"github.com/spf13/cobra"
)

// ReviewOptions are the inputs of `git agent review`.
type ReviewOptions struct {
	F      *Factory
	Base   string
	Staged bool
	JSON   bool
	SARIF  bool
	Dir    string
	FailOn string
	PR     int
	Post   bool
	Repo   string
	// Model review (--model-review) and its provider flags.
	ModelReview                        bool
	Provider, Model, BaseURL, Cassette string
}

// NewCmdReview builds `git agent review`. runF replaces the behaviour in
// tests.
func NewCmdReview(f *Factory, runF func(*ReviewOptions) error) *cobra.Command {
	opts := &ReviewOptions{F: f}
	cmd := &cobra.Command{
		Use:   "review [--base REF | --staged] [--json | --sarif] [--fail-on LEVEL]",
		Short: "Check a diff for secrets, conflict markers and large or binary files",
		Long: `Check the changes of a branch, or the staged changes, with fast deterministic
checks: credentials (AWS, GitHub, OpenAI, Anthropic, Slack, Google keys, private
keys, JWTs, random-looking passwords), merge conflict markers, and large or
binary files added. Only added lines are checked; secrets are never printed in
full. No model is involved and nothing leaves the machine.

By default the diff is the working tree against the merge base of HEAD and the
default branch (origin/HEAD, else main, else master); --base REF diffs against
the merge base with REF instead, and --staged checks what the next commit
would contain.

The report goes to stdout as text, JSON (--json) or SARIF 2.1.0 (--sarif, for
code scanning). The exit status is 1 when a finding is at or above --fail-on
(default: error), 0 otherwise.`,
		Example: `  git agent review --staged
  git agent review --base origin/main --sarif > review.sarif
  git agent review --json --fail-on warning`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			switch {
			case opts.Base != "" && opts.Staged:
				return usageErrorf("--base and --staged cannot be used together")
			case opts.JSON && opts.SARIF:
				return usageErrorf("--json and --sarif cannot be used together")
			case opts.Post && opts.PR <= 0:
				return usageErrorf("--post needs --pr N")
			case opts.PR > 0 && (opts.Base != "" || opts.Staged):
				return usageErrorf("--pr reviews the pull request's own diff: drop --base and --staged")
			}
			if _, err := failThreshold(opts.FailOn); err != nil {
				return err
			}
			if runF != nil {
				return runF(opts)
			}
			return reviewRun(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Base, "base", "", "diff against the merge base of HEAD and REF (default: the default branch)")
	fl.BoolVar(&opts.Staged, "staged", false, "check the staged changes (git diff --cached)")
	fl.BoolVar(&opts.JSON, "json", false, "print the findings as a JSON array")
	fl.BoolVar(&opts.SARIF, "sarif", false, "print the findings as SARIF 2.1.0")
	fl.StringVarP(&opts.Dir, "cd", "C", "", "repository directory (default: the current directory)")
	fl.StringVar(&opts.FailOn, "fail-on", "error", "exit 1 on findings at or above this severity: error, warning or none")
	fl.IntVar(&opts.PR, "pr", 0, "review GitHub pull request N (GITHUB_TOKEN, GITHUB_API_URL; repository from --repo, GITHUB_REPOSITORY or the origin remote)")
	fl.BoolVar(&opts.Post, "post", false, "with --pr: post one review with inline comments and a sticky summary (never approves)")
	fl.StringVar(&opts.Repo, "repo", "", "with --pr: OWNER/NAME of the repository")
	fl.BoolVar(&opts.ModelReview, "model-review", false, "also ask the configured model for findings (anchored to the diff; fails open)")
	fl.StringVar(&opts.Provider, "provider", "", "with --model-review: model provider")
	fl.StringVar(&opts.Model, "model", "", "with --model-review: model name")
	fl.StringVar(&opts.BaseURL, "base-url", "", "with --model-review: API base URL")
	fl.StringVar(&opts.Cassette, "cassette", "", "with --model-review --provider replay: the cassette")
	return cmd
}

func reviewRun(opts *ReviewOptions) error {
	f := opts.F
	dir, err := workdir(f, opts.Dir)
	if err != nil {
		return err
	}
	if opts.PR > 0 {
		return reviewPR(opts, dir)
	}
	if _, err := reviewGit(f.Context, dir, "rev-parse", "--git-dir"); err != nil {
		return usageErrorf("%s is not in a git repository: %v", dir, err)
	}
	args := []string{"diff", "--no-ext-diff", "--no-textconv", "--no-color", "-U3",
		// Whatever diff.noprefix, diff.mnemonicPrefix or diff.relative say,
		// paths must be repository-relative with a/ and b/ prefixes.
		"--src-prefix=a/", "--dst-prefix=b/", "--no-relative"}
	if opts.Staged {
		args = append(args, "--cached")
	} else {
		base, err := mergeBase(f.Context, dir, opts.Base)
		if err != nil {
			return err
		}
		args = append(args, base)
	}
	out, err := reviewGit(f.Context, dir, args...)
	if err != nil {
		return err
	}
	files, err := review.ParseDiff(bytes.NewReader(out))
	if err != nil {
		return err
	}
	findings, err := review.Check(files, reviewOptions(f, dir))
	if err != nil {
		return err
	}
	if opts.ModelReview {
		findings = append(findings, modelReview(opts, dir, files)...)
		review.Sort(findings)
	}
	return reportFindings(opts, findings)
}

// reportFindings prints the report and turns --fail-on into the exit status.
func reportFindings(opts *ReviewOptions, findings []review.Finding) error {
	f := opts.F
	var err error
	switch {
	case opts.JSON:
		err = review.WriteJSON(f.IO.Out, findings)
	case opts.SARIF:
		err = review.WriteSARIF(f.IO.Out, findings, "git-agent", Version())
	default:
		err = review.WriteText(f.IO.Out, findings)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	threshold, _ := failThreshold(opts.FailOn)
	for _, fd := range findings {
		if rank(fd.Severity) >= threshold {
			return &ExitError{Code: ExitFailed}
		}
	}
	return nil
}

// failThreshold ranks --fail-on; "none" ranks above every severity.
func failThreshold(s string) (int, error) {
	switch s {
	case "error":
		return rank(review.SeverityError), nil
	case "warning":
		return rank(review.SeverityWarning), nil
	case "none":
		return rank(review.SeverityError) + 1, nil
	}
	return 0, usageErrorf("--fail-on %q: want error, warning or none", s)
}

func rank(s review.Severity) int {
	switch s {
	case review.SeverityError:
		return 2
	case review.SeverityWarning:
		return 1
	}
	return 0
}

// mergeBase returns the merge base of HEAD and ref, or of HEAD and the
// default branch when ref is "".
func mergeBase(ctx context.Context, dir, ref string) (string, error) {
	if ref == "" {
		var err error
		if ref, err = defaultBranch(ctx, dir); err != nil {
			return "", err
		}
	}
	out, err := reviewGit(ctx, dir, "merge-base", "HEAD", ref)
	if err != nil {
		return "", usageErrorf("find the merge base of HEAD and %s: %v (pass --base REF or --staged)", ref, err)
	}
	return strings.TrimSpace(string(out)), nil
}

// defaultBranch is what origin/HEAD points at, else main, else master.
func defaultBranch(ctx context.Context, dir string) (string, error) {
	if out, err := reviewGit(ctx, dir, "symbolic-ref", "-q", "refs/remotes/origin/HEAD"); err == nil {
		return strings.TrimPrefix(strings.TrimSpace(string(out)), "refs/remotes/"), nil
	}
	for _, b := range []string{"main", "master"} {
		if _, err := reviewGit(ctx, dir, "rev-parse", "-q", "--verify", "refs/heads/"+b); err == nil {
			return b, nil
		}
	}
	return "", usageErrorf("no default branch (origin/HEAD, main or master) in %s: pass --base REF or --staged", dir)
}

// reviewGit runs git with hooks, fsmonitor, pagers, external diff drivers
// and system config off, so that repository content cannot make review run
// code, and returns its stdout.
func reviewGit(ctx context.Context, dir string, args ...string) ([]byte, error) {
	// The same hardening as every git call git-agent makes: a repository's
	// hooks, fsmonitor, external diff, textconv and filters never run.
	out, err := (&gitops.Git{Dir: dir}).Run(ctx, args...)
	if err != nil {
		var ge *gitops.GitError
		if errors.As(err, &ge) {
			return nil, fmt.Errorf("git %s: %s", args[0], stderrLine(ge.Stderr, ge.Error()))
		}
		return nil, fmt.Errorf("git %s: %w", args[0], err)
	}
	return []byte(out), nil
}

// stderrLine is the first line of git's stderr, or fallback when it said
// nothing.
func stderrLine(s, fallback string) string {
	if s = firstLine(strings.TrimSpace(s)); s == "" {
		return fallback
	}
	return s
}

// reviewOptions builds the deterministic checks' options from the
// configuration for dir (review_rules); a broken configuration costs a
// warning, not the review.
func reviewOptions(f *Factory, dir string) review.Options {
	loaded, _, err := loadConfig(f.Context, f, dir, nil)
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: configured review rules skipped: %v\n", err)
		return review.Options{}
	}
	var o review.Options
	for _, r := range loaded.Config.ReviewRules {
		o.Rules = append(o.Rules, review.Rule{Name: r.Name, Paths: r.Paths, Pattern: r.Pattern,
			Severity: review.Severity(r.Severity), Message: r.Message})
	}
	return o
}
