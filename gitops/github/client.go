// Package github posts git-agent's review findings to a pull request through
// the GitHub REST API: one COMMENT review with inline comments anchored to the
// diff, and one sticky summary comment. It never approves or requests changes
// on a pull request, and it never imports agent or model code; findings come
// in as review.Finding values.
package github

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	gh "github.com/google/go-github/v66/github"
)

// DefaultBaseURL is the public GitHub REST API.
const DefaultBaseURL = "https://api.github.com/"

// Options configures a Client.
type Options struct {
	Token      string       // GITHUB_TOKEN; empty means unauthenticated (read-only, public repos)
	BaseURL    string       // GITHUB_API_URL (GitHub Enterprise, tests); default DefaultBaseURL
	HTTPClient *http.Client // nil means a fresh http.Client
}

// Client talks to one GitHub REST API endpoint.
type Client struct {
	gh *gh.Client
}

// NewClient returns a Client for o.BaseURL, authenticating with o.Token.
func NewClient(o Options) (*Client, error) {
	base := o.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("github: invalid API URL %q: want http(s)://host[/path], e.g. GITHUB_API_URL=https://ghe.example.com/api/v3", base)
	}
	// go-github resolves relative paths against BaseURL, which only keeps
	// the last path segment (api/v3) if the URL ends in a slash.
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	c := gh.NewClient(o.HTTPClient)
	if o.Token != "" {
		c = c.WithAuthToken(o.Token)
	}
	c.BaseURL = u
	c.UserAgent = "git-agent"
	return &Client{gh: c}, nil
}

// PR identifies a pull request and the commits its diff was taken between.
type PR struct {
	Owner, Repo      string
	Number           int
	HeadSHA, BaseSHA string
}

func (p *PR) String() string { return fmt.Sprintf("%s/%s#%d", p.Owner, p.Repo, p.Number) }

// PullRequest fetches a pull request's head and base commits.
func (c *Client) PullRequest(ctx context.Context, owner, repo string, number int) (*PR, error) {
	pr, _, err := c.gh.PullRequests.Get(ctx, owner, repo, number)
	if err != nil {
		return nil, wrap(fmt.Sprintf("get pull request %s/%s#%d", owner, repo, number), err)
	}
	return &PR{
		Owner:   owner,
		Repo:    repo,
		Number:  number,
		HeadSHA: pr.GetHead().GetSHA(),
		BaseSHA: pr.GetBase().GetSHA(),
	}, nil
}

// PullRequestDiff fetches a pull request's raw unified diff, the same text
// review.ParseDiff reads, so findings line up with what GitHub anchors to.
func (c *Client) PullRequestDiff(ctx context.Context, owner, repo string, number int) ([]byte, error) {
	diff, _, err := c.gh.PullRequests.GetRaw(ctx, owner, repo, number, gh.RawOptions{Type: gh.Diff})
	if err != nil {
		return nil, wrap(fmt.Sprintf("get diff of %s/%s#%d", owner, repo, number), err)
	}
	return []byte(diff), nil
}

// statusOf returns the HTTP status of a GitHub API error, or 0.
func statusOf(err error) int {
	var e *gh.ErrorResponse
	if errors.As(err, &e) && e.Response != nil {
		return e.Response.StatusCode
	}
	return 0
}

// wrap prefixes err with what was being done and, for the failures a user
// fixes rather than retries, says how.
func wrap(what string, err error) error {
	switch statusOf(err) {
	case http.StatusUnauthorized:
		return fmt.Errorf("%s: %w (set GITHUB_TOKEN to a valid token)", what, err)
	case http.StatusForbidden, http.StatusNotFound:
		return fmt.Errorf("%s: %w (check the repository and pull request exist and GITHUB_TOKEN can see them; posting needs pull-requests: write)", what, err)
	}
	return fmt.Errorf("%s: %w", what, err)
}
