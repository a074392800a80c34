package openai

import (
	"encoding/json"
	"io"
	"sort"
	"strings"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/wire"
)

// maxAccumulated bounds the text, arguments and items one response may
// accumulate, so a server that streams forever fails instead of exhausting
// memory.
const maxAccumulated = 64 << 20

// respEvent is the union of the Responses stream events we read.
type respEvent struct {
	Type         string      `json:"type"`
	OutputIndex  *int        `json:"output_index"`
	ItemID       string      `json:"item_id"`
	SummaryIndex int         `json:"summary_index"`
	Delta        jsonText    `json:"delta"`
	Text         jsonText    `json:"text"`
	Arguments    jsonText    `json:"arguments"`
	Item         *respItem   `json:"item"`
	Response     *respObject `json:"response"`
}

type respItem struct {
	ID        string     `json:"id"`
	Type      string     `json:"type"`
	Role      string     `json:"role"`
	Content   []respPart `json:"content"`
	Summary   []respPart `json:"summary"`
	CallID    string     `json:"call_id"`
	Name      string     `json:"name"`
	Arguments jsonText   `json:"arguments"`
}

type respPart struct {
	Type    string   `json:"type"`
	Text    jsonText `json:"text"`
	Refusal jsonText `json:"refusal"`
}

type respObject struct {
	ID                string          `json:"id"`
	Model             string          `json:"model"`
	Output            []respItem      `json:"output"`
	Usage             *respUsage      `json:"usage"`
	Error             json.RawMessage `json:"error"`
	IncompleteDetails *struct {
		Reason string `json:"reason"`
	} `json:"incomplete_details"`
}

type respUsage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
}

// respState accumulates one output item.
type respState struct {
	seq, index int
	kind       string
	id         string
	callID     string
	name       string
	buf        strings.Builder // deltas
	doneText   string          // from *.done events, preferred over deltas
	hasDone    bool
	done       *respItem // output_item.done: authoritative
	started    bool      // EventToolCallStart sent
}

type respParser struct {
	name    string
	sink    func(model.Event)
	states  []*respState
	byID    map[string]*respState
	byIndex map[int]*respState
	total   int
	id      string
	model   string
}

const respExpected = "response.completed"

// parseResponses reads a Responses event stream up to its terminal event.
func parseResponses(r io.Reader, name string, sink func(model.Event)) (*model.Response, error) {
	p := &respParser{name: name, sink: sink, byID: map[string]*respState{}, byIndex: map[int]*respState{}}
	sr := wire.NewSSEReader(r)
	for {
		ev, err := sr.Next()
		if err == io.EOF {
			return nil, streamError(name, "stream ended before "+respExpected, io.ErrUnexpectedEOF)
		}
		if err != nil {
			return nil, readError(name, err, respExpected)
		}
		if strings.TrimSpace(ev.Data) == "" {
			continue
		}
		var e respEvent
		if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
			// An event type we do not read may shape its fields as it likes.
			var head struct {
				Type lenientString `json:"type"`
			}
			if json.Unmarshal([]byte(ev.Data), &head) == nil && !respHandled(first(string(head.Type), ev.Event)) {
				continue
			}
			return nil, malformed(name, ev.Event, err)
		}
		if e.Type == "" {
			e.Type = ev.Event
		}
		resp, final, err := p.handle(&e, []byte(ev.Data))
		if err != nil {
			return nil, err
		}
		if final {
			return resp, nil
		}
		if p.total > maxAccumulated {
			return nil, streamError(name, "response exceeds the size limit", nil)
		}
	}
}

// respHandled lists the event types handle reads; keep the two in step.
func respHandled(typ string) bool {
	switch typ {
	case "response.created", "response.in_progress", "response.output_item.added", "response.output_item.done",
		"response.output_text.delta", "response.refusal.delta", "response.reasoning_summary_text.delta",
		"response.reasoning_text.delta", "response.function_call_arguments.delta",
		"response.reasoning_summary_part.added", "response.output_text.done", "response.refusal.done",
		"response.reasoning_summary_text.done", "response.function_call_arguments.done",
		"response.completed", "response.incomplete", "response.failed", "error":
		return true
	}
	return false
}

// handle applies one event; final reports a terminal event.
func (p *respParser) handle(e *respEvent, raw []byte) (resp *model.Response, final bool, err error) {
	switch e.Type {
	case "response.created", "response.in_progress":
		p.meta(e.Response)
	case "response.output_item.added", "response.output_item.done":
		if e.Item == nil {
			return nil, false, nil
		}
		p.total += len(raw)
		st := p.state(e.Item.ID, e.OutputIndex, e.Item.Type)
		st.id, st.kind = first(st.id, e.Item.ID), first(e.Item.Type, st.kind)
		st.callID, st.name = first(e.Item.CallID, st.callID), first(e.Item.Name, st.name)
		if e.Type == "response.output_item.done" {
			st.done = e.Item
		}
		if st.kind == "function_call" {
			p.start(st)
		}
	case "response.output_text.delta", "response.refusal.delta":
		p.delta(e, "message", model.EventTextDelta)
	case "response.reasoning_summary_text.delta", "response.reasoning_text.delta":
		p.delta(e, "reasoning", model.EventReasoningDelta)
	case "response.function_call_arguments.delta":
		p.delta(e, "function_call", model.EventToolCallDelta)
	case "response.reasoning_summary_part.added":
		if st := p.state(e.ItemID, e.OutputIndex, "reasoning"); e.SummaryIndex > 0 && st.buf.Len() > 0 {
			st.buf.WriteString("\n\n")
			p.sink(model.Event{Type: model.EventReasoningDelta, Delta: "\n\n"})
		}
	case "response.output_text.done", "response.refusal.done":
		p.done(e, "message", string(e.Text))
	case "response.reasoning_summary_text.done":
		p.done(e, "reasoning", string(e.Text))
	case "response.function_call_arguments.done":
		st := p.state(e.ItemID, e.OutputIndex, "function_call")
		st.doneText, st.hasDone = string(e.Arguments), true
	case "response.completed":
		return p.finish(e.Response, false, false), true, nil
	case "response.incomplete":
		reason := ""
		if e.Response != nil && e.Response.IncompleteDetails != nil {
			reason = e.Response.IncompleteDetails.Reason
		}
		return p.finish(e.Response, reason != "content_filter", reason == "content_filter"), true, nil
	case "response.failed":
		var body []byte
		if e.Response != nil {
			body = e.Response.Error
		}
		return nil, true, p.failure(body, "response.failed")
	case "error":
		return nil, true, p.failure(raw, "error")
	}
	return nil, false, nil
}

// done records the final text of a content part or summary.
func (p *respParser) done(e *respEvent, kind, text string) {
	st := p.state(e.ItemID, e.OutputIndex, kind)
	st.doneText = join(st.doneText, text, kind == "reasoning")
	st.hasDone = true
	p.total += len(text)
}

// delta appends a text, reasoning or arguments piece and forwards it.
func (p *respParser) delta(e *respEvent, kind string, typ model.EventType) {
	st := p.state(e.ItemID, e.OutputIndex, kind)
	d := string(e.Delta)
	st.buf.WriteString(d)
	p.total += len(d)
	if typ == model.EventToolCallDelta {
		p.start(st)
	}
	if d != "" {
		p.sink(model.Event{Type: typ, Delta: d, CallID: st.callID, Name: st.name})
	}
}

func (p *respParser) start(st *respState) {
	if !st.started {
		st.started = true
		p.sink(model.Event{Type: model.EventToolCallStart, CallID: st.callID, Name: st.name})
	}
}

// state finds the item an event refers to, by item id, then output index,
// creating it if this is the first we hear of it.
func (p *respParser) state(itemID string, index *int, kind string) *respState {
	if st, ok := p.byID[itemID]; ok && itemID != "" {
		return st
	}
	if index != nil {
		if st, ok := p.byIndex[*index]; ok && (itemID == "" || st.id == "") {
			if itemID != "" {
				st.id = itemID
				p.byID[itemID] = st
			}
			return st
		}
	}
	st := &respState{seq: len(p.states), kind: kind, id: itemID}
	if index != nil {
		st.index = *index
		p.byIndex[*index] = st
	} else {
		for _, o := range p.states {
			st.index = max(st.index, o.index+1)
		}
	}
	if itemID != "" {
		p.byID[itemID] = st
	}
	p.states = append(p.states, st)
	p.total += 256
	return st
}

func (p *respParser) meta(r *respObject) {
	if r != nil {
		p.id, p.model = first(r.ID, p.id), first(r.Model, p.model)
	}
}

func (p *respParser) failure(body []byte, event string) error {
	ae, ok := parseAPIError(body)
	if !ok {
		ae.Message = "the server reported a failure (" + event + ") without details"
	}
	return classify(p.name, "", false, 0, ae, "")
}

// finish builds the response from the items seen, falling back to the
// terminal event's output list when the stream carried no item events.
func (p *respParser) finish(r *respObject, cut, filtered bool) *model.Response {
	p.meta(r)
	out := &model.Response{ID: p.id, Model: p.model}
	if r != nil && r.Usage != nil {
		u := r.Usage
		out.Usage = model.Usage{InputTokens: u.InputTokens, CachedInputTokens: u.InputTokensDetails.CachedTokens,
			OutputTokens: u.OutputTokens, ReasoningTokens: u.OutputTokensDetails.ReasoningTokens}
	}
	sort.SliceStable(p.states, func(i, j int) bool { return p.states[i].index < p.states[j].index })
	var items []model.Item
	for _, st := range p.states {
		if it, ok := st.item(); ok {
			items = append(items, it)
		}
	}
	if len(p.states) == 0 && r != nil {
		for i := range r.Output {
			st := &respState{kind: r.Output[i].Type, done: &r.Output[i]}
			if it, ok := st.item(); ok {
				items = append(items, it)
			}
		}
	}
	out.Items, out.StopReason = settle(items, cut, filtered)
	return out
}
