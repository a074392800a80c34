package openai

import (
	"encoding/json"
	"strconv"

	"github.com/git-agent/git-agent/internal/model"
)

// settle decides the stop reason. When output was cut at the token limit, a
// tool call whose arguments are not complete JSON was cut too and is dropped:
// running it with half its arguments would be worse than not running it.
func settle(items []model.Item, cut, filtered bool) ([]model.Item, string) {
	var kept []model.Item
	calls := 0
	for _, it := range items {
		if it.Type == model.ItemFunctionCall {
			if cut && !json.Valid([]byte(it.Arguments)) {
				continue
			}
			calls++
		}
		kept = append(kept, it)
	}
	switch {
	case calls > 0:
		return kept, model.StopToolCalls
	case cut:
		return kept, model.StopMaxTokens
	case filtered:
		return kept, model.StopOther
	}
	return kept, model.StopEnd
}

func itoa(i int) string { return strconv.Itoa(i) }

// item converts the accumulated state; ok is false for empty or unknown items.
func (st *respState) item() (model.Item, bool) {
	text := st.buf.String()
	if st.hasDone {
		text = st.doneText
	}
	d := st.done
	switch first(kindOf(d), st.kind) {
	case "message":
		if d != nil {
			if t := partsText(d.Content, false); t != "" {
				text = t
			}
		}
		return model.Item{Type: model.ItemMessage, Role: model.RoleAssistant, Text: text}, text != ""
	case "reasoning":
		if d != nil {
			if t := first(partsText(d.Summary, true), partsText(d.Content, true)); t != "" {
				text = t
			}
		}
		return model.Item{Type: model.ItemReasoning, Text: text}, text != ""
	case "function_call":
		it := model.Item{Type: model.ItemFunctionCall, CallID: st.callID, Name: st.name, Arguments: text}
		if d != nil {
			it.CallID, it.Name = first(d.CallID, it.CallID), first(d.Name, it.Name)
			if d.Arguments != "" {
				it.Arguments = string(d.Arguments)
			}
		}
		if it.CallID == "" {
			it.CallID = first(st.id, "call_"+itoa(st.index))
		}
		return it, true
	}
	return model.Item{}, false
}

func kindOf(d *respItem) string {
	if d == nil {
		return ""
	}
	return d.Type
}

// partsText joins the text of content or summary parts.
func partsText(parts []respPart, paragraphs bool) string {
	var s string
	for _, pt := range parts {
		s = join(s, first(string(pt.Text), string(pt.Refusal)), paragraphs)
	}
	return s
}

// join appends b to a; reasoning summaries are separate paragraphs.
func join(a, b string, paragraphs bool) string {
	if paragraphs && a != "" && b != "" {
		return a + "\n\n" + b
	}
	return a + b
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
