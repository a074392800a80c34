// Package replay plays recorded model turns from a cassette file and records
// live sessions into one. It is the labelled way to run git-agent without a
// model service (the demo, tests); everything around the model stays real.
//
// replay fakes only the model: it never executes tools or touches files
// other than the cassette it is told to write.
package replay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/git-agent/git-agent/internal/model"
)

// Version is the cassette format version this build reads and writes.
const Version = 1

// Cassette is a recorded sequence of model responses.
type Cassette struct {
	Version  int       `json:"version"`
	Provider string    `json:"provider,omitempty"` // where it was recorded
	Model    string    `json:"model,omitempty"`
	Recorded time.Time `json:"recorded,omitempty"`
	Note     string    `json:"note,omitempty"`
	Turns    []Turn    `json:"turns"`
}

// Turn is one recorded response.
type Turn struct {
	Response model.Response `json:"response"`
}

// Parse decodes and validates a cassette.
func Parse(data []byte) (*Cassette, error) {
	var c Cassette
	dec := json.NewDecoder(strings.NewReader(string(data)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("cassette is not valid JSON: %w", err)
	}
	if c.Version != Version {
		return nil, fmt.Errorf("cassette version %d is not supported (want %d)", c.Version, Version)
	}
	if len(c.Turns) == 0 {
		return nil, errors.New("cassette has no turns")
	}
	for i, t := range c.Turns {
		for _, it := range t.Response.Items {
			if it.Type == model.ItemFunctionCall {
				if it.CallID == "" || it.Name == "" {
					return nil, fmt.Errorf("cassette turn %d: a function_call needs call_id and name", i+1)
				}
				if it.Arguments != "" && !json.Valid([]byte(it.Arguments)) {
					return nil, fmt.Errorf("cassette turn %d: arguments of %s are not valid JSON", i+1, it.Name)
				}
			}
		}
	}
	return &c, nil
}

// Load reads a cassette file.
func Load(path string) (*Cassette, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read cassette: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Player is a model.Provider that answers from a cassette, in order.
type Player struct {
	c    *Cassette
	mu   sync.Mutex
	next int
}

// NewPlayer returns a provider playing c.
func NewPlayer(c *Cassette) *Player { return &Player{c: c} }

// Name implements model.Provider.
func (p *Player) Name() string { return "replay" }

// Stream implements model.Provider: it emits the recorded turn as deltas.
func (p *Player) Stream(ctx context.Context, req *model.Request, sink func(model.Event)) (*model.Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	p.mu.Lock()
	if p.next >= len(p.c.Turns) {
		n := len(p.c.Turns)
		p.mu.Unlock()
		return nil, &model.Error{Kind: model.ErrStream, Provider: "replay",
			Message: fmt.Sprintf("cassette exhausted after %d turns", n),
			Hint:    "the session asked for more turns than were recorded; record a longer cassette with --record"}
	}
	t := p.c.Turns[p.next]
	p.next++
	p.mu.Unlock()

	resp := t.Response
	resp.Items = append([]model.Item(nil), resp.Items...)
	for _, it := range resp.Items {
		switch it.Type {
		case model.ItemMessage:
			for _, piece := range chunks(it.Text) {
				sink(model.Event{Type: model.EventTextDelta, Delta: piece})
			}
		case model.ItemReasoning:
			for _, piece := range chunks(it.Text) {
				sink(model.Event{Type: model.EventReasoningDelta, Delta: piece})
			}
		case model.ItemFunctionCall:
			sink(model.Event{Type: model.EventToolCallStart, CallID: it.CallID, Name: it.Name})
			sink(model.Event{Type: model.EventToolCallDelta, CallID: it.CallID, Delta: it.Arguments})
		}
	}
	if resp.StopReason == "" {
		resp.StopReason = model.StopEnd
		if len(resp.ToolCalls()) > 0 {
			resp.StopReason = model.StopToolCalls
		}
	}
	return &resp, nil
}

// chunks splits text after spaces into pieces of a few words, as a stream would.
func chunks(s string) []string {
	var out []string
	for len(s) > 0 {
		n := 0
		for words := 0; n < len(s) && words < 4; n++ {
			if s[n] == ' ' || s[n] == '\n' {
				words++
			}
		}
		out = append(out, s[:n])
		s = s[n:]
	}
	return out
}

// Recorder wraps a live provider and writes every completed response to a
// cassette file, rewriting it atomically after each turn so that an
// interrupted session still leaves a valid cassette.
type Recorder struct {
	inner model.Provider
	path  string
	mu    sync.Mutex
	c     Cassette
}

// NewRecorder records inner's responses into path.
func NewRecorder(inner model.Provider, path, modelName string, now time.Time) *Recorder {
	return &Recorder{inner: inner, path: path,
		c: Cassette{Version: Version, Provider: inner.Name(), Model: modelName, Recorded: now.UTC()}}
}

// Name implements model.Provider.
func (r *Recorder) Name() string { return r.inner.Name() }

// Stream implements model.Provider.
func (r *Recorder) Stream(ctx context.Context, req *model.Request, sink func(model.Event)) (*model.Response, error) {
	resp, err := r.inner.Stream(ctx, req, sink)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.c.Turns = append(r.c.Turns, Turn{Response: *resp})
	if err := writeAtomic(r.path, r.c); err != nil {
		return nil, fmt.Errorf("record cassette: %w", err)
	}
	return resp, nil
}

func writeAtomic(path string, c Cassette) error {
	data, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cassette-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
