package openai

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/git-agent/git-agent/internal/model"
)

// Chat is a client of the Chat Completions API (POST /chat/completions), the
// dialect Ollama, vLLM, llama.cpp and most OpenAI-compatible servers speak.
type Chat struct {
	c client
}

// NewChat returns a Chat Completions provider; Name defaults to "openai-chat".
func NewChat(opts Options) *Chat {
	return &Chat{c: newClient(opts, "openai-chat")}
}

// Name is the provider name used in errors.
func (p *Chat) Name() string { return p.c.name }

// Stream implements model.Provider.
func (p *Chat) Stream(ctx context.Context, req *model.Request, sink func(model.Event)) (*model.Response, error) {
	if req == nil {
		return nil, &model.Error{Kind: model.ErrConfig, Provider: p.c.name, Message: "nil request",
			Hint: "this is a bug in git-agent; please report it"}
	}
	body, err := chatBody(req, p.c.name == "ollama")
	if err != nil {
		return nil, &model.Error{Kind: model.ErrConfig, Provider: p.c.name, Err: err,
			Message: "encode request: " + err.Error(), Hint: "a tool's parameter schema is not valid JSON"}
	}
	return p.c.stream(ctx, "/chat/completions", req.Model, body, sink, parseChat)
}

type chatRequest struct {
	Model    string        `json:"model"`
	Messages []chatMessage `json:"messages"`
	Tools    []chatTool    `json:"tools,omitempty"`
	// OpenAI's reasoning models accept only max_completion_tokens; Ollama
	// reads only max_tokens.
	MaxCompletionTokens int  `json:"max_completion_tokens,omitempty"`
	MaxTokens           int  `json:"max_tokens,omitempty"`
	Stream              bool `json:"stream"`
	StreamOptions       struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
}

type chatMessage struct {
	Role       string         `json:"role"`
	Content    *string        `json:"content"` // null on tool-call-only turns
	ToolCalls  []chatToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
}

type chatToolCall struct {
	ID       string       `json:"id"`
	Type     string       `json:"type"`
	Function chatFunction `json:"function"`
}

type chatFunction struct {
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type chatTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Parameters  json.RawMessage `json:"parameters"`
	} `json:"function"`
}

func chatBody(req *model.Request, ollama bool) ([]byte, error) {
	r := chatRequest{Model: req.Model, Messages: chatMessages(req.Instructions, req.Input), Stream: true}
	r.StreamOptions.IncludeUsage = true
	if ollama {
		r.MaxTokens = req.MaxOutputTokens
	} else {
		r.MaxCompletionTokens = req.MaxOutputTokens
	}
	for _, t := range req.Tools {
		ct := chatTool{Type: "function"}
		ct.Function.Name, ct.Function.Description = t.Name, t.Description
		ct.Function.Parameters = schema(t.Parameters)
		r.Tools = append(r.Tools, ct)
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("chat request: %w", err)
	}
	return b, nil
}

// chatMessages maps conversation items to messages. Tool calls of one turn
// join one assistant message, together with any text the assistant said just
// before them: strict chat templates require one assistant message per turn.
func chatMessages(instructions string, items []model.Item) []chatMessage {
	msgs := []chatMessage{}
	if instructions != "" {
		msgs = append(msgs, chatMessage{Role: "system", Content: &instructions})
	}
	for _, it := range items {
		switch it.Type {
		case model.ItemMessage:
			role := string(it.Role)
			if role == "" {
				role = string(model.RoleUser)
			}
			text := it.Text
			msgs = append(msgs, chatMessage{Role: role, Content: &text})
		case model.ItemFunctionCall:
			call := chatToolCall{ID: it.CallID, Type: "function",
				Function: chatFunction{Name: it.Name, Arguments: args(it.Arguments)}}
			if n := len(msgs); n > 0 && msgs[n-1].Role == "assistant" && msgs[n-1].ToolCallID == "" {
				msgs[n-1].ToolCalls = append(msgs[n-1].ToolCalls, call)
				continue
			}
			msgs = append(msgs, chatMessage{Role: "assistant", ToolCalls: []chatToolCall{call}})
		case model.ItemFunctionOutput:
			out := it.Output
			msgs = append(msgs, chatMessage{Role: "tool", Content: &out, ToolCallID: it.CallID})
		}
	}
	return msgs
}
