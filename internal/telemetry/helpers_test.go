package telemetry

import (
	"bytes"
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"
)

// env returns a Getenv reading m.
func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

// clock is a fake time source: each call to Now is step later than the last.
type clock struct {
	mu   sync.Mutex
	t    time.Time
	step time.Duration
}

func newClock() *clock {
	return &clock{t: time.Date(2025, 6, 1, 10, 0, 0, 0, time.UTC), step: time.Millisecond}
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(c.step)
	return c.t
}

// logBuffer collects log output written from several goroutines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// mustNew calls New and registers Shutdown for the end of the test.
func mustNew(t *testing.T, o Options) *Telemetry {
	t.Helper()
	if o.Getenv == nil {
		o.Getenv = env(nil)
	}
	tel, err := New(context.Background(), o)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	if tel == nil {
		t.Fatal("New returned nil: nothing configured")
	}
	t.Cleanup(func() { tel.Shutdown(context.Background()) })
	return tel
}

func shutdown(t *testing.T, tel *Telemetry) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := tel.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
}

// waitFor polls cond until it holds or a few seconds pass.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
