package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// clock returns a Now that ticks one second per call, so entries differ.
func clock() func() time.Time {
	var mu sync.Mutex
	t := time.Date(2025, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t = t.Add(time.Second)
		return t
	}
}

// sample is the i-th test entry; some carry awkward Details.
func sample(i int) Entry {
	e := Entry{
		Session:   "s-1",
		Operation: "tool.call",
		Target:    fmt.Sprintf("read_file src/%d.go", i),
		Decision:  "denied",
		Rule:      "default",
	}
	switch i % 4 {
	case 1:
		e.Details = map[string]any{"n": i, "big": int64(1) << 60, "ratio": 0.125, "neg": -3}
	case 2:
		e.Details = map[string]any{"nested": map[string]any{"list": []any{"a", 1.5, true, nil}, "s": []string{"x"}}}
	case 3:
		e.Details = map[string]any{"text": "héllo 世界 <a href=\"x\">&amp;</a> \u2028 \t\n", "": "empty key"}
	}
	return e
}

// writeLog appends n sample entries to a new log and returns them as written.
func writeLog(t testing.TB, opts Options, n int) []Entry {
	t.Helper()
	if opts.Now == nil {
		opts.Now = clock()
	}
	l, err := Open(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var out []Entry
	for i := range n {
		e, err := l.Append(sample(i))
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, e)
	}
	return out
}

// detailsAsJSON compares Details by their encoding: an int written comes back
// as a json.Number.
var detailsAsJSON = cmp.Transformer("json", func(m map[string]any) string {
	b, err := json.Marshal(m)
	if err != nil {
		return "unencodable: " + err.Error()
	}
	return string(b)
})

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  []byte
		n    int
	}{
		{name: "one entry", n: 1},
		{name: "plain", n: 20},
		{name: "keyed", key: []byte("k3y"), n: 20},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			written := writeLog(t, Options{Path: path, Key: tc.key, Agent: "git-agent/test"}, tc.n)
			for i, e := range written {
				if e.Seq != int64(i+1) || e.Agent != "git-agent/test" || e.Time.Location() != time.UTC {
					t.Errorf("entry %d: seq %d agent %q time %v", i, e.Seq, e.Agent, e.Time)
				}
				if i > 0 && e.Prev != written[i-1].Hash {
					t.Errorf("entry %d: prev %q, want %q", i, e.Prev, written[i-1].Hash)
				}
			}
			files, err := Files(path)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Verify(files, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			want := &Report{Files: []string{path}, Entries: tc.n, Head: written[tc.n-1].Hash}
			if diff := cmp.Diff(want, rep); diff != "" {
				t.Errorf("Verify (-want +got):\n%s", diff)
			}
			l, err := Open(Options{Path: path, Key: tc.key})
			if err != nil {
				t.Fatal(err)
			}
			if got := l.Head(); got != written[tc.n-1].Hash {
				t.Errorf("Head after reopen = %q, want %q", got, written[tc.n-1].Hash)
			}
			l.Close()
			got, err := Read(files)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(written, got, detailsAsJSON); diff != "" {
				t.Errorf("Read (-written +read):\n%s", diff)
			}
		})
	}
}

func TestAppendSanitizes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	san := NewSanitizer(SanitizerOptions{Home: "/home/alice", User: "alice", Secrets: []string{"hunter2hunter2"}})
	l, err := Open(Options{Path: path, Sanitizer: san, Now: clock(), Agent: "git-agent/test"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	details := map[string]any{"cmd": "curl -H 'Authorization: hunter2hunter2' /home/alice/x", "/home/alice": 1}
	got, err := l.Append(Entry{Operation: "exec", Target: "/home/alice/repo", Reason: "alice asked", Details: details})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"cmd": "curl -H 'Authorization: [REDACTED]' ~/x", "~": 1}
	if diff := cmp.Diff(want, got.Details); diff != "" {
		t.Errorf("Details (-want +got):\n%s", diff)
	}
	if got.Target != "~/repo" || got.Reason != "[USER] asked" {
		t.Errorf("Target %q Reason %q", got.Target, got.Reason)
	}
	if _, ok := details["/home/alice"]; !ok {
		t.Error("Append changed the caller's Details")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "alice") || strings.Contains(string(raw), "hunter2") {
		t.Errorf("log holds unsanitized text: %s", raw)
	}
}

func TestAppendAfterClose(t *testing.T) {
	t.Parallel()
	l, err := Open(Options{Path: filepath.Join(t.TempDir(), "audit.jsonl")})
	if err != nil {
		t.Fatal(err)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := l.Append(Entry{Operation: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v, want ErrClosed", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestTornTailThenAppend(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fragment func(next []byte) []byte // what a crash left of the next line
		wantSeq  int64                    // seq of the entry appended after the crash
		warnings []string
	}{
		{name: "half a line", fragment: func(b []byte) []byte { return b[:len(b)/2] }, wantSeq: 4, warnings: []string{"torn"}},
		{name: "one byte", fragment: func(b []byte) []byte { return b[:1] }, wantSeq: 4, warnings: []string{"torn"}},
		{name: "all but the newline", fragment: func(b []byte) []byte { return b[:len(b)-1] }, wantSeq: 5},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "audit.jsonl")
			writeLog(t, Options{Path: path}, 3)
			// The line a crashed process was writing: entry 4 of the same chain.
			other := filepath.Join(dir, "other.jsonl")
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(other, data, 0o600); err != nil {
				t.Fatal(err)
			}
			writeMore(t, other, 1)
			lines := readLines(t, other)
			appendRaw(t, path, tc.fragment(lines[3]))

			l, err := Open(Options{Path: path, Now: clock()})
			if err != nil {
				t.Fatal(err)
			}
			e, err := l.Append(Entry{Operation: "session.start"})
			l.Close()
			if err != nil {
				t.Fatal(err)
			}
			if e.Seq != tc.wantSeq {
				t.Errorf("appended seq %d, want %d", e.Seq, tc.wantSeq)
			}
			rep, err := Verify([]string{path}, nil)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Bad != nil || rep.Entries != int(tc.wantSeq) || rep.Head != e.Hash {
				t.Errorf("Verify: bad %+v, %d entries, head %q; want %d entries, head %q", rep.Bad, rep.Entries, rep.Head, tc.wantSeq, e.Hash)
			}
			var kinds []string
			for _, w := range rep.Warnings {
				kinds = append(kinds, w.Kind)
			}
			if diff := cmp.Diff(tc.warnings, kinds); diff != "" {
				t.Errorf("warnings (-want +got):\n%s\n%+v", diff, rep.Warnings)
			}
		})
	}
}

// writeMore appends n more sample entries to the log at path.
func writeMore(t testing.TB, path string, n int) {
	t.Helper()
	l, err := Open(Options{Path: path, Now: clock()})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range n {
		if _, err := l.Append(sample(i)); err != nil {
			t.Fatal(err)
		}
	}
}

// readLines returns the lines of a file, each with its newline.
func readLines(t testing.TB, path string) [][]byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return readLinesFrom(data)
}

func appendRaw(t testing.TB, path string, b []byte) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(b); err != nil {
		t.Fatal(err)
	}
}
