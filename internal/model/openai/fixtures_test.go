package openai

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/internal/model"
)

// TestFixtures replays recorded streams shaped like the real APIs' (see
// testdata/*.sse) through the full HTTP path.
func TestFixtures(t *testing.T) {
	t.Parallel()
	const (
		rid = "resp_68b5c3a1f0d481a2b7e9c04d12f3e5a60b1c2d3e4f5a6b7c"
		cid = "chatcmpl-CAbc123XyZ9kLmN0pQrStUvWxYz12"
	)
	msg := func(s string) model.Item {
		return model.Item{Type: model.ItemMessage, Role: model.RoleAssistant, Text: s}
	}
	call := func(id, name, args string) model.Item {
		return model.Item{Type: model.ItemFunctionCall, CallID: id, Name: name, Arguments: args}
	}
	tests := []struct {
		file      string
		chat      bool
		want      *model.Response
		kind      model.ErrorKind
		reasoning string // streamed reasoning deltas
	}{
		{file: "responses_function_call.sse", want: &model.Response{ID: rid, Model: "gpt-5-2025-08-07",
			Items: []model.Item{
				{Type: model.ItemReasoning, Text: "**Inspecting the repository**\n\nI'll list the files to see the layout."},
				call("call_Qk2mR8vXyT5nL1pJ7wE3sD9f", "shell", `{"command":["ls","-la"]}`),
			},
			Usage:      model.Usage{InputTokens: 1843, CachedInputTokens: 1536, OutputTokens: 151, ReasoningTokens: 128},
			StopReason: model.StopToolCalls},
			reasoning: "**Inspecting the repository**\n\nI'll list the files to see the layout."},
		{file: "responses_text.sse", want: &model.Response{ID: rid, Model: "gpt-5-2025-08-07",
			Items:      []model.Item{msg("All 42 tests pass; the branch is ready to merge.")},
			Usage:      model.Usage{InputTokens: 2210, OutputTokens: 14},
			StopReason: model.StopEnd}},
		{file: "responses_incomplete.sse", want: &model.Response{ID: rid, Model: "gpt-5-2025-08-07",
			Items:      []model.Item{msg("The refactor touches")},
			Usage:      model.Usage{InputTokens: 900, OutputTokens: 16, ReasoningTokens: 12},
			StopReason: model.StopMaxTokens}},
		{file: "responses_failed.sse", kind: model.ErrServer},
		{file: "responses_error_event.sse", kind: model.ErrContextLength},
		{file: "chat_openai_tool_calls.sse", chat: true, want: &model.Response{ID: cid, Model: "gpt-4.1-2025-04-14",
			Items: []model.Item{
				call("call_3fR9aWq1Zx8Lk2Vb7Nm4Ty6P", "read_file", `{"path": "internal/model/model.go"}`),
				call("call_8Hd2Ks5Lp0Qw3Er6Ty9Ui1Op", "read_file", `{"path": "go.mod"}`),
			},
			Usage:      model.Usage{InputTokens: 1391, CachedInputTokens: 1280, OutputTokens: 52},
			StopReason: model.StopToolCalls}},
		{file: "chat_openai_text.sse", chat: true, want: &model.Response{ID: cid, Model: "gpt-4.1-2025-04-14",
			Items:      []model.Item{msg("Done. I renamed `Foo` to `Bar`.")},
			Usage:      model.Usage{InputTokens: 512, OutputTokens: 9},
			StopReason: model.StopEnd}},
		{file: "chat_ollama_tool_call.sse", chat: true, want: &model.Response{ID: "chatcmpl-417", Model: "qwen3:8b",
			Items: []model.Item{
				{Type: model.ItemReasoning, Text: "The user wants the files; I'll list the directory."},
				call("call_k3v9x2qa", "list_dir", `{"path":"."}`),
			},
			Usage:      model.Usage{InputTokens: 288, OutputTokens: 61},
			StopReason: model.StopToolCalls},
			reasoning: "The user wants the files; I'll list the directory."},
		{file: "chat_ollama_noindex.sse", chat: true, want: &model.Response{ID: "chatcmpl-417", Model: "llama3.1:8b",
			Items: []model.Item{
				call("call_a1b2c3d4", "read_file", `{"path":"README.md"}`),
				call("call_e5f6a7b8", "read_file", `{"path":"go.mod"}`),
			},
			StopReason: model.StopToolCalls}},
		{file: "chat_error.sse", chat: true, kind: model.ErrContextLength},
		{file: "chat_truncated.sse", chat: true, kind: model.ErrStream},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
				w.Write(body)
			}))
			defer srv.Close()
			var p model.Provider = NewResponses(Options{BaseURL: srv.URL})
			if tt.chat {
				p = NewChat(Options{BaseURL: srv.URL, Name: "ollama"})
			}
			var rec recorder
			got, err := p.Stream(context.Background(), request("hi"), rec.sink)
			if kindOfErr(err) != tt.kind || (err != nil) != (tt.kind != "") {
				t.Fatalf("error = %v, want kind %q", err, tt.kind)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
			if got == nil {
				return
			}
			if d := rec.joined(model.EventTextDelta); d != got.Text() {
				t.Errorf("text deltas = %q, want %q", d, got.Text())
			}
			if d := rec.joined(model.EventReasoningDelta); d != tt.reasoning {
				t.Errorf("reasoning deltas = %q, want %q", d, tt.reasoning)
			}
			if n, want := len(rec.ofType(model.EventToolCallStart)), len(got.ToolCalls()); n != want {
				t.Errorf("tool call starts = %d, want %d", n, want)
			}
		})
	}
}
