package github

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"unicode/utf8"

	gh "github.com/google/go-github/v66/github"
)

// maxBody is GitHub's limit on a comment body and on a check run's summary
// and text. It counts characters; capping bytes keeps under it for any text.
const maxBody = 65535

// stickyName keeps a marker to one word without ':', so it cannot end the
// HTML comment or look like a per-finding marker (rule:path:line).
var stickyName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`) })

// StickyMarker is the hidden text UpsertSticky puts in the comment for name.
func StickyMarker(name string) string { return "<!-- git-agent:" + name + " -->" }

// UpsertSticky keeps one issue comment per pull request (or issue) for
// marker: it updates the comment carrying StickyMarker(marker) or, if there
// is none, creates it, so reruns never duplicate it. It returns the
// comment's URL.
//
// Only comments this client wrote count, so nobody can hijack a sticky
// comment by pasting its marker: the author must be Options.Login, else the
// token's user per GET /user, else, when GET /user answers 403 as it does
// for GitHub Actions and GitHub App tokens, the Bot github-actions[bot].
// (A GitHub App posts as its own "<app>[bot]"; set Options.Login to that.)
func (c *Client) UpsertSticky(ctx context.Context, owner, repo string, number int, marker, body string) (url string, err error) {
	if !stickyName().MatchString(marker) {
		return "", fmt.Errorf("upsert sticky comment on %s/%s#%d: invalid marker %q: use letters, digits, '.', '_' and '-'", owner, repo, number, marker)
	}
	return c.upsertComment(ctx, owner, repo, number, StickyMarker(marker), body, "sticky comment "+marker)
}

// upsertComment edits the first comment by this client that carries
// marker, or creates one; what names it in errors.
func (c *Client) upsertComment(ctx context.Context, owner, repo string, number int, marker, body, what string) (string, error) {
	where := fmt.Sprintf("%s/%s#%d", owner, repo, number)
	text := truncate(strings.TrimRight(body, "\n"), maxBody-len(marker)-3) + "\n\n" + marker + "\n"
	comment := &gh.IssueComment{Body: gh.String(text)}
	opt := &gh.IssueListCommentsOptions{ListOptions: gh.ListOptions{PerPage: perPage}}
	for {
		cs, resp, err := c.gh.Issues.ListComments(ctx, owner, repo, number, opt)
		if err != nil {
			return "", c.fail("list comments on "+where, "pull-requests: read", err)
		}
		for _, cm := range cs {
			if !strings.Contains(cm.GetBody(), marker) {
				continue
			}
			me, err := c.self(ctx)
			if err != nil {
				return "", fmt.Errorf("update %s on %s: %w", what, where, err)
			}
			if !me.wrote(cm.GetUser()) {
				continue // someone else quoting or forging the marker
			}
			got, _, err := c.gh.Issues.EditComment(ctx, owner, repo, cm.GetID(), comment)
			if err != nil {
				return "", c.fail("update "+what+" on "+where, "pull-requests: write", err)
			}
			return got.GetHTMLURL(), nil
		}
		if resp.NextPage == 0 {
			break
		}
		opt.Page = resp.NextPage
	}
	got, _, err := c.gh.Issues.CreateComment(ctx, owner, repo, number, comment)
	if err != nil {
		return "", c.fail("create "+what+" on "+where, "pull-requests: write", err)
	}
	return got.GetHTMLURL(), nil
}

// truncate cuts s to at most n bytes on a rune boundary, saying so.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	const note = "\n\n… (truncated)"
	cut := max(n-len(note), 0)
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + note
}
