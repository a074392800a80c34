// Package github is git-agent's layer over the GitHub REST API (go-github):
// it posts review findings to a pull request (one COMMENT review with inline
// comments anchored to the diff, and sticky comments), and gives the GitHub
// Action what it needs to act on a pull request: collaborator permissions,
// reactions, check runs with annotations, changed files and branch refs.
// Failures come back as *APIError saying what to do. It never approves or
// requests changes on a pull request, never puts the token in an error, and
// never imports agent or model code; findings come in as review.Finding values.
package github

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	gh "github.com/google/go-github/v66/github"
)

// DefaultBaseURL is the public GitHub REST API.
const DefaultBaseURL = "https://api.github.com/"

// Options configures a Client.
type Options struct {
	Token      string       // GITHUB_TOKEN; empty means unauthenticated (read-only, public repos)
	BaseURL    string       // GITHUB_API_URL (GitHub Enterprise, tests); default DefaultBaseURL
	HTTPClient *http.Client // nil means a fresh http.Client

	// ServerURL is the web UI (GITHUB_SERVER_URL) for links such as
	// CompareURL; empty derives it from BaseURL.
	ServerURL string
	// Login is whose comments count as this client's own in UpsertSticky;
	// empty asks GET /user (see UpsertSticky for tokens that cannot).
	Login string
	// Sleep waits out a short rate limit before the one retry; nil sleeps
	// for real, honouring ctx. Now reads the clock for rate-limit resets.
	Sleep func(ctx context.Context, d time.Duration) error
	Now   func() time.Time
}

// Client talks to one GitHub REST API endpoint. It is safe for concurrent use.
type Client struct {
	gh     *gh.Client
	token  string // only to scrub it from error messages
	server string // web UI root, no trailing slash
	now    func() time.Time

	mu    sync.Mutex
	owner *owner // who this client's own comments are by; nil until asked
	login string // Options.Login
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
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	var hc http.Client
	if o.HTTPClient != nil {
		hc = *o.HTTPClient
	}
	hc.Transport = &retryTransport{base: hc.Transport, sleep: o.Sleep, now: o.Now}
	c := gh.NewClient(&hc)
	if o.Token != "" {
		c = c.WithAuthToken(o.Token)
	}
	c.BaseURL = u
	c.UserAgent = "git-agent"
	server, err := serverURL(o.ServerURL, u)
	if err != nil {
		return nil, err
	}
	return &Client{gh: c, token: o.Token, server: server, now: o.Now, login: o.Login}, nil
}

// PR identifies a pull request and the commits its diff was taken between.
type PR struct {
	Owner, Repo      string
	Number           int
	HeadSHA, BaseSHA string
	// Title, Body and State ("open", "closed") as GitHub has them; the
	// branches and their repositories (owner/name; HeadRepo is "" when a
	// fork was deleted).
	Title, Body, State string
	HeadRef, BaseRef   string
	HeadRepo, BaseRepo string
}

func (p *PR) String() string { return fmt.Sprintf("%s/%s#%d", p.Owner, p.Repo, p.Number) }

// PullRequest fetches a pull request's head and base commits.
func (c *Client) PullRequest(ctx context.Context, owner, repo string, number int) (*PR, error) {
	pr, _, err := c.gh.PullRequests.Get(ctx, owner, repo, number)
	if err != nil {
		return nil, c.fail(fmt.Sprintf("get pull request %s/%s#%d", owner, repo, number), "pull-requests: read", err)
	}
	return &PR{
		Owner:    owner,
		Repo:     repo,
		Number:   number,
		HeadSHA:  pr.GetHead().GetSHA(),
		BaseSHA:  pr.GetBase().GetSHA(),
		Title:    pr.GetTitle(),
		Body:     pr.GetBody(),
		State:    pr.GetState(),
		HeadRef:  pr.GetHead().GetRef(),
		BaseRef:  pr.GetBase().GetRef(),
		HeadRepo: pr.GetHead().GetRepo().GetFullName(),
		BaseRepo: pr.GetBase().GetRepo().GetFullName(),
	}, nil
}

// PullRequestDiff fetches a pull request's raw unified diff, the same text
// review.ParseDiff reads, so findings line up with what GitHub anchors to.
func (c *Client) PullRequestDiff(ctx context.Context, owner, repo string, number int) ([]byte, error) {
	diff, _, err := c.gh.PullRequests.GetRaw(ctx, owner, repo, number, gh.RawOptions{Type: gh.Diff})
	if err != nil {
		return nil, c.fail(fmt.Sprintf("get diff of %s/%s#%d", owner, repo, number), "pull-requests: read", err)
	}
	return []byte(diff), nil
}
