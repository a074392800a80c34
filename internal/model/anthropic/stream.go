package anthropic

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/wire"
)

// Bounds on what one response may make us hold, whatever the server sends.
const (
	maxContent = 32 << 20 // bytes of text, thinking and tool input together
	maxBlocks  = 4096
)

// streamEvent is the union of the fields of the stream events we read.
type streamEvent struct {
	Type    string `json:"type"`
	Message *struct {
		ID    string `json:"id"`
		Model string `json:"model"`
		Usage usage  `json:"usage"`
	} `json:"message"`
	Index        *int `json:"index"`
	ContentBlock *struct {
		Type     string          `json:"type"`
		ID       string          `json:"id"`
		Name     string          `json:"name"`
		Text     string          `json:"text"`
		Thinking string          `json:"thinking"`
		Input    json.RawMessage `json:"input"`
	} `json:"content_block"`
	Delta *struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		PartialJSON string `json:"partial_json"`
		Thinking    string `json:"thinking"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"`
	Usage *usage `json:"usage"`
	Error *struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

type usage struct {
	InputTokens         int `json:"input_tokens"`
	CacheCreationTokens int `json:"cache_creation_input_tokens"`
	CacheReadTokens     int `json:"cache_read_input_tokens"`
	OutputTokens        int `json:"output_tokens"`
}

// contentBlock accumulates one content block of the response.
type contentBlock struct {
	kind     string // "text", "tool_use", "thinking" or a type we keep no content of
	id, name string
	text     strings.Builder // text, thinking, or tool input JSON
	initial  json.RawMessage // tool input sent whole in content_block_start
	stopped  bool
}

// decoder turns Messages API stream events into model events and a response.
type decoder struct {
	sink       func(model.Event)
	resp       model.Response
	blocks     map[int]*contentBlock
	size       int
	stopReason string
}

// readStream reads a Messages API event stream from r until message_stop,
// calling sink for each incremental event. It never needs HTTP, so the fuzzer
// and the recorded fixtures drive it directly.
func readStream(r io.Reader, sink func(model.Event)) (*model.Response, error) {
	if sink == nil {
		sink = func(model.Event) {}
	}
	d := &decoder{sink: sink, blocks: map[int]*contentBlock{}}
	sr := wire.NewSSEReader(r)
	for {
		ev, err := sr.Next()
		if err != nil {
			return nil, readError(err)
		}
		if strings.TrimSpace(ev.Data) == "" {
			continue // an event without data carries nothing we use
		}
		done, err := d.handle(ev)
		if err != nil {
			return nil, err
		}
		if done {
			return d.finish()
		}
	}
}

func readError(err error) *model.Error {
	e := &model.Error{Kind: model.ErrStream, Provider: providerName, Err: err,
		Hint: "the connection to Anthropic was interrupted; retry"}
	switch {
	case errors.Is(err, io.EOF):
		e.Message = "ended before message_stop"
	case errors.Is(err, io.ErrUnexpectedEOF):
		e.Message = "cut off in the middle of an event"
	case errors.Is(err, wire.ErrEventTooLarge):
		e.Message = err.Error()
		e.Hint = "the server sent an oversized event; check --base-url points at the Anthropic API"
	default:
		e.Message = "reading stream: " + err.Error()
	}
	return e
}

func streamErr(format string, args ...any) *model.Error {
	return &model.Error{Kind: model.ErrStream, Provider: providerName,
		Message: fmt.Sprintf(format, args...),
		Hint:    "the stream did not follow the Messages API protocol; retry, and check --base-url if it persists"}
}

// handle applies one event and reports whether the message is complete.
func (d *decoder) handle(ev wire.SSEEvent) (bool, error) {
	var e streamEvent
	if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
		name := ev.Event
		if name == "" {
			name = "event"
		}
		return false, streamErr("malformed %s data: %v", name, err)
	}
	typ := e.Type
	if typ == "" {
		typ = ev.Event
	}
	switch typ {
	case "message_start":
		if m := e.Message; m != nil {
			d.resp.ID, d.resp.Model = m.ID, m.Model
			d.setUsage(m.Usage)
		}
	case "content_block_start":
		return false, d.start(&e)
	case "content_block_delta":
		return false, d.delta(&e)
	case "content_block_stop":
		if e.Index == nil {
			return false, streamErr("content_block_stop without an index")
		}
		b, ok := d.blocks[*e.Index]
		if !ok {
			return false, streamErr("content_block_stop for unknown block %d", *e.Index)
		}
		b.stopped = true
	case "message_delta":
		if e.Delta != nil && e.Delta.StopReason != "" {
			d.stopReason = e.Delta.StopReason
		}
		if e.Usage != nil {
			d.setUsage(*e.Usage)
		}
	case "message_stop":
		return true, nil
	case "error":
		if e.Error == nil {
			return false, streamErr("error event without an error")
		}
		return false, apiErr(0, e.Error.Type, e.Error.Message)
	}
	// ping, and event types added after this was written, are ignored as
	// the API's versioning policy asks.
	return false, nil
}

// setUsage records usage; message_delta repeats it cumulatively, so later
// non-zero figures replace earlier ones. Anthropic counts cached tokens apart
// from input_tokens; model.Usage counts them inside, as OpenAI does.
func (d *decoder) setUsage(u usage) {
	if in := u.InputTokens + u.CacheCreationTokens + u.CacheReadTokens; in > 0 {
		d.resp.Usage.InputTokens = in
		d.resp.Usage.CachedInputTokens = u.CacheReadTokens
	}
	if u.OutputTokens > 0 {
		d.resp.Usage.OutputTokens = u.OutputTokens
	}
}

func (d *decoder) start(e *streamEvent) error {
	if e.Index == nil || e.ContentBlock == nil {
		return streamErr("content_block_start without index or content_block")
	}
	i, cb := *e.Index, e.ContentBlock
	if _, dup := d.blocks[i]; dup {
		return streamErr("content block %d started twice", i)
	}
	if len(d.blocks) >= maxBlocks {
		return streamErr("more than %d content blocks", maxBlocks)
	}
	b := &contentBlock{kind: cb.Type, id: cb.ID, name: cb.Name}
	d.blocks[i] = b
	switch cb.Type {
	case "text":
		return d.add(b, cb.Text, model.EventTextDelta)
	case "thinking":
		return d.add(b, cb.Thinking, model.EventReasoningDelta)
	case "tool_use":
		if cb.ID == "" || cb.Name == "" {
			return streamErr("tool_use block %d without id or name", i)
		}
		b.initial = cb.Input
		d.sink(model.Event{Type: model.EventToolCallStart, CallID: cb.ID, Name: cb.Name})
	}
	return nil
}

func (d *decoder) delta(e *streamEvent) error {
	if e.Index == nil || e.Delta == nil {
		return streamErr("content_block_delta without index or delta")
	}
	b, ok := d.blocks[*e.Index]
	if !ok || b.stopped {
		return streamErr("content_block_delta for block %d, which is not open", *e.Index)
	}
	var want, piece string
	var typ model.EventType
	switch e.Delta.Type {
	case "text_delta":
		want, piece, typ = "text", e.Delta.Text, model.EventTextDelta
	case "thinking_delta":
		want, piece, typ = "thinking", e.Delta.Thinking, model.EventReasoningDelta
	case "input_json_delta":
		want, piece, typ = "tool_use", e.Delta.PartialJSON, model.EventToolCallDelta
	default:
		return nil // signature_delta, citations_delta and future kinds
	}
	if b.kind != want {
		return streamErr("%s for a %s block", e.Delta.Type, b.kind)
	}
	return d.add(b, piece, typ)
}

// add appends a piece to b and passes it on.
func (d *decoder) add(b *contentBlock, piece string, typ model.EventType) error {
	if piece == "" {
		return nil
	}
	d.size += len(piece)
	if d.size > maxContent {
		return streamErr("response exceeds %d MiB", maxContent>>20)
	}
	b.text.WriteString(piece)
	d.sink(model.Event{Type: typ, Delta: piece, CallID: b.id})
	return nil
}

// finish builds the response from the blocks in index order.
func (d *decoder) finish() (*model.Response, error) {
	resp := d.resp
	resp.Items = []model.Item{}
	truncated := stopReason(d.stopReason, false) == model.StopMaxTokens
	for _, i := range slices.Sorted(maps.Keys(d.blocks)) {
		b := d.blocks[i]
		switch b.kind {
		case "text":
			if b.text.Len() > 0 {
				resp.Items = append(resp.Items, model.Item{Type: model.ItemMessage, Role: model.RoleAssistant, Text: b.text.String()})
			}
		case "thinking":
			if b.text.Len() > 0 {
				resp.Items = append(resp.Items, model.Item{Type: model.ItemReasoning, Text: b.text.String()})
			}
		case "tool_use":
			args, ok := b.input()
			if !ok {
				if truncated {
					continue // cut off by max_tokens: the caller sees StopMaxTokens
				}
				return nil, streamErr("tool call %s (%s) has arguments that are not a JSON object", b.name, b.id)
			}
			resp.Items = append(resp.Items, model.Item{Type: model.ItemFunctionCall, CallID: b.id, Name: b.name, Arguments: args})
		}
	}
	resp.StopReason = stopReason(d.stopReason, len(resp.ToolCalls()) > 0)
	return &resp, nil
}

// input is the tool input JSON: the streamed pieces, else the input sent
// with content_block_start, else {}.
func (b *contentBlock) input() (string, bool) {
	s := strings.TrimSpace(b.text.String())
	if s == "" {
		if s = strings.TrimSpace(string(b.initial)); s == "null" {
			s = ""
		}
	}
	if s == "" {
		return "{}", true
	}
	return s, s[0] == '{' && json.Valid([]byte(s))
}

func stopReason(reason string, hasCalls bool) string {
	switch reason {
	case "end_turn", "stop_sequence":
		return model.StopEnd
	case "tool_use":
		return model.StopToolCalls
	case "max_tokens", "model_context_window_exceeded":
		return model.StopMaxTokens
	case "":
		if hasCalls {
			return model.StopToolCalls
		}
		return model.StopEnd
	}
	return model.StopOther // pause_turn, refusal and future reasons
}
