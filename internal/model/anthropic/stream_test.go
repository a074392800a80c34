package anthropic

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/internal/model"
)

// TestRecordedToolUse serves a stream in exactly the shape the Messages API
// sends for a text-then-tool_use turn.
func TestRecordedToolUse(t *testing.T) {
	t.Parallel()
	fixture, err := os.ReadFile("testdata/tool_use.sse")
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/messages" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
		w.Write(fixture)
	}))
	defer srv.Close()

	sink, events := collect()
	got, err := newTestClient(srv.URL, nil, nil).Stream(context.Background(),
		&model.Request{Model: "claude-sonnet-4-5", Input: []model.Item{userSays("run the tests")}}, sink)
	if err != nil {
		t.Fatalf("Stream: %v", err)
	}
	want := &model.Response{
		ID:    "msg_01XFDUDYJgAACzvnptvVoYEL",
		Model: "claude-sonnet-4-5-20250929",
		Items: []model.Item{
			{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "I'll run the test suite to see what fails."},
			{Type: model.ItemFunctionCall, CallID: "toolu_01A09q90qw90lq917835lq9", Name: "shell",
				Arguments: `{"command": ["go", "test", "./..."], "timeout_ms": 120000}`},
		},
		Usage:      model.Usage{InputTokens: 1187 + 2048, CachedInputTokens: 2048, OutputTokens: 71},
		StopReason: model.StopToolCalls,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("response (-want +got):\n%s", diff)
	}
	wantEvents := []model.Event{
		{Type: model.EventTextDelta, Delta: "I'll run the"},
		{Type: model.EventTextDelta, Delta: " test suite to see what fails."},
		{Type: model.EventToolCallStart, CallID: "toolu_01A09q90qw90lq917835lq9", Name: "shell"},
		{Type: model.EventToolCallDelta, CallID: "toolu_01A09q90qw90lq917835lq9", Delta: `{"command": ["go", `},
		{Type: model.EventToolCallDelta, CallID: "toolu_01A09q90qw90lq917835lq9", Delta: `"test", "./..."]`},
		{Type: model.EventToolCallDelta, CallID: "toolu_01A09q90qw90lq917835lq9", Delta: `, "timeout_ms": 120000}`},
	}
	if diff := cmp.Diff(wantEvents, events()); diff != "" {
		t.Errorf("events (-want +got):\n%s", diff)
	}
}

// sseOf writes events as the API does: "event:" and "data:" lines.
func sseOf(pairs ...string) string {
	var b strings.Builder
	for i := 0; i+1 < len(pairs); i += 2 {
		b.WriteString("event: " + pairs[i] + "\ndata: " + pairs[i+1] + "\n\n")
	}
	return b.String()
}

const (
	evStart   = `{"type":"message_start","message":{"id":"msg_1","model":"claude-x","usage":{"input_tokens":10,"output_tokens":1}}}`
	evStop    = `{"type":"message_stop"}`
	evEndTurn = `{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}`
)

func TestReadStream(t *testing.T) {
	t.Parallel()
	textBlock := func(i, text string) []string {
		return []string{
			"content_block_start", `{"type":"content_block_start","index":` + i + `,"content_block":{"type":"text","text":""}}`,
			"content_block_delta", `{"type":"content_block_delta","index":` + i + `,"delta":{"type":"text_delta","text":"` + text + `"}}`,
			"content_block_stop", `{"type":"content_block_stop","index":` + i + `}`,
		}
	}
	toolBlock := func(i, id, partial string) []string {
		return []string{
			"content_block_start", `{"type":"content_block_start","index":` + i + `,"content_block":{"type":"tool_use","id":"` + id + `","name":"f","input":{}}}`,
			"content_block_delta", `{"type":"content_block_delta","index":` + i + `,"delta":{"type":"input_json_delta","partial_json":` + partial + `}}`,
			"content_block_stop", `{"type":"content_block_stop","index":` + i + `}`,
		}
	}
	cat := func(parts ...[]string) string {
		var all []string
		for _, p := range parts {
			all = append(all, p...)
		}
		return sseOf(all...)
	}
	start, end := []string{"message_start", evStart}, []string{"message_delta", evEndTurn, "message_stop", evStop}
	tests := []struct {
		name     string
		body     string
		want     *model.Response
		wantKind model.ErrorKind
		wantMsg  string
	}{
		{
			name: "thinking then text, unknown events and deltas ignored",
			body: cat(start, []string{
				"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}`,
				"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hmm"}}`,
				"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"sig"}}`,
				"content_block_stop", `{"type":"content_block_stop","index":0}`,
				"brand_new_event", `{"type":"brand_new_event","x":1}`,
			}, textBlock("1", "hi"), end),
			want: &model.Response{ID: "msg_1", Model: "claude-x", StopReason: model.StopEnd,
				Usage: model.Usage{InputTokens: 10, OutputTokens: 5},
				Items: []model.Item{{Type: model.ItemReasoning, Text: "hmm"}, {Type: model.ItemMessage, Role: model.RoleAssistant, Text: "hi"}}},
		},
		{
			name: "cumulative usage in message_delta wins",
			body: cat(start, textBlock("0", "x"), []string{
				"message_delta", `{"type":"message_delta","delta":{"stop_reason":"stop_sequence"},"usage":{"input_tokens":12,"cache_read_input_tokens":3,"output_tokens":9}}`,
				"message_stop", evStop}),
			want: &model.Response{ID: "msg_1", Model: "claude-x", StopReason: model.StopEnd,
				Usage: model.Usage{InputTokens: 15, CachedInputTokens: 3, OutputTokens: 9},
				Items: []model.Item{{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "x"}}},
		},
		{
			name: "empty tool input becomes {}",
			body: cat(start, toolBlock("0", "toolu_1", `""`), []string{
				"message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":5}}`,
				"message_stop", evStop}),
			want: &model.Response{ID: "msg_1", Model: "claude-x", StopReason: model.StopToolCalls,
				Usage: model.Usage{InputTokens: 10, OutputTokens: 5},
				Items: []model.Item{{Type: model.ItemFunctionCall, CallID: "toolu_1", Name: "f", Arguments: "{}"}}},
		},
		{
			name: "max_tokens drops a tool call cut off mid-input",
			body: cat(start, textBlock("0", "let me"), toolBlock("1", "toolu_1", `"{\"path\": \"a"`), []string{
				"message_delta", `{"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":5}}`,
				"message_stop", evStop}),
			want: &model.Response{ID: "msg_1", Model: "claude-x", StopReason: model.StopMaxTokens,
				Usage: model.Usage{InputTokens: 10, OutputTokens: 5},
				Items: []model.Item{{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "let me"}}},
		},
		{name: "invalid tool input", body: cat(start, toolBlock("0", "toolu_1", `"{\"a\":"`), end), wantKind: model.ErrStream, wantMsg: "not a JSON object"},
		{name: "error event", body: cat(start, []string{"error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`}), wantKind: model.ErrServer, wantMsg: "Overloaded"},
		{name: "malformed json", body: cat(start, []string{"content_block_start", `{"type": "content_block_start", broken`}), wantKind: model.ErrStream, wantMsg: "malformed content_block_start"},
		{name: "ends before message_stop", body: cat(start, textBlock("0", "x")), wantKind: model.ErrStream, wantMsg: "before message_stop"},
		{name: "cut mid-event", body: sseOf("message_start", evStart) + "event: content_block_start\ndata: {", wantKind: model.ErrStream, wantMsg: "middle of an event"},
		{name: "empty body", body: "", wantKind: model.ErrStream, wantMsg: "before message_stop"},
		{name: "delta for unknown block", body: cat(start, []string{"content_block_delta", `{"type":"content_block_delta","index":3,"delta":{"type":"text_delta","text":"x"}}`}), wantKind: model.ErrStream, wantMsg: "not open"},
		{name: "text delta to tool block", body: cat(start, toolBlock("0", "toolu_1", `"{}"`)[:2], []string{"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"x"}}`}), wantKind: model.ErrStream, wantMsg: "text_delta for a tool_use block"},
		{name: "block started twice", body: cat(start, textBlock("0", "a"), textBlock("0", "b")), wantKind: model.ErrStream, wantMsg: "started twice"},
		{name: "tool_use without id", body: cat(start, toolBlock("0", "", `"{}"`)), wantKind: model.ErrStream, wantMsg: "without id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := readStream(strings.NewReader(tt.body), nil)
			if tt.wantKind != "" {
				me, ok := model.AsError(err)
				if !ok || me.Kind != tt.wantKind || !strings.Contains(err.Error(), tt.wantMsg) || got != nil {
					t.Fatalf("got %v, %v; want a %s error mentioning %q", got, err, tt.wantKind, tt.wantMsg)
				}
				return
			}
			if err != nil {
				t.Fatalf("readStream: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("response (-want +got):\n%s", diff)
			}
		})
	}
}
