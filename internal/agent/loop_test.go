package agent

import (
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/policy"
	"github.com/git-agent/git-agent/internal/tool"
	"github.com/google/go-cmp/cmp"
)

// scripted is a fake model for loop tests: it answers with the next response
// (or error) and records every request.
type scripted struct {
	mu    sync.Mutex
	steps []step
	reqs  []*model.Request
}

type step struct {
	resp *model.Response
	err  error
}

func (s *scripted) Name() string { return "scripted" }

func (s *scripted) Stream(ctx context.Context, req *model.Request, sink func(model.Event)) (*model.Response, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	cp := *req
	cp.Input = append([]model.Item(nil), req.Input...)
	s.reqs = append(s.reqs, &cp)
	if len(s.steps) == 0 {
		return nil, errors.New("script exhausted")
	}
	st := s.steps[0]
	s.steps = s.steps[1:]
	if st.err != nil {
		return nil, st.err
	}
	for _, it := range st.resp.Items {
		if it.Type == model.ItemMessage {
			sink(model.Event{Type: model.EventTextDelta, Delta: it.Text})
		}
	}
	return st.resp, nil
}

func say(text string) step {
	return step{resp: &model.Response{StopReason: model.StopEnd, Usage: model.Usage{InputTokens: 10, OutputTokens: 2},
		Items: []model.Item{{Type: model.ItemMessage, Role: model.RoleAssistant, Text: text}}}}
}

func calls(cs ...model.Item) step {
	return step{resp: &model.Response{StopReason: model.StopToolCalls, Usage: model.Usage{InputTokens: 10, OutputTokens: 5}, Items: cs}}
}

func fc(id, name, args string) model.Item {
	return model.Item{Type: model.ItemFunctionCall, CallID: id, Name: name, Arguments: args}
}

// echoTool returns its "text" argument; "fail": true makes it an error result.
type echoTool struct{ risk tool.Risk }

func (echoTool) Name() string                     { return "echo" }
func (echoTool) Description() string              { return "echo text" }
func (echoTool) Schema() json.RawMessage          { return json.RawMessage(`{"type":"object"}`) }
func (e echoTool) Risk(json.RawMessage) tool.Risk { return e.risk }
func (echoTool) Run(ctx context.Context, env *tool.Env, id string, args json.RawMessage) (tool.Result, error) {
	var a struct {
		Text  string `json:"text"`
		Fail  bool   `json:"fail"`
		Sleep int    `json:"sleep_ms"`
	}
	if err := json.Unmarshal(args, &a); err != nil {
		return tool.Errorf("bad args: %v", err), nil
	}
	if a.Sleep > 0 {
		select {
		case <-ctx.Done():
			return tool.Result{}, ctx.Err()
		case <-time.After(time.Duration(a.Sleep) * time.Millisecond):
		}
	}
	if env.Progress != nil {
		env.Progress(id, a.Text)
	}
	return tool.Result{Output: a.Text, IsError: a.Fail}, nil
}

type harness struct {
	prov   *scripted
	events []Event
	store  *Store
	roll   *Rollout
	agent  *Agent
}

func newHarness(t *testing.T, pol *policy.Policy, maxTurns int, steps ...step) *harness {
	t.Helper()
	h := &harness{prov: &scripted{steps: steps}}
	h.store = &Store{Dir: filepath.Join(t.TempDir(), "sessions")}
	var err error
	h.roll, err = h.store.Create(Meta{ID: "abc123", Provider: "scripted", Prompt: "task"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.roll.Close() })
	if pol == nil {
		pol = policy.New(policy.Never, nil, nil)
	}
	h.agent = New(Options{
		SessionID: "abc123", Provider: h.prov, Model: "m", Instructions: "be good",
		Tools: tool.NewRegistry(echoTool{risk: tool.RiskHigh}), ToolEnv: &tool.Env{Workspace: t.TempDir()},
		Policy: pol, MaxTurns: maxTurns, Emit: func(e Event) { h.events = append(h.events, e) }, Rollout: h.roll,
	})
	return h
}

func (h *harness) types() []string {
	var ts []string
	for _, e := range h.events {
		s := e.Type
		if e.Item != nil {
			s += ":" + e.Item.Type
		}
		ts = append(ts, s)
	}
	return ts
}

func TestRunCompletesAfterToolCall(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, 0,
		calls(fc("c1", "echo", `{"text":"hello"}`)),
		say("done: hello"))
	out := h.agent.Run(context.Background(), "say hello")
	if out.Status != SessionCompleted || out.FinalMessage != "done: hello" || out.Turns != 2 {
		t.Fatalf("outcome = %+v", out)
	}
	if diff := cmp.Diff(model.Usage{InputTokens: 20, OutputTokens: 7}, out.Usage); diff != "" {
		t.Errorf("usage (-want +got):\n%s", diff)
	}
	want := []string{
		"session.started", "turn.started",
		"item.started:tool_call", "item.updated:tool_call", "item.completed:tool_call", "turn.completed",
		"turn.started", "item.started:agent_message", "item.updated:agent_message", "item.completed:agent_message",
		"turn.completed", "session.completed",
	}
	if diff := cmp.Diff(want, h.types()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
	for i, e := range h.events {
		if e.Seq != i+1 || e.SessionID != "abc123" {
			t.Errorf("event %d: seq %d session %q", i, e.Seq, e.SessionID)
		}
	}
	// The second request carries the call and its output.
	second := h.prov.reqs[1].Input
	last := second[len(second)-1]
	if last.Type != model.ItemFunctionOutput || last.CallID != "c1" || last.Output != "hello" {
		t.Errorf("second request ends with %+v", last)
	}
	// The rollout reloads to the same conversation.
	h.roll.Close()
	l, err := h.store.Load("abc123")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(h.agent.Items(), l.Items); diff != "" {
		t.Errorf("rollout items (-agent +loaded):\n%s", diff)
	}
	if l.Status != SessionCompleted || l.Turns != 2 || l.Final != "done: hello" {
		t.Errorf("loaded = status %q turns %d final %q", l.Status, l.Turns, l.Final)
	}
}

func TestRunStops(t *testing.T) {
	t.Parallel()
	failing := fc("c", "echo", `{"text":"nope","fail":true}`)
	tests := []struct {
		name       string
		maxTurns   int
		steps      []step
		wantStatus string
		wantErr    string
	}{
		{"max turns", 2, []step{calls(fc("a", "echo", `{"text":"1"}`)), calls(fc("b", "echo", `{"text":"2"}`)), say("never")},
			SessionMaxTurns, "stopped after 2 turns"},
		{"same failing call", 0, []step{calls(failing), calls(failing), calls(failing), say("never")},
			SessionLoop, "same failing echo call 3 times"},
		{"model error", 0, []step{{err: &model.Error{Kind: model.ErrAuth, Provider: "x", Status: 401}}},
			SessionFailed, "auth"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, nil, tc.maxTurns, tc.steps...)
			out := h.agent.Run(context.Background(), "go")
			if out.Status != tc.wantStatus {
				t.Fatalf("status = %q, want %q (err %v)", out.Status, tc.wantStatus, out.Err)
			}
			if out.Err == nil || !strings.Contains(out.Err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want it to mention %q", out.Err, tc.wantErr)
			}
			last := h.events[len(h.events)-1]
			if last.Type != EventSessionCompleted || last.Status != tc.wantStatus || last.Error == nil {
				t.Errorf("last event = %+v", last)
			}
		})
	}
}

func TestToolCallOutcomes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		pol        *policy.Policy
		call       model.Item
		wantOutput string
		wantError  bool
		wantStatus string
	}{
		{"unknown tool", nil, fc("c", "nope", `{}`), `unknown tool "nope"; available tools: echo`, true, StatusFailed},
		{"invalid json", nil, fc("c", "echo", `{"text":`), "not valid JSON", true, StatusFailed},
		{"empty args", nil, fc("c", "echo", ``), "", false, StatusCompleted},
		{"untrusted without approver is denied", policy.New(policy.Untrusted, nil, nil), fc("c", "echo", `{"text":"x"}`),
			"denied by policy: needs approval", true, StatusDenied},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, tc.pol, 0, calls(tc.call), say("ok"))
			if out := h.agent.Run(context.Background(), "go"); out.Status != SessionCompleted {
				t.Fatalf("outcome %+v", out)
			}
			var got model.Item
			for _, it := range h.agent.Items() {
				if it.Type == model.ItemFunctionOutput {
					got = it
				}
			}
			if !strings.Contains(got.Output, tc.wantOutput) || got.IsError != tc.wantError {
				t.Errorf("output = %q (error %v), want %q (error %v)", got.Output, got.IsError, tc.wantOutput, tc.wantError)
			}
			var status string
			for _, e := range h.events {
				if e.Type == EventItemCompleted && e.Item.CallID == "c" {
					status = e.Item.Status
				}
			}
			if status != tc.wantStatus {
				t.Errorf("item status = %q, want %q", status, tc.wantStatus)
			}
		})
	}
}

func TestSeveralCallsInOneTurnKeepOrder(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, 0,
		calls(fc("a", "echo", `{"text":"1"}`), fc("b", "echo", `{"text":"2"}`), fc("c", "echo", `{"text":"3"}`)),
		say("ok"))
	h.agent.Run(context.Background(), "go")
	var got []string
	for _, it := range h.prov.reqs[1].Input {
		if it.Type == model.ItemFunctionOutput {
			got = append(got, it.CallID+"="+it.Output)
		}
	}
	if diff := cmp.Diff([]string{"a=1", "b=2", "c=3"}, got); diff != "" {
		t.Errorf("outputs (-want +got):\n%s", diff)
	}
}

func TestContextLengthErrorRetriesWithTrimming(t *testing.T) {
	t.Parallel()
	big := strings.Repeat("line of output\n", 2000)
	h := newHarness(t, nil, 0,
		calls(fc("a", "echo", `{"text":`+mustJSON(big)+`}`)),
		step{err: &model.Error{Kind: model.ErrContextLength}},
		say("fits now"))
	h.agent.opts.ContextWindow = 20000
	out := h.agent.Run(context.Background(), "go")
	if out.Status != SessionCompleted {
		t.Fatalf("outcome %+v", out)
	}
	retry := h.prov.reqs[2].Input
	for _, it := range retry {
		if it.Type == model.ItemFunctionOutput && !strings.Contains(it.Output, "trimmed to fit the context window") {
			t.Errorf("retried request still has the full output (%d bytes)", len(it.Output))
		}
	}
	// The rollout keeps the full output.
	for _, it := range h.agent.Items() {
		if it.Type == model.ItemFunctionOutput && it.Output != big {
			t.Errorf("agent history was trimmed")
		}
	}
}

func TestInterruptDuringTool(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, 0, calls(fc("a", "echo", `{"text":"x","sleep_ms":5000}`)), say("never"))
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	out := h.agent.Run(ctx, "go")
	if out.Status != SessionInterrupted || !errors.Is(out.Err, context.Canceled) {
		t.Fatalf("outcome %+v", out)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("interrupt took %v", d)
	}
}

func TestResumeContinuesConversation(t *testing.T) {
	t.Parallel()
	h := newHarness(t, nil, 0, say("first"), say("second"))
	h.agent.Run(context.Background(), "one")
	h.roll.Close()
	l, err := h.store.Load("abc123")
	if err != nil {
		t.Fatal(err)
	}
	roll, err := h.store.Reopen("abc123")
	if err != nil {
		t.Fatal(err)
	}
	defer roll.Close()
	a2 := New(Options{SessionID: "abc123", Provider: h.prov, Tools: tool.NewRegistry(), ToolEnv: &tool.Env{},
		Policy: policy.New(policy.Never, nil, nil), Rollout: roll})
	a2.Restore(l.Items, l.Turns, l.Usage)
	out := a2.Run(context.Background(), "two")
	if out.FinalMessage != "second" || out.Turns != 2 {
		t.Fatalf("outcome %+v", out)
	}
	var texts []string
	for _, it := range h.prov.reqs[1].Input {
		texts = append(texts, string(it.Role)+":"+it.Text)
	}
	if diff := cmp.Diff([]string{"user:one", "assistant:first", "user:two"}, texts); diff != "" {
		t.Errorf("resumed request (-want +got):\n%s", diff)
	}
}

func mustJSON(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}
