package openai

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/modeltest"
	"github.com/git-agent/git-agent/internal/model/wire"
)

const (
	rateLimitBody = `{"error":{"message":"Rate limit reached for gpt-test in organization org-x on tokens per min (TPM): Limit 30000, Used 30000, Requested 1200.","type":"tokens","param":null,"code":"rate_limit_exceeded"}}`
	quotaBody     = `{"error":{"message":"You exceeded your current quota, please check your plan and billing details.","type":"insufficient_quota","param":null,"code":"insufficient_quota"}}`
	authBody      = `{"error":{"message":"Incorrect API key provided: sk-test***4567. You can find your API key at https://platform.openai.com/account/api-keys.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}}`
	contextBody   = `{"error":{"message":"This model's maximum context length is 128000 tokens. However, your messages resulted in 130512 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}}`
	notFoundBody  = `{"error":{"message":"The model 'gpt-nope' does not exist or you do not have access to it.","type":"invalid_request_error","param":null,"code":"model_not_found"}}`
	serverBody    = `{"error":{"message":"The server had an error while processing your request. Sorry about that!","type":"server_error","param":null,"code":null}}`
)

func TestFaults(t *testing.T) {
	t.Parallel()
	withRetryAfter := modeltest.Failure(429, rateLimitBody)
	withRetryAfter.Fault.RetryAfter = "7"
	tests := []struct {
		name     string
		script   []modeltest.Turn
		opts     Options
		kind     model.ErrorKind // "" means success
		requests int
		sleeps   []time.Duration // nil: only count; checked when set
		contains []string        // substrings of the error text
		retries  int             // EventRetry events
	}{
		{name: "drop mid-stream", script: []modeltest.Turn{{Response: modeltest.Say("a longer answer to cut").Response,
			Fault: modeltest.Fault{DropAfter: 3}}}, kind: model.ErrStream, requests: 1, contains: []string{"expected"}},
		{name: "429 with Retry-After then success", script: []modeltest.Turn{withRetryAfter, modeltest.Say("ok")},
			requests: 2, sleeps: []time.Duration{7 * time.Second}, retries: 1},
		{name: "500 then success", script: []modeltest.Turn{modeltest.Failure(500, serverBody), modeltest.Say("ok")},
			requests: 2, retries: 1},
		{name: "500 exhausts retries", opts: Options{MaxAttempts: 3},
			script: []modeltest.Turn{modeltest.Failure(500, serverBody), modeltest.Failure(502, "<html>Bad Gateway</html>"), modeltest.Failure(503, serverBody)},
			kind:   model.ErrServer, requests: 3, retries: 2, contains: []string{"HTTP 503", "retry later"}},
		{name: "401", script: []modeltest.Turn{modeltest.Failure(401, authBody)}, opts: Options{APIKey: "sk-test1234567"},
			kind: model.ErrAuth, requests: 1, contains: []string{"OPENAI_API_KEY", "Incorrect API key"}},
		{name: "401 without key", script: []modeltest.Turn{modeltest.Failure(401, `{"error":{"message":"Missing bearer authentication in header","type":"invalid_request_error","param":null,"code":null}}`)},
			kind: model.ErrAuth, requests: 1, contains: []string{"set OPENAI_API_KEY"}},
		{name: "ollama 403 names no key", script: []modeltest.Turn{modeltest.Failure(403, `{"error":"forbidden"}`)},
			opts: Options{Name: "ollama"}, kind: model.ErrAuth, requests: 1, contains: []string{"ollama: auth", "Ollama needs no API key"}},
		{name: "insufficient_quota is not retried", script: []modeltest.Turn{modeltest.Failure(429, quotaBody), modeltest.Say("never")},
			kind: model.ErrQuota, requests: 1, contains: []string{"billing"}},
		{name: "context_length_exceeded", script: []modeltest.Turn{modeltest.Failure(400, contextBody)},
			kind: model.ErrContextLength, requests: 1, contains: []string{"new session"}},
		{name: "model_not_found", script: []modeltest.Turn{modeltest.Failure(404, notFoundBody)},
			kind: model.ErrBadRequest, requests: 1, contains: []string{`--model ("gpt-test")`, "--base-url"}},
		{name: "malformed JSON", script: []modeltest.Turn{{Response: modeltest.Say("hello there").Response, Fault: modeltest.Fault{Malformed: true}}},
			kind: model.ErrStream, requests: 1, contains: []string{"malformed JSON"}},
	}
	for _, f := range flavours {
		for _, tt := range tests {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				srv := modeltest.New(tt.script...)
				defer srv.Close()
				var sl sleeps
				opts := tt.opts
				opts.BaseURL, opts.Sleep = srv.URL, sl.sleep
				var rec recorder
				resp, err := f.new(opts).Stream(context.Background(), request("hi"), rec.sink)
				if got := kindOfErr(err); got != tt.kind || (err == nil) != (tt.kind == "") {
					t.Fatalf("error = %v (kind %q), want kind %q", err, got, tt.kind)
				}
				if err == nil && resp.Text() != "ok" {
					t.Errorf("text = %q, want ok", resp.Text())
				}
				if err != nil {
					msg := err.Error()
					if strings.Contains(msg, "\n") {
						t.Errorf("error is not one line: %q", msg)
					}
					if me, _ := model.AsError(err); me.Hint == "" {
						t.Errorf("error has no hint: %q", msg)
					}
					for _, s := range tt.contains {
						if !strings.Contains(msg, s) {
							t.Errorf("error %q does not mention %q", msg, s)
						}
					}
				}
				if got := len(srv.Requests()); got != tt.requests {
					t.Errorf("requests = %d, want %d", got, tt.requests)
				}
				if tt.sleeps != nil {
					if diff := cmp.Diff(tt.sleeps, sl.all()); diff != "" {
						t.Errorf("sleeps (-want +got):\n%s", diff)
					}
				}
				if got := len(rec.ofType(model.EventRetry)); got != tt.retries {
					t.Errorf("retry events = %d, want %d", got, tt.retries)
				}
			})
		}
	}
}

func TestIdleStream(t *testing.T) {
	t.Parallel()
	for _, f := range flavours {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			srv := modeltest.New(modeltest.Turn{Response: modeltest.Say("never finished").Response,
				Fault: modeltest.Fault{StallAfter: 2}})
			defer srv.Close()
			start := time.Now()
			_, err := f.new(Options{BaseURL: srv.URL, IdleTimeout: 200 * time.Millisecond}).
				Stream(context.Background(), request("hi"), nil)
			if kindOfErr(err) != model.ErrStream || !errors.Is(err, wire.ErrIdle) {
				t.Fatalf("error = %v, want an idle ErrStream", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s to notice an idle stream, want about 200ms", d)
			}
		})
	}
}

func TestSilentServer(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		handler http.HandlerFunc
		kind    model.ErrorKind
		text    string
	}{
		{"no response headers", func(w http.ResponseWriter, r *http.Request) {}, model.ErrTransport, "no response headers"},
		{"error status then stalled body", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			w.Write([]byte(`{"error":{"message":"upstream`))
			w.(http.Flusher).Flush()
		}, model.ErrServer, "upstream"},
	}
	for _, tt := range tests {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body) // without this the server never notices the client leave
			tt.handler(w, r)
			<-r.Context().Done() // then say nothing more
		}))
		t.Cleanup(srv.Close)
		for _, f := range flavours {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				start := time.Now()
				_, err := f.new(Options{BaseURL: srv.URL, IdleTimeout: 200 * time.Millisecond, MaxAttempts: 1}).
					Stream(context.Background(), request("hi"), nil)
				if kindOfErr(err) != tt.kind || !strings.Contains(err.Error(), tt.text) {
					t.Fatalf("error = %v, want %s mentioning %q", err, tt.kind, tt.text)
				}
				if d := time.Since(start); d > 5*time.Second {
					t.Errorf("took %s, want about 200ms", d)
				}
			})
		}
	}
}

func TestDeadServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	for _, f := range flavours {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			var sl sleeps
			var rec recorder
			_, err := f.new(Options{BaseURL: "http://" + addr + "/v1", MaxAttempts: 2, Sleep: sl.sleep}).
				Stream(context.Background(), request("hi"), rec.sink)
			me, ok := model.AsError(err)
			if !ok || me.Kind != model.ErrTransport || !strings.Contains(me.Hint, addr) {
				t.Fatalf("error = %v, want ErrTransport with a hint naming %s", err, addr)
			}
			if len(sl.all()) != 1 || len(rec.ofType(model.EventRetry)) != 1 {
				t.Errorf("sleeps %v, retry events %d: want one retry", sl.all(), len(rec.ofType(model.EventRetry)))
			}
		})
	}
}

func TestCancelMidStream(t *testing.T) {
	t.Parallel()
	for _, f := range flavours {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			srv := modeltest.New(modeltest.Turn{Response: modeltest.Say("never finished").Response,
				Fault: modeltest.Fault{StallAfter: 2}})
			defer srv.Close()
			ctx, cancel := context.WithCancel(context.Background())
			time.AfterFunc(100*time.Millisecond, cancel)
			start := time.Now()
			_, err := f.new(Options{BaseURL: srv.URL}).Stream(ctx, request("hi"), nil)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("error = %v, want context.Canceled", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %s to return after cancel", d)
			}
		})
	}
}

func TestBadBaseURL(t *testing.T) {
	t.Parallel()
	for _, f := range flavours {
		_, err := f.new(Options{BaseURL: "localhost:11434/v1"}).Stream(context.Background(), request("hi"), nil)
		if kindOfErr(err) != model.ErrConfig {
			t.Errorf("%s: error = %v, want ErrConfig", f.name, err)
		}
	}
}
