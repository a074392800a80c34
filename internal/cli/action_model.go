package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/git-agent/git-agent/action"
	"github.com/git-agent/git-agent/gitops/github"
	"github.com/git-agent/git-agent/internal/audit"
	"github.com/git-agent/git-agent/review"
)

// maxModelFindings caps what a model review adds to one pull request
// review: past that, comments are noise (and a prompt injection could ask
// for hundreds). The most severe are kept.
const maxModelFindings = 20

// modelGetenv is the factory's Getenv with the api-key input as both
// providers' key: it reaches the provider only, never a process
// environment.
func (a *actionCtx) modelGetenv() func(string) string {
	getenv := a.f.Getenv
	key := a.in.APIKey
	if key == "" {
		return getenv
	}
	return func(k string) string {
		if k == "OPENAI_API_KEY" || k == "ANTHROPIC_API_KEY" {
			return key
		}
		return getenv(k)
	}
}

// modelReviewEnabled: a model reviews pull requests when the workflow names
// a provider or gives an api-key. Fork pull requests get no secrets, so
// they get the deterministic checks only.
func (a *actionCtx) modelReviewEnabled() bool {
	return a.in.APIKey != "" || a.in.Provider != ""
}

// modelReview asks the model configured by the action's inputs, and only
// by them, to review the pull request's diff. Configuration in the
// workspace is not read: on pull_request events it is the pull request's
// merge commit, where a contributor could point base_url at their own
// server and collect the key. The diff and the pull request's text are
// fenced as untrusted data; what the model writes is made inert before it
// is posted (no mentions, references, HTML or images), stripped of
// secrets, and capped. It fails open: a model that cannot be reached or
// answers nonsense costs a warning annotation, never the deterministic
// findings.
func (a *actionCtx) modelReview(pr *github.PR, files []review.FileDiff) []review.Finding {
	name := a.in.Provider
	if name == "" {
		name = "openai"
	}
	entry := audit.Entry{Operation: "model.review", Target: pr.String(), Decision: "ok",
		Details: map[string]any{"provider": name, "head": pr.HeadSHA}}
	fail := func(err error) []review.Finding {
		entry.Decision, entry.Reason = "failed", err.Error()
		a.record(entry)
		_ = action.Warning(a.f.IO.Out, "git-agent model review", a.f.sanitizer().String(oneLine(err.Error()))+"; the deterministic findings stand", "", 0)
		return nil
	}
	prov, spec, err := newProvider(providerSpec{Name: name, Model: a.in.Model, BaseURL: a.in.BaseURL,
		Getenv: a.modelGetenv(), Client: a.f.HTTPClient})
	if err != nil {
		return fail(fmt.Errorf("model review skipped: %w", err))
	}
	entry.Details["model"] = spec.Model
	ctx, cancel := context.WithTimeout(a.ctx, modelReviewTimeout)
	defer cancel()
	started := a.f.Now()
	ans, err := askModelReview(ctx, prov, spec.Model, modelReviewInput(pr, files), files)
	if ans != nil {
		a.res.usage = &action.Usage{InputTokens: int64(ans.usage.InputTokens), OutputTokens: int64(ans.usage.OutputTokens),
			Turns: 1, Duration: a.f.Now().Sub(started)}
		entry.Details["input_tokens"], entry.Details["output_tokens"] = ans.usage.InputTokens, ans.usage.OutputTokens
	}
	if err != nil {
		return fail(err)
	}
	found := ans.findings
	review.Sort(found)
	capped := 0
	if len(found) > maxModelFindings {
		capped = len(found) - maxModelFindings
		found = found[:maxModelFindings]
	}
	clean := a.f.sanitizer().String
	for i := range found {
		found[i].Message = action.Inert(clean(found[i].Message))
		found[i].Rule = ruleID(found[i].Rule)
		found[i].Suggestion = clean(found[i].Suggestion)
	}
	entry.Details["findings"], entry.Details["dropped"], entry.Details["capped"] = len(found), ans.dropped, capped
	a.record(entry)
	msg := fmt.Sprintf("model review (%s/%s): %d finding(s)", name, spec.Model, len(found))
	if ans.dropped > 0 {
		msg += fmt.Sprintf(", %d dropped (not on lines of the diff)", ans.dropped)
	}
	if capped > 0 {
		msg += fmt.Sprintf(", %d beyond the cap of %d not posted", capped, maxModelFindings)
	}
	fmt.Fprintln(a.f.IO.ErrOut, msg)
	return found
}

// modelReviewLead is how the review input frames the pull request.
const modelReviewLead = "Review this pull request. Its title and description say what the change is meant to do; the diff is what it does."

// modelReviewInput is the pull request's title and description, then its
// diff with new-side line numbers, each fenced as untrusted data. Invisible
// characters in the diff are shown, not hidden, as a reviewer must see them.
func modelReviewInput(pr *github.PR, files []review.FileDiff) string {
	var b strings.Builder
	b.WriteString(modelReviewLead + "\n\n")
	b.WriteString(action.Fence("pull request title and description",
		action.Untrusted(pr.Title, 1<<10)+"\n\n"+action.Untrusted(pr.Body, 8<<10)))
	b.WriteString("\n")
	b.WriteString(action.Fence("pull request diff", action.UntrustedCode(review.NumberedDiff(files, 200<<10), 0)))
	return b.String()
}

// ruleID keeps a model's rule to "model/" and lower-case letters, digits
// and dashes: it is shown in code spans and hidden markers.
func ruleID(rule string) string {
	id := strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-':
			return r
		case r >= 'A' && r <= 'Z':
			return r + 'a' - 'A'
		}
		return '-'
	}, strings.TrimPrefix(rule, "model/"))
	id = strings.Trim(id, "-")
	if len(id) > 48 {
		id = strings.Trim(id[:48], "-")
	}
	if id == "" {
		id = "finding"
	}
	return "model/" + id
}
