package anthropic

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/modeltest"
)

const testKey = "sk-ant-test"

// sleeps records the waits a client asked for instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return nil
}

func (s *sleeps) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// newTestClient returns a client for a loopback server that never really sleeps.
func newTestClient(baseURL string, s *sleeps, mod func(*Options)) *Client {
	if s == nil {
		s = &sleeps{}
	}
	opts := Options{BaseURL: baseURL, APIKey: testKey, Sleep: s.sleep, MaxAttempts: 3, IdleTimeout: 5 * time.Second}
	if mod != nil {
		mod(&opts)
	}
	return New(opts)
}

// collect returns a sink and a func listing the events it saw.
func collect() (func(model.Event), func() []model.Event) {
	var mu sync.Mutex
	var evs []model.Event
	return func(e model.Event) {
			mu.Lock()
			defer mu.Unlock()
			evs = append(evs, e)
		}, func() []model.Event {
			mu.Lock()
			defer mu.Unlock()
			return append([]model.Event(nil), evs...)
		}
}

func userSays(text string) model.Item {
	return model.Item{Type: model.ItemMessage, Role: model.RoleUser, Text: text}
}

func TestStreamScripted(t *testing.T) {
	t.Parallel()
	usage := model.Usage{InputTokens: 120, CachedInputTokens: 100, OutputTokens: 30}
	twoCalls := modeltest.Turn{Response: model.Response{StopReason: model.StopToolCalls, Usage: usage, Items: []model.Item{
		{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "Reading both files."},
		{Type: model.ItemFunctionCall, CallID: "toolu_a", Name: "read_file", Arguments: `{"path":"a.go"}`},
		{Type: model.ItemFunctionCall, CallID: "toolu_b", Name: "read_file", Arguments: `{"path":"b.go"}`},
	}}}
	tests := []struct {
		name string
		turn modeltest.Turn
		want *model.Response
	}{
		{
			name: "plain text",
			turn: modeltest.Say("Hello there, this answer spans several deltas — ünïcode too."),
			want: &model.Response{ID: "msg_modeltest", Model: "scripted", StopReason: model.StopEnd, Items: []model.Item{
				{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "Hello there, this answer spans several deltas — ünïcode too."}}},
		},
		{
			name: "thinking then text",
			turn: modeltest.Turn{Response: model.Response{StopReason: model.StopEnd, Items: []model.Item{
				{Type: model.ItemReasoning, Text: "The user wants a greeting; keep it short."},
				{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "Hi!"}}}},
			want: &model.Response{ID: "msg_modeltest", Model: "scripted", StopReason: model.StopEnd, Items: []model.Item{
				{Type: model.ItemReasoning, Text: "The user wants a greeting; keep it short."},
				{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "Hi!"}}},
		},
		{
			name: "one tool call",
			turn: modeltest.Call("toolu_1", "read_file", map[string]string{"path": "main.go"}),
			want: &model.Response{ID: "msg_modeltest", Model: "scripted", StopReason: model.StopToolCalls, Items: []model.Item{
				{Type: model.ItemFunctionCall, CallID: "toolu_1", Name: "read_file", Arguments: `{"path":"main.go"}`}}},
		},
		{
			name: "two tool calls",
			turn: twoCalls,
			want: &model.Response{ID: "msg_modeltest", Model: "scripted", StopReason: model.StopToolCalls, Usage: usage, Items: twoCalls.Response.Items},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := modeltest.New(tt.turn)
			defer srv.Close()
			sink, events := collect()
			got, err := newTestClient(srv.URL, nil, nil).Stream(context.Background(),
				&model.Request{Model: "claude-test", Input: []model.Item{userSays("go")}}, sink)
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(replay(t, events()), got.Items); diff != "" {
				t.Errorf("streamed events disagree with the response (-events +response):\n%s", diff)
			}
		})
	}
}

// replay rebuilds items from streamed events, so tests can check that what
// a UI showed matches what the agent got.
func replay(t *testing.T, evs []model.Event) []model.Item {
	t.Helper()
	var items []model.Item
	byID := map[string]int{}
	for _, e := range evs {
		switch e.Type {
		case model.EventTextDelta, model.EventReasoningDelta:
			want := model.Item{Type: model.ItemMessage, Role: model.RoleAssistant}
			if e.Type == model.EventReasoningDelta {
				want = model.Item{Type: model.ItemReasoning}
			}
			if n := len(items); n == 0 || items[n-1].Type != want.Type {
				items = append(items, want)
			}
			items[len(items)-1].Text += e.Delta
		case model.EventToolCallStart:
			byID[e.CallID] = len(items)
			items = append(items, model.Item{Type: model.ItemFunctionCall, CallID: e.CallID, Name: e.Name})
		case model.EventToolCallDelta:
			i, ok := byID[e.CallID]
			if !ok {
				t.Fatalf("tool_call_delta for unannounced call %q", e.CallID)
			}
			items[i].Arguments += e.Delta
		}
	}
	return items
}

// TestConversationWire plays a two-call turn and checks the follow-up request
// the way the API will see it: headers, and tool_use/tool_result alternation.
func TestConversationWire(t *testing.T) {
	t.Parallel()
	calls := modeltest.Turn{Response: model.Response{StopReason: model.StopToolCalls, Items: []model.Item{
		{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "Looking."},
		{Type: model.ItemFunctionCall, CallID: "toolu_a", Name: "read_file", Arguments: `{"path":"a.go"}`},
		{Type: model.ItemFunctionCall, CallID: "toolu_b", Name: "list", Arguments: ``},
	}}}
	srv := modeltest.New(calls, modeltest.Say("Both files are fine."))
	defer srv.Close()
	c := newTestClient(srv.URL+"/v1/", nil, func(o *Options) { o.Headers = http.Header{"Anthropic-Beta": {"test-beta"}} })
	req := &model.Request{
		Model:        "claude-test",
		Instructions: "You are git-agent.",
		Input:        []model.Item{userSays("check a.go")},
		Tools: []model.ToolSpec{
			{Name: "read_file", Description: "Read a file.", Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}}}`)},
			{Name: "list", Description: "List files."},
		},
	}
	first, err := c.Stream(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("first turn: %v", err)
	}
	req.Input = append(req.Input, first.Items...)
	req.Input = append(req.Input,
		model.Item{Type: model.ItemFunctionOutput, CallID: "toolu_a", Output: "package a"},
		model.Item{Type: model.ItemFunctionOutput, CallID: "toolu_b", Output: "no such dir", IsError: true})
	second, err := c.Stream(context.Background(), req, nil)
	if err != nil {
		t.Fatalf("second turn: %v", err)
	}
	if got := second.Text(); got != "Both files are fine." {
		t.Errorf("second text = %q", got)
	}

	recs := srv.Requests()
	if len(recs) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(recs))
	}
	r := recs[1]
	if r.Path != "/v1/messages" {
		t.Errorf("path = %q, want /v1/messages", r.Path)
	}
	wantHeaders := map[string]string{
		"X-Api-Key":         testKey,
		"Anthropic-Version": "2023-06-01",
		"Content-Type":      "application/json",
		"Accept":            "text/event-stream",
		"Anthropic-Beta":    "test-beta",
	}
	for k, v := range wantHeaders {
		if got := r.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
	var body map[string]any
	if err := r.Decode(&body); err != nil {
		t.Fatalf("decode request: %v", err)
	}
	want := decodeJSON(t, `{
		"model": "claude-test",
		"max_tokens": 8192,
		"system": "You are git-agent.",
		"stream": true,
		"tools": [
			{"name": "read_file", "description": "Read a file.", "input_schema": {"type":"object","properties":{"path":{"type":"string"}}}},
			{"name": "list", "description": "List files.", "input_schema": {"type":"object","properties":{}}}
		],
		"messages": [
			{"role": "user", "content": [{"type": "text", "text": "check a.go"}]},
			{"role": "assistant", "content": [
				{"type": "text", "text": "Looking."},
				{"type": "tool_use", "id": "toolu_a", "name": "read_file", "input": {"path": "a.go"}},
				{"type": "tool_use", "id": "toolu_b", "name": "list", "input": {}}
			]},
			{"role": "user", "content": [
				{"type": "tool_result", "tool_use_id": "toolu_a", "content": "package a", "is_error": false},
				{"type": "tool_result", "tool_use_id": "toolu_b", "content": "no such dir", "is_error": true}
			]}
		]
	}`)
	if diff := cmp.Diff(want, body); diff != "" {
		t.Errorf("second request body (-want +got):\n%s", diff)
	}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("bad test JSON: %v", err)
	}
	return v
}
