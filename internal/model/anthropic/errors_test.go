package anthropic

import (
	"strings"
	"testing"

	"github.com/git-agent/git-agent/internal/model"
)

func errBody(typ, msg string) string {
	return `{"type":"error","error":{"type":"` + typ + `","message":"` + msg + `"},"request_id":"req_1"}`
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		status    int
		body      string
		want      model.ErrorKind
		retryable bool
		hint      string // substring of the hint
	}{
		{"auth", 401, errBody("authentication_error", "invalid x-api-key"), model.ErrAuth, false, "ANTHROPIC_API_KEY"},
		{"auth by status only", 401, `<html>Unauthorized</html>`, model.ErrAuth, false, "ANTHROPIC_API_KEY"},
		{"permission", 403, errBody("permission_error", "no access"), model.ErrAuth, false, "ANTHROPIC_API_KEY"},
		{"rate limit", 429, errBody("rate_limit_error", "slow down"), model.ErrRateLimit, true, "rate limited"},
		{"overloaded", 529, errBody("overloaded_error", "Overloaded"), model.ErrServer, true, "overloaded"},
		{"overloaded without body", 529, ``, model.ErrServer, true, "server error"},
		{"api error", 500, errBody("api_error", "Internal server error"), model.ErrServer, true, "retry"},
		{"prompt too long", 400, errBody("invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"), model.ErrContextLength, false, "new session"},
		{"input plus max_tokens", 400, errBody("invalid_request_error", "input length and `max_tokens` exceed context limit: 198000 + 8192 > 200000"), model.ErrContextLength, false, "new session"},
		{"request too large", 413, errBody("request_too_large", "Request exceeds the maximum allowed number of bytes."), model.ErrContextLength, false, "too large"},
		{"bad request", 400, errBody("invalid_request_error", "messages: roles must alternate"), model.ErrBadRequest, false, "--model"},
		{"not found", 404, errBody("not_found_error", "model: claude-nope"), model.ErrBadRequest, false, "--model and --base-url"},
		{"credit balance", 400, errBody("invalid_request_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."), model.ErrQuota, false, "Billing"},
		{"billing error", 402, errBody("billing_error", "payment required"), model.ErrQuota, false, "Billing"},
		{"rate limit mentioning billing", 429, errBody("rate_limit_error", "see Plans & Billing for higher limits"), model.ErrRateLimit, true, "rate limited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := classify(tt.status, nil, []byte(tt.body))
			if e.Kind != tt.want || e.Retryable() != tt.retryable {
				t.Errorf("kind, retryable = %s, %v; want %s, %v (%v)", e.Kind, e.Retryable(), tt.want, tt.retryable, e)
			}
			if !strings.Contains(e.Hint, tt.hint) {
				t.Errorf("hint %q does not mention %q", e.Hint, tt.hint)
			}
			if e.Provider != "anthropic" || e.Status != tt.status {
				t.Errorf("provider, status = %q, %d", e.Provider, e.Status)
			}
			if s := e.Error(); strings.Contains(s, "\n") {
				t.Errorf("error is not one line: %q", s)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", 400)
	got := oneLine("<html>\n  <body>" + long + "</body>")
	if strings.Contains(got, "\n") || len(got) > 310 || !strings.HasSuffix(got, "…") {
		t.Errorf("oneLine kept newlines or length: %d bytes %q", len(got), got[:20])
	}
	if !strings.HasPrefix(got, "<html> <body>") {
		t.Errorf("oneLine = %q…", got[:20])
	}
}
