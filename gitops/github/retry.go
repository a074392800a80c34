package github

import (
	"context"
	"io"
	"net/http"
	"strconv"
	"time"
)

// maxRetryWait is the longest rate-limit wait retried automatically; a CI
// job should fail with a clear message rather than stall for an hour.
const maxRetryWait = 60 * time.Second

// retryTransport retries a request once when GitHub answers with a rate
// limit that lifts within maxRetryWait. It sits below go-github so that
// go-github never records the first failure and refuses the retry locally.
type retryTransport struct {
	base  http.RoundTripper // nil means http.DefaultTransport
	sleep func(ctx context.Context, d time.Duration) error
	now   func() time.Time
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.base
	if base == nil {
		base = http.DefaultTransport
	}
	resp, err := base.RoundTrip(req)
	if err != nil {
		return resp, err
	}
	wait, limited := rateLimitWait(resp, t.now())
	if !limited || wait > maxRetryWait || (req.Body != nil && req.Body != http.NoBody && req.GetBody == nil) {
		return resp, nil
	}
	retry := req.Clone(req.Context())
	if req.GetBody != nil {
		body, err := req.GetBody()
		if err != nil {
			return resp, nil
		}
		retry.Body = body
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<16))
	resp.Body.Close()
	if err := t.sleep(req.Context(), wait); err != nil {
		return nil, err
	}
	return base.RoundTrip(retry)
}

// rateLimitWait says whether resp is a rate limit and how long GitHub asks
// to wait: Retry-After (secondary limits, 429) first, else until
// X-RateLimit-Reset when no requests remain; a 429 without either means a
// minute, as GitHub's documentation advises.
func rateLimitWait(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp.StatusCode != http.StatusForbidden && resp.StatusCode != http.StatusTooManyRequests {
		return 0, false
	}
	if ra := resp.Header.Get("Retry-After"); ra != "" {
		if s, err := strconv.Atoi(ra); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if at, err := http.ParseTime(ra); err == nil {
			return max(at.Sub(now), 0), true
		}
	}
	if resp.Header.Get("X-RateLimit-Remaining") == "0" {
		if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err == nil {
			return max(time.Unix(reset, 0).Sub(now), 0), true
		}
		return time.Minute, true
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return time.Minute, true
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
