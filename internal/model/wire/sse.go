// Package wire holds the pieces every model wire client shares: a strict,
// bounded Server-Sent Events reader, an idle-timeout body wrapper and an HTTP
// sender that retries with backoff. It knows nothing of any provider's JSON.
package wire

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// MaxEventSize bounds one SSE event (all its data lines together) so that a
// hostile or broken server cannot make us buffer without limit.
const MaxEventSize = 8 << 20

// ErrEventTooLarge is returned when an event exceeds MaxEventSize.
var ErrEventTooLarge = errors.New("sse: event exceeds size limit")

// SSEEvent is one dispatched Server-Sent Event.
type SSEEvent struct {
	Event string // the "event:" field, empty if absent
	Data  string // "data:" lines joined with "\n"
	ID    string
}

// SSEReader reads events from a text/event-stream body.
type SSEReader struct {
	r   *bufio.Reader
	buf bytes.Buffer
}

// NewSSEReader returns a reader over r.
func NewSSEReader(r io.Reader) *SSEReader {
	return &SSEReader{r: bufio.NewReaderSize(r, 4<<10)}
}

// Next returns the next event. It returns io.EOF at a clean end of stream
// (no partial event pending) and io.ErrUnexpectedEOF when the stream ends in
// the middle of an event.
func (s *SSEReader) Next() (SSEEvent, error) {
	var ev SSEEvent
	var hasData, pending bool
	s.buf.Reset()
	for {
		line, err := s.readLine()
		if err != nil {
			if err == io.EOF {
				if pending {
					// The spec discards an unterminated event; a model stream that
					// ends this way was cut off, and the caller must know.
					return SSEEvent{}, io.ErrUnexpectedEOF
				}
				return SSEEvent{}, io.EOF
			}
			return SSEEvent{}, err
		}
		if len(line) == 0 {
			if !pending {
				continue
			}
			if !hasData && ev.Event == "" {
				pending = false
				continue
			}
			ev.Data = s.buf.String()
			return ev, nil
		}
		pending = true
		if line[0] == ':' {
			continue // comment / keep-alive
		}
		field, value := line, []byte(nil)
		if i := bytes.IndexByte(line, ':'); i >= 0 {
			field, value = line[:i], line[i+1:]
			if len(value) > 0 && value[0] == ' ' {
				value = value[1:]
			}
		}
		switch string(field) {
		case "event":
			ev.Event = string(value)
		case "data":
			if hasData {
				s.buf.WriteByte('\n')
			}
			if s.buf.Len()+len(value) > MaxEventSize {
				return SSEEvent{}, ErrEventTooLarge
			}
			s.buf.Write(value)
			hasData = true
		case "id":
			ev.ID = string(value)
		}
	}
}

// readLine returns one line without its terminator (LF, CRLF or CR-less LF).
func (s *SSEReader) readLine() ([]byte, error) {
	var line []byte
	for {
		chunk, isPrefix, err := s.r.ReadLine()
		if err != nil {
			if err == io.EOF && len(line) > 0 {
				return line, nil
			}
			return nil, err
		}
		if !isPrefix && line == nil {
			return chunk, nil
		}
		line = append(line, chunk...)
		if len(line) > MaxEventSize {
			return nil, fmt.Errorf("%w (line of %d bytes)", ErrEventTooLarge, len(line))
		}
		if !isPrefix {
			return line, nil
		}
	}
}
