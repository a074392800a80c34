package modeltest

import (
	"encoding/json"
	"unicode/utf8"

	"github.com/git-agent/git-agent/internal/model"
)

// anthropicChunk is how many bytes of text or tool input go in one delta. The
// real API splits at arbitrary points; a small fixed size makes clients
// reassemble several pieces while keeping event counts predictable for the
// DropAfter and StallAfter faults.
const anthropicChunk = 16

// anthropicEvents encodes r as the Messages API streams it: message_start,
// then per content block a content_block_start, its deltas and a
// content_block_stop (with one ping after the first block start, where the
// real API sends it), then message_delta and message_stop.
func anthropicEvents(r model.Response) []sse {
	id := r.ID
	if id == "" {
		id = "msg_modeltest"
	}
	cached := r.Usage.CachedInputTokens
	events := []sse{jsonEvent("message_start", aMessageStart{
		Type: "message_start",
		Message: aMessage{
			ID: id, Type: "message", Role: "assistant", Model: r.Model, Content: []any{},
			Usage: aUsage{
				InputTokens:          max(r.Usage.InputTokens-cached, 0),
				CacheReadInputTokens: cached,
				OutputTokens:         min(r.Usage.OutputTokens, 1), // the real API sends a placeholder here
			},
		},
	})}
	pinged := false
	ping := func() {
		if !pinged {
			events = append(events, sse{event: "ping", data: `{"type": "ping"}`})
			pinged = true
		}
	}
	index := 0
	hasCalls := false
	for _, it := range r.Items {
		var start map[string]any
		var deltas []map[string]any
		switch {
		case it.Type == model.ItemMessage && it.Role == model.RoleAssistant:
			start = map[string]any{"type": "text", "text": ""}
			for _, p := range chunks(it.Text) {
				deltas = append(deltas, map[string]any{"type": "text_delta", "text": p})
			}
		case it.Type == model.ItemReasoning:
			start = map[string]any{"type": "thinking", "thinking": "", "signature": ""}
			for _, p := range chunks(it.Text) {
				deltas = append(deltas, map[string]any{"type": "thinking_delta", "thinking": p})
			}
			deltas = append(deltas, map[string]any{"type": "signature_delta", "signature": "modeltest-signature"})
		case it.Type == model.ItemFunctionCall:
			hasCalls = true
			start = map[string]any{"type": "tool_use", "id": it.CallID, "name": it.Name, "input": map[string]any{}}
			// The real API always opens a tool_use block with an empty piece.
			deltas = append(deltas, map[string]any{"type": "input_json_delta", "partial_json": ""})
			for _, p := range chunks(it.Arguments) {
				deltas = append(deltas, map[string]any{"type": "input_json_delta", "partial_json": p})
			}
		default:
			continue
		}
		events = append(events, jsonEvent("content_block_start", aBlockStart{
			Type: "content_block_start", Index: index, ContentBlock: start}))
		ping()
		for _, d := range deltas {
			events = append(events, jsonEvent("content_block_delta", aBlockDelta{
				Type: "content_block_delta", Index: index, Delta: d}))
		}
		events = append(events, jsonEvent("content_block_stop", aBlockStop{Type: "content_block_stop", Index: index}))
		index++
	}
	ping()
	events = append(events,
		jsonEvent("message_delta", aMessageDelta{
			Type:  "message_delta",
			Delta: aStop{StopReason: anthropicStop(r.StopReason, hasCalls)},
			Usage: aOutputUsage{OutputTokens: r.Usage.OutputTokens},
		}),
		sse{event: "message_stop", data: `{"type":"message_stop"}`},
	)
	return events
}

func anthropicStop(reason string, hasCalls bool) string {
	switch reason {
	case model.StopEnd:
		return "end_turn"
	case model.StopToolCalls:
		return "tool_use"
	case model.StopMaxTokens:
		return "max_tokens"
	case model.StopOther:
		return "refusal"
	}
	if hasCalls {
		return "tool_use"
	}
	return "end_turn"
}

// chunks splits s into pieces of about anthropicChunk bytes on rune boundaries.
func chunks(s string) []string {
	var out []string
	for len(s) > 0 {
		n := min(anthropicChunk, len(s))
		for n < len(s) && !utf8.RuneStart(s[n]) {
			n++
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

// The structs below fix the key order to the one the real API sends.

type aMessageStart struct {
	Type    string   `json:"type"`
	Message aMessage `json:"message"`
}

type aMessage struct {
	ID           string          `json:"id"`
	Type         string          `json:"type"`
	Role         string          `json:"role"`
	Model        string          `json:"model"`
	Content      []any           `json:"content"`
	StopReason   json.RawMessage `json:"stop_reason"`
	StopSequence json.RawMessage `json:"stop_sequence"`
	Usage        aUsage          `json:"usage"`
}

type aUsage struct {
	InputTokens          int `json:"input_tokens"`
	CacheCreationTokens  int `json:"cache_creation_input_tokens"`
	CacheReadInputTokens int `json:"cache_read_input_tokens"`
	OutputTokens         int `json:"output_tokens"`
}

type aBlockStart struct {
	Type         string         `json:"type"`
	Index        int            `json:"index"`
	ContentBlock map[string]any `json:"content_block"`
}

type aBlockDelta struct {
	Type  string         `json:"type"`
	Index int            `json:"index"`
	Delta map[string]any `json:"delta"`
}

type aBlockStop struct {
	Type  string `json:"type"`
	Index int    `json:"index"`
}

type aMessageDelta struct {
	Type  string       `json:"type"`
	Delta aStop        `json:"delta"`
	Usage aOutputUsage `json:"usage"`
}

type aOutputUsage struct {
	OutputTokens int `json:"output_tokens"`
}

type aStop struct {
	StopReason   string          `json:"stop_reason"`
	StopSequence json.RawMessage `json:"stop_sequence"`
}
