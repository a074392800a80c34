package openai

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/internal/model"
)

func TestParseAPIError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want apiError
		ok   bool
	}{
		{"openai", quotaBody, apiError{Message: "You exceeded your current quota, please check your plan and billing details.",
			Type: "insufficient_quota", Code: "insufficient_quota"}, true},
		{"null code", serverBody, apiError{Message: "The server had an error while processing your request. Sorry about that!",
			Type: "server_error"}, true},
		{"ollama string", `{"error":"model \"llama9\" not found, try pulling it first"}`,
			apiError{Message: `model "llama9" not found, try pulling it first`}, true},
		{"vllm flat numeric code", `{"object":"error","message":"bad","type":"BadRequestError","param":null,"code":400}`,
			apiError{Message: "bad", Type: "BadRequestError", Code: "400"}, true},
		{"responses error event", `{"type":"error","sequence_number":2,"error":{"type":"invalid_request_error","code":"context_length_exceeded","message":"too long"}}`,
			apiError{Message: "too long", Type: "invalid_request_error", Code: "context_length_exceeded"}, true},
		{"html", `<html><body>502 Bad Gateway</body></html>`, apiError{}, false},
		{"empty object", `{}`, apiError{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := parseAPIError([]byte(tt.body))
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		status int
		ae     apiError
		kind   model.ErrorKind
	}{
		{"quota on 429", 429, apiError{Code: "insufficient_quota"}, model.ErrQuota},
		{"context by code", 400, apiError{Code: "context_length_exceeded"}, model.ErrContextLength},
		{"context by message", 400, apiError{Message: "This model's maximum context length is 4096 tokens."}, model.ErrContextLength},
		{"rate limit", 429, apiError{Code: "rate_limit_exceeded"}, model.ErrRateLimit},
		{"auth", 401, apiError{Code: "invalid_api_key"}, model.ErrAuth},
		{"forbidden", 403, apiError{}, model.ErrAuth},
		{"not found", 404, apiError{}, model.ErrBadRequest},
		{"model_not_found on 400", 400, apiError{Code: "model_not_found"}, model.ErrBadRequest},
		{"bad request", 422, apiError{}, model.ErrBadRequest},
		{"timeout", 408, apiError{}, model.ErrServer},
		{"overloaded", 529, apiError{}, model.ErrServer},
		{"stream server_error", 0, apiError{Code: "server_error"}, model.ErrServer},
		{"stream invalid_prompt", 0, apiError{Code: "invalid_prompt"}, model.ErrBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			e := classify("openai", DefaultBaseURL, false, tt.status, tt.ae, "gpt-test")
			if e.Kind != tt.kind || e.Hint == "" || e.Status != tt.status {
				t.Errorf("got %v (kind %q), want kind %q with a hint", e, e.Kind, tt.kind)
			}
		})
	}
}

func TestOneLine(t *testing.T) {
	t.Parallel()
	got := oneLine("line one\r\n\tline two  "+strings.Repeat("é", 50), 21)
	if strings.ContainsAny(got, "\r\n\t") || !utf8.ValidString(got) || !strings.HasPrefix(got, "line one line two é") {
		t.Errorf("oneLine = %q", got)
	}
}

func TestJSONInsteadOfStream(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		kind model.ErrorKind
	}{
		{"error object", contextBody, model.ErrContextLength},
		{"non-streamed completion", `{"id":"chatcmpl-1","object":"chat.completion","choices":[]}`, model.ErrStream},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			_, err := NewChat(Options{BaseURL: srv.URL}).Stream(context.Background(), request("hi"), nil)
			if kindOfErr(err) != tt.kind {
				t.Errorf("error = %v, want kind %q", err, tt.kind)
			}
		})
	}
}
