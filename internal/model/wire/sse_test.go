package wire

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// readAll drains r; a clean io.EOF is reported as nil.
func readAll(r io.Reader) ([]SSEEvent, error) {
	sr := NewSSEReader(r)
	var evs []SSEEvent
	for {
		ev, err := sr.Next()
		if err == io.EOF {
			return evs, nil
		}
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
}

func TestSSEReader(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want []SSEEvent
		err  error
	}{
		{name: "empty", in: ""},
		{name: "blank lines only", in: "\n\n\r\n"},
		{name: "one event", in: "event: ping\ndata: {\"a\":1}\n\n",
			want: []SSEEvent{{Event: "ping", Data: `{"a":1}`}}},
		{name: "data only, two events", in: "data: one\n\ndata: two\n\n",
			want: []SSEEvent{{Data: "one"}, {Data: "two"}}},
		{name: "CRLF", in: "event: e\r\ndata: x\r\nid: 7\r\n\r\n",
			want: []SSEEvent{{Event: "e", Data: "x", ID: "7"}}},
		{name: "comments and keep-alives", in: ": ping\n\n: hello\nevent: e\n: mid\ndata: x\n\n",
			want: []SSEEvent{{Event: "e", Data: "x"}}},
		{name: "multi-line data", in: "data: a\ndata:b\ndata:  c\n\n",
			want: []SSEEvent{{Data: "a\nb\n c"}}},
		{name: "field without colon", in: "data\n\n", want: []SSEEvent{{Data: ""}}},
		{name: "empty data", in: "data:\n\n", want: []SSEEvent{{Data: ""}}},
		{name: "event without data", in: "event: done\n\n", want: []SSEEvent{{Event: "done"}}},
		// As the spec's "last event ID buffer", an id outlives its empty event.
		{name: "id only is not an event", in: "id: 3\n\ndata: x\n\n", want: []SSEEvent{{Data: "x", ID: "3"}}},
		{name: "unknown fields ignored", in: "retry: 1000\nfoo: bar\ndata: x\n\n", want: []SSEEvent{{Data: "x"}}},
		{name: "colon in value kept", in: "data: {\"url\":\"http://x\"}\n\n", want: []SSEEvent{{Data: `{"url":"http://x"}`}}},
		{name: "DONE sentinel", in: "data: [DONE]\n\n", want: []SSEEvent{{Data: "[DONE]"}}},
		{name: "missing trailing blank line", in: "data: one\n\ndata: two\n",
			want: []SSEEvent{{Data: "one"}}, err: io.ErrUnexpectedEOF},
		{name: "cut mid-line", in: "event: e\ndata: {\"par", err: io.ErrUnexpectedEOF},
		{name: "long line across buffer", in: "data: " + strings.Repeat("x", 200<<10) + "\n\n",
			want: []SSEEvent{{Data: strings.Repeat("x", 200<<10)}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := readAll(strings.NewReader(tt.in))
			if !errors.Is(err, tt.err) {
				t.Fatalf("err = %v, want %v", err, tt.err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("events (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSSEReaderOversize(t *testing.T) {
	t.Parallel()
	chunk := strings.Repeat("y", 1<<20)
	tests := []struct {
		name string
		in   func() io.Reader
	}{
		{"one huge line", func() io.Reader {
			return io.MultiReader(strings.NewReader("data: "), strings.NewReader(strings.Repeat("x", MaxEventSize+1)))
		}},
		{"many data lines", func() io.Reader {
			var rs []io.Reader
			for i := 0; i <= MaxEventSize>>20; i++ {
				rs = append(rs, strings.NewReader("data: "+chunk+"\n"))
			}
			return io.MultiReader(append(rs, strings.NewReader("\n"))...)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := readAll(tt.in())
			if !errors.Is(err, ErrEventTooLarge) {
				t.Errorf("err = %v, want ErrEventTooLarge", err)
			}
		})
	}
}

func FuzzSSEReader(f *testing.F) {
	for _, s := range []string{
		"event: response.created\ndata: {\"type\":\"response.created\"}\n\n",
		"data: a\r\ndata: b\r\n\r\n: comment\n\ndata: [DONE]\n\n",
		"id: 1\nretry: 5\ndata\n\nevent: x\n\n",
		"data: cut",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sr := NewSSEReader(bytes.NewReader(data))
		var evs []SSEEvent
		// Every event consumes at least two bytes, so more calls than bytes
		// means the reader is looping.
		for i := 0; ; i++ {
			if i > len(data)+1 {
				t.Fatalf("more than %d events from %d bytes", i, len(data))
			}
			ev, err := sr.Next()
			if err != nil {
				if err != io.EOF && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, ErrEventTooLarge) {
					t.Fatalf("unexpected error %v", err)
				}
				break
			}
			if len(ev.Data)+len(ev.Event) > len(data) {
				t.Fatalf("event larger than its input: %d > %d", len(ev.Data)+len(ev.Event), len(data))
			}
			evs = append(evs, ev)
		}
		// LF and CRLF framings of the same stream must read alike.
		if !bytes.Contains(data, []byte("\r")) {
			crlf, _ := readAll(bytes.NewReader(bytes.ReplaceAll(data, []byte("\n"), []byte("\r\n"))))
			if diff := cmp.Diff(evs, crlf); diff != "" {
				t.Fatalf("CRLF framing differs (-lf +crlf):\n%s", diff)
			}
		}
	})
}
