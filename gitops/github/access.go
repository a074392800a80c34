package github

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	gh "github.com/google/go-github/v66/github"
)

// Permission returns login's permission on owner/repo: admin, maintain,
// write, triage, read or none. Someone GitHub does not know as a
// collaborator (404) has "none", so callers can deny without special cases.
func (c *Client) Permission(ctx context.Context, owner, repo, login string) (string, error) {
	p, _, err := c.gh.Repositories.GetPermissionLevel(ctx, owner, repo, login)
	if statusOf(err) == http.StatusNotFound {
		return "none", nil
	}
	if err != nil {
		return "", c.fail(fmt.Sprintf("get %s's permission on %s/%s", login, owner, repo), "metadata: read", err)
	}
	// role_name has the fine levels (maintain, triage); permission only
	// admin/write/read/none, and is what custom roles fall back to.
	if r := p.GetRoleName(); levels[r] {
		return r, nil
	}
	if l := p.GetPermission(); levels[l] {
		return l, nil
	}
	return "none", nil
}

var levels = map[string]bool{"admin": true, "maintain": true, "write": true, "triage": true, "read": true, "none": true}

// CanWrite reports whether a Permission level may push to the repository,
// which is what running `/agent fix` on its behalf amounts to.
func CanWrite(level string) bool {
	return level == "write" || level == "maintain" || level == "admin"
}

// reactions are the contents GitHub accepts for a reaction.
var reactions = map[string]bool{"+1": true, "-1": true, "laugh": true, "confused": true, "heart": true, "hooray": true, "rocket": true, "eyes": true}

// React adds a reaction (eyes, rocket, +1, -1, confused, ...) to an issue or
// pull request comment, e.g. to acknowledge an `/agent fix` command.
func (c *Client) React(ctx context.Context, owner, repo string, commentID int64, content string) error {
	what := fmt.Sprintf("react %s to comment %d on %s/%s", content, commentID, owner, repo)
	if !reactions[content] {
		return fmt.Errorf("%s: unknown reaction: want one of +1, -1, laugh, confused, heart, hooray, rocket, eyes", what)
	}
	if _, _, err := c.gh.Reactions.CreateIssueCommentReaction(ctx, owner, repo, commentID, content); err != nil {
		return c.fail(what, "pull-requests: write", err)
	}
	return nil
}

// ActionsBot is the author of comments made with a GitHub Actions
// GITHUB_TOKEN.
const ActionsBot = "github-actions[bot]"

// owner is who this client's comments are by.
type owner struct {
	login string
	bot   bool // the login must also be a Bot account
}

func (o *owner) wrote(u *gh.User) bool {
	if u == nil || !strings.EqualFold(u.GetLogin(), o.login) {
		return false
	}
	return !o.bot || u.GetType() == "Bot"
}

// self returns who this client's comments are by: Options.Login if set,
// else the token's user from GET /user, cached. GitHub App and Actions
// tokens get 403 from GET /user; then the author is ActionsBot.
func (c *Client) self(ctx context.Context) (*owner, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.owner != nil {
		return c.owner, nil
	}
	if c.login != "" {
		c.owner = &owner{login: c.login}
		return c.owner, nil
	}
	u, _, err := c.gh.Users.Get(ctx, "")
	switch {
	case statusOf(err) == http.StatusForbidden && c.apiError(err, "").Kind == KindForbidden:
		c.owner = &owner{login: ActionsBot, bot: true}
	case err != nil:
		return nil, c.fail("find who the token belongs to (GET /user)", "", err)
	default:
		c.owner = &owner{login: u.GetLogin()}
	}
	return c.owner, nil
}
