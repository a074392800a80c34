package audit

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// JSON sanitizes every string of a JSON document, object keys included, and
// re-encodes it compactly with the same structure: key order, duplicate keys
// and number literals are kept as they were. Text that is not valid JSON is
// sanitized as a whole with String.
func (s *Sanitizer) JSON(b []byte) []byte {
	if s == nil {
		return b
	}
	if !json.Valid(b) {
		return []byte(s.String(string(b)))
	}
	// Without escapes every decoded string is a substring of b, bounded by
	// quotes, so if the raw text has nothing to sanitize neither do they.
	if bytes.IndexByte(b, '\\') < 0 && s.String(string(b)) == string(b) {
		return b
	}
	out, err := s.reencode(b)
	if err != nil {
		// Unreachable for valid JSON; fail safe rather than log raw text.
		return []byte(s.String(string(b)))
	}
	return out
}

// reencode walks the tokens of a valid document, writing them back with
// sanitized strings. It tracks, per open container, whether the next token
// is the first in it and whether it is an object key.
func (s *Sanitizer) reencode(b []byte) ([]byte, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	type frame struct {
		object bool
		n      int // tokens written in this container
	}
	var stack []frame
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out.Bytes(), nil
		}
		if err != nil {
			return nil, err
		}
		if d, ok := tok.(json.Delim); ok && (d == '}' || d == ']') {
			stack = stack[:len(stack)-1]
			out.WriteByte(byte(d))
			continue
		}
		if len(stack) > 0 {
			top := &stack[len(stack)-1]
			switch {
			case top.object && top.n%2 == 1:
				out.WriteByte(':')
			case top.n > 0:
				out.WriteByte(',')
			}
			top.n++
		}
		switch tok := tok.(type) {
		case json.Delim:
			out.WriteByte(byte(tok))
			stack = append(stack, frame{object: tok == '{'})
		case string:
			if err := enc.Encode(s.String(tok)); err != nil {
				return nil, err
			}
			out.Truncate(out.Len() - 1) // Encode's newline
		case json.Number:
			out.WriteString(tok.String())
		case bool, nil:
			if err := enc.Encode(tok); err != nil {
				return nil, err
			}
			out.Truncate(out.Len() - 1)
		}
	}
}
