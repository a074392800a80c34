package openai

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/modeltest"
)

// secondTurn is a conversation after the model called two tools.
func secondTurn() *model.Request {
	return &model.Request{
		Model:           "gpt-test",
		Instructions:    "You are git-agent.",
		MaxOutputTokens: 4096,
		Tools: []model.ToolSpec{{Name: "read_file", Description: "Read a file.",
			Parameters: json.RawMessage(`{"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}`)}},
		Input: []model.Item{
			{Type: model.ItemMessage, Role: model.RoleUser, Text: "What is in a.go and b.go?"},
			{Type: model.ItemReasoning, Text: "I should read both."},
			{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "Reading them."},
			{Type: model.ItemFunctionCall, CallID: "call_a", Name: "read_file", Arguments: `{"path":"a.go"}`},
			{Type: model.ItemFunctionCall, CallID: "call_b", Name: "read_file", Arguments: `{"path":"b.go"}`},
			{Type: model.ItemFunctionOutput, CallID: "call_a", Output: "package a"},
			{Type: model.ItemFunctionOutput, CallID: "call_b", Output: "no such file", IsError: true},
		},
	}
}

func TestRequestShape(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		new  func(Options) model.Provider
		path string
		want string
	}{
		{
			name: "responses",
			new:  func(o Options) model.Provider { return NewResponses(o) },
			path: "/v1/responses",
			want: `{
				"model": "gpt-test",
				"instructions": "You are git-agent.",
				"max_output_tokens": 4096,
				"stream": true,
				"store": false,
				"tools": [{"type": "function", "name": "read_file", "description": "Read a file.", "strict": false,
					"parameters": {"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}],
				"input": [
					{"type": "message", "role": "user", "content": [{"type": "input_text", "text": "What is in a.go and b.go?"}]},
					{"type": "message", "role": "assistant", "content": [{"type": "output_text", "text": "Reading them."}]},
					{"type": "function_call", "call_id": "call_a", "name": "read_file", "arguments": "{\"path\":\"a.go\"}"},
					{"type": "function_call", "call_id": "call_b", "name": "read_file", "arguments": "{\"path\":\"b.go\"}"},
					{"type": "function_call_output", "call_id": "call_a", "output": "package a"},
					{"type": "function_call_output", "call_id": "call_b", "output": "no such file"}
				]
			}`,
		},
		{
			name: "chat",
			new:  func(o Options) model.Provider { return NewChat(o) },
			path: "/v1/chat/completions",
			want: `{
				"model": "gpt-test",
				"max_completion_tokens": 4096,
				"stream": true,
				"stream_options": {"include_usage": true},
				"tools": [{"type": "function", "function": {"name": "read_file", "description": "Read a file.",
					"parameters": {"type":"object","properties":{"path":{"type":"string"}},"required":["path"]}}}],
				"messages": [
					{"role": "system", "content": "You are git-agent."},
					{"role": "user", "content": "What is in a.go and b.go?"},
					{"role": "assistant", "content": "Reading them.", "tool_calls": [
						{"id": "call_a", "type": "function", "function": {"name": "read_file", "arguments": "{\"path\":\"a.go\"}"}},
						{"id": "call_b", "type": "function", "function": {"name": "read_file", "arguments": "{\"path\":\"b.go\"}"}}
					]},
					{"role": "tool", "tool_call_id": "call_a", "content": "package a"},
					{"role": "tool", "tool_call_id": "call_b", "content": "no such file"}
				]
			}`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := modeltest.New(modeltest.Say("done"))
			defer srv.Close()
			p := tt.new(Options{BaseURL: srv.URL + "/v1", Headers: map[string]string{"OpenAI-Organization": "org-x"}, UserAgent: "git-agent/test"})
			if _, err := p.Stream(context.Background(), secondTurn(), nil); err != nil {
				t.Fatalf("Stream: %v", err)
			}
			rec := srv.Requests()[0]
			if rec.Path != tt.path {
				t.Errorf("path = %q, want %q", rec.Path, tt.path)
			}
			for h, want := range map[string]string{"OpenAI-Organization": "org-x", "User-Agent": "git-agent/test",
				"Content-Type": "application/json", "Accept": "text/event-stream"} {
				if got := rec.Header.Get(h); got != want {
					t.Errorf("header %s = %q, want %q", h, got, want)
				}
			}
			var got, want any
			if err := rec.Decode(&got); err != nil {
				t.Fatalf("decode request: %v", err)
			}
			if err := json.Unmarshal([]byte(tt.want), &want); err != nil {
				t.Fatalf("bad want: %v", err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("request body (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChatMessagesGrouping(t *testing.T) {
	t.Parallel()
	call := func(id string) model.Item {
		return model.Item{Type: model.ItemFunctionCall, CallID: id, Name: "shell"}
	}
	out := func(id string) model.Item {
		return model.Item{Type: model.ItemFunctionOutput, CallID: id, Output: "ok"}
	}
	// Two turns of calls, without assistant text: each turn is one message.
	msgs := chatMessages("", []model.Item{call("1"), call("2"), out("1"), out("2"), call("3"), out("3")})
	var shape []string
	for _, m := range msgs {
		s := m.Role
		for _, c := range m.ToolCalls {
			s += " " + c.ID + c.Function.Arguments
		}
		shape = append(shape, s)
	}
	want := []string{"assistant 1{} 2{}", "tool", "tool", "assistant 3{}", "tool"}
	if diff := cmp.Diff(want, shape); diff != "" {
		t.Errorf("messages (-want +got):\n%s", diff)
	}
	if msgs[0].Content != nil {
		t.Errorf("tool-call-only assistant message has content %q, want null", *msgs[0].Content)
	}
}

func TestChatOllamaMaxTokens(t *testing.T) {
	t.Parallel()
	b, err := chatBody(&model.Request{Model: "qwen3", MaxOutputTokens: 100}, true)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["max_tokens"] != 100.0 || got["max_completion_tokens"] != nil {
		t.Errorf("ollama body = %s, want max_tokens only", b)
	}
}

func TestResponsesReasoningSummary(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		summary string
		want    any
	}{
		{"off by default", "", nil},
		{"auto", "auto", map[string]any{"summary": "auto"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := modeltest.New(modeltest.Say("ok"))
			defer srv.Close()
			p := NewResponses(Options{BaseURL: srv.URL + "/v1", ReasoningSummary: tc.summary})
			if _, err := p.Stream(context.Background(), &model.Request{Model: "m"}, func(model.Event) {}); err != nil {
				t.Fatal(err)
			}
			var body map[string]any
			if err := srv.Requests()[0].Decode(&body); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, body["reasoning"]); diff != "" {
				t.Errorf("reasoning (-want +got):\n%s", diff)
			}
		})
	}
}
