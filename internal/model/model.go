// Package model defines the provider-neutral conversation and streaming types
// that the agent loop speaks, and the Provider interface every wire client
// (openai, anthropic, replay) implements.
//
// model imports nothing else of git-agent: providers must never depend on the
// agent, the tools or the sandbox.
package model

import (
	"context"
	"encoding/json"
)

// ItemType names the kind of a conversation item.
type ItemType string

const (
	// ItemMessage is text from the user, the assistant or the system.
	ItemMessage ItemType = "message"
	// ItemFunctionCall is a tool call requested by the model.
	ItemFunctionCall ItemType = "function_call"
	// ItemFunctionOutput is the result of a tool call, sent back to the model.
	ItemFunctionOutput ItemType = "function_call_output"
	// ItemReasoning is a reasoning summary produced by the model.
	ItemReasoning ItemType = "reasoning"
)

// Role is the author of a message item.
type Role string

const (
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleSystem    Role = "system"
)

// Item is one entry of the conversation: a message, a tool call, a tool
// result or a reasoning summary. Only the fields of its Type are set.
type Item struct {
	Type ItemType `json:"type"`
	Role Role     `json:"role,omitempty"`
	Text string   `json:"text,omitempty"`

	// CallID ties a function_call to its function_call_output.
	CallID    string `json:"call_id,omitempty"`
	Name      string `json:"name,omitempty"`
	Arguments string `json:"arguments,omitempty"` // JSON object text
	Output    string `json:"output,omitempty"`
	IsError   bool   `json:"is_error,omitempty"`
}

// ToolSpec describes a tool to the model. Parameters is a JSON Schema object.
type ToolSpec struct {
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
}

// Request is one model call: the whole conversation so far plus the tools.
type Request struct {
	Model           string     `json:"model"`
	Instructions    string     `json:"instructions,omitempty"`
	Input           []Item     `json:"input"`
	Tools           []ToolSpec `json:"tools,omitempty"`
	MaxOutputTokens int        `json:"max_output_tokens,omitempty"`
}

// Usage counts tokens for one response (or, summed, for a session).
type Usage struct {
	InputTokens       int `json:"input_tokens"`
	CachedInputTokens int `json:"cached_input_tokens,omitempty"`
	OutputTokens      int `json:"output_tokens"`
	ReasoningTokens   int `json:"reasoning_tokens,omitempty"`
}

// Total is input plus output tokens.
func (u Usage) Total() int { return u.InputTokens + u.OutputTokens }

// Add accumulates o into u.
func (u *Usage) Add(o Usage) {
	u.InputTokens += o.InputTokens
	u.CachedInputTokens += o.CachedInputTokens
	u.OutputTokens += o.OutputTokens
	u.ReasoningTokens += o.ReasoningTokens
}

// Stop reasons, normalised across providers.
const (
	StopEnd       = "end_turn"   // the model finished its answer
	StopToolCalls = "tool_calls" // the model wants tool results
	StopMaxTokens = "max_tokens" // output was cut at the token limit
	StopOther     = "other"
)

// Response is a completed model turn.
type Response struct {
	ID         string `json:"id,omitempty"`
	Model      string `json:"model,omitempty"`
	Items      []Item `json:"items"`
	Usage      Usage  `json:"usage"`
	StopReason string `json:"stop_reason,omitempty"`
}

// ToolCalls returns the function_call items of r in order.
func (r *Response) ToolCalls() []Item {
	var calls []Item
	for _, it := range r.Items {
		if it.Type == ItemFunctionCall {
			calls = append(calls, it)
		}
	}
	return calls
}

// Text joins the assistant message text of r.
func (r *Response) Text() string {
	var s string
	for _, it := range r.Items {
		if it.Type == ItemMessage && it.Role == RoleAssistant {
			if s != "" && it.Text != "" {
				s += "\n"
			}
			s += it.Text
		}
	}
	return s
}

// EventType names a streaming event.
type EventType string

const (
	// EventTextDelta carries a piece of assistant text in Delta.
	EventTextDelta EventType = "text_delta"
	// EventReasoningDelta carries a piece of a reasoning summary in Delta.
	EventReasoningDelta EventType = "reasoning_delta"
	// EventToolCallStart announces a tool call (CallID, Name).
	EventToolCallStart EventType = "tool_call_start"
	// EventToolCallDelta carries a piece of tool call arguments in Delta.
	EventToolCallDelta EventType = "tool_call_delta"
	// EventRetry reports that a request failed and will be retried (Err, Attempt).
	EventRetry EventType = "retry"
)

// Event is an incremental streaming update. Providers call the sink
// synchronously from the goroutine that called Stream.
type Event struct {
	Type    EventType
	Delta   string
	CallID  string
	Name    string
	Attempt int
	Err     error
}

// Provider is a model wire client. Stream sends req, calls sink for each
// incremental event, and returns the completed response. It must honour ctx
// cancellation, must never hang on a stalled stream, and returns *Error for
// failures the user can act on.
type Provider interface {
	Name() string
	Stream(ctx context.Context, req *Request, sink func(Event)) (*Response, error)
}
