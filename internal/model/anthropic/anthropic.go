// Package anthropic is the model.Provider for Anthropic's Messages API. It
// converts conversations to messages, streams each turn over SSE and turns
// every failure into a *model.Error that tells the user what to do next.
//
// Like every wire client it imports only model and model/wire: it must never
// depend on the agent, the tools or the sandbox, and must never log or echo
// the API key.
package anthropic

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/wire"
)

const (
	providerName = "anthropic"
	apiVersion   = "2023-06-01"

	// DefaultBaseURL is where requests go when Options.BaseURL is empty.
	DefaultBaseURL = "https://api.anthropic.com"
	// DefaultMaxTokens is max_tokens when a request sets no MaxOutputTokens;
	// the API requires a value.
	DefaultMaxTokens = 8192
	// DefaultIdleTimeout bounds silence while waiting for the response and
	// between stream reads.
	DefaultIdleTimeout = 90 * time.Second
)

// errNoResponse ends an attempt whose server sent no response headers within
// the idle timeout.
var errNoResponse = errors.New("no response from the server within the idle timeout")

// Options configures a Client. Zero values select the defaults.
type Options struct {
	BaseURL     string // default DefaultBaseURL; may end in /v1
	APIKey      string // sent as x-api-key; omitted when empty
	HTTPClient  *http.Client
	IdleTimeout time.Duration // default DefaultIdleTimeout
	MaxAttempts int           // total attempts for retryable failures; default 4
	BaseDelay   time.Duration // first backoff wait; default 500ms
	// Sleep waits between attempts; tests replace it. Default: a timer.
	Sleep     func(ctx context.Context, d time.Duration) error
	Headers   http.Header // extra headers, e.g. anthropic-beta; they win over ours
	UserAgent string      // default "git-agent"
}

// Client is a model.Provider speaking the Anthropic Messages API.
type Client struct {
	opts     Options
	endpoint string
	idle     time.Duration
}

var _ model.Provider = (*Client)(nil)

// New returns a client for opts.
func New(opts Options) *Client {
	c := &Client{opts: opts, endpoint: endpoint(opts.BaseURL), idle: opts.IdleTimeout}
	if c.idle <= 0 {
		c.idle = DefaultIdleTimeout
	}
	if c.opts.UserAgent == "" {
		c.opts.UserAgent = "git-agent"
	}
	return c
}

// endpoint returns the messages URL for base, which may or may not already
// name the API version.
func endpoint(base string) string {
	base = strings.TrimRight(strings.TrimSpace(base), "/")
	if base == "" {
		base = DefaultBaseURL
	}
	return strings.TrimSuffix(base, "/v1") + "/v1/messages"
}

// Name implements model.Provider.
func (c *Client) Name() string { return providerName }

// Stream implements model.Provider: it sends req, retrying transient
// failures, and reads the streamed answer, calling sink for each delta.
func (c *Client) Stream(ctx context.Context, req *model.Request, sink func(model.Event)) (*model.Response, error) {
	if sink == nil {
		sink = func(model.Event) {}
	}
	if req == nil || req.Model == "" {
		return nil, &model.Error{Kind: model.ErrConfig, Provider: providerName,
			Message: "no model given", Hint: "set --model (e.g. a claude-* model name)"}
	}
	body, err := json.Marshal(buildRequest(req, DefaultMaxTokens))
	if err != nil {
		return nil, &model.Error{Kind: model.ErrBadRequest, Provider: providerName, Err: fmt.Errorf("encode request: %w", err),
			Hint: "a tool's parameter schema could not be encoded; check the tool definitions"}
	}

	rctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	var headerTimer *time.Timer
	sender := &wire.Sender{
		Client:      c.opts.HTTPClient,
		Provider:    providerName,
		MaxAttempts: c.opts.MaxAttempts,
		BaseDelay:   c.opts.BaseDelay,
		Sleep:       c.opts.Sleep,
		Classify:    classify,
		OnRetry: func(attempt int, err *model.Error, _ time.Duration) {
			sink(model.Event{Type: model.EventRetry, Attempt: attempt, Err: err})
		},
	}
	resp, err := sender.Do(rctx, func(context.Context) (*http.Request, error) {
		// Each attempt has its own context so that a server that never
		// answers costs one attempt, not the whole call.
		actx, acancel := context.WithCancelCause(rctx)
		if headerTimer != nil {
			headerTimer.Stop()
		}
		headerTimer = time.AfterFunc(c.idle, func() { acancel(errNoResponse) })
		return c.newRequest(actx, body)
	})
	if headerTimer != nil {
		headerTimer.Stop()
	}
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); ct != "" && !strings.Contains(ct, "event-stream") {
		return nil, &model.Error{Kind: model.ErrStream, Provider: providerName, Status: resp.StatusCode,
			Message: "expected an event stream, got " + oneLine(ct),
			Hint:    "check --base-url: it should point at an Anthropic Messages API that supports streaming"}
	}

	idle := wire.NewIdleReader(resp.Body, c.idle, func() { cancel(wire.ErrIdle) })
	defer idle.Stop()
	out, err := readStream(idle, sink)
	if err != nil {
		switch {
		case ctx.Err() != nil:
			return nil, ctx.Err()
		case idle.Idle() || errors.Is(context.Cause(rctx), errNoResponse):
			return nil, &model.Error{Kind: model.ErrStream, Provider: providerName, Err: wire.ErrIdle,
				Message: fmt.Sprintf("stalled: no data for %s", c.idle),
				Hint:    "Anthropic stopped sending; retry, or raise the idle timeout if responses are slow"}
		}
		return nil, err
	}
	return out, nil
}

func (c *Client) newRequest(ctx context.Context, body []byte) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	h := req.Header
	if c.opts.APIKey != "" {
		h.Set("x-api-key", c.opts.APIKey)
	}
	h.Set("anthropic-version", apiVersion)
	h.Set("content-type", "application/json")
	h.Set("accept", "text/event-stream")
	h.Set("user-agent", c.opts.UserAgent)
	for k, vs := range c.opts.Headers {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	return req, nil
}
