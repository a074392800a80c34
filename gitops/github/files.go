package github

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	gh "github.com/google/go-github/v66/github"
)

// File is a file a pull request changes.
type File struct {
	Path         string
	PreviousPath string // for renames
	Status       string // added, removed, modified, renamed, copied, changed, unchanged
	Additions    int
	Deletions    int
	Patch        string // the file's unified diff hunks; empty for binary or very large files
}

// PullRequestFiles lists the files a pull request changes, every page of
// them (GitHub stops at 3000 files).
func (c *Client) PullRequestFiles(ctx context.Context, owner, repo string, number int) ([]File, error) {
	var files []File
	opt := &gh.ListOptions{PerPage: perPage}
	for {
		fs, resp, err := c.gh.PullRequests.ListFiles(ctx, owner, repo, number, opt)
		if err != nil {
			return nil, c.fail(fmt.Sprintf("list files of %s/%s#%d", owner, repo, number), "pull-requests: read", err)
		}
		for _, f := range fs {
			files = append(files, File{
				Path:         f.GetFilename(),
				PreviousPath: f.GetPreviousFilename(),
				Status:       f.GetStatus(),
				Additions:    f.GetAdditions(),
				Deletions:    f.GetDeletions(),
				Patch:        f.GetPatch(),
			})
		}
		if resp.NextPage == 0 {
			return files, nil
		}
		opt.Page = resp.NextPage
	}
}

// Ref returns the commit SHA a branch points at. The branch may be given as
// "main", "heads/main" or "refs/heads/main". A missing branch is an
// *APIError of KindNotFound.
func (c *Client) Ref(ctx context.Context, owner, repo, branch string) (sha string, err error) {
	name := strings.TrimPrefix(strings.TrimPrefix(branch, "refs/"), "heads/")
	r, _, err := c.gh.Git.GetRef(ctx, owner, repo, "heads/"+name)
	if err != nil {
		return "", c.fail(fmt.Sprintf("get branch %s of %s/%s", name, owner, repo), "contents: read", err)
	}
	return r.GetObject().GetSHA(), nil
}

// CompareURL is the web page comparing head with base on owner/repo, with
// the form to open a pull request already expanded: the link to offer
// after pushing a fix to a new branch.
func (c *Client) CompareURL(owner, repo, base, head string) string {
	return fmt.Sprintf("%s/%s/%s/compare/%s...%s?expand=1", c.server,
		url.PathEscape(owner), url.PathEscape(repo), escapeRef(base), escapeRef(head))
}

// escapeRef escapes a branch name for a URL path, keeping its slashes.
func escapeRef(ref string) string {
	parts := strings.Split(ref, "/")
	for i, p := range parts {
		parts[i] = url.PathEscape(p)
	}
	return strings.Join(parts, "/")
}

// serverURL is the web UI root: explicit, or derived from the API URL
// (api.github.com → github.com; https://ghe/api/v3/ → https://ghe).
func serverURL(explicit string, api *url.URL) (string, error) {
	if explicit != "" {
		u, err := url.Parse(explicit)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return "", fmt.Errorf("github: invalid server URL %q: want http(s)://host, e.g. GITHUB_SERVER_URL=https://github.com", explicit)
		}
		return strings.TrimRight(u.String(), "/"), nil
	}
	u := *api
	u.RawQuery, u.Fragment = "", ""
	switch {
	case u.Host == "api.github.com":
		u.Host, u.Path = "github.com", ""
	default:
		u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/api/v3")
	}
	u.RawPath = ""
	return strings.TrimRight(u.String(), "/"), nil
}
