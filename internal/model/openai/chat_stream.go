package openai

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/wire"
)

type chatChunk struct {
	ID      string          `json:"id"`
	Model   string          `json:"model"`
	Choices []chatChoice    `json:"choices"`
	Usage   *chatUsage      `json:"usage"`
	Error   json.RawMessage `json:"error"`
}

type chatChoice struct {
	Index int `json:"index"`
	Delta struct {
		Content lenientString `json:"content"`
		Refusal lenientString `json:"refusal"`
		// reasoning_content: vLLM, DeepSeek; reasoning: Ollama, OpenRouter.
		ReasoningContent lenientString   `json:"reasoning_content"`
		Reasoning        lenientString   `json:"reasoning"`
		ToolCalls        []chatToolDelta `json:"tool_calls"`
		FunctionCall     *chatFuncDelta  `json:"function_call"` // deprecated single-call form
	} `json:"delta"`
	FinishReason lenientString `json:"finish_reason"`
}

type chatToolDelta struct {
	Index    *int          `json:"index"`
	ID       string        `json:"id"`
	Function chatFuncDelta `json:"function"`
}

type chatFuncDelta struct {
	Name      lenientString `json:"name"`
	Arguments jsonText      `json:"arguments"`
}

type chatUsage struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	PromptTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details"`
	CompletionTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
}

type chatCall struct {
	id, name string
	args     strings.Builder
}

type chatParser struct {
	name      string
	sink      func(model.Event)
	resp      model.Response
	text      strings.Builder
	reasoning strings.Builder
	calls     []*chatCall
	byIndex   map[int]*chatCall
	finish    string
	total     int
}

const chatExpected = "a finish_reason and data: [DONE]"

// parseChat reads a Chat Completions stream up to data: [DONE].
func parseChat(r io.Reader, name string, sink func(model.Event)) (*model.Response, error) {
	p := &chatParser{name: name, sink: sink, byIndex: map[int]*chatCall{}}
	sr := wire.NewSSEReader(r)
	for {
		ev, err := sr.Next()
		if err != nil {
			// The answer is complete once finish_reason arrived; only usage
			// and [DONE] may be lost, so a cut after it is not worth failing.
			if p.finish != "" {
				return p.build(), nil
			}
			if err == io.EOF {
				return nil, streamError(name, "stream ended before "+chatExpected, io.ErrUnexpectedEOF)
			}
			return nil, readError(name, err, chatExpected)
		}
		data := bytes.TrimSpace([]byte(ev.Data))
		if string(data) == "[DONE]" {
			return p.build(), nil
		}
		if len(data) == 0 {
			continue
		}
		var c chatChunk
		if err := json.Unmarshal(data, &c); err != nil {
			return nil, malformed(name, first(ev.Event, "chunk"), err)
		}
		if ev.Event == "error" || len(c.Error) > 0 && string(c.Error) != "null" {
			ae, ok := parseAPIError(data)
			if !ok {
				ae.Message = "the server reported an error in the stream without details"
			}
			return nil, classify(name, "", false, 0, ae, "")
		}
		p.chunk(&c)
		if p.total > maxAccumulated {
			return nil, streamError(name, "response exceeds the size limit", nil)
		}
	}
}

func (p *chatParser) chunk(c *chatChunk) {
	p.resp.ID, p.resp.Model = first(p.resp.ID, c.ID), first(p.resp.Model, c.Model)
	if u := c.Usage; u != nil {
		p.resp.Usage = model.Usage{InputTokens: u.PromptTokens, CachedInputTokens: u.PromptTokensDetails.CachedTokens,
			OutputTokens: u.CompletionTokens, ReasoningTokens: u.CompletionTokensDetails.ReasoningTokens}
	}
	for i := range c.Choices {
		ch := &c.Choices[i]
		if ch.Index != 0 {
			continue // we never ask for n > 1
		}
		d := &ch.Delta
		p.add(&p.text, string(d.Content)+string(d.Refusal), model.EventTextDelta, nil)
		// Some servers send both names with the same text.
		p.add(&p.reasoning, first(string(d.ReasoningContent), string(d.Reasoning)), model.EventReasoningDelta, nil)
		for _, td := range d.ToolCalls {
			p.toolDelta(td)
		}
		if fc := d.FunctionCall; fc != nil {
			zero := 0
			p.toolDelta(chatToolDelta{Index: &zero, Function: *fc})
		}
		if ch.FinishReason != "" {
			p.finish = string(ch.FinishReason)
		}
	}
}

// toolDelta folds one tool call delta into its call. Calls are matched by
// index; a delta without one (older Ollama) is matched by id, or continues
// the last call.
func (p *chatParser) toolDelta(td chatToolDelta) {
	var c *chatCall
	switch {
	case td.Index != nil:
		c = p.byIndex[*td.Index]
		if c != nil && td.ID != "" && c.id != "" && td.ID != c.id {
			c = nil // a server reusing an index for a new call
		}
	case td.ID != "":
		for _, o := range p.calls {
			if o.id == td.ID {
				c = o
			}
		}
	case len(p.calls) > 0:
		c = p.calls[len(p.calls)-1]
	}
	if c == nil {
		c = &chatCall{id: td.ID, name: string(td.Function.Name)}
		if c.id == "" {
			c.id = "call_" + itoa(len(p.calls))
		}
		if td.Index != nil {
			p.byIndex[*td.Index] = c
		}
		p.calls = append(p.calls, c)
		p.total += 256
		p.sink(model.Event{Type: model.EventToolCallStart, CallID: c.id, Name: c.name})
	}
	if c.name == "" {
		c.name = string(td.Function.Name)
	}
	p.add(&c.args, string(td.Function.Arguments), model.EventToolCallDelta, c)
}

func (p *chatParser) add(b *strings.Builder, s string, typ model.EventType, c *chatCall) {
	if s == "" {
		return
	}
	b.WriteString(s)
	p.total += len(s)
	ev := model.Event{Type: typ, Delta: s}
	if c != nil {
		ev.CallID, ev.Name = c.id, c.name
	}
	p.sink(ev)
}

func (p *chatParser) build() *model.Response {
	var items []model.Item
	if s := p.reasoning.String(); s != "" {
		items = append(items, model.Item{Type: model.ItemReasoning, Text: s})
	}
	if s := p.text.String(); s != "" {
		items = append(items, model.Item{Type: model.ItemMessage, Role: model.RoleAssistant, Text: s})
	}
	for _, c := range p.calls {
		items = append(items, model.Item{Type: model.ItemFunctionCall, CallID: c.id, Name: c.name, Arguments: c.args.String()})
	}
	out := p.resp
	out.Items, out.StopReason = settle(items, p.finish == "length", p.finish == "content_filter")
	return &out
}
