package anthropic

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/git-agent/git-agent/internal/model"
)

// messagesRequest is the body of POST /v1/messages.
type messagesRequest struct {
	Model     string    `json:"model"`
	MaxTokens int       `json:"max_tokens"`
	System    string    `json:"system,omitempty"`
	Messages  []message `json:"messages"`
	Tools     []tool    `json:"tools,omitempty"`
	Stream    bool      `json:"stream"`
}

type message struct {
	Role    string  `json:"role"`
	Content []block `json:"content"`
}

// block is one request content block; only the fields of its Type are set.
type block struct {
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
	// tool_use
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
	// tool_result
	ToolUseID string  `json:"tool_use_id,omitempty"`
	Content   *string `json:"content,omitempty"`
	IsError   *bool   `json:"is_error,omitempty"`
}

type tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"input_schema"`
}

// emptySchema is used for a tool without parameters: the API requires an
// object schema.
var emptySchema = json.RawMessage(`{"type":"object","properties":{}}`)

// buildRequest converts a provider-neutral request to the Messages API shape.
func buildRequest(req *model.Request, defaultMaxTokens int) *messagesRequest {
	out := &messagesRequest{Model: req.Model, MaxTokens: req.MaxOutputTokens, Stream: true}
	if out.MaxTokens <= 0 {
		out.MaxTokens = defaultMaxTokens
	}
	system, msgs := convertItems(req.Input)
	if req.Instructions != "" {
		system = append([]string{req.Instructions}, system...)
	}
	out.System = strings.Join(system, "\n\n")
	out.Messages = msgs
	if out.Messages == nil {
		out.Messages = []message{} // "messages": null is a different error from []
	}
	for _, t := range req.Tools {
		schema := t.Parameters
		if len(bytes.TrimSpace(schema)) == 0 || !json.Valid(schema) {
			schema = emptySchema
		}
		out.Tools = append(out.Tools, tool{Name: t.Name, Description: t.Description, InputSchema: schema})
	}
	return out
}

// convertItems returns the system texts found in items and the messages,
// with adjacent same-role content merged so that roles alternate as the API
// requires (tool_use blocks join the preceding assistant text; consecutive
// tool results share one user message).
func convertItems(items []model.Item) (system []string, msgs []message) {
	add := func(role string, b block) {
		if n := len(msgs); n > 0 && msgs[n-1].Role == role {
			msgs[n-1].Content = append(msgs[n-1].Content, b)
			return
		}
		msgs = append(msgs, message{Role: role, Content: []block{b}})
	}
	for _, it := range items {
		switch it.Type {
		case model.ItemMessage:
			switch {
			case it.Role == model.RoleSystem:
				if it.Text != "" {
					system = append(system, it.Text)
				}
			case it.Text == "":
				// The API rejects empty text blocks.
			case it.Role == model.RoleAssistant:
				add("assistant", block{Type: "text", Text: it.Text})
			default:
				add("user", block{Type: "text", Text: it.Text})
			}
		case model.ItemFunctionCall:
			add("assistant", block{Type: "tool_use", ID: it.CallID, Name: it.Name, Input: toolInput(it.Arguments)})
		case model.ItemFunctionOutput:
			content, isErr := it.Output, it.IsError
			add("user", block{Type: "tool_result", ToolUseID: it.CallID, Content: &content, IsError: &isErr})
		}
		// Reasoning items are skipped: without a signature the API rejects
		// thinking blocks, and they are not needed to continue a turn.
	}
	return system, msgs
}

// toolInput returns arguments as a JSON object, or {} when they are empty or
// not an object, since the API rejects any other input.
func toolInput(args string) json.RawMessage {
	b := bytes.TrimSpace([]byte(args))
	if len(b) == 0 || b[0] != '{' || !json.Valid(b) {
		return json.RawMessage(`{}`)
	}
	return json.RawMessage(b)
}
