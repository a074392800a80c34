package wire

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"

	"github.com/git-agent/git-agent/internal/model"
)

// Sender sends a request and retries transient failures with exponential
// backoff and full jitter, honouring Retry-After.
type Sender struct {
	Client      *http.Client
	Provider    string        // for error messages
	MaxAttempts int           // total attempts; default 4
	BaseDelay   time.Duration // default 500ms
	MaxDelay    time.Duration // cap per wait; default 30s
	// Sleep waits d or until ctx ends; tests replace it. Default: a timer.
	Sleep func(ctx context.Context, d time.Duration) error
	// Classify turns a non-2xx response (body already read, at most 64 KiB)
	// into an error. Retryable errors are retried.
	Classify func(status int, header http.Header, body []byte) *model.Error
	// OnRetry, if set, is told before each wait.
	OnRetry func(attempt int, err *model.Error, wait time.Duration)
}

// Do sends the request built by newReq until it gets a 2xx response, a
// non-retryable error, or attempts run out. The caller owns the returned body.
func (s *Sender) Do(ctx context.Context, newReq func(ctx context.Context) (*http.Request, error)) (*http.Response, error) {
	attempts := s.MaxAttempts
	if attempts <= 0 {
		attempts = 4
	}
	client := s.Client
	if client == nil {
		client = http.DefaultClient
	}
	for attempt := 1; ; attempt++ {
		req, err := newReq(ctx)
		if err != nil {
			return nil, &model.Error{Kind: model.ErrConfig, Provider: s.Provider, Err: err,
				Hint: "check the base URL (--base-url or the provider's *_BASE_URL variable)"}
		}
		resp, err := client.Do(req)
		var merr *model.Error
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			merr = &model.Error{Kind: model.ErrTransport, Provider: s.Provider, Err: unwrapURL(err),
				Hint: "is the server running and the base URL right? (" + req.URL.Scheme + "://" + req.URL.Host + ")"}
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			return resp, nil
		default:
			body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
			merr = s.classify(resp.StatusCode, resp.Header, body)
			if ra := retryAfter(resp.Header); ra > 0 {
				merr.RetryAfter = ra
			}
		}
		if !merr.Retryable() || attempt >= attempts {
			return nil, merr
		}
		wait := s.backoff(attempt)
		if merr.RetryAfter > 0 {
			wait = merr.RetryAfter
			if max := s.maxDelay(); wait > max {
				wait = max
			}
		}
		if s.OnRetry != nil {
			s.OnRetry(attempt, merr, wait)
		}
		sleep := s.Sleep
		if sleep == nil {
			sleep = sleepCtx
		}
		if err := sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

func (s *Sender) classify(status int, h http.Header, body []byte) *model.Error {
	if s.Classify != nil {
		if e := s.Classify(status, h, body); e != nil {
			if e.Provider == "" {
				e.Provider = s.Provider
			}
			return e
		}
	}
	return ClassifyStatus(s.Provider, status, string(body))
}

// ClassifyStatus maps an HTTP status to an error kind with a generic hint.
func ClassifyStatus(provider string, status int, msg string) *model.Error {
	e := &model.Error{Provider: provider, Status: status, Message: truncate(msg, 300)}
	switch {
	case status == 401 || status == 403:
		e.Kind = model.ErrAuth
		e.Hint = "the API key was rejected; check the key variable for this provider"
	case status == 429:
		e.Kind = model.ErrRateLimit
		e.Hint = "rate limited; wait and retry, or lower concurrency"
	case status == 404:
		e.Kind = model.ErrBadRequest
		e.Hint = "not found: check --base-url and --model"
	case status == 408 || status >= 500:
		e.Kind = model.ErrServer
		e.Hint = "the provider had a server error; retry later"
	default:
		e.Kind = model.ErrBadRequest
	}
	return e
}

func (s *Sender) backoff(attempt int) time.Duration {
	base := s.BaseDelay
	if base <= 0 {
		base = 500 * time.Millisecond
	}
	d := base << (attempt - 1)
	if max := s.maxDelay(); d > max || d <= 0 {
		d = max
	}
	// Full jitter within [d/2, d) keeps clients from retrying in lockstep.
	return d/2 + time.Duration(rand.Int64N(int64(d/2)+1))
}

func (s *Sender) maxDelay() time.Duration {
	if s.MaxDelay > 0 {
		return s.MaxDelay
	}
	return 30 * time.Second
}

// retryAfter parses Retry-After (seconds or HTTP date) and retry-after-ms.
func retryAfter(h http.Header) time.Duration {
	if v := h.Get("Retry-After-Ms"); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && ms > 0 {
			return time.Duration(ms * float64(time.Millisecond))
		}
	}
	v := h.Get("Retry-After")
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil && secs > 0 {
		return time.Duration(secs * float64(time.Second))
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := time.Until(t); d > 0 {
			return d
		}
	}
	return 0
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func unwrapURL(err error) error {
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return inner
		}
	}
	return err
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
