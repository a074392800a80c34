package anthropic

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/git-agent/git-agent/internal/model"
)

// FuzzAnthropicStream feeds arbitrary bytes to the stream reader as if they
// were the SSE body: it must return a response or a *model.Error, never
// panic, and never return tool arguments that are not a JSON object.
func FuzzAnthropicStream(f *testing.F) {
	// Seeds stay small: the fuzzer minimises every input that finds new
	// coverage in time quadratic in its length, so a seed the size of the
	// recorded fixture would leave it minimising instead of exploring.
	f.Add([]byte(sseOf("message_start", `{"type":"message_start","message":{"id":"m","usage":{"input_tokens":1}}}`,
		"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}`,
		"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"a"}}`,
		"content_block_start", `{"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t","name":"f","input":{}}}`,
		"content_block_delta", `{"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"a\":1}"}}`,
		"content_block_stop", `{"type":"content_block_stop","index":1}`,
		"message_delta", `{"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":2}}`,
		"message_stop", `{}`)))
	f.Add([]byte(sseOf("message_start", evStart,
		"content_block_start", `{"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":""}}`,
		"content_block_delta", `{"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"hm"}}`,
		"content_block_stop", `{"type":"content_block_stop","index":0}`,
		"message_delta", evEndTurn, "message_stop", evStop)))
	f.Add([]byte(sseOf("message_start", evStart, "error", `{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}`)))
	f.Add([]byte("data: {\"type\":\"message_stop\"}\r\n\r\n"))
	f.Add([]byte(": keep-alive\n\nevent: ping\ndata: {}\n\n"))
	f.Add([]byte{})

	f.Fuzz(func(t *testing.T, body []byte) {
		var events int
		resp, err := readStream(bytes.NewReader(body), func(model.Event) { events++ })
		if (resp == nil) == (err == nil) {
			t.Fatalf("readStream returned %v, %v: want exactly one", resp, err)
		}
		if err != nil {
			if _, ok := model.AsError(err); !ok {
				t.Fatalf("error %v (%T) is not a *model.Error", err, err)
			}
			return
		}
		for _, call := range resp.ToolCalls() {
			var obj map[string]any
			if json.Unmarshal([]byte(call.Arguments), &obj) != nil {
				t.Fatalf("tool call %q has arguments %q, not a JSON object", call.CallID, call.Arguments)
			}
		}
	})
}
