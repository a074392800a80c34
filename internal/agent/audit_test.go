package agent

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/git-agent/git-agent/internal/audit"
	"github.com/git-agent/git-agent/internal/policy"
	"github.com/git-agent/git-agent/internal/tool"
	"github.com/git-agent/git-agent/sandbox"
	"github.com/google/go-cmp/cmp"
)

type answerer struct{ answer policy.Answer }

func (a answerer) Approve(context.Context, policy.Call, string) (policy.Answer, error) {
	return a.answer, nil
}

// auditSink collects entries; failOn makes one operation's append fail.
type auditSink struct {
	mu      sync.Mutex
	entries []audit.Entry
	failOn  string
}

func (s *auditSink) record(e audit.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if e.Operation == s.failOn {
		return errors.New("disk full")
	}
	s.entries = append(s.entries, e)
	return nil
}

func (s *auditSink) story() []string {
	var out []string
	for _, e := range s.entries {
		out = append(out, fmt.Sprintf("%s %s %s", e.Operation, e.Decision, e.Rule))
	}
	return out
}

func TestAuditTrail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		pol  *policy.Policy
		want []string
	}{
		{"allowed by mode", policy.New(policy.Never, nil, nil),
			[]string{"session.start started ", "tool.call allowed mode:never", "session.end completed "}},
		{"denied: nobody to ask", policy.New(policy.Untrusted, nil, nil),
			[]string{"session.start started ", "tool.call denied mode:untrusted", "session.end completed "}},
		{"approved by a person", policy.New(policy.Untrusted, nil, answerer{policy.Yes}),
			[]string{"session.start started ", "tool.call approved mode:untrusted", "session.end completed "}},
		{"rejected by a person", policy.New(policy.Untrusted, nil, answerer{policy.No}),
			[]string{"session.start started ", "tool.call rejected mode:untrusted", "session.end completed "}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			sink := &auditSink{}
			h := newHarness(t, tc.pol, 0, calls(fc("c1", "echo", `{"text":"hi"}`)), say("done"))
			h.agent.opts.Audit = sink.record
			if out := h.agent.Run(context.Background(), "task"); out.Status != SessionCompleted {
				t.Fatalf("status %s: %v", out.Status, out.Err)
			}
			if diff := cmp.Diff(tc.want, sink.story()); diff != "" {
				t.Errorf("audit story (-want +got):\n%s", diff)
			}
			call := sink.entries[1]
			if call.Target != "echo "+`{"text":"hi"}` || call.Details["tool"] != "echo" || call.Details["call_id"] != "c1" || call.Reason == "" {
				t.Errorf("tool.call entry = %+v", call)
			}
		})
	}
}

func TestAuditFailsClosed(t *testing.T) {
	t.Parallel()
	t.Run("a call that cannot be recorded is not run", func(t *testing.T) {
		t.Parallel()
		sink := &auditSink{failOn: OpToolCall}
		h := newHarness(t, nil, 0, calls(fc("c1", "echo", `{"text":"ran"}`)), say("done"))
		h.agent.opts.Audit = sink.record
		h.agent.Run(context.Background(), "task")
		for _, e := range h.events {
			if e.Type == EventItemCompleted && e.Item.Tool == "echo" {
				if e.Item.Status != StatusDenied || !strings.Contains(e.Item.Output, "audit log cannot record") {
					t.Errorf("call ended %s: %q", e.Item.Status, e.Item.Output)
				}
			}
			if e.Type == EventItemUpdated && e.Item.OutputDelta == "ran" {
				t.Error("the tool ran")
			}
		}
	})
	t.Run("a session that cannot be recorded does not start", func(t *testing.T) {
		t.Parallel()
		sink := &auditSink{failOn: OpSessionStart}
		h := newHarness(t, nil, 0, say("done"))
		h.agent.opts.Audit = sink.record
		out := h.agent.Run(context.Background(), "task")
		if out.Status != SessionFailed || !strings.Contains(out.Err.Error(), "--audit-log") {
			t.Errorf("outcome %s: %v", out.Status, out.Err)
		}
		if len(h.prov.reqs) != 0 {
			t.Errorf("the model was called %d times", len(h.prov.reqs))
		}
	})
}

func TestAuditContent(t *testing.T) {
	t.Parallel()
	for _, content := range []bool{false, true} {
		t.Run(fmt.Sprint("content=", content), func(t *testing.T) {
			t.Parallel()
			sink := &auditSink{}
			h := newHarness(t, nil, 0, say("the answer"))
			h.agent.opts.Audit = sink.record
			h.agent.opts.AuditContent = content
			h.agent.Run(context.Background(), "the secret plan")
			start, end := sink.entries[0].Details, sink.entries[len(sink.entries)-1].Details
			if start["prompt_sha256"] != digest("the secret plan") || start["prompt_bytes"] != len("the secret plan") {
				t.Errorf("session.start details %v", start)
			}
			if _, logged := start["prompt"]; logged != content {
				t.Errorf("prompt logged = %v, want %v", logged, content)
			}
			if _, logged := end["final_message"]; logged != content {
				t.Errorf("final message logged = %v, want %v", logged, content)
			}
		})
	}
}

func TestCallTarget(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, tool, args, summary, want string
	}{
		{"shell uses the summary", "shell", `{"command":"ls"}`, "shell ls", "shell ls"},
		{"patch names files, not content", "apply_patch",
			`{"patch":"*** Begin Patch\n*** Add File: a.txt\n+secret content\n*** Update File: b.go\n*** Move to: c.go\n@@\n-x\n+y\n*** Delete File: d\n*** End Patch"}`,
			"", "apply_patch a.txt b.go c.go d"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := callTarget(tc.tool, []byte(tc.args), tc.summary); got != tc.want {
				t.Errorf("callTarget = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestAuditExec records how commands ended: ok, failed, killed by the
// timeout; and, for a patch, each file written by hash.
func TestAuditExec(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("needs /bin/sh")
	}
	ws := t.TempDir()
	sink := &auditSink{}
	prov := &scripted{steps: []step{
		calls(fc("c1", "shell", `{"command":["true"]}`), fc("c2", "shell", `{"command":"exit 3"}`),
			fc("c3", "shell", `{"command":["sleep","5"],"timeout_ms":50}`),
			fc("c4", "apply_patch", `{"patch":"*** Begin Patch\n*** Add File: a.txt\n+hello\n*** End Patch"}`)),
		say("done")}}
	a := New(Options{SessionID: "s1", Provider: prov, Model: "m",
		Tools:   tool.NewRegistry(tool.NewShell(), tool.NewApplyPatch()),
		ToolEnv: &tool.Env{Workspace: ws, Sandbox: sandbox.Profile{Mode: sandbox.Trusted, Workspace: ws}},
		Policy:  policy.New(policy.Never, nil, nil), Audit: sink.record})
	a.Run(context.Background(), "task")
	var got []string
	for _, e := range sink.entries {
		if e.Operation == OpExec || e.Operation == OpFileWrite {
			got = append(got, fmt.Sprintf("%s %s %s (%s)", e.Operation, e.Target, e.Decision, e.Reason))
		}
	}
	want := []string{
		"exec true ok ()",
		"exec /bin/sh -c exit 3 failed (exit code 3)",
		"exec sleep 5 killed (timed out)",
		"file.write a.txt ok ()",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("exec entries (-want +got):\n%s", diff)
	}
	last := sink.entries[len(sink.entries)-2].Details
	if last["sha256"] != digest("hello\n") || last["size"] != int64(6) || last["op"] != "add" {
		t.Errorf("file.write details %v", last)
	}
}
