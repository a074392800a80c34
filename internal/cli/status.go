package cli

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// statusLine is a live, self-redrawing line at the bottom of a terminal:
// a spinner, what is happening and for how long.
type statusLine struct {
	w     io.Writer
	now   func() time.Time
	mu    sync.Mutex
	text  string
	since time.Time
	shown bool
	held  bool // a prompt owns the terminal
	done  chan struct{}
	once  sync.Once
}

var spinner = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

func newStatusLine(w io.Writer, now func() time.Time) *statusLine {
	s := &statusLine{w: w, now: now, done: make(chan struct{})}
	go s.loop()
	return s
}

func (s *statusLine) loop() {
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.mu.Lock()
			if s.text != "" && !s.held {
				fmt.Fprintf(s.w, "\r\x1b[2K%s %s (%.1fs)", spinner[i%len(spinner)], s.text, s.now().Sub(s.since).Seconds())
				s.shown = true
			}
			s.mu.Unlock()
		}
	}
}

func (s *statusLine) set(text string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if text != s.text {
		s.text, s.since = text, s.now()
	}
}

// clear erases the line so other output can be printed; the next tick redraws it.
func (s *statusLine) clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.shown {
		fmt.Fprint(s.w, "\r\x1b[2K")
		s.shown = false
	}
}

// hold clears the line and stops redrawing it until the returned func is
// called, so that a prompt can own the terminal.
func (s *statusLine) hold() func() {
	s.clear()
	s.mu.Lock()
	s.held = true
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.held = false
		s.mu.Unlock()
	}
}

func (s *statusLine) stop() {
	s.once.Do(func() { close(s.done) })
	s.clear()
	s.mu.Lock()
	s.text = ""
	s.mu.Unlock()
}
