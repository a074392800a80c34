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

// fix answers `/agent fix TASK` from a comment: fixPR, then the reply in
// the action's sticky comment and a reaction.
func (a *actionCtx) fix(owner, name string, cm *action.Comment, task string) error {
	number := cm.IssueNumber
	if strings.TrimSpace(task) == "" {
		return a.fixFailed(owner, name, number, cm.ID, fmt.Errorf("say what to fix: `%s fix TASK`, e.g. `%s fix make the failing test pass`",
			a.in.TriggerPhrase, a.in.TriggerPhrase))
	}
	head, done, err := a.fixPR(owner, name, number, task, false)
	if err != nil {
		return a.fixFailed(owner, name, number, cm.ID, err)
	}
	a.res.branch, a.res.commit = done.branch, done.commit
	if err := a.reply(owner, name, number, a.fixReply(head, done)); err != nil {
		return err
	}
	a.react(cm.ID, "rocket")
	a.res.conclusion = conclusionSuccess
	return nil
}

// errOwnHead is a pull request whose head commit git-agent made: fixing
// it again on the push that commit caused would loop.
var errOwnHead = errors.New("the pull request's head is git-agent's own commit")

// fixPR runs task as a session like `git agent run` on the pull request's
// head commit, then pushes the commit, never forced: onto the pull
// request's branch when it lives in this repository, else onto a new
// agent/<session>-fix branch with a link to open a pull request. With
// skipOwn, a head commit that carries git-agent's Agent-Session trailer is
// errOwnHead and nothing runs.
func (a *actionCtx) fixPR(owner, name string, number int, task string, skipOwn bool) (*prHead, *fixOutcome, error) {
	head, err := a.pullHead(owner, name, number)
	if err != nil {
		return nil, nil, err
	}
	switch {
	case head.State != "" && head.State != "open":
		return nil, nil, fmt.Errorf("pull request #%d is %s: reopen it to fix it", number, head.State)
	case head.HeadRepo == "":
		return nil, nil, fmt.Errorf("the repository of pull request #%d's head was deleted: there is nothing to fix", number)
	}
	repo, err := gitops.Open(a.ctx, a.workspace())
	if err != nil {
		return nil, nil, fmt.Errorf("fix needs the repository checked out (actions/checkout before git-agent): %w", err)
	}
	sha, err := a.fetchHead(repo, head)
	if err != nil {
		return nil, nil, err
	}
	if err := a.trustedCheckout(repo, sha); err != nil {
		return nil, nil, err
	}
	if skipOwn {
		g := &gitops.Git{Dir: repo.Root}
		if s, err := g.Run(a.ctx, "log", "-1", "--format=%(trailers:key=Agent-Session,valueonly)", sha); err == nil && strings.TrimSpace(s) != "" {
			return head, nil, errOwnHead
		}
	}
	res, err := a.fixSession(repo, fixPrompt(head, task), sha)
	if res != nil {
		a.res.sessionID = res.ID
	}
	if err != nil {
		return nil, nil, err
	}
	out := res.Outcome
	done := &fixOutcome{session: res.ID, summary: out.FinalMessage}
	if out.Result != nil {
		done.commit = out.Result.Commit
	}
	switch out.Status {
	case agent.SessionCompleted:
	case agent.SessionMaxTurns:
		return nil, nil, fmt.Errorf("session %s stopped at max-turns (%d) before it finished, so nothing was pushed: raise the max-turns input or ask for a smaller fix", res.ID, a.in.MaxTurns)
	default:
		why := out.Status
		if out.Err != nil {
			why += ": " + oneLine(out.Err.Error())
		}
		return nil, nil, fmt.Errorf("session %s did not complete (%s), so nothing was pushed", res.ID, why)
	}
	if done.commit != "" {
		if err := a.pushFix(repo, owner, name, head, done); err != nil {
			return nil, nil, err
		}
	}
	return head, done, nil
}

// trustedCheckout refuses a checkout that contains the pull request's
// head: the session reads its configuration and AGENTS.md from the
// checkout, and on pull_request events actions/checkout checks out the
// merge commit, where a contributor could have changed both.
func (a *actionCtx) trustedCheckout(repo *gitops.Repo, headSHA string) error {
	g := &gitops.Git{Dir: repo.Root}
	checkout, err := g.Run(a.ctx, "rev-parse", "--verify", "HEAD^{commit}")
	if err != nil {
		return fmt.Errorf("find the checked-out commit: %w", err)
	}
	if _, err := g.Run(a.ctx, "merge-base", "--is-ancestor", headSHA, strings.TrimSpace(checkout)); err == nil {
		return fmt.Errorf("the checkout (%s) contains the pull request's head %s, so its configuration and AGENTS.md could come from the pull request; "+
			"check out the base branch instead (actions/checkout with ref: ${{ github.event.pull_request.base.sha }})", short(strings.TrimSpace(checkout)), short(headSHA))
	}
	return nil
}

// fixFailed reports a fix that did not happen: a confused reaction on the
// comment that asked (commentID 0: none), the reason in the reply comment
// and as an ::error, and a red step.
func (a *actionCtx) fixFailed(owner, name string, number int, commentID int64, err error) error {
	a.res.conclusion = conclusionFailure
	msg := a.f.sanitizer().String(err.Error())
	if commentID != 0 {
		a.react(commentID, "confused")
	}
	what := fmt.Sprintf("`%s fix`", a.in.TriggerPhrase)
	if commentID == 0 {
		what = "The fix (mode " + a.in.Mode + ")"
	}
	if rerr := a.reply(owner, name, number, fmt.Sprintf("%s failed: %s", what, msg)); rerr != nil {
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
