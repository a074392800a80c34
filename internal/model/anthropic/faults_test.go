package anthropic

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
)

const longAnswer = "This answer is long enough to need several text deltas on the wire."

func TestFaults(t *testing.T) {
	t.Parallel()
	withFault := func(turn modeltest.Turn, f modeltest.Fault) modeltest.Turn { turn.Fault = f; return turn }
	tests := []struct {
		name       string
		script     []modeltest.Turn
		idle       time.Duration
		wantKind   model.ErrorKind // "" for success
		wantText   string          // substring of the error, or the answer on success
		wantSleeps []time.Duration // nil: don't check
		wantReqs   int
		wantRetry  int // EventRetry events seen by the sink
		within     time.Duration
	}{
		{
			name:     "connection drop mid-stream",
			script:   []modeltest.Turn{withFault(modeltest.Say(longAnswer), modeltest.Fault{DropAfter: 4})},
			wantKind: model.ErrStream, wantText: "cut off", wantReqs: 1,
		},
		{
			name: "429 with Retry-After, then success",
			script: []modeltest.Turn{
				{Fault: modeltest.Fault{Status: 429, RetryAfter: "7", Body: errBody("rate_limit_error", "Number of requests has exceeded your rate limit")}},
				modeltest.Say("ok")},
			wantText: "ok", wantSleeps: []time.Duration{7 * time.Second}, wantReqs: 2, wantRetry: 1,
		},
		{
			name:     "529 overloaded, then success",
			script:   []modeltest.Turn{modeltest.Failure(529, errBody("overloaded_error", "Overloaded")), modeltest.Say("ok")},
			wantText: "ok", wantReqs: 2, wantRetry: 1,
		},
		{
			name: "500 until retries run out",
			script: []modeltest.Turn{
				modeltest.Failure(500, errBody("api_error", "Internal server error")),
				modeltest.Failure(500, errBody("api_error", "Internal server error")),
				modeltest.Failure(500, errBody("api_error", "Internal server error")),
				modeltest.Say("never reached")},
			wantKind: model.ErrServer, wantText: "HTTP 500", wantReqs: 3, wantRetry: 2,
		},
		{
			name:     "401 is not retried and names the key variable",
			script:   []modeltest.Turn{modeltest.Failure(401, errBody("authentication_error", "invalid x-api-key"))},
			wantKind: model.ErrAuth, wantText: "ANTHROPIC_API_KEY", wantReqs: 1,
		},
		{
			name:     "prompt too long",
			script:   []modeltest.Turn{modeltest.Failure(400, errBody("invalid_request_error", "prompt is too long: 212345 tokens > 200000 maximum"))},
			wantKind: model.ErrContextLength, wantText: "prompt is too long", wantReqs: 1,
		},
		{
			name:     "malformed event",
			script:   []modeltest.Turn{withFault(modeltest.Say(longAnswer), modeltest.Fault{Malformed: true})},
			wantKind: model.ErrStream, wantText: "malformed", wantReqs: 1,
		},
		{
			name:     "stalled stream hits the idle timeout",
			script:   []modeltest.Turn{withFault(modeltest.Say(longAnswer), modeltest.Fault{StallAfter: 3})},
			idle:     200 * time.Millisecond,
			wantKind: model.ErrStream, wantText: "stalled", wantReqs: 1, within: 5 * time.Second,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := modeltest.New(tt.script...)
			defer srv.Close()
			s := &sleeps{}
			c := newTestClient(srv.URL, s, func(o *Options) {
				if tt.idle > 0 {
					o.IdleTimeout = tt.idle
				}
			})
			sink, events := collect()
			began := time.Now()
			resp, err := c.Stream(context.Background(), &model.Request{Model: "claude-test", Input: []model.Item{userSays("hi")}}, sink)
			took := time.Since(began)
			if tt.wantKind == "" {
				if err != nil {
					t.Fatalf("Stream: %v", err)
				}
				if got := resp.Text(); got != tt.wantText {
					t.Errorf("text = %q, want %q", got, tt.wantText)
				}
			} else {
				checkErr(t, resp, err, tt.wantKind, tt.wantText)
			}
			if tt.wantSleeps != nil {
				if diff := cmp.Diff(tt.wantSleeps, s.got()); diff != "" {
					t.Errorf("sleeps (-want +got):\n%s", diff)
				}
			}
			retries := 0
			for _, e := range events() {
				if e.Type == model.EventRetry {
					retries++
					if e.Attempt != retries || e.Err == nil {
						t.Errorf("retry event %d = %+v", retries, e)
					}
				}
			}
			if retries != tt.wantRetry {
				t.Errorf("saw %d retry events, want %d", retries, tt.wantRetry)
			}
			if got := len(srv.Requests()); got != tt.wantReqs {
				t.Errorf("server saw %d requests, want %d", got, tt.wantReqs)
			}
			if tt.within > 0 && took > tt.within {
				t.Errorf("took %s, want under %s", took, tt.within)
			}
		})
	}
}

func checkErr(t *testing.T, resp *model.Response, err error, kind model.ErrorKind, text string) {
	t.Helper()
	t.Logf("error: %v", err)
	me, ok := model.AsError(err)
	if !ok || resp != nil {
		t.Fatalf("got %v, %v; want a *model.Error of kind %s", resp, err, kind)
	}
	if me.Kind != kind || !strings.Contains(err.Error(), text) {
		t.Errorf("error %q (kind %s); want kind %s mentioning %q", err, me.Kind, kind, text)
	}
	if me.Hint == "" || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q lacks a hint or is not one line", err)
	}
}

func TestErrorEventInStream(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		w.Write([]byte(sseOf("message_start", evStart, "ping", `{"type": "ping"}`,
			"error", `{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}`)))
	}))
	defer srv.Close()
	resp, err := newTestClient(srv.URL, nil, nil).Stream(context.Background(), &model.Request{Model: "claude-test"}, nil)
	checkErr(t, resp, err, model.ErrServer, "Overloaded")
	if me, _ := model.AsError(err); me.Code != "overloaded_error" {
		t.Errorf("code = %q, want overloaded_error", me.Code)
	}
}

func TestNotAnEventStream(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte("<html>login page</html>"))
	}))
	defer srv.Close()
	resp, err := newTestClient(srv.URL, nil, nil).Stream(context.Background(), &model.Request{Model: "claude-test"}, nil)
	checkErr(t, resp, err, model.ErrStream, "text/html")
}

func TestDeadServer(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	s := &sleeps{}
	resp, err := newTestClient("http://"+addr, s, nil).Stream(context.Background(), &model.Request{Model: "claude-test"}, nil)
	checkErr(t, resp, err, model.ErrTransport, "refused")
	if got := len(s.got()); got != 2 {
		t.Errorf("slept %d times, want 2 (3 attempts)", got)
	}
}

// TestNoResponseHeaders covers a server that accepts the request and never
// answers: each attempt gives up after the idle timeout.
func TestNoResponseHeaders(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body) // the server notices a gone client only once the body is read
		<-r.Context().Done()
	}))
	defer srv.Close()
	c := newTestClient(srv.URL, nil, func(o *Options) { o.IdleTimeout = 100 * time.Millisecond; o.MaxAttempts = 2 })
	began := time.Now()
	resp, err := c.Stream(context.Background(), &model.Request{Model: "claude-test"}, nil)
	checkErr(t, resp, err, model.ErrTransport, "no response")
	if !errors.Is(err, errNoResponse) {
		t.Errorf("error %v does not wrap errNoResponse", err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("took %s", took)
	}
}

func TestCancelMidStream(t *testing.T) {
	t.Parallel()
	srv := modeltest.New(modeltest.Turn{Response: modeltest.Say(longAnswer).Response, Fault: modeltest.Fault{StallAfter: 4}})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var deltas int
	sink := func(e model.Event) {
		if e.Type == model.EventTextDelta {
			deltas++
			time.AfterFunc(50*time.Millisecond, cancel)
		}
	}
	began := time.Now()
	resp, err := newTestClient(srv.URL, nil, nil).Stream(ctx, &model.Request{Model: "claude-test"}, sink)
	if resp != nil || !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, %v; want context.Canceled", resp, err)
	}
	if took := time.Since(began); took > 5*time.Second {
		t.Errorf("cancel took %s to take effect", took)
	}
	if deltas == 0 {
		t.Errorf("no text arrived before the stall")
	}
}
