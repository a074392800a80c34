// Package openai speaks the two OpenAI wire protocols as model.Providers: the
// Responses API (Responses) and Chat Completions (Chat), which Ollama, vLLM
// and most local servers also serve.
//
// It imports only model and model/wire. It must never log or echo the API key,
// and no stream, however broken or hostile, may make it panic, hang past the
// idle timeout or buffer without bound.
package openai

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/wire"
)

const (
	// DefaultBaseURL is the OpenAI API root.
	DefaultBaseURL = "https://api.openai.com/v1"
	// DefaultIdleTimeout bounds the silence between two reads of a stream
	// (and the wait for response headers).
	DefaultIdleTimeout = 90 * time.Second
)

// Options configures a provider. The zero value talks to api.openai.com
// without a key.
type Options struct {
	BaseURL string // default DefaultBaseURL; a trailing slash is tolerated
	APIKey  string // sent as a Bearer token; omitted when empty (Ollama)
	// Name labels errors: "openai", "openai-chat", "ollama". It also picks
	// hints: "ollama" never suggests an API key.
	Name        string
	HTTPClient  *http.Client  // default http.DefaultClient
	IdleTimeout time.Duration // default DefaultIdleTimeout
	MaxAttempts int           // per request, see wire.Sender
	BaseDelay   time.Duration // first backoff, see wire.Sender
	// Sleep replaces the retry wait in tests; see wire.Sender.
	Sleep     func(ctx context.Context, d time.Duration) error
	Headers   map[string]string // extra request headers
	UserAgent string            // default "git-agent"
	// ReasoningSummary ("auto", "concise", "detailed") asks a reasoning model
	// for summaries of its reasoning (Responses only). Models that do not
	// reason reject the parameter, so it is empty unless the caller knows.
	ReasoningSummary string
}

// client is the HTTP plumbing both providers share.
type client struct {
	opts Options
	name string
	base string
}

func newClient(opts Options, defaultName string) client {
	if opts.Name == "" {
		opts.Name = defaultName
	}
	base := strings.TrimRight(opts.BaseURL, "/")
	if base == "" {
		base = DefaultBaseURL
	}
	return client{opts: opts, name: opts.Name, base: base}
}

// parseFunc reads one event stream into a response.
type parseFunc func(r io.Reader, name string, sink func(model.Event)) (*model.Response, error)

// stream posts body to path and parses the event stream it answers with.
func (c *client) stream(ctx context.Context, path, modelName string, body []byte, sink func(model.Event), parse parseFunc) (*model.Response, error) {
	if sink == nil {
		sink = func(model.Event) {}
	}
	// rctx lets the idle timer abort a stalled body read.
	rctx, cancel := context.WithCancel(ctx)
	defer cancel()
	sender := wire.Sender{
		Client:      c.httpClient(),
		Provider:    c.name,
		MaxAttempts: c.opts.MaxAttempts,
		BaseDelay:   c.opts.BaseDelay,
		Sleep:       c.opts.Sleep,
		Classify: func(status int, _ http.Header, body []byte) *model.Error {
			return c.httpError(status, body, modelName)
		},
		OnRetry: func(attempt int, err *model.Error, _ time.Duration) {
			sink(model.Event{Type: model.EventRetry, Attempt: attempt, Err: err})
		},
	}
	resp, err := sender.Do(rctx, func(ctx context.Context) (*http.Request, error) {
		return c.newRequest(ctx, path, body)
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, err
	}
	defer resp.Body.Close()
	if isJSON(resp.Header.Get("Content-Type")) {
		return nil, c.jsonInsteadOfStream(resp, modelName)
	}
	idle := wire.NewIdleReader(resp.Body, c.idleTimeout(), cancel)
	defer idle.Stop()
	out, err := parse(idle, c.name, sink)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if idle.Idle() {
			return nil, &model.Error{Kind: model.ErrStream, Provider: c.name, Err: wire.ErrIdle,
				Message: fmt.Sprintf("no data for %s in the middle of the stream", c.idleTimeout()),
				Hint:    "the server stalled; retry, or raise the idle timeout for slow local models"}
		}
		return nil, err
	}
	return out, nil
}

func (c *client) newRequest(ctx context.Context, path string, body []byte) (*http.Request, error) {
	u, err := url.Parse(c.base + path)
	if err != nil {
		return nil, err
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("base URL %q must start with http:// or https://", c.base)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "text/event-stream")
	ua := c.opts.UserAgent
	if ua == "" {
		ua = "git-agent"
	}
	req.Header.Set("User-Agent", ua)
	if c.opts.APIKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.opts.APIKey)
	}
	for k, v := range c.opts.Headers {
		req.Header.Set(k, v)
	}
	return req, nil
}

func (c *client) idleTimeout() time.Duration {
	if c.opts.IdleTimeout > 0 {
		return c.opts.IdleTimeout
	}
	return DefaultIdleTimeout
}

// httpClient wraps the configured client's transport so that a server which
// accepts the connection but never answers cannot hang the request.
func (c *client) httpClient() *http.Client {
	hc := http.Client{}
	if c.opts.HTTPClient != nil {
		hc = *c.opts.HTTPClient
	}
	base := hc.Transport
	if base == nil {
		base = http.DefaultTransport
	}
	hc.Transport = headerTimeout{base: base, d: c.idleTimeout()}
	return &hc
}

// jsonInsteadOfStream reports a 2xx answer that is JSON, not an event stream:
// usually an error object, or a server that ignored "stream": true.
func (c *client) jsonInsteadOfStream(resp *http.Response, modelName string) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if ae, ok := parseAPIError(body); ok {
		return c.apiError(resp.StatusCode, ae, modelName)
	}
	return &model.Error{Kind: model.ErrStream, Provider: c.name, Status: resp.StatusCode,
		Message: "expected an event stream but the server answered with JSON",
		Hint:    "the server does not seem to support streaming; check --base-url points at an OpenAI-compatible API"}
}

func isJSON(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	return err == nil && mt == "application/json"
}

var errNoHeaders = errors.New("no response headers within the idle timeout")

// headerTimeout fails a round trip whose response headers take longer than
// d, and a body read that waits longer than d.
type headerTimeout struct {
	base http.RoundTripper
	d    time.Duration
}

func (h headerTimeout) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx, cancel := context.WithCancel(req.Context())
	var fired atomic.Bool
	t := time.AfterFunc(h.d, func() { fired.Store(true); cancel() })
	resp, err := h.base.RoundTrip(req.WithContext(ctx))
	if !t.Stop() && fired.Load() {
		if resp != nil {
			resp.Body.Close()
		}
		cancel()
		return nil, fmt.Errorf("%w (%s)", errNoHeaders, h.d)
	}
	if err != nil {
		cancel()
		return nil, err
	}
	// Guard every body read too: wire.Sender reads error bodies itself, and a
	// proxy that sends a 5xx status and then stalls must not hang it.
	resp.Body = &idleBody{IdleReader: wire.NewIdleReader(resp.Body, h.d, cancel), body: resp.Body, cancel: cancel}
	return resp, nil
}

// idleBody releases the round trip's timer and context when closed.
type idleBody struct {
	*wire.IdleReader
	body   io.Closer
	cancel context.CancelFunc
}

func (b *idleBody) Close() error {
	b.Stop()
	err := b.body.Close()
	b.cancel()
	return err
}
