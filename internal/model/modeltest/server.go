// Package modeltest serves scripted model turns over the real wire protocols
// (OpenAI Responses, Chat Completions and Anthropic Messages SSE) on a
// loopback httptest server, with injectable faults. Tests and benchmarks use
// it; it is the only place besides replay where a model is faked.
package modeltest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/git-agent/git-agent/internal/model"
)

// Fault makes a turn misbehave instead of (or while) answering.
type Fault struct {
	// Status, if non-zero, answers with this HTTP status and Body instead of a stream.
	Status     int    `json:"status,omitempty"`
	Body       string `json:"body,omitempty"`
	RetryAfter string `json:"retry_after,omitempty"`
	// DropAfter, if > 0, closes the connection after that many SSE events.
	DropAfter int `json:"drop_after,omitempty"`
	// Malformed sends an event whose data is not valid JSON, after the first event.
	Malformed bool `json:"malformed,omitempty"`
	// StallAfter, if > 0, sends that many events then stalls until the client leaves.
	StallAfter int `json:"stall_after,omitempty"`
}

// Turn is one scripted answer.
type Turn struct {
	Response model.Response `json:"response"`
	Fault    Fault          `json:"fault,omitempty"`
}

// Say is a turn whose answer is a final assistant message.
func Say(text string) Turn {
	return Turn{Response: model.Response{StopReason: model.StopEnd, Items: []model.Item{
		{Type: model.ItemMessage, Role: model.RoleAssistant, Text: text}}}}
}

// Call is a turn that calls one tool with JSON arguments (a value marshalled to JSON).
func Call(id, name string, args any) Turn {
	b, err := json.Marshal(args)
	if err != nil {
		panic(err)
	}
	return Turn{Response: model.Response{StopReason: model.StopToolCalls, Items: []model.Item{
		{Type: model.ItemFunctionCall, CallID: id, Name: name, Arguments: string(b)}}}}
}

// Failure is a turn that answers with an HTTP error.
func Failure(status int, body string) Turn { return Turn{Fault: Fault{Status: status, Body: body}} }

// Server is a scripted model server.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	script   []Turn
	next     int
	requests []Recorded
	// Model is echoed in responses; default "scripted".
	Model string
}

// Recorded is a request the server received.
type Recorded struct {
	Path   string
	Header http.Header
	Body   []byte
}

// Decode unmarshals the recorded JSON body into v.
func (r Recorded) Decode(v any) error { return json.Unmarshal(r.Body, v) }

// New starts a server on loopback that plays script, one turn per request.
func New(script ...Turn) *Server {
	s := &Server{script: script, Model: "scripted"}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// NewHandler returns a server and its handler without a listener, for
// callers (like the benchmark) that manage it.
func NewHandler(script ...Turn) (*Server, http.Handler) {
	s := &Server{script: script, Model: "scripted"}
	return s, http.HandlerFunc(s.serve)
}

// Requests returns what the server has received so far.
func (s *Server) Requests() []Recorded {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Recorded(nil), s.requests...)
}

// Remaining is the number of turns not yet served.
func (s *Server) Remaining() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.script) - s.next
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s.mu.Lock()
	s.requests = append(s.requests, Recorded{Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	if s.next >= len(s.script) {
		s.mu.Unlock()
		http.Error(w, `{"error":{"message":"modeltest: script exhausted","type":"server_error"}}`, http.StatusInternalServerError)
		return
	}
	turn := s.script[s.next]
	s.next++
	modelName := s.Model
	s.mu.Unlock()

	if turn.Fault.Status != 0 {
		if turn.Fault.RetryAfter != "" {
			w.Header().Set("Retry-After", turn.Fault.RetryAfter)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(turn.Fault.Status)
		io.WriteString(w, turn.Fault.Body)
		return
	}
	resp := turn.Response
	if resp.Model == "" {
		resp.Model = modelName
	}
	var events []sse
	switch {
	case strings.HasSuffix(r.URL.Path, "/responses"):
		events = responsesEvents(resp)
	case strings.HasSuffix(r.URL.Path, "/chat/completions"):
		events = chatEvents(resp)
	case strings.HasSuffix(r.URL.Path, "/messages"):
		events = anthropicEvents(resp)
	default:
		http.Error(w, "modeltest: unknown endpoint "+r.URL.Path, http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.WriteHeader(http.StatusOK)
	fl, _ := w.(http.Flusher)
	for i, ev := range events {
		if f := turn.Fault; f.DropAfter > 0 && i == f.DropAfter {
			hijackClose(w)
			return
		}
		if f := turn.Fault; f.StallAfter > 0 && i == f.StallAfter {
			if fl != nil {
				fl.Flush()
			}
			select {
			case <-r.Context().Done():
			case <-time.After(time.Minute):
			}
			return
		}
		if turn.Fault.Malformed && i == 1 {
			fmt.Fprintf(w, "event: %s\ndata: {\"type\": \"%s\", broken\n\n", ev.event, ev.event)
			if fl != nil {
				fl.Flush()
			}
			continue
		}
		if ev.event != "" {
			fmt.Fprintf(w, "event: %s\n", ev.event)
		}
		fmt.Fprintf(w, "data: %s\n\n", ev.data)
		if fl != nil {
			fl.Flush()
		}
	}
}

// sse is one event to write.
type sse struct {
	event string // empty: no event line (Chat Completions)
	data  string
}

func jsonEvent(event string, v any) sse {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return sse{event: event, data: string(b)}
}

func hijackClose(w http.ResponseWriter) {
	if fl, ok := w.(http.Flusher); ok {
		fl.Flush()
	}
	if hj, ok := w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
		}
	}
}
