package openai

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/wire"
)

// apiError is the error object OpenAI-compatible servers send, in a body or
// in the stream.
type apiError struct {
	Message string
	Type    string
	Code    string
}

// parseAPIError accepts the shapes seen in the wild: OpenAI's
// {"error":{"message","type","code"}}, {"error":"text"} (Ollama, proxies),
// vLLM's flat {"object":"error","message","type","code"}, and the Responses
// stream's {"type":"error","code","message"}.
func parseAPIError(body []byte) (apiError, bool) {
	var env struct {
		Error   json.RawMessage `json:"error"`
		Message lenientString   `json:"message"`
		Type    lenientString   `json:"type"`
		Code    jsonText        `json:"code"`
	}
	if json.Unmarshal(body, &env) != nil {
		return apiError{}, false
	}
	if e := bytes.TrimSpace(env.Error); len(e) > 0 && !bytes.Equal(e, []byte("null")) {
		var s string
		if json.Unmarshal(e, &s) == nil {
			return apiError{Message: s}, true
		}
		var obj struct {
			Message lenientString `json:"message"`
			Type    lenientString `json:"type"`
			Code    jsonText      `json:"code"`
		}
		if json.Unmarshal(e, &obj) == nil {
			return apiError{Message: string(obj.Message), Type: string(obj.Type), Code: string(obj.Code)}, true
		}
	}
	if env.Message != "" {
		return apiError{Message: string(env.Message), Type: string(env.Type), Code: string(env.Code)}, true
	}
	return apiError{}, false
}

// httpError classifies a non-2xx response for wire.Sender.
func (c *client) httpError(status int, body []byte, modelName string) *model.Error {
	ae, ok := parseAPIError(body)
	if !ok {
		ae.Message = string(body)
	}
	return c.apiError(status, ae, modelName)
}

// apiError maps a provider error to a *model.Error with a one-line hint.
// status is 0 for errors reported inside the stream.
func (c *client) apiError(status int, ae apiError, modelName string) *model.Error {
	return classify(c.name, c.base, c.opts.APIKey == "", status, ae, modelName)
}

func classify(name, base string, noKey bool, status int, ae apiError, modelName string) *model.Error {
	code := ae.Code
	if code == "" {
		code = ae.Type
	}
	e := &model.Error{Provider: name, Status: status, Code: code, Message: oneLine(ae.Message, 300)}
	msg := strings.ToLower(ae.Message)
	is := func(s string) bool { return ae.Code == s || ae.Type == s }
	switch {
	case is("insufficient_quota"):
		e.Kind = model.ErrQuota
		e.Hint = "the account is out of credit or over its quota; check its plan and billing"
	case is("context_length_exceeded") || strings.Contains(msg, "maximum context length") ||
		strings.Contains(msg, "context window"):
		e.Kind = model.ErrContextLength
		e.Hint = "the conversation is too long for this model; start a new session or use a model with a larger context window"
	case status == 401 || status == 403 || is("invalid_api_key"):
		e.Kind = model.ErrAuth
		switch {
		case name == "ollama":
			e.Hint = "the server refused the request; check --base-url (Ollama needs no API key)"
		case noKey:
			e.Hint = "set OPENAI_API_KEY to a valid API key"
		default:
			e.Hint = "OPENAI_API_KEY was rejected; check that it is current and has access to this model"
		}
	case is("rate_limit_exceeded") || status == 429:
		e.Kind = model.ErrRateLimit
		e.Hint = "rate limited; wait a minute and retry, or lower concurrency"
	case is("model_not_found") || status == 404:
		e.Kind = model.ErrBadRequest
		e.Hint = "check --model and --base-url"
		if modelName != "" {
			e.Hint = fmt.Sprintf("check --model (%q) and --base-url (%s)", modelName, base)
		}
	case status == 408 || status >= 500 || is("server_error") ||
		status == 0 && !strings.HasPrefix(code, "invalid"):
		e.Kind = model.ErrServer
		e.Hint = "the provider had a server error; retry later"
	default:
		e.Kind = model.ErrBadRequest
		e.Hint = "the server rejected the request; check --model and --base-url"
	}
	return e
}

// streamError is a malformed, truncated or unreadable stream.
func streamError(name, msg string, err error) *model.Error {
	return &model.Error{Kind: model.ErrStream, Provider: name, Message: msg, Err: err,
		Hint: "the stream was cut or garbled; retry, and check any proxy between you and the server"}
}

// readError describes a failure of the SSE reader; expected says what the
// stream still owed us.
func readError(name string, err error, expected string) *model.Error {
	switch {
	case errors.Is(err, io.ErrUnexpectedEOF):
		return streamError(name, "connection closed in the middle of an event (expected "+expected+")", err)
	case errors.Is(err, wire.ErrEventTooLarge):
		return streamError(name, "event larger than the size limit", err)
	case errors.Is(err, wire.ErrIdle):
		return streamError(name, "stream went idle (expected "+expected+")", err)
	}
	return streamError(name, "read stream: "+oneLine(err.Error(), 200)+" (expected "+expected+")", err)
}

func malformed(name, event string, err error) *model.Error {
	return streamError(name, fmt.Sprintf("malformed JSON in %q event: %s", oneLine(event, 60), oneLine(err.Error(), 120)), err)
}

// oneLine squeezes s onto one line of at most n bytes, cut at a rune boundary.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// jsonText decodes a JSON string as its value and any other JSON value as
// its text: tool arguments are a string on OpenAI but an object on some
// compatible servers, and error codes may be numbers.
type jsonText string

func (t *jsonText) UnmarshalJSON(b []byte) error {
	var s string
	if json.Unmarshal(b, &s) == nil {
		*t = jsonText(s)
		return nil
	}
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		*t = ""
		return nil
	}
	*t = jsonText(bytes.TrimSpace(b))
	return nil
}

// lenientString decodes a JSON string and ignores any other value, so that an
// extension field of an unexpected shape does not fail the whole event.
type lenientString string

func (s *lenientString) UnmarshalJSON(b []byte) error {
	var v string
	if json.Unmarshal(b, &v) == nil {
		*s = lenientString(v)
	}
	return nil
}
