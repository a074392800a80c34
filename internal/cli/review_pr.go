package cli

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"sync"

	"github.com/git-agent/git-agent/gitops/github"
	"github.com/git-agent/git-agent/internal/audit"
	"github.com/git-agent/git-agent/review"
)

// reviewPR reviews a GitHub pull request's diff and, with --post, posts the
// findings as one review plus a sticky summary comment.
func reviewPR(opts *ReviewOptions, dir string) error {
	f := opts.F
	owner, name, err := prRepository(opts, dir)
	if err != nil {
		return err
	}
	token := f.Getenv("GITHUB_TOKEN")
	if opts.Post && token == "" {
		return usageErrorf("--post needs a token: set GITHUB_TOKEN (pull-requests: write)")
	}
	client, err := github.NewClient(github.Options{Token: token, BaseURL: f.Getenv("GITHUB_API_URL"), HTTPClient: f.HTTPClient})
	if err != nil {
		return &UsageError{Err: err}
	}
	pr, err := client.PullRequest(f.Context, owner, name, opts.PR)
	if err != nil {
		return err
	}
	raw, err := client.PullRequestDiff(f.Context, owner, name, opts.PR)
	if err != nil {
		return err
	}
	files, err := review.ParseDiff(bytes.NewReader(raw))
	if err != nil {
		return fmt.Errorf("parse the diff of %s: %w", pr, err)
	}
	findings, err := review.Check(files, reviewOptions(f, dir))
	if err != nil {
		return err
	}
	if opts.ModelReview {
		findings = append(findings, modelReview(opts, dir, files)...)
		review.Sort(findings)
	}
	if opts.Post {
		e, w, i := review.Summary(findings)
		summary := fmt.Sprintf("### git-agent review\n\n%d error(s), %d warning(s), %d note(s) in %d file(s) at %s.\n",
			e, w, i, len(files), short(pr.HeadSHA))
		rec, err := f.commandRecorder(dir, "")
		if err != nil {
			return err
		}
		res, err := client.PostReview(f.Context, pr, files, findings, github.PostOptions{Summary: summary})
		entry := audit.Entry{Operation: "github.review", Target: pr.String(), Decision: "ok"}
		if err != nil {
			entry.Decision, entry.Reason = "failed", err.Error()
		} else {
			entry.Details = map[string]any{"review_id": res.ReviewID, "inline": res.Posted, "in_body": res.Summarised,
				"skipped": res.Skipped, "summary_url": res.SummaryURL, "head": pr.HeadSHA}
		}
		rec.note(f, entry)
		if err != nil {
			return err
		}
		fmt.Fprintf(f.IO.ErrOut, "posted review on %s: %d inline, %d in the body, %d already posted", pr, res.Posted, res.Summarised, res.Skipped)
		if res.Fallback {
			fmt.Fprint(f.IO.ErrOut, " (GitHub refused the inline anchors; all findings are in the body)")
		}
		fmt.Fprintln(f.IO.ErrOut)
		if res.SummaryURL != "" {
			fmt.Fprintf(f.IO.ErrOut, "summary: %s\n", res.SummaryURL)
		}
	}
	return reportFindings(opts, findings)
}

var remoteRepo = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`github\.com[:/]([^/]+)/([^/]+?)(?:\.git)?/?$`) })

// prRepository finds OWNER/NAME: --repo, GITHUB_REPOSITORY (set in Actions),
// or the origin remote's URL.
func prRepository(opts *ReviewOptions, dir string) (string, string, error) {
	spec := opts.Repo
	if spec == "" {
		spec = opts.F.Getenv("GITHUB_REPOSITORY")
	}
	if spec == "" {
		if out, err := reviewGit(opts.F.Context, dir, "remote", "get-url", "origin"); err == nil {
			if m := remoteRepo().FindStringSubmatch(strings.TrimSpace(string(out))); m != nil {
				spec = m[1] + "/" + m[2]
			}
		}
	}
	owner, name, ok := strings.Cut(spec, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return "", "", usageErrorf("which repository is pull request %d in? pass --repo OWNER/NAME (or set GITHUB_REPOSITORY)", opts.PR)
	}
	return owner, name, nil
}
