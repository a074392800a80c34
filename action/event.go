package action

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// MaxPayloadBytes caps the event payload read from GITHUB_EVENT_PATH.
// GitHub caps webhook payloads at 25 MB; a larger file is not one it wrote.
const MaxPayloadBytes = 25 << 20

// DefaultAPIURL is the public GitHub REST API, used when GITHUB_API_URL is
// unset.
const DefaultAPIURL = "https://api.github.com"

// Kind says which of the events the action handles triggered the run.
type Kind int

// Event kinds. Unsupported is not an error: the workflow subscribed to an
// event (or event action) the agent does nothing for, and Event.Reason says
// which, so the command can explain and exit successfully.
const (
	KindUnsupported Kind = iota
	KindPullRequest      // pull_request: opened, reopened, ready_for_review, synchronize
	KindComment          // issue_comment: created
	KindDispatch         // workflow_dispatch
)

func (k Kind) String() string {
	switch k {
	case KindPullRequest:
		return "pull request"
	case KindComment:
		return "comment"
	case KindDispatch:
		return "dispatch"
	}
	return "unsupported"
}

// Event is the run's trigger: the GITHUB_* environment plus the parts of
// the payload the action uses. Exactly one of PullRequest, Comment and
// Dispatch is set when Kind is not KindUnsupported; for an unsupported
// action of a known event the matching field may still be set.
type Event struct {
	Name       string // GITHUB_EVENT_NAME, e.g. "pull_request"
	Action     string // payload "action", e.g. "opened"; empty for workflow_dispatch
	Kind       Kind
	Reason     string // why Kind is KindUnsupported
	Repository string // owner/name
	Actor      string // GITHUB_ACTOR: who started the run
	Sender     User   // payload "sender": whose activity sent the event
	APIURL     string // GITHUB_API_URL, default DefaultAPIURL
	ServerURL  string // GITHUB_SERVER_URL, default https://github.com
	RunID      string
	Workspace  string
	Path       string // GITHUB_EVENT_PATH

	PullRequest *PullRequest
	Comment     *Comment
	Dispatch    *Dispatch
}

// User is a GitHub account as an event names it.
type User struct {
	Login string
	Type  string // "User", "Bot" or "Organization"
}

// IsBot reports whether u is a bot account: type Bot, or an app's login
// ending in "[bot]".
func (u User) IsBot() bool {
	return u.Type == "Bot" || strings.HasSuffix(strings.ToLower(u.Login), "[bot]")
}

// Ref is one side of a pull request.
type Ref struct {
	Repo string // owner/name; empty when the head's fork was deleted
	Ref  string // branch name
	SHA  string
}

// PullRequest is the pull request of a pull_request event.
type PullRequest struct {
	Number      int
	Title, Body string // untrusted: see Untrusted
	Draft       bool
	Head, Base  Ref
	Author      User
}

// IsFork reports whether the pull request's head lives in another
// repository than its base, including a deleted fork. Code and text from a
// fork are written by someone who may have no access to the repository.
func (p *PullRequest) IsFork() bool {
	return !strings.EqualFold(p.Head.Repo, p.Base.Repo) || p.Head.Repo == ""
}

// Comment is the comment of an issue_comment event.
type Comment struct {
	ID                int64
	Body              string // untrusted: see ParseCommand and Untrusted
	Author            User
	AuthorAssociation string // OWNER, MEMBER, COLLABORATOR, CONTRIBUTOR, NONE...
	URL               string // html_url
	IssueNumber       int
	IssueTitle        string // untrusted
	// OnPullRequest is set when the issue is a pull request. The payload
	// does not say where its head is: fetch the pull request before
	// trusting its code.
	OnPullRequest bool
}

// Dispatch is a workflow_dispatch event.
type Dispatch struct {
	Ref      string            // the branch or tag the run was started on
	Workflow string            // path of the workflow file
	Inputs   map[string]string // booleans and numbers as their JSON text
}

// IsFork reports whether e is a pull request event whose head is a fork.
// It is false for comments, whose payload does not say: fetch the pull
// request through the API for them.
func (e *Event) IsFork() bool {
	return e.PullRequest != nil && e.PullRequest.IsFork()
}

// TriggeredBy is the account whose activity triggered the event: the
// comment's author for comments, the sender otherwise.
func (e *Event) TriggeredBy() User {
	if e.Comment != nil {
		return e.Comment.Author
	}
	return e.Sender
}

// IsBot reports whether a bot triggered the event (see TriggeredBy).
func (e *Event) IsBot() bool { return e.TriggeredBy().IsBot() }

// RunURL is the link to this workflow run, or "" outside Actions.
func (e *Event) RunURL() string {
	if e.ServerURL == "" || e.Repository == "" || e.RunID == "" {
		return ""
	}
	return strings.TrimSuffix(e.ServerURL, "/") + "/" + e.Repository + "/actions/runs/" + e.RunID
}

// ReadEvent reads the triggering event through getenv (os.Getenv in
// production) and the payload file GITHUB_EVENT_PATH names. It fails when
// GITHUB_EVENT_NAME is unset, and when a supported event's payload is
// missing, too large or malformed; errors name the file and the field.
func ReadEvent(getenv func(string) string) (*Event, error) {
	e := &Event{
		Name:       getenv("GITHUB_EVENT_NAME"),
		Repository: getenv("GITHUB_REPOSITORY"),
		Actor:      getenv("GITHUB_ACTOR"),
		APIURL:     getenv("GITHUB_API_URL"),
		ServerURL:  getenv("GITHUB_SERVER_URL"),
		RunID:      getenv("GITHUB_RUN_ID"),
		Workspace:  getenv("GITHUB_WORKSPACE"),
		Path:       getenv("GITHUB_EVENT_PATH"),
	}
	if e.Name == "" {
		return nil, errors.New("read event: GITHUB_EVENT_NAME is not set: run git agent action inside a GitHub Actions job, or set GITHUB_EVENT_NAME and GITHUB_EVENT_PATH to replay an event")
	}
	if e.APIURL == "" {
		e.APIURL = DefaultAPIURL
	}
	if e.ServerURL == "" {
		e.ServerURL = "https://github.com"
	}
	if e.Repository != "" && !validRepo(e.Repository) {
		return nil, fmt.Errorf("read event: GITHUB_REPOSITORY %q is not owner/name", e.Repository)
	}
	if !handled(e.Name) {
		e.Reason = unsupportedEvent(e.Name)
		return e, nil
	}
	if e.Path == "" {
		return nil, fmt.Errorf("read event: GITHUB_EVENT_PATH is not set for a %s event: set it to the event's JSON payload file", e.Name)
	}
	data, err := readCapped(e.Path, MaxPayloadBytes)
	if err != nil {
		return nil, fmt.Errorf("read event: %w", err)
	}
	if err := parsePayload(e, data); err != nil {
		return nil, fmt.Errorf("read event payload %s: %w", e.Path, err)
	}
	return e, nil
}

// readCapped reads the file at path, failing if it is larger than limit.
func readCapped(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes: not a GitHub event payload", path, limit)
	}
	return data, nil
}

// validRepo reports whether s is owner/name with no empty part.
func validRepo(s string) bool {
	owner, name, ok := strings.Cut(s, "/")
	return ok && owner != "" && name != "" && !strings.ContainsAny(name, "/ \t\r\n")
}
