package anthropic

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/wire"
)

// statusOverloaded is Anthropic's non-standard "overloaded" status.
const statusOverloaded = 529

// apiError is the body of an error response and the data of an error event:
// {"type":"error","error":{"type":"rate_limit_error","message":"..."}}.
type apiError struct {
	Type  string `json:"type"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
}

// classify turns a non-2xx response into a *model.Error; it is the Classify
// func given to wire.Sender.
func classify(status int, _ http.Header, body []byte) *model.Error {
	var ae apiError
	if err := json.Unmarshal(body, &ae); err != nil || ae.Error.Type == "" && ae.Error.Message == "" {
		// Not Anthropic's shape: a proxy, a load balancer or an HTML page.
		e := wire.ClassifyStatus(providerName, status, oneLine(string(body)))
		e.Hint = statusHint(e.Kind, status)
		return e
	}
	return apiErr(status, ae.Error.Type, ae.Error.Message)
}

// apiErr maps an Anthropic error type (or, failing that, the HTTP status) to
// an error kind with a hint. status is 0 for an error event inside a stream.
func apiErr(status int, typ, msg string) *model.Error {
	msg = oneLine(msg)
	e := &model.Error{Provider: providerName, Status: status, Code: typ, Message: msg}
	lower := strings.ToLower(msg)
	switch {
	case isQuota(typ, status, lower):
		e.Kind = model.ErrQuota
	case typ == "authentication_error" || typ == "" && status == http.StatusUnauthorized:
		e.Kind = model.ErrAuth
		e.Hint = "check ANTHROPIC_API_KEY: the key is missing, wrong or revoked"
		return e
	case typ == "permission_error" || typ == "" && status == http.StatusForbidden:
		e.Kind = model.ErrAuth
		e.Hint = "the key in ANTHROPIC_API_KEY may not use this model or resource; check its workspace"
		return e
	case typ == "rate_limit_error" || typ == "" && status == http.StatusTooManyRequests:
		e.Kind = model.ErrRateLimit
	case typ == "overloaded_error" || typ == "" && status == statusOverloaded:
		e.Kind = model.ErrServer
		e.Hint = "Anthropic is overloaded; retry in a minute"
		return e
	case typ == "request_too_large" || typ == "" && status == http.StatusRequestEntityTooLarge:
		e.Kind = model.ErrContextLength
		e.Hint = "the request is too large; start a new session or shrink the context"
		return e
	case typ == "invalid_request_error" && isContextLength(lower):
		e.Kind = model.ErrContextLength
	case typ == "not_found_error" || typ == "" && status == http.StatusNotFound:
		e.Kind = model.ErrBadRequest
		e.Hint = "not found: check --model and --base-url"
		return e
	case typ == "invalid_request_error":
		e.Kind = model.ErrBadRequest
	case typ == "api_error" || typ == "timeout_error" || status >= 500 || status == http.StatusRequestTimeout:
		e.Kind = model.ErrServer
	case status == 0:
		// An unknown error event in a stream: the turn is lost either way.
		e.Kind = model.ErrServer
	default:
		e.Kind = model.ErrBadRequest
	}
	e.Hint = statusHint(e.Kind, status)
	return e
}

func isQuota(typ string, status int, lower string) bool {
	if typ == "billing_error" || status == http.StatusPaymentRequired {
		return true
	}
	if typ != "" && typ != "invalid_request_error" && typ != "permission_error" {
		return false // a rate-limit message may mention billing without being about it
	}
	for _, s := range []string{"credit balance", "billing", "usage limits"} {
		if strings.Contains(lower, s) {
			return true
		}
	}
	return false
}

func isContextLength(lower string) bool {
	for _, s := range []string{"prompt is too long", "exceed context limit", "context window", "too many tokens", "context length"} {
		if strings.Contains(lower, s) {
			return true
		}
	}
	return false
}

// statusHint is the generic hint for a kind, with Anthropic's names in it.
func statusHint(kind model.ErrorKind, status int) string {
	switch kind {
	case model.ErrAuth:
		return "check ANTHROPIC_API_KEY: the key was rejected"
	case model.ErrRateLimit:
		return "rate limited by Anthropic; wait and retry, or lower concurrency"
	case model.ErrQuota:
		return "the Anthropic account is out of credit; check Plans & Billing in the console"
	case model.ErrContextLength:
		return "the conversation is too long for the model; start a new session or shrink the context"
	case model.ErrServer:
		return "Anthropic had a server error; retry later"
	}
	if status == http.StatusNotFound {
		return "not found: check --model and --base-url"
	}
	return "the request was rejected; check --model, --base-url and the tool schemas"
}

// oneLine collapses whitespace and bounds the length so a provider message
// (or an HTML error page) fits in one line of a terminal error.
func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	const max = 300
	if len(s) > max {
		cut := max
		for cut > 0 && s[cut]&0xC0 == 0x80 {
			cut--
		}
		s = s[:cut] + "…"
	}
	return s
}
