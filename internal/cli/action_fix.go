package cli

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/git-agent/git-agent/action"
	"github.com/git-agent/git-agent/gitops"
	"github.com/git-agent/git-agent/internal/agent"
	"github.com/git-agent/git-agent/internal/audit"
)

// fixRemote is the checkout's remote: actions/checkout names it origin.
const fixRemote = "origin"

// prHead is what a fix needs to know of a pull request: where its head
// lives and what it says it does.
type prHead struct {
	Number            int
	Title, Body       string
	State             string
	HeadSHA, HeadRef  string
	HeadRepo          string // owner/name; "" when the fork was deleted
	BaseRef, BaseRepo string
}

func (h *prHead) fork() bool { return !strings.EqualFold(h.HeadRepo, h.BaseRepo) }

// fixOutcome is what a finished fix did, for the reply.
type fixOutcome struct {
	session, commit, branch, compare, summary string
}

// fix answers `/agent fix TASK`: it runs a session like `git agent run` on
// the pull request's head commit, then pushes the commit, never forced:
// onto the pull request's branch when it lives in this repository, else
// onto a new agent/<session>-fix branch with a link to open a pull request.
func (a *actionCtx) fix(owner, name string, cm *action.Comment, task string) error {
	number := cm.IssueNumber
	if strings.TrimSpace(task) == "" {
		return a.fixFailed(owner, name, cm, fmt.Errorf("say what to fix: `%s fix TASK`, e.g. `%s fix make the failing test pass`",
			a.in.TriggerPhrase, a.in.TriggerPhrase))
	}
	head, err := a.pullHead(owner, name, number)
	if err != nil {
		return a.fixFailed(owner, name, cm, err)
	}
	switch {
	case head.State != "" && head.State != "open":
		return a.fixFailed(owner, name, cm, fmt.Errorf("pull request #%d is %s: reopen it to fix it", number, head.State))
	case head.HeadRepo == "":
		return a.fixFailed(owner, name, cm, fmt.Errorf("the repository of pull request #%d's head was deleted: there is nothing to fix", number))
	}
	repo, err := gitops.Open(a.ctx, a.workspace())
	if err != nil {
		return a.fixFailed(owner, name, cm, fmt.Errorf("fix needs the repository checked out (actions/checkout before git-agent): %w", err))
	}
	sha, err := a.fetchHead(repo, head)
	if err != nil {
		return a.fixFailed(owner, name, cm, err)
	}
	res, err := a.fixSession(repo, fixPrompt(head, task), sha)
	if res != nil {
		a.res.sessionID = res.ID
	}
	if err != nil {
		return a.fixFailed(owner, name, cm, err)
	}
	out := res.Outcome
	done := &fixOutcome{session: res.ID, summary: out.FinalMessage}
	if out.Result != nil {
		done.commit = out.Result.Commit
	}
	switch out.Status {
	case agent.SessionCompleted:
	case agent.SessionMaxTurns:
		return a.fixFailed(owner, name, cm, fmt.Errorf("session %s stopped at max-turns (%d) before it finished, so nothing was pushed: raise the max-turns input or ask for a smaller fix", res.ID, a.in.MaxTurns))
	default:
		why := out.Status
		if out.Err != nil {
			why += ": " + oneLine(out.Err.Error())
		}
		return a.fixFailed(owner, name, cm, fmt.Errorf("session %s did not complete (%s), so nothing was pushed", res.ID, why))
	}
	if done.commit != "" {
		if err := a.pushFix(repo, owner, name, head, done); err != nil {
			return a.fixFailed(owner, name, cm, err)
		}
	}
	a.res.branch, a.res.commit = done.branch, done.commit
	if err := a.reply(owner, name, number, a.fixReply(head, done)); err != nil {
		return err
	}
	a.react(cm.ID, "rocket")
	a.res.conclusion = conclusionSuccess
	return nil
}

// fixFailed reports a fix that did not happen: a confused reaction, the
// reason in the reply comment and as an ::error, and a red step.
func (a *actionCtx) fixFailed(owner, name string, cm *action.Comment, err error) error {
	a.res.conclusion = conclusionFailure
	msg := a.f.sanitizer().String(err.Error())
	a.react(cm.ID, "confused")
	if rerr := a.reply(owner, name, cm.IssueNumber, fmt.Sprintf("`%s fix` failed: %s", a.in.TriggerPhrase, msg)); rerr != nil {
		_ = action.Warning(a.f.IO.Out, "git-agent", "could not answer on the pull request: "+rerr.Error(), "", 0)
	}
	_ = action.Error(a.f.IO.Out, "git-agent fix", msg, "", 0)
	return &ExitError{Code: ExitFailed}
}

// token is the GitHub token the client uses, for git's HTTPS requests.
func (a *actionCtx) token() string {
	if a.in.GitHubToken != "" {
		return a.in.GitHubToken
	}
	return a.f.Getenv("GITHUB_TOKEN")
}

// pullHead reads the pull request's head and base repositories and
// branches.
func (a *actionCtx) pullHead(owner, name string, number int) (*prHead, error) {
	pr, err := a.client.PullRequest(a.ctx, owner, name, number)
	if err != nil {
		return nil, err
	}
	h := &prHead{Number: number, Title: pr.Title, Body: pr.Body, State: pr.State, HeadSHA: pr.HeadSHA, HeadRef: pr.HeadRef,
		HeadRepo: pr.HeadRepo, BaseRef: pr.BaseRef, BaseRepo: pr.BaseRepo}
	if h.BaseRepo == "" {
		h.BaseRepo = owner + "/" + name
	}
	if !fullSHA(h.HeadSHA) || h.HeadRef == "" {
		return nil, fmt.Errorf("get pull request %s/%s#%d: GitHub gave no head commit and branch", owner, name, number)
	}
	return h, nil
}

// fetchHead fetches the pull request's head commit into the checkout: by
// id, else through refs/pull/N/head, which must then hold that same commit
// (a push since the event would make the fix apply to code nobody asked
// about).
func (a *actionCtx) fetchHead(repo *gitops.Repo, head *prHead) (string, error) {
	sha, err := repo.Fetch(a.ctx, fixRemote, head.HeadSHA, a.token())
	if err != nil {
		ref := "refs/pull/" + strconv.Itoa(head.Number) + "/head"
		var err2 error
		if sha, err2 = repo.Fetch(a.ctx, fixRemote, ref, a.token()); err2 != nil {
			a.record(audit.Entry{Operation: "git.fetch", Target: head.HeadSHA, Decision: "failed", Reason: err.Error()})
			return "", fmt.Errorf("fetch the pull request's head %s: %w", short(head.HeadSHA), errors.Join(err, err2))
		}
	}
	if sha != head.HeadSHA {
		return "", fmt.Errorf("the pull request's head moved from %s to %s since GitHub answered: run the command again", short(head.HeadSHA), short(sha))
	}
	a.record(audit.Entry{Operation: "git.fetch", Target: sha, Decision: "ok", Details: map[string]any{"pull_request": head.Number}})
	return sha, nil
}

// fixSession runs the task like `git agent run --base SHA`, with the
// action's provider, model, profile and budget. The api-key input reaches
// the provider through the factory's Getenv only: the sandbox's
// environment comes from the process and drops *_KEY anyway. The model's
// text goes to stderr, between stop-commands markers, so nothing it says
// is read as a workflow command.
func (a *actionCtx) fixSession(repo *gitops.Repo, prompt, sha string) (*sessionResult, error) {
	fl := sessionFlags{Dir: repo.Root, Base: sha, MaxTurns: a.in.MaxTurns, Profile: a.in.Profile,
		changed: map[string]string{"profile": a.in.Profile, "max_turns": strconv.Itoa(a.in.MaxTurns)}}
	for key, v := range map[string]string{"provider": a.in.Provider, "model": a.in.Model, "base_url": a.in.BaseURL} {
		if v != "" {
			fl.changed[key] = v
		}
	}
	fc := *a.f
	fc.closers = nil
	defer fc.closeAll()
	fc.IO = &IOStreams{In: strings.NewReader(""), Out: a.f.IO.ErrOut, ErrOut: a.f.IO.ErrOut}
	fc.Getenv = a.modelGetenv()
	var b [16]byte
	_, _ = rand.Read(b[:])
	stop := hex.EncodeToString(b[:])
	fmt.Fprintf(a.f.IO.Out, "::stop-commands::%s\n", stop)
	defer fmt.Fprintf(a.f.IO.Out, "::%s::\n", stop)

	// Instructions come from the checkout (the base branch the workflow
	// checked out), never from the pull request's head.
	res, err := runSession(a.ctx, &fc, sessionSpec{Flags: fl, Prompt: prompt, InstructionsFrom: repo.Root})
	if err != nil {
		return nil, fmt.Errorf("start the session: %w", err)
	}
	return res, nil
}

// fixPrompt is the task first (so the agent branch is named after it), then
// the pull request's own words, fenced as data.
func fixPrompt(head *prHead, task string) string {
	pr := action.Untrusted(head.Title, 1<<10) + "\n\n" + action.Untrusted(head.Body, 16<<10)
	return strings.TrimSpace(task) + "\n\n" +
		fmt.Sprintf("This is a change to pull request #%d (branch %s), checked out at its head commit %s. Its title and description follow.\n\n",
			head.Number, head.HeadRef, head.HeadSHA) +
		action.Fence("pull request title and description", pr)
}

// pushFix pushes the session's commit: fast-forward only onto the pull
// request's branch, or onto a new branch when the head is in a fork, which
// the workflow's token cannot write.
func (a *actionCtx) pushFix(repo *gitops.Repo, owner, name string, head *prHead, done *fixOutcome) error {
	branch := head.HeadRef
	if head.fork() {
		branch = gitops.BranchPrefix + done.session + "-fix"
	}
	err := repo.Push(a.ctx, fixRemote, done.commit, branch, a.token())
	entry := audit.Entry{Operation: "git.push", Target: branch, Decision: "ok",
		Details: map[string]any{"commit": done.commit, "pull_request": head.Number, "fork": head.fork()}}
	if err != nil {
		entry.Decision, entry.Reason = "failed", err.Error()
	}
	a.record(entry)
	var rej *gitops.PushRejectedError
	switch {
	case errors.As(err, &rej):
		return fmt.Errorf("commit %s was not pushed: %s moved since the fix started (%s), and git-agent never force-pushes; run the command again on the new head", short(done.commit), branch, rej.Reason)
	case err != nil:
		return fmt.Errorf("push commit %s to %s: %w", short(done.commit), branch, err)
	}
	done.branch = branch
	if head.fork() {
		done.compare = a.client.CompareURL(owner, name, head.BaseRef, branch)
	}
	return nil
}

// fixReply is the sticky reply after a fix.
func (a *actionCtx) fixReply(head *prHead, done *fixOutcome) string {
	var b strings.Builder
	switch {
	case done.commit == "":
		b.WriteString("The fix made no changes, so nothing was pushed.\n")
	case done.compare != "":
		fmt.Fprintf(&b, "Pushed commit %s to the new branch `%s`: this pull request comes from a fork, which git-agent does not push to. [Open a pull request with the fix](%s).\n",
			done.commit, done.branch, done.compare)
	default:
		fmt.Fprintf(&b, "Pushed commit %s to `%s`.\n", done.commit, done.branch)
	}
	if s := strings.TrimSpace(a.f.sanitizer().String(done.summary)); s != "" {
		if len(s) > 2000 {
			s = strings.ToValidUTF8(s[:2000], "") + "…"
		}
		b.WriteString("\n" + codeBlock(s))
	}
	fmt.Fprintf(&b, "\nSession `%s`, audit chain head `%s` (check it with `git agent audit verify`).", done.session, a.res.auditHead)
	return b.String()
}

// codeBlock fences text the model wrote, so it renders as text: no
// mentions, links or markup.
func codeBlock(s string) string {
	run, longest := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", max(3, longest+1))
	return fence + "text\n" + s + "\n" + fence + "\n"
}

// fullSHA reports whether s is a full commit id.
func fullSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
