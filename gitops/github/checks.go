package github

import (
	"context"
	"fmt"

	gh "github.com/google/go-github/v66/github"
)

// maxAnnotations is how many annotations GitHub takes per check-run request.
const maxAnnotations = 50

// CheckRun is a completed check run to report on a commit.
type CheckRun struct {
	Name        string // e.g. "git-agent"
	HeadSHA     string
	Conclusion  string // success, failure or neutral
	Title       string // default Name
	Summary     string // markdown; default Title; capped at 65535 bytes
	Text        string // markdown details; capped at 65535 bytes
	Annotations []Annotation
}

// Annotation marks lines of a file in the check run and the diff view.
type Annotation struct {
	Path               string // relative to the repository root
	StartLine, EndLine int    // EndLine 0 means StartLine
	Level              string // notice, warning or failure
	Title, Message     string
}

var (
	conclusions = map[string]bool{"success": true, "failure": true, "neutral": true}
	levelsOf    = map[string]bool{"notice": true, "warning": true, "failure": true}
)

// CreateCheckRun reports run as a completed check run on owner/repo and
// returns its ID and URL. GitHub takes at most 50 annotations per request,
// so the first 50 go with the POST and the rest follow in PATCHes of 50.
// If a PATCH fails, the check run exists: the ID and URL come back with the
// error.
func (c *Client) CreateCheckRun(ctx context.Context, owner, repo string, run CheckRun) (id int64, url string, err error) {
	what := fmt.Sprintf("create check run %q on %s/%s", run.Name, owner, repo)
	if err := run.validate(); err != nil {
		return 0, "", fmt.Errorf("%s: %w", what, err)
	}
	anns := make([]*gh.CheckRunAnnotation, len(run.Annotations))
	for i, a := range run.Annotations {
		anns[i] = &gh.CheckRunAnnotation{
			Path:            gh.String(a.Path),
			StartLine:       gh.Int(a.StartLine),
			EndLine:         gh.Int(max(a.EndLine, a.StartLine)),
			AnnotationLevel: gh.String(a.Level),
			Message:         gh.String(a.Message),
		}
		if a.Title != "" {
			anns[i].Title = gh.String(a.Title)
		}
	}
	output := func(batch []*gh.CheckRunAnnotation) *gh.CheckRunOutput {
		o := &gh.CheckRunOutput{
			Title:       gh.String(firstOf(run.Title, run.Name)),
			Summary:     gh.String(truncate(firstOf(run.Summary, run.Title, run.Name), maxBody)),
			Annotations: batch,
		}
		// Sent with every batch: an output without text may clear it.
		if run.Text != "" {
			o.Text = gh.String(truncate(run.Text, maxBody))
		}
		return o
	}
	first := anns[:min(len(anns), maxAnnotations)]
	cr, _, err := c.gh.Checks.CreateCheckRun(ctx, owner, repo, gh.CreateCheckRunOptions{
		Name:       run.Name,
		HeadSHA:    run.HeadSHA,
		Status:     gh.String("completed"),
		Conclusion: gh.String(run.Conclusion),
		Output:     output(first),
	})
	if err != nil {
		return 0, "", c.fail(what, "checks: write", err)
	}
	id, url = cr.GetID(), cr.GetHTMLURL()
	for i := len(first); i < len(anns); i += maxAnnotations {
		batch := anns[i:min(len(anns), i+maxAnnotations)]
		_, _, err := c.gh.Checks.UpdateCheckRun(ctx, owner, repo, id, gh.UpdateCheckRunOptions{Name: run.Name, Output: output(batch)})
		if err != nil {
			return id, url, c.fail(fmt.Sprintf("add annotations %d-%d to check run %d on %s/%s", i+1, i+len(batch), id, owner, repo), "checks: write", err)
		}
	}
	return id, url, nil
}

func (r *CheckRun) validate() error {
	switch {
	case r.Name == "":
		return fmt.Errorf("no name")
	case r.HeadSHA == "":
		return fmt.Errorf("no head commit SHA")
	case !conclusions[r.Conclusion]:
		return fmt.Errorf("conclusion %q: want success, failure or neutral", r.Conclusion)
	}
	for i, a := range r.Annotations {
		switch {
		case a.Path == "" || a.StartLine < 1 || (a.EndLine != 0 && a.EndLine < a.StartLine):
			return fmt.Errorf("annotation %d: want a path and lines 1 <= start <= end, got %q %d-%d", i, a.Path, a.StartLine, a.EndLine)
		case !levelsOf[a.Level]:
			return fmt.Errorf("annotation %d: level %q: want notice, warning or failure", i, a.Level)
		case a.Message == "":
			return fmt.Errorf("annotation %d: no message", i)
		}
	}
	return nil
}

// firstOf returns the first of ss that is not empty.
func firstOf(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
