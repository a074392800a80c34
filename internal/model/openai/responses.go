package openai

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/git-agent/git-agent/internal/model"
)

// Responses is a client of the OpenAI Responses API (POST /responses).
// Requests are stateless ("store": false): every call carries the whole
// conversation.
type Responses struct {
	c client
}

// NewResponses returns a Responses provider; Name defaults to "openai".
func NewResponses(opts Options) *Responses {
	return &Responses{c: newClient(opts, "openai")}
}

// Name is the provider name used in errors.
func (p *Responses) Name() string { return p.c.name }

// Stream implements model.Provider.
func (p *Responses) Stream(ctx context.Context, req *model.Request, sink func(model.Event)) (*model.Response, error) {
	if req == nil {
		return nil, &model.Error{Kind: model.ErrConfig, Provider: p.c.name, Message: "nil request",
			Hint: "this is a bug in git-agent; please report it"}
	}
	body, err := responsesBody(req, p.c.opts.ReasoningSummary)
	if err != nil {
		return nil, &model.Error{Kind: model.ErrConfig, Provider: p.c.name, Err: err,
			Message: "encode request: " + err.Error(), Hint: "a tool's parameter schema is not valid JSON"}
	}
	return p.c.stream(ctx, "/responses", req.Model, body, sink, parseResponses)
}

type responsesRequest struct {
	Model           string          `json:"model"`
	Instructions    string          `json:"instructions,omitempty"`
	Input           []any           `json:"input"`
	Tools           []responsesTool `json:"tools,omitempty"`
	MaxOutputTokens int             `json:"max_output_tokens,omitempty"`
	Stream          bool            `json:"stream"`
	Store           bool            `json:"store"`
	Reasoning       *reasoningParam `json:"reasoning,omitempty"`
}

type reasoningParam struct {
	Summary string `json:"summary"`
}

type responsesTool struct {
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      bool            `json:"strict"`
}

type responsesMessage struct {
	Type    string         `json:"type"`
	Role    model.Role     `json:"role"`
	Content []responsePart `json:"content"`
}

type responsePart struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type responsesCall struct {
	Type      string `json:"type"`
	CallID    string `json:"call_id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

type responsesOutput struct {
	Type   string `json:"type"`
	CallID string `json:"call_id"`
	Output string `json:"output"`
}

func responsesBody(req *model.Request, reasoningSummary string) ([]byte, error) {
	r := responsesRequest{
		Model:           req.Model,
		Instructions:    req.Instructions,
		Input:           responsesInput(req.Input),
		MaxOutputTokens: req.MaxOutputTokens,
		Stream:          true,
	}
	if reasoningSummary != "" {
		r.Reasoning = &reasoningParam{Summary: reasoningSummary}
	}
	for _, t := range req.Tools {
		r.Tools = append(r.Tools, responsesTool{Type: "function", Name: t.Name,
			Description: t.Description, Parameters: schema(t.Parameters)})
	}
	b, err := json.Marshal(r)
	if err != nil {
		return nil, fmt.Errorf("responses request: %w", err)
	}
	return b, nil
}

// responsesInput maps conversation items to Responses input items. Reasoning
// items are dropped: without "store" the server cannot resolve their ids.
func responsesInput(items []model.Item) []any {
	in := []any{}
	for _, it := range items {
		switch it.Type {
		case model.ItemMessage:
			if it.Text == "" {
				continue
			}
			part := "input_text"
			if it.Role == model.RoleAssistant {
				part = "output_text"
			}
			role := it.Role
			if role == "" {
				role = model.RoleUser
			}
			in = append(in, responsesMessage{Type: "message", Role: role,
				Content: []responsePart{{Type: part, Text: it.Text}}})
		case model.ItemFunctionCall:
			in = append(in, responsesCall{Type: "function_call", CallID: it.CallID,
				Name: it.Name, Arguments: args(it.Arguments)})
		case model.ItemFunctionOutput:
			in = append(in, responsesOutput{Type: "function_call_output", CallID: it.CallID, Output: it.Output})
		}
	}
	return in
}

// schema defaults a missing parameter schema to an empty object schema,
// which every server accepts.
func schema(p json.RawMessage) json.RawMessage {
	if len(p) == 0 {
		return json.RawMessage(`{"type":"object","properties":{}}`)
	}
	return p
}

// args sends "{}" for a call without arguments; some servers reject "".
func args(a string) string {
	if a == "" {
		return "{}"
	}
	return a
}
