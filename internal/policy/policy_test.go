package policy

import (
	"context"
	"strings"
	"testing"

	"github.com/git-agent/git-agent/internal/tool"
)

type fixedApprover struct {
	answer Answer
	asked  int
}

func (f *fixedApprover) Approve(ctx context.Context, c Call, why string) (Answer, error) {
	f.asked++
	return f.answer, nil
}

func TestEvaluate(t *testing.T) {
	t.Parallel()
	shell := func(argv ...string) Call { return Call{Tool: "shell", Risk: tool.RiskHigh, Command: argv} }
	tests := []struct {
		name  string
		mode  Mode
		rules []Rule
		call  Call
		want  Decision
		rule  string
	}{
		{"never allows by default", Never, nil, shell("go", "test"), Allow, "mode:never"},
		{"default prompt rule", Never, nil, shell("git", "push", "origin"), Prompt, "rule:git push"},
		{"default forbid rule", OnRequest, nil, shell("rm", "-rf", "/"), Forbid, "rule:rm -rf /"},
		{"prefix must match whole words", Never, nil, shell("git", "pushx"), Allow, "mode:never"},
		{"untrusted prompts for writes", Untrusted, nil, Call{Tool: "apply_patch", Risk: tool.RiskMedium}, Prompt, "mode:untrusted"},
		{"untrusted allows reads", Untrusted, nil, Call{Tool: "read_file", Risk: tool.RiskLow}, Allow, "mode:untrusted"},
		{"untrusted allows known-safe commands", Untrusted, nil, shell("git", "status"), Allow, "safe-command"},
		{"untrusted prompts for find -exec", Untrusted, nil, shell("find", ".", "-exec", "rm", "{}", ";"), Prompt, "mode:untrusted"},
		{"untrusted prompts for scripts", Untrusted, nil, shell("ls", "&&", "rm", "x"), Prompt, "mode:untrusted"},
		{"strictest rule wins over a user allow", Never, []Rule{{Prefix: []string{"git"}, Decision: Allow}}, shell("git", "push"), Prompt, "rule:git push"},
		{"user forbid", Never, []Rule{{Prefix: []string{"curl"}, Decision: Forbid, Reason: "no network"}}, shell("curl", "x"), Forbid, "rule:curl"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v := New(tc.mode, tc.rules, nil).Evaluate(tc.call)
			if v.Decision != tc.want || v.Rule != tc.rule {
				t.Errorf("Evaluate = %+v, want %s by %s", v, tc.want, tc.rule)
			}
		})
	}
}

func TestCheckAsksAndRemembers(t *testing.T) {
	t.Parallel()
	push := Call{Tool: "shell", Risk: tool.RiskHigh, Command: []string{"git", "push", "origin", "main"}}
	tests := []struct {
		name      string
		mode      Mode
		approver  *fixedApprover
		want      []Decision // for two identical calls
		wantAsked int
		reason    string
		byUser    bool
	}{
		{"never denies without asking", Never, &fixedApprover{answer: Yes}, []Decision{Forbid, Forbid}, 0, "no one can approve", false},
		{"no approver denies", OnRequest, nil, []Decision{Forbid, Forbid}, 0, "no one can approve", false},
		{"yes asks each time", OnRequest, &fixedApprover{answer: Yes}, []Decision{Allow, Allow}, 2, "approved by the user", true},
		{"always asks once", OnRequest, &fixedApprover{answer: Always}, []Decision{Allow, Allow}, 1, "approved for this session", true},
		{"no denies", OnRequest, &fixedApprover{answer: No}, []Decision{Forbid, Forbid}, 2, "declined", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var a Approver
			if tc.approver != nil {
				a = tc.approver
			}
			p := New(tc.mode, nil, a)
			var last Verdict
			for i, want := range tc.want {
				v, err := p.Check(context.Background(), push)
				if err != nil {
					t.Fatal(err)
				}
				if v.Decision != want {
					t.Errorf("call %d: %s, want %s", i, v.Decision, want)
				}
				last = v
			}
			if tc.approver != nil && tc.approver.asked != tc.wantAsked {
				t.Errorf("asked %d times, want %d", tc.approver.asked, tc.wantAsked)
			}
			if !strings.Contains(last.Reason, tc.reason) {
				t.Errorf("reason %q does not mention %q", last.Reason, tc.reason)
			}
			if last.ByUser != tc.byUser {
				t.Errorf("ByUser = %v, want %v", last.ByUser, tc.byUser)
			}
		})
	}
}

func TestAlwaysIsScopedToTheCommand(t *testing.T) {
	t.Parallel()
	a := &fixedApprover{answer: Always}
	p := New(Untrusted, nil, a)
	p.Check(context.Background(), Call{Tool: "shell", Risk: tool.RiskHigh, Command: []string{"go", "test", "./..."}})
	p.Check(context.Background(), Call{Tool: "shell", Risk: tool.RiskHigh, Command: []string{"go", "test", "./x"}})
	p.Check(context.Background(), Call{Tool: "shell", Risk: tool.RiskHigh, Command: []string{"go", "run", "."}})
	if a.asked != 2 {
		t.Errorf("asked %d times, want 2 (go test once, go run once)", a.asked)
	}
}

func TestParseMode(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"never", "on-request", "untrusted"} {
		if _, err := ParseMode(s); err != nil {
			t.Errorf("ParseMode(%q): %v", s, err)
		}
	}
	if _, err := ParseMode("always"); err == nil || !strings.Contains(err.Error(), "never, on-request or untrusted") {
		t.Errorf("ParseMode(always) = %v", err)
	}
}
