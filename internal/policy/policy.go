// Package policy decides whether a tool call may run: it combines the
// approval mode chosen by the user, each tool's risk tier and exec prefix
// rules for shell commands, and remembers "always" answers for a session.
//
// policy only decides; it never runs anything and never prompts by itself
// (the CLI supplies an Approver). It must stay free of agent and model code.
package policy

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/git-agent/git-agent/internal/tool"
)

// Mode is the approval mode (--approval).
type Mode string

const (
	// Never: never ask. Calls that need approval are denied and the model is told why.
	Never Mode = "never"
	// OnRequest: ask (on a terminal) for calls that a rule marks "prompt".
	OnRequest Mode = "on-request"
	// Untrusted: ask for every call that writes or runs something, except
	// known read-only commands.
	Untrusted Mode = "untrusted"
)

// ParseMode validates an approval mode name.
func ParseMode(s string) (Mode, error) {
	switch Mode(s) {
	case Never, OnRequest, Untrusted:
		return Mode(s), nil
	}
	return "", fmt.Errorf("unknown approval mode %q: use never, on-request or untrusted", s)
}

// Decision is what a rule or the policy says about a call.
type Decision string

const (
	Allow  Decision = "allow"
	Prompt Decision = "prompt"
	Forbid Decision = "forbid"
)

// Rule matches shell commands whose argv starts with Prefix.
type Rule struct {
	Prefix   []string
	Decision Decision
	Reason   string
}

// DefaultRules guard the commands that reach beyond the workspace or
// destroy history even when the profile allows them.
func DefaultRules() []Rule {
	return []Rule{
		{Prefix: []string{"git", "push"}, Decision: Prompt, Reason: "publishes commits to a remote"},
		{Prefix: []string{"git", "reset", "--hard"}, Decision: Prompt, Reason: "discards work"},
		{Prefix: []string{"git", "clean"}, Decision: Prompt, Reason: "deletes untracked files"},
		{Prefix: []string{"sudo"}, Decision: Prompt, Reason: "runs as another user"},
		{Prefix: []string{"rm", "-rf", "/"}, Decision: Forbid, Reason: "deletes the filesystem"},
		{Prefix: []string{"rm", "-rf", "~"}, Decision: Forbid, Reason: "deletes the home directory"},
	}
}

// Call is a tool call to judge.
type Call struct {
	Tool    string
	Risk    tool.Risk
	Command []string // argv of a shell call (a script is split into words), else nil
	Summary string   // one line shown in a prompt
}

// Verdict is the policy's answer for one call.
type Verdict struct {
	Decision Decision
	Reason   string
	Rule     string // the rule that decided, for the audit trail
	// ByUser is set when a person answered (now, or "always" earlier in the
	// session): the audit log records approved/rejected rather than
	// allowed/denied.
	ByUser bool
}

// Answer is a user's reply to a prompt.
type Answer int

const (
	No Answer = iota
	Yes
	Always // yes, and for the rest of the session
)

// Approver asks a human. It is nil when nobody can be asked (no terminal).
type Approver interface {
	Approve(ctx context.Context, c Call, why string) (Answer, error)
}

// Policy is the approval state of one session. It is safe for concurrent use.
type Policy struct {
	mode     Mode
	rules    []Rule
	approver Approver

	mu     sync.Mutex
	always map[string]bool
}

// New returns a policy. rules are added to DefaultRules; where several
// rules match a command, the strictest decides.
func New(mode Mode, rules []Rule, approver Approver) *Policy {
	all := append(append([]Rule(nil), rules...), DefaultRules()...)
	return &Policy{mode: mode, rules: all, approver: approver, always: map[string]bool{}}
}

// Mode returns the approval mode.
func (p *Policy) Mode() Mode { return p.mode }

// Evaluate says what the policy requires for c, without asking anyone.
func (p *Policy) Evaluate(c Call) Verdict {
	if c.Command != nil {
		if r, ok := p.match(c.Command); ok {
			return Verdict{Decision: r.Decision, Reason: r.Reason, Rule: "rule:" + strings.Join(r.Prefix, " ")}
		}
	}
	if p.mode == Untrusted && c.Risk > tool.RiskLow {
		if c.Command != nil && knownSafe(c.Command) {
			return Verdict{Decision: Allow, Reason: "known read-only command", Rule: "safe-command"}
		}
		return Verdict{Decision: Prompt, Reason: c.Risk.String() + "-risk call in untrusted mode", Rule: "mode:untrusted"}
	}
	return Verdict{Decision: Allow, Reason: "allowed by approval mode " + string(p.mode), Rule: "mode:" + string(p.mode)}
}

// Check evaluates c and, where a prompt is required, asks the approver.
// The returned verdict is final: Allow or Forbid (a refused or impossible
// prompt becomes Forbid with the reason the model should hear).
func (p *Policy) Check(ctx context.Context, c Call) (Verdict, error) {
	v := p.Evaluate(c)
	if v.Decision != Prompt {
		return v, nil
	}
	key := alwaysKey(c)
	p.mu.Lock()
	remembered := p.always[key]
	p.mu.Unlock()
	if remembered {
		return Verdict{Decision: Allow, Reason: "approved for this session", Rule: v.Rule, ByUser: true}, nil
	}
	if p.approver == nil || p.mode == Never {
		return Verdict{Decision: Forbid, Rule: v.Rule,
			Reason: "needs approval (" + v.Reason + ") and no one can approve it in approval mode " + string(p.mode) + "; do not retry it, find another way or explain to the user"}, nil
	}
	ans, err := p.approver.Approve(ctx, c, v.Reason)
	if err != nil {
		return Verdict{}, err
	}
	switch ans {
	case Always:
		p.mu.Lock()
		p.always[key] = true
		p.mu.Unlock()
		return Verdict{Decision: Allow, Reason: "approved by the user for this session", Rule: v.Rule, ByUser: true}, nil
	case Yes:
		return Verdict{Decision: Allow, Reason: "approved by the user", Rule: v.Rule, ByUser: true}, nil
	default:
		return Verdict{Decision: Forbid, Reason: "the user declined this call", Rule: v.Rule, ByUser: true}, nil
	}
}

// match returns the strictest rule whose prefix matches argv, so that no
// layer of configuration can weaken another layer's forbid or prompt.
func (p *Policy) match(argv []string) (Rule, bool) {
	var best Rule
	found := false
	for _, r := range p.rules {
		if len(r.Prefix) == 0 || len(argv) < len(r.Prefix) {
			continue
		}
		ok := true
		for i, w := range r.Prefix {
			if argv[i] != w {
				ok = false
				break
			}
		}
		if ok && (!found || strictness(r.Decision) > strictness(best.Decision)) {
			best, found = r, true
		}
	}
	return best, found
}

func strictness(d Decision) int {
	switch d {
	case Forbid:
		return 2
	case Prompt:
		return 1
	}
	return 0
}

// alwaysKey scopes an "always" answer: the tool, plus the first two words of
// a command ("go test", "git commit"), so approving one command does not
// approve every command.
func alwaysKey(c Call) string {
	k := c.Tool
	for i, w := range c.Command {
		if i == 2 {
			break
		}
		k += "\x00" + w
	}
	return k
}
