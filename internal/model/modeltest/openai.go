package modeltest

import (
	"fmt"
	"unicode/utf8"

	"github.com/git-agent/git-agent/internal/model"
)

// openaiCreated is the fixed creation time stamped on scripted responses, so that
// recorded streams are reproducible.
const openaiCreated = 1735689600

// responsesEvents encodes r as the OpenAI Responses API streams it: created,
// in_progress, per item added / part / deltas / done, then completed (or
// incomplete when r stopped at the token limit).
func responsesEvents(r model.Response) []sse {
	id := r.ID
	if id == "" {
		id = "resp_modeltest0001"
	}
	seq := 0
	var evs []sse
	emit := func(typ string, fields map[string]any) {
		fields["type"] = typ
		fields["sequence_number"] = seq
		seq++
		evs = append(evs, jsonEvent(typ, fields))
	}
	obj := func(status string, output []any, usage any) map[string]any {
		o := map[string]any{"id": id, "object": "response", "created_at": openaiCreated, "status": status,
			"model": r.Model, "output": output, "usage": usage, "error": nil, "incomplete_details": nil,
			"store": false, "tool_choice": "auto", "parallel_tool_calls": true}
		if status == "incomplete" {
			o["incomplete_details"] = map[string]any{"reason": "max_output_tokens"}
		}
		return o
	}
	emit("response.created", map[string]any{"response": obj("in_progress", []any{}, nil)})
	emit("response.in_progress", map[string]any{"response": obj("in_progress", []any{}, nil)})

	output := []any{}
	for i, it := range r.Items {
		at := func(m map[string]any) map[string]any { m["output_index"] = i; return m }
		var done map[string]any
		switch it.Type {
		case model.ItemReasoning:
			itemID := fmt.Sprintf("rs_modeltest%04d", i)
			ref := func(m map[string]any) map[string]any {
				m["item_id"], m["summary_index"] = itemID, 0
				return at(m)
			}
			emit("response.output_item.added", at(map[string]any{"item": map[string]any{"id": itemID, "type": "reasoning", "summary": []any{}}}))
			emit("response.reasoning_summary_part.added", ref(map[string]any{"part": map[string]any{"type": "summary_text", "text": ""}}))
			for _, piece := range openaiSplit(it.Text) {
				emit("response.reasoning_summary_text.delta", ref(map[string]any{"delta": piece}))
			}
			emit("response.reasoning_summary_text.done", ref(map[string]any{"text": it.Text}))
			emit("response.reasoning_summary_part.done", ref(map[string]any{"part": map[string]any{"type": "summary_text", "text": it.Text}}))
			done = map[string]any{"id": itemID, "type": "reasoning",
				"summary": []any{map[string]any{"type": "summary_text", "text": it.Text}}}
		case model.ItemFunctionCall:
			itemID := fmt.Sprintf("fc_modeltest%04d", i)
			item := func(status, args string) map[string]any {
				return map[string]any{"id": itemID, "type": "function_call", "status": status,
					"call_id": it.CallID, "name": it.Name, "arguments": args}
			}
			emit("response.output_item.added", at(map[string]any{"item": item("in_progress", "")}))
			for _, piece := range openaiSplit(it.Arguments) {
				emit("response.function_call_arguments.delta", at(map[string]any{"item_id": itemID, "delta": piece}))
			}
			emit("response.function_call_arguments.done", at(map[string]any{"item_id": itemID, "arguments": it.Arguments}))
			done = item("completed", it.Arguments)
		default: // an assistant message
			itemID := fmt.Sprintf("msg_modeltest%04d", i)
			ref := func(m map[string]any) map[string]any {
				m["item_id"], m["content_index"] = itemID, 0
				return at(m)
			}
			part := func(text string) map[string]any {
				return map[string]any{"type": "output_text", "text": text, "annotations": []any{}, "logprobs": []any{}}
			}
			emit("response.output_item.added", at(map[string]any{"item": map[string]any{"id": itemID,
				"type": "message", "status": "in_progress", "role": "assistant", "content": []any{}}}))
			emit("response.content_part.added", ref(map[string]any{"part": part("")}))
			for _, piece := range openaiSplit(it.Text) {
				emit("response.output_text.delta", ref(map[string]any{"delta": piece, "logprobs": []any{}}))
			}
			emit("response.output_text.done", ref(map[string]any{"text": it.Text, "logprobs": []any{}}))
			emit("response.content_part.done", ref(map[string]any{"part": part(it.Text)}))
			done = map[string]any{"id": itemID, "type": "message", "status": "completed", "role": "assistant",
				"content": []any{part(it.Text)}}
		}
		emit("response.output_item.done", at(map[string]any{"item": done}))
		output = append(output, done)
	}

	u := openaiUsage(r)
	wireUsage := map[string]any{
		"input_tokens":          u.InputTokens,
		"input_tokens_details":  map[string]any{"cached_tokens": u.CachedInputTokens},
		"output_tokens":         u.OutputTokens,
		"output_tokens_details": map[string]any{"reasoning_tokens": u.ReasoningTokens},
		"total_tokens":          u.Total(),
	}
	if r.StopReason == model.StopMaxTokens {
		emit("response.incomplete", map[string]any{"response": obj("incomplete", output, wireUsage)})
	} else {
		emit("response.completed", map[string]any{"response": obj("completed", output, wireUsage)})
	}
	return evs
}

// openaiUsage returns r.Usage, or small plausible counts when the script left it zero.
func openaiUsage(r model.Response) model.Usage {
	if r.Usage != (model.Usage{}) {
		return r.Usage
	}
	u := model.Usage{InputTokens: 42}
	for _, it := range r.Items {
		n := 1 + (len(it.Text)+len(it.Name)+len(it.Arguments))/4
		u.OutputTokens += n
		if it.Type == model.ItemReasoning {
			u.ReasoningTokens += n
		}
	}
	return u
}

// openaiSplit cuts s into up to three pieces at rune boundaries, as a model
// streams tokens; an empty s has no pieces.
func openaiSplit(s string) []string {
	n := utf8.RuneCountInString(s)
	if n == 0 {
		return nil
	}
	size := (n + 2) / 3
	var pieces []string
	for len(s) > 0 {
		cut, count := 0, 0
		for cut < len(s) && count < size {
			_, w := utf8.DecodeRuneInString(s[cut:])
			cut += w
			count++
		}
		pieces = append(pieces, s[:cut])
		s = s[cut:]
	}
	return pieces
}

// chatEvents encodes r as Chat Completions streams it with include_usage: a
// role chunk, content (and reasoning_content, as vLLM and DeepSeek send it)
// in pieces, each tool call as a header delta then argument pieces, the
// finish_reason chunk, the usage chunk, and data: [DONE].
func chatEvents(r model.Response) []sse {
	id := r.ID
	if id == "" {
		id = "chatcmpl-modeltest0001"
	}
	var evs []sse
	chunk := func(delta map[string]any, finish any, usage any) {
		choices := []any{}
		if delta != nil {
			choices = append(choices, map[string]any{"index": 0, "delta": delta, "logprobs": nil, "finish_reason": finish})
		}
		evs = append(evs, jsonEvent("", map[string]any{"id": id, "object": "chat.completion.chunk",
			"created": openaiCreated, "model": r.Model, "system_fingerprint": "fp_modeltest",
			"choices": choices, "usage": usage}))
	}
	chunk(map[string]any{"role": "assistant", "content": "", "refusal": nil}, nil, nil)
	calls := 0
	for _, it := range r.Items {
		switch it.Type {
		case model.ItemReasoning:
			for _, piece := range openaiSplit(it.Text) {
				chunk(map[string]any{"reasoning_content": piece}, nil, nil)
			}
		case model.ItemFunctionCall:
			chunk(map[string]any{"tool_calls": []any{map[string]any{"index": calls, "id": it.CallID,
				"type": "function", "function": map[string]any{"name": it.Name, "arguments": ""}}}}, nil, nil)
			for _, piece := range openaiSplit(it.Arguments) {
				chunk(map[string]any{"tool_calls": []any{map[string]any{"index": calls,
					"function": map[string]any{"arguments": piece}}}}, nil, nil)
			}
			calls++
		default:
			for _, piece := range openaiSplit(it.Text) {
				chunk(map[string]any{"content": piece}, nil, nil)
			}
		}
	}
	finish := "stop"
	switch {
	case r.StopReason == model.StopMaxTokens:
		finish = "length"
	case calls > 0:
		finish = "tool_calls"
	}
	chunk(map[string]any{}, finish, nil)
	u := openaiUsage(r)
	chunk(nil, nil, map[string]any{
		"prompt_tokens":             u.InputTokens,
		"completion_tokens":         u.OutputTokens,
		"total_tokens":              u.Total(),
		"prompt_tokens_details":     map[string]any{"cached_tokens": u.CachedInputTokens, "audio_tokens": 0},
		"completion_tokens_details": map[string]any{"reasoning_tokens": u.ReasoningTokens, "audio_tokens": 0},
	})
	return append(evs, sse{data: "[DONE]"})
}
