package github

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	gh "github.com/google/go-github/v66/github"
)

// ErrorKind classifies a failed GitHub API call by what the caller can do
// about it.
type ErrorKind string

// The kinds of APIError.
const (
	KindAuth        ErrorKind = "auth"         // 401: the token is missing, wrong or expired
	KindForbidden   ErrorKind = "forbidden"    // 403: the token lacks a permission (or is read-only on a fork)
	KindNotFound    ErrorKind = "not_found"    // 404, 410: no such thing, or the token cannot see it
	KindInvalid     ErrorKind = "invalid"      // 400, 409, 422 and other 4xx: GitHub rejected the request
	KindRateLimited ErrorKind = "rate_limited" // 429, or 403 with Retry-After or no requests remaining
	KindServer      ErrorKind = "server"       // 5xx: GitHub failed; retrying later may work
)

// APIError is a GitHub API call that failed with an HTTP status. Message
// says what GitHub answered and what to do next; it never holds the token.
type APIError struct {
	Status     int
	Kind       ErrorKind
	Message    string
	RetryAfter time.Duration // for KindRateLimited, how long to wait; 0 if GitHub did not say
}

func (e *APIError) Error() string {
	return fmt.Sprintf("GitHub API %d %s: %s", e.Status, e.Kind, e.Message)
}

// statusOf returns the HTTP status of a GitHub API error, or 0.
func statusOf(err error) int {
	if resp := responseOf(err); resp != nil {
		return resp.StatusCode
	}
	return 0
}

// responseOf digs the HTTP response out of go-github's error types.
func responseOf(err error) *http.Response {
	var (
		e  *gh.ErrorResponse
		rl *gh.RateLimitError
		ab *gh.AbuseRateLimitError
	)
	switch {
	case errors.As(err, &rl):
		return rl.Response
	case errors.As(err, &ab):
		return ab.Response
	case errors.As(err, &e):
		return e.Response
	}
	var tf *gh.TwoFactorAuthError
	if errors.As(err, &tf) {
		return tf.Response
	}
	return nil
}

// fail prefixes err with what was being done and, when GitHub answered with
// an error status, turns it into an *APIError whose hint names perm, the
// workflow permission the call needs (e.g. "checks: write").
func (c *Client) fail(what, perm string, err error) error {
	if e := c.apiError(err, perm); e != nil {
		return fmt.Errorf("%s: %w", what, e)
	}
	return fmt.Errorf("%s: %w", what, err)
}

func (c *Client) apiError(err error, perm string) *APIError {
	resp := responseOf(err)
	if resp == nil {
		return nil
	}
	said := http.StatusText(resp.StatusCode)
	var detail []string
	var er *gh.ErrorResponse
	if errors.As(err, &er) {
		if er.Message != "" {
			said = er.Message
		}
		for _, d := range er.Errors {
			if m := strings.TrimSpace(d.Message + " " + d.Field + " " + d.Code); m != "" {
				detail = append(detail, m)
			}
		}
	}
	e := &APIError{Status: resp.StatusCode}
	var (
		rl *gh.RateLimitError
		ab *gh.AbuseRateLimitError
	)
	wait, limited := rateLimitWait(resp, c.now())
	switch {
	case errors.As(err, &rl):
		said, limited, wait = rl.Message, true, max(rl.Rate.Reset.Sub(c.now()), wait)
	case errors.As(err, &ab):
		said, limited = ab.Message, true
		if ab.RetryAfter != nil {
			wait = *ab.RetryAfter
		}
	}
	if len(detail) > 0 {
		said += " (" + strings.Join(detail, "; ") + ")"
	}
	var hint string
	switch s := resp.StatusCode; {
	case limited:
		e.Kind, e.RetryAfter = KindRateLimited, wait.Round(time.Second)
		if e.RetryAfter > 0 {
			hint = fmt.Sprintf("GitHub's rate limit was hit; wait %s and run again (git-agent only waits up to %s by itself)", e.RetryAfter, maxRetryWait)
		} else {
			hint = "GitHub's rate limit was hit; wait a minute and run again"
		}
	case s == http.StatusUnauthorized:
		e.Kind, hint = KindAuth, "GitHub rejected the token: set GITHUB_TOKEN to a valid token that has not expired"
	case s == http.StatusForbidden:
		e.Kind, hint = KindForbidden, forbiddenHint(perm)
	case s == http.StatusNotFound || s == http.StatusGone:
		e.Kind, hint = KindNotFound, "check the owner, repository and number exist and GITHUB_TOKEN can see them"
		if perm != "" {
			hint += " (a private repository needs `" + readPerm(perm) + "`)"
		}
	case s >= 500:
		e.Kind, hint = KindServer, "GitHub failed; run again later"
	default:
		e.Kind, hint = KindInvalid, "GitHub rejected the request"
	}
	e.Message = c.scrub(said + "; " + hint)
	return e
}

func forbiddenHint(perm string) string {
	if perm == "" || strings.HasSuffix(perm, ": read") {
		return "GITHUB_TOKEN may not read this; grant `contents: read` and `pull-requests: read` in the workflow's permissions"
	}
	return "GITHUB_TOKEN may not do this: on a pull request from a fork the token is read-only, so run on pull_request_target or skip posting; " +
		"otherwise grant `" + perm + "` in the workflow's permissions"
}

func readPerm(perm string) string {
	scope, _, _ := strings.Cut(perm, ":")
	return scope + ": read"
}

// scrub removes the token from text GitHub sent back, should it ever echo it.
func (c *Client) scrub(s string) string {
	if c.token == "" {
		return s
	}
	return strings.ReplaceAll(s, c.token, "[token]")
}
