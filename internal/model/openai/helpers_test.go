package openai

import (
	"context"
	"strings"
	"sync"
	"time"

	"github.com/git-agent/git-agent/internal/model"
)

// flavours runs a test against both providers.
var flavours = []struct {
	name string
	new  func(Options) model.Provider
}{
	{"responses", func(o Options) model.Provider { return NewResponses(o) }},
	{"chat", func(o Options) model.Provider { return NewChat(o) }},
}

// recorder collects streamed events; the sink is called synchronously, but
// the lock keeps -race quiet if that contract is ever broken.
type recorder struct {
	mu     sync.Mutex
	events []model.Event
}

func (r *recorder) sink(e model.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, e)
}

// joined concatenates the deltas of one event type.
func (r *recorder) joined(t model.EventType) string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var b strings.Builder
	for _, e := range r.events {
		if e.Type == t {
			b.WriteString(e.Delta)
		}
	}
	return b.String()
}

func (r *recorder) ofType(t model.EventType) []model.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []model.Event
	for _, e := range r.events {
		if e.Type == t {
			out = append(out, e)
		}
	}
	return out
}

// sleeps records the waits the retry Sender asked for, without waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

func request(text string) *model.Request {
	return &model.Request{Model: "gpt-test", Instructions: "be brief",
		Input: []model.Item{{Type: model.ItemMessage, Role: model.RoleUser, Text: text}}}
}

// kindOfErr returns the model.Error kind of err, or "" if it has none.
func kindOfErr(err error) model.ErrorKind {
	if me, ok := model.AsError(err); ok {
		return me.Kind
	}
	return ""
}
