package wire

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/internal/model"
)

// reply is one scripted HTTP answer.
type reply struct {
	status int
	header map[string]string
}

// script serves replies in order and counts requests.
type script struct {
	mu      sync.Mutex
	replies []reply
	n       int
}

func (s *script) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	rep := reply{status: 500}
	if s.n < len(s.replies) {
		rep = s.replies[s.n]
	}
	s.n++
	s.mu.Unlock()
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	w.Write([]byte(`{"error":{"message":"scripted"}}`))
}

func (s *script) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

func get(url string) func(ctx context.Context) (*http.Request, error) {
	return func(ctx context.Context) (*http.Request, error) {
		return http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	}
}

func TestSenderRetries(t *testing.T) {
	t.Parallel()
	ok := reply{status: 200}
	tests := []struct {
		name     string
		replies  []reply
		sender   Sender
		kind     model.ErrorKind // "" for success
		requests int
		sleeps   []time.Duration // exact, when not nil
		between  [2]time.Duration
	}{
		{name: "first try", replies: []reply{ok}, requests: 1},
		{name: "500 then ok", replies: []reply{{status: 500}, ok}, requests: 2,
			between: [2]time.Duration{250 * time.Millisecond, 500 * time.Millisecond}},
		{name: "Retry-After seconds", replies: []reply{{429, map[string]string{"Retry-After": "3"}}, ok},
			requests: 2, sleeps: []time.Duration{3 * time.Second}},
		{name: "retry-after-ms wins", replies: []reply{{429, map[string]string{"retry-after-ms": "1500", "Retry-After": "9"}}, ok},
			requests: 2, sleeps: []time.Duration{1500 * time.Millisecond}},
		{name: "Retry-After capped", sender: Sender{MaxDelay: 2 * time.Second},
			replies: []reply{{503, map[string]string{"Retry-After": "120"}}, ok}, requests: 2, sleeps: []time.Duration{2 * time.Second}},
		{name: "400 not retried", replies: []reply{{status: 400}, ok}, kind: model.ErrBadRequest, requests: 1, sleeps: []time.Duration{}},
		{name: "401 not retried", replies: []reply{{status: 401}, ok}, kind: model.ErrAuth, requests: 1, sleeps: []time.Duration{}},
		{name: "exhausted", sender: Sender{MaxAttempts: 3}, replies: []reply{{status: 503}, {status: 502}, {status: 500}, ok},
			kind: model.ErrServer, requests: 3},
		{name: "default four attempts", replies: []reply{{status: 500}, {status: 500}, {status: 500}, {status: 500}, ok},
			kind: model.ErrServer, requests: 4},
		{name: "Classify makes 429 final", replies: []reply{{status: 429}, ok}, kind: model.ErrQuota, requests: 1,
			sender: Sender{Classify: func(int, http.Header, []byte) *model.Error { return &model.Error{Kind: model.ErrQuota, Status: 429} }}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sc := &script{replies: tt.replies}
			srv := httptest.NewServer(sc)
			defer srv.Close()
			var slept []time.Duration
			var attempts []int
			s := tt.sender
			s.Provider = "test"
			s.Sleep = func(ctx context.Context, d time.Duration) error { slept = append(slept, d); return nil }
			s.OnRetry = func(attempt int, _ *model.Error, _ time.Duration) { attempts = append(attempts, attempt) }
			resp, err := s.Do(context.Background(), get(srv.URL))
			if err == nil {
				resp.Body.Close()
			}
			if me, _ := model.AsError(err); (err == nil) != (tt.kind == "") || (me != nil && me.Kind != tt.kind) {
				t.Fatalf("err = %v, want kind %q", err, tt.kind)
			}
			if me, _ := model.AsError(err); me != nil && (me.Provider != "test" || me.Status == 0) {
				t.Errorf("error %+v lacks provider or status", me)
			}
			if sc.count() != tt.requests {
				t.Errorf("requests = %d, want %d", sc.count(), tt.requests)
			}
			if len(slept) != tt.requests-1 && err == nil || len(attempts) != len(slept) {
				t.Errorf("slept %v, OnRetry attempts %v, for %d requests", slept, attempts, tt.requests)
			}
			for i, a := range attempts {
				if a != i+1 {
					t.Errorf("OnRetry attempts = %v, want 1, 2, ...", attempts)
				}
			}
			if tt.sleeps != nil {
				if diff := cmp.Diff(tt.sleeps, slept, cmpEmpty); diff != "" {
					t.Errorf("sleeps (-want +got):\n%s", diff)
				}
			}
			if tt.between != [2]time.Duration{} {
				for _, d := range slept {
					if d < tt.between[0] || d > tt.between[1] {
						t.Errorf("backoff %s outside [%s, %s]", d, tt.between[0], tt.between[1])
					}
				}
			}
		})
	}
}

// cmpEmpty treats nil and empty slices alike.
var cmpEmpty = cmp.FilterValues(func(x, y []time.Duration) bool { return len(x) == 0 && len(y) == 0 },
	cmp.Comparer(func(_, _ []time.Duration) bool { return true }))

func TestSenderTransportError(t *testing.T) {
	t.Parallel()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	var slept int
	s := Sender{Provider: "test", MaxAttempts: 2, Sleep: func(context.Context, time.Duration) error { slept++; return nil }}
	_, err = s.Do(context.Background(), get("http://"+addr+"/x"))
	me, ok := model.AsError(err)
	if !ok || me.Kind != model.ErrTransport || !strings.Contains(me.Hint, addr) || slept != 1 {
		t.Fatalf("err = %v after %d sleeps; want ErrTransport naming %s after one retry", err, slept, addr)
	}
	if me.Err == nil {
		t.Error("underlying dial error lost")
	}
}

func TestSenderBadRequestBuilder(t *testing.T) {
	t.Parallel()
	s := Sender{Provider: "test"}
	_, err := s.Do(context.Background(), func(context.Context) (*http.Request, error) { return nil, errors.New("bad url") })
	if me, ok := model.AsError(err); !ok || me.Kind != model.ErrConfig || me.Hint == "" {
		t.Fatalf("err = %v, want ErrConfig with a hint", err)
	}
}

func TestSenderCancelDuringWait(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(&script{replies: []reply{{status: 503}}})
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(50*time.Millisecond, cancel)
	start := time.Now()
	s := Sender{BaseDelay: time.Minute, MaxDelay: time.Minute} // the real sleep: cancel must cut it short
	_, err := s.Do(ctx, get(srv.URL))
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("returned after %s, want promptly", d)
	}
}

func TestBackoffBounds(t *testing.T) {
	t.Parallel()
	s := Sender{BaseDelay: 100 * time.Millisecond, MaxDelay: time.Second}
	for attempt := 1; attempt <= 70; attempt++ {
		d := min(100*time.Millisecond<<(attempt-1), time.Second)
		if attempt > 10 {
			d = time.Second // shifted past the cap (or overflowed)
		}
		for range 20 {
			if got := s.backoff(attempt); got < d/2 || got > d {
				t.Fatalf("backoff(%d) = %s, want within [%s, %s]", attempt, got, d/2, d)
			}
		}
	}
}

func TestRetryAfter(t *testing.T) {
	t.Parallel()
	future := time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)
	past := time.Now().Add(-time.Hour).UTC().Format(http.TimeFormat)
	tests := []struct {
		name   string
		header map[string]string
		min    time.Duration
		max    time.Duration
	}{
		{"none", nil, 0, 0},
		{"seconds", map[string]string{"Retry-After": "20"}, 20 * time.Second, 20 * time.Second},
		{"fractional", map[string]string{"Retry-After": "0.5"}, 500 * time.Millisecond, 500 * time.Millisecond},
		{"milliseconds", map[string]string{"Retry-After-Ms": "250"}, 250 * time.Millisecond, 250 * time.Millisecond},
		{"future date", map[string]string{"Retry-After": future}, 59 * time.Minute, time.Hour},
		{"past date", map[string]string{"Retry-After": past}, 0, 0},
		{"garbage", map[string]string{"Retry-After": "soon", "Retry-After-Ms": "-5"}, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			h := http.Header{}
			for k, v := range tt.header {
				h.Set(k, v)
			}
			if got := retryAfter(h); got < tt.min || got > tt.max {
				t.Errorf("retryAfter = %s, want within [%s, %s]", got, tt.min, tt.max)
			}
		})
	}
}
