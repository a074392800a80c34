package gitops

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// objectRE is a full SHA-1 or SHA-256 object name.
var objectRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^([0-9a-f]{40}|[0-9a-f]{64})$`) })

// PushRejectedError is a push the remote refused: a non-fast-forward (the
// branch moved since the commit's parent) or a rule on the remote. Push
// never retries with force; the caller reports it.
type PushRejectedError struct {
	Ref    string // refs/heads/<branch>
	Reason string // git's words, e.g. "non-fast-forward" or "fetch first"
}

func (e *PushRejectedError) Error() string {
	return fmt.Sprintf("push to %s rejected (%s): the branch moved or is protected; nothing was forced", e.Ref, e.Reason)
}

// Fetch fetches ref (a full object name or a ref such as refs/pull/7/head)
// from remote, without tags, and returns the fetched commit. Token, if set,
// authenticates over HTTPS as GitHub's checkout does, in a header given to
// this one command through its environment: it is never written to a config
// file or a command line, and it is kept out of every error.
func (r *Repo) Fetch(ctx context.Context, remote, ref, token string) (string, error) {
	if err := remoteArg(remote); err != nil {
		return "", err
	}
	if strings.HasPrefix(ref, "-") || strings.HasPrefix(ref, "+") || strings.Contains(ref, ":") || ref == "" {
		return "", fmt.Errorf("fetch: invalid ref %q", ref)
	}
	if _, err := r.authed(ctx, token, "fetch", "--no-tags", "--no-recurse-submodules", "--quiet", remote, ref); err != nil {
		return "", fmt.Errorf("fetch %s from %s: %w", ref, remote, err)
	}
	sha, err := out(ctx, r.git(), "rev-parse", "--verify", "--quiet", "FETCH_HEAD^{commit}")
	if err != nil {
		return "", fmt.Errorf("fetch %s from %s: no commit fetched", ref, remote)
	}
	return sha, nil
}

// Push updates refs/heads/<branch> on remote to commit, as a fast-forward
// only: a remote branch that moved is a *PushRejectedError, never a force
// push. Token authenticates as for Fetch.
func (r *Repo) Push(ctx context.Context, remote, commit, branch, token string) error {
	if err := remoteArg(remote); err != nil {
		return err
	}
	if !objectRE().MatchString(commit) {
		return fmt.Errorf("push: %q is not a full commit id", commit)
	}
	ref := "refs/heads/" + branch
	if strings.HasPrefix(branch, "-") || branch == "" {
		return fmt.Errorf("push: invalid branch name %q", branch)
	}
	if _, err := r.git().Run(ctx, "check-ref-format", ref); err != nil {
		return fmt.Errorf("push: invalid branch name %q", branch)
	}
	stdout, err := r.authed(ctx, token, "push", "--porcelain", "--no-verify", "--no-recurse-submodules", remote, commit+":"+ref)
	if err == nil {
		return nil
	}
	var ge *GitError
	if errors.As(err, &ge) {
		for _, line := range strings.Split(stdout+"\n"+ge.Stderr, "\n") {
			// Porcelain: "!\t<src>:<dst>\t[rejected] (non-fast-forward)".
			if i := strings.Index(line, "rejected]"); i >= 0 {
				reason := strings.Trim(strings.TrimSpace(line[i+len("rejected]"):]), "()")
				if reason == "" {
					reason = "rejected"
				}
				return &PushRejectedError{Ref: ref, Reason: reason}
			}
		}
	}
	return fmt.Errorf("push %s to %s: %w", short12(commit), remote, err)
}

// authed runs a hardened git command with token as an Authorization header.
// Any header the checkout configured is reset first (two would make GitHub
// answer 400). The header reaches git through GIT_CONFIG_COUNT/KEY/VALUE
// (git 2.31+) in the command's environment, which only its own user can
// read, never through -c on the command line, which every user of the
// machine can read in /proc/<pid>/cmdline; GitError.Args never holds it.
func (r *Repo) authed(ctx context.Context, token string, args ...string) (string, error) {
	g := r.git()
	if token != "" {
		g.Env = append(g.Env, authConfig(token)...)
	}
	s, err := g.runPlain(ctx, args...)
	var ge *GitError
	if token != "" && errors.As(err, &ge) {
		ge.Stderr = redact(ge.Stderr, token)
	}
	return s, err
}

// authConfig is the environment that configures git with token as HTTPS
// basic authentication, as actions/checkout does, after an empty value
// that resets any extra header already configured. environ drops every
// inherited GIT_* variable, so these are the only GIT_CONFIG_* pairs.
func authConfig(token string) []string {
	basic := base64.StdEncoding.EncodeToString([]byte("x-access-token:" + token))
	return []string{
		"GIT_CONFIG_COUNT=2",
		"GIT_CONFIG_KEY_0=http.extraheader", "GIT_CONFIG_VALUE_0=",
		"GIT_CONFIG_KEY_1=http.extraheader", "GIT_CONFIG_VALUE_1=AUTHORIZATION: basic " + basic,
	}
}

// redact removes token, and its base64 header form, from s.
func redact(s, token string) string {
	s = strings.ReplaceAll(s, token, "***")
	return strings.ReplaceAll(s, base64.StdEncoding.EncodeToString([]byte("x-access-token:"+token)), "***")
}

// remoteArg refuses a remote that git would read as an option.
func remoteArg(remote string) error {
	if remote == "" || strings.HasPrefix(remote, "-") {
		return fmt.Errorf("invalid remote %q", remote)
	}
	return nil
}

func short12(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
