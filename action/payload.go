package action

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// The payload shapes below keep only the fields the action reads; GitHub
// documents the rest at docs.github.com/webhooks/webhook-events-and-payloads.

type jsonUser struct {
	Login string `json:"login"`
	Type  string `json:"type"`
}

type jsonRepo struct {
	FullName string `json:"full_name"`
}

type jsonRef struct {
	Ref  string    `json:"ref"`
	SHA  string    `json:"sha"`
	Repo *jsonRepo `json:"repo"` // null when the head's fork was deleted
}

type jsonPayload struct {
	Action     string    `json:"action"`
	Sender     *jsonUser `json:"sender"`
	Repository *jsonRepo `json:"repository"`

	PullRequest *struct {
		Number int       `json:"number"`
		Title  string    `json:"title"`
		Body   *string   `json:"body"`
		Draft  bool      `json:"draft"`
		User   *jsonUser `json:"user"`
		Head   *jsonRef  `json:"head"`
		Base   *jsonRef  `json:"base"`
	} `json:"pull_request"`

	Issue *struct {
		Number      int              `json:"number"`
		Title       string           `json:"title"`
		PullRequest *json.RawMessage `json:"pull_request"`
	} `json:"issue"`
	Comment *struct {
		ID                int64     `json:"id"`
		Body              string    `json:"body"`
		User              *jsonUser `json:"user"`
		AuthorAssociation string    `json:"author_association"`
		HTMLURL           string    `json:"html_url"`
	} `json:"comment"`

	// workflow_dispatch
	Ref      string                     `json:"ref"`
	Workflow string                     `json:"workflow"`
	Inputs   map[string]json.RawMessage `json:"inputs"`
}

// prActions are the pull_request actions the agent reviews.
const prActions = "opened, reopened, ready_for_review or synchronize"

func prActionHandled(a string) bool {
	return a == "opened" || a == "reopened" || a == "ready_for_review" || a == "synchronize"
}

func handled(event string) bool {
	return event == "pull_request" || event == "issue_comment" || event == "workflow_dispatch"
}

func unsupportedEvent(event string) string {
	if event == "pull_request_target" {
		return "pull_request_target runs with the base repository's secrets on a fork's pull request; trigger git agent on pull_request (or issue_comment commands) instead"
	}
	return fmt.Sprintf("git agent does nothing on %s events: trigger it on pull_request, issue_comment or workflow_dispatch", event)
}

// parsePayload fills e from the JSON payload data of event e.Name, which
// must be one handled() accepts. It returns an error naming the field that
// is missing or wrong.
func parsePayload(e *Event, data []byte) error {
	var p jsonPayload
	if !bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{")) {
		return errors.New("not a JSON object")
	}
	if err := json.Unmarshal(data, &p); err != nil {
		return fmt.Errorf("invalid JSON: %w", err)
	}
	e.Action = p.Action
	if p.Sender != nil {
		e.Sender = User(*p.Sender)
	}
	if e.Repository == "" && p.Repository != nil {
		if !validRepo(p.Repository.FullName) {
			return fmt.Errorf("repository.full_name %q is not owner/name", p.Repository.FullName)
		}
		e.Repository = p.Repository.FullName
	}
	switch e.Name {
	case "pull_request":
		return parsePullRequest(e, &p)
	case "issue_comment":
		return parseComment(e, &p)
	case "workflow_dispatch":
		return parseDispatch(e, &p)
	}
	return fmt.Errorf("unhandled event %q", e.Name)
}

func parsePullRequest(e *Event, p *jsonPayload) error {
	pr := p.PullRequest
	switch {
	case pr == nil:
		return errors.New("pull_request is missing")
	case pr.Number <= 0:
		return fmt.Errorf("pull_request.number %d is not a pull request number", pr.Number)
	case pr.User == nil || pr.User.Login == "":
		return errors.New("pull_request.user.login is missing")
	}
	head, err := parseRef("head", pr.Head)
	if err != nil {
		return err
	}
	base, err := parseRef("base", pr.Base)
	if err != nil {
		return err
	}
	if base.Repo == "" {
		return errors.New("pull_request.base.repo.full_name is missing")
	}
	e.PullRequest = &PullRequest{
		Number: pr.Number,
		Title:  pr.Title,
		Draft:  pr.Draft,
		Head:   head,
		Base:   base,
		Author: User(*pr.User),
	}
	if pr.Body != nil {
		e.PullRequest.Body = *pr.Body
	}
	if !prActionHandled(e.Action) {
		e.Reason = fmt.Sprintf("git agent does nothing on pull_request action %q: it reviews pull requests on %s", e.Action, prActions)
		return nil
	}
	e.Kind = KindPullRequest
	return nil
}

func parseRef(side string, r *jsonRef) (Ref, error) {
	if r == nil {
		return Ref{}, fmt.Errorf("pull_request.%s is missing", side)
	}
	if !isSHA(r.SHA) {
		return Ref{}, fmt.Errorf("pull_request.%s.sha %q is not a commit id", side, r.SHA)
	}
	if r.Ref == "" {
		return Ref{}, fmt.Errorf("pull_request.%s.ref is missing", side)
	}
	out := Ref{Ref: r.Ref, SHA: r.SHA}
	if r.Repo != nil {
		if !validRepo(r.Repo.FullName) {
			return Ref{}, fmt.Errorf("pull_request.%s.repo.full_name %q is not owner/name", side, r.Repo.FullName)
		}
		out.Repo = r.Repo.FullName
	}
	return out, nil
}

// isSHA reports whether s is a full SHA-1 or SHA-256 commit id.
func isSHA(s string) bool {
	if len(s) != 40 && len(s) != 64 {
		return false
	}
	return strings.Trim(s, "0123456789abcdef") == ""
}

func parseComment(e *Event, p *jsonPayload) error {
	c, is := p.Comment, p.Issue
	switch {
	case c == nil:
		return errors.New("comment is missing")
	case c.ID <= 0:
		return fmt.Errorf("comment.id %d is not a comment id", c.ID)
	case c.User == nil || c.User.Login == "":
		return errors.New("comment.user.login is missing")
	case is == nil:
		return errors.New("issue is missing")
	case is.Number <= 0:
		return fmt.Errorf("issue.number %d is not an issue number", is.Number)
	}
	e.Comment = &Comment{
		ID:                c.ID,
		Body:              c.Body,
		Author:            User(*c.User),
		AuthorAssociation: c.AuthorAssociation,
		URL:               c.HTMLURL,
		IssueNumber:       is.Number,
		IssueTitle:        is.Title,
		OnPullRequest:     is.PullRequest != nil && string(*is.PullRequest) != "null",
	}
	if e.Action != "created" {
		e.Reason = fmt.Sprintf("git agent does nothing on issue_comment action %q: it reads commands from new comments", e.Action)
		return nil
	}
	e.Kind = KindComment
	return nil
}

func parseDispatch(e *Event, p *jsonPayload) error {
	d := &Dispatch{Ref: p.Ref, Workflow: p.Workflow, Inputs: map[string]string{}}
	for k, raw := range p.Inputs {
		v, err := dispatchInput(raw)
		if err != nil {
			return fmt.Errorf("inputs.%s: %w", k, err)
		}
		d.Inputs[k] = v
	}
	e.Dispatch = d
	e.Kind = KindDispatch
	return nil
}

// dispatchInput turns a workflow_dispatch input into a string: strings as
// they are, booleans and numbers as their JSON text, null as "".
func dispatchInput(raw json.RawMessage) (string, error) {
	t := bytes.TrimSpace(raw)
	switch {
	case len(t) == 0, string(t) == "null":
		return "", nil
	case t[0] == '"':
		var s string
		err := json.Unmarshal(t, &s)
		return s, err
	case t[0] == '{' || t[0] == '[':
		return "", errors.New("want a string, boolean or number, not an object or array")
	}
	return string(t), nil
}
