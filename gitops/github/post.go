package github

import (
	"context"
	"fmt"
	"net/http"

	gh "github.com/google/go-github/v66/github"

	"github.com/git-agent/git-agent/review"
)

// PostOptions tunes PostReview.
type PostOptions struct {
	Marker      string // hidden review marker, default "git-agent-review"
	MaxComments int    // inline comments per review, default 30; the rest go in the body
	Summary     string // markdown for the sticky summary comment; empty skips it
}

// PostResult says what PostReview did.
type PostResult struct {
	ReviewID   int64  // 0 when every finding was already on the pull request
	Posted     int    // inline comments
	Summarised int    // findings listed in the review body instead
	Skipped    int    // findings an earlier run already posted
	SummaryURL string // the sticky summary comment, when Summary was set
	Fallback   bool   // GitHub rejected the inline comments and all went in the body
}

const perPage = 100

// PostReview posts findings on pr as one COMMENT review: anchored findings
// as inline comments on the right side of files' hunks, the rest listed in
// the review body. Findings an earlier run posted are skipped. It then
// creates or updates the sticky summary comment. When the review was posted
// but the summary failed, it returns both the result and the error.
func (c *Client) PostReview(ctx context.Context, pr *PR, files []review.FileDiff, findings []review.Finding, o PostOptions) (*PostResult, error) {
	if pr == nil || pr.Owner == "" || pr.Repo == "" || pr.Number <= 0 || pr.HeadSHA == "" {
		return nil, fmt.Errorf("post review: incomplete pull request %+v: fetch it with PullRequest first", pr)
	}
	if o.Marker == "" {
		o.Marker = "git-agent-review"
	}
	if o.MaxComments <= 0 {
		o.MaxComments = 30
	}
	seen, err := c.postedMarkers(ctx, pr)
	if err != nil {
		return nil, err
	}
	res := &PostResult{}
	var fresh []review.Finding
	for _, f := range findings {
		m := findingMarker(f)
		if seen[m] {
			res.Skipped++
			continue
		}
		seen[m] = true
		fresh = append(fresh, f)
	}
	sortFindings(fresh)

	if len(fresh) > 0 {
		req := buildReview(pr, review.NewAnchors(files), fresh, o, false)
		rv, _, err := c.gh.PullRequests.CreateReview(ctx, pr.Owner, pr.Repo, pr.Number, req)
		// 422 means GitHub would not place a comment (the diff moved on,
		// or our view of it differs); the findings still deserve a review.
		if statusOf(err) == http.StatusUnprocessableEntity && len(req.Comments) > 0 {
			res.Fallback = true
			req = buildReview(pr, nil, fresh, o, true)
			rv, _, err = c.gh.PullRequests.CreateReview(ctx, pr.Owner, pr.Repo, pr.Number, req)
		}
		if err != nil {
			return nil, c.fail("post review on "+pr.String(), "pull-requests: write", err)
		}
		res.ReviewID = rv.GetID()
		res.Posted = len(req.Comments)
		res.Summarised = len(fresh) - res.Posted
	}

	if o.Summary != "" {
		url, err := c.upsertSummary(ctx, pr, o.Summary)
		if err != nil {
			return res, err
		}
		res.SummaryURL = url
	}
	return res, nil
}

// buildReview turns findings into a review request. With allInBody, or for
// findings that are not anchored or over the limit, they go in the body.
func buildReview(pr *PR, ix review.Anchors, fs []review.Finding, o PostOptions, allInBody bool) *gh.PullRequestReviewRequest {
	var comments []*gh.DraftReviewComment
	var unanchored, overflow []review.Finding
	for _, f := range fs {
		switch {
		case allInBody || !ix.Contain(f):
			unanchored = append(unanchored, f)
		case len(comments) >= o.MaxComments:
			overflow = append(overflow, f)
		default:
			comments = append(comments, draftComment(f))
		}
	}
	sections := []section{
		{"Not on a changed line of this diff:", unanchored},
		{fmt.Sprintf("Over the limit of %d inline comments:", o.MaxComments), overflow},
	}
	if allInBody {
		sections = []section{{"GitHub would not place these as inline comments:", unanchored}}
	}
	return &gh.PullRequestReviewRequest{
		CommitID: gh.String(pr.HeadSHA),
		Event:    gh.String("COMMENT"),
		Body:     gh.String(reviewBody(o.Marker, len(comments), sections...)),
		Comments: comments,
	}
}

func draftComment(f review.Finding) *gh.DraftReviewComment {
	c := &gh.DraftReviewComment{
		Path: gh.String(f.Path),
		Body: gh.String(commentBody(f)),
		Side: gh.String("RIGHT"),
		Line: gh.Int(f.LastLine()),
	}
	if f.LastLine() > f.Line {
		c.StartLine = gh.Int(f.Line)
		c.StartSide = gh.String("RIGHT")
	}
	return c
}

// postedMarkers collects the per-finding markers already on pr, from inline
// review comments and from review bodies (unanchored and fallback findings).
func (c *Client) postedMarkers(ctx context.Context, pr *PR) (map[string]bool, error) {
	seen := map[string]bool{}
	opt := &gh.PullRequestListCommentsOptions{ListOptions: gh.ListOptions{PerPage: perPage}}
	for {
		cs, resp, err := c.gh.PullRequests.ListComments(ctx, pr.Owner, pr.Repo, pr.Number, opt)
		if err != nil {
			return nil, c.fail("list review comments on "+pr.String(), "pull-requests: read", err)
		}
		for _, cm := range cs {
			for _, m := range markersIn(cm.GetBody()) {
				seen[m] = true
			}
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	lopt := &gh.ListOptions{PerPage: perPage}
	for {
		rs, resp, err := c.gh.PullRequests.ListReviews(ctx, pr.Owner, pr.Repo, pr.Number, lopt)
		if err != nil {
			return nil, c.fail("list reviews on "+pr.String(), "pull-requests: read", err)
		}
		for _, r := range rs {
			for _, m := range markersIn(r.GetBody()) {
				seen[m] = true
			}
		}
		if resp.NextPage == 0 {
			break
		}
		lopt.Page = resp.NextPage
	}
	return seen, nil
}

// upsertSummary edits this client's issue comment carrying SummaryMarker,
// or creates it, so a pull request has one summary however often git-agent
// runs. Ownership works as in UpsertSticky.
func (c *Client) upsertSummary(ctx context.Context, pr *PR, summary string) (string, error) {
	return c.upsertComment(ctx, pr.Owner, pr.Repo, pr.Number, SummaryMarker, summary, "summary comment")
}
