package anthropic

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/internal/model"
)

func TestEndpoint(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, base, want string }{
		{"default", "", "https://api.anthropic.com/v1/messages"},
		{"bare host", "https://proxy.example", "https://proxy.example/v1/messages"},
		{"trailing slash", "https://proxy.example//", "https://proxy.example/v1/messages"},
		{"with v1", "https://proxy.example/v1", "https://proxy.example/v1/messages"},
		{"with v1 and slash", "https://proxy.example/v1/", "https://proxy.example/v1/messages"},
		{"path prefix", "http://127.0.0.1:8080/anthropic", "http://127.0.0.1:8080/anthropic/v1/messages"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := endpoint(tt.base); got != tt.want {
				t.Errorf("endpoint(%q) = %q, want %q", tt.base, got, tt.want)
			}
		})
	}
}

func TestBuildRequest(t *testing.T) {
	t.Parallel()
	user := func(s string) model.Item { return model.Item{Type: model.ItemMessage, Role: model.RoleUser, Text: s} }
	asst := func(s string) model.Item {
		return model.Item{Type: model.ItemMessage, Role: model.RoleAssistant, Text: s}
	}
	call := func(id, args string) model.Item {
		return model.Item{Type: model.ItemFunctionCall, CallID: id, Name: "t", Arguments: args}
	}
	result := func(id, out string) model.Item {
		return model.Item{Type: model.ItemFunctionOutput, CallID: id, Output: out}
	}
	tests := []struct {
		name         string
		req          model.Request
		wantSystem   string
		wantMax      float64
		wantMessages string // JSON
	}{
		{
			name:         "empty input still sends a messages array",
			req:          model.Request{Model: "m"},
			wantMax:      8192,
			wantMessages: `[]`,
		},
		{
			name: "system items fold into the system prompt",
			req: model.Request{Model: "m", Instructions: "base", MaxOutputTokens: 100, Input: []model.Item{
				{Type: model.ItemMessage, Role: model.RoleSystem, Text: "extra"}, user("hi")}},
			wantSystem:   "base\n\nextra",
			wantMax:      100,
			wantMessages: `[{"role":"user","content":[{"type":"text","text":"hi"}]}]`,
		},
		{
			name: "adjacent same-role messages merge; empty text and reasoning are dropped",
			req: model.Request{Model: "m", Input: []model.Item{
				user("a"), user(""), user("b"),
				{Type: model.ItemReasoning, Text: "thinking"},
				asst("c"), asst("d")}},
			wantMax: 8192,
			wantMessages: `[
				{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]},
				{"role":"assistant","content":[{"type":"text","text":"c"},{"type":"text","text":"d"}]}]`,
		},
		{
			name: "tool calls without preceding text; bad arguments become {}",
			req: model.Request{Model: "m", Input: []model.Item{
				user("go"), call("1", "not json"), call("2", "[1,2]"), call("3", " {\"x\": 1} "),
				result("1", "r1"), result("2", ""), result("3", "r3"), user("and then?")}},
			wantMax: 8192,
			wantMessages: `[
				{"role":"user","content":[{"type":"text","text":"go"}]},
				{"role":"assistant","content":[
					{"type":"tool_use","id":"1","name":"t","input":{}},
					{"type":"tool_use","id":"2","name":"t","input":{}},
					{"type":"tool_use","id":"3","name":"t","input":{"x":1}}]},
				{"role":"user","content":[
					{"type":"tool_result","tool_use_id":"1","content":"r1","is_error":false},
					{"type":"tool_result","tool_use_id":"2","content":"","is_error":false},
					{"type":"tool_result","tool_use_id":"3","content":"r3","is_error":false},
					{"type":"text","text":"and then?"}]}]`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			b, err := json.Marshal(buildRequest(&tt.req, DefaultMaxTokens))
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]any
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatal(err)
			}
			var wantMsgs any
			if err := json.Unmarshal([]byte(tt.wantMessages), &wantMsgs); err != nil {
				t.Fatalf("bad test JSON: %v", err)
			}
			if diff := cmp.Diff(wantMsgs, got["messages"]); diff != "" {
				t.Errorf("messages (-want +got):\n%s", diff)
			}
			if sys, _ := got["system"].(string); sys != tt.wantSystem {
				t.Errorf("system = %q, want %q", sys, tt.wantSystem)
			}
			if got["max_tokens"] != tt.wantMax || got["stream"] != true || got["model"] != "m" {
				t.Errorf("max_tokens, stream, model = %v, %v, %v", got["max_tokens"], got["stream"], got["model"])
			}
			if _, ok := got["tools"]; ok {
				t.Errorf("tools present without tools in the request")
			}
		})
	}
}
