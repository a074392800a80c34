package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestVerifyDetectsTampering(t *testing.T) {
	t.Parallel()
	const n = 10
	dir := t.TempDir()
	// A second, unrelated chain to steal lines from.
	foreign := filepath.Join(dir, "foreign.jsonl")
	writeLog(t, Options{Path: foreign, Agent: "someone else"}, n)
	foreignLines := readLines(t, foreign)

	tests := []struct {
		name    string
		tamper  func(t *testing.T, lines [][]byte) [][]byte
		kind    string // "" when the chain must verify
		line    int
		seq     int64
		msg     string // a substring of Bad.Msg
		entries int
		warn    string // kind of the only warning, if any
	}{
		{
			name: "edit a field value",
			tamper: func(t *testing.T, l [][]byte) [][]byte {
				return edit(t, l, 3, `"decision":"denied"`, `"decision":"allowed"`)
			},
			kind: "edited", line: 4, seq: 4, msg: "entry 4 (audit.jsonl line 4) was edited", entries: 3,
		},
		{
			name:   "edit a number in details",
			tamper: func(t *testing.T, l [][]byte) [][]byte { return edit(t, l, 5, `"ratio":0.125`, `"ratio":0.1250`) },
			kind:   "edited", line: 6, seq: 6, msg: "entry 6 (audit.jsonl line 6) was edited", entries: 5,
		},
		{
			name: "flip one byte in the middle of the file",
			tamper: func(t *testing.T, l [][]byte) [][]byte {
				data := bytes.Join(l, nil)
				data[len(data)/2] ^= 0x01
				return readLinesFrom(data)
			},
			// The log is deterministic (fixed clock); its middle byte is in entry 6.
			kind: "edited", line: 6, seq: 6, msg: "entry 6 (audit.jsonl line 6) was edited: its hash does not match its content", entries: 5,
		},
		{
			name:   "break the hash of an entry",
			tamper: func(t *testing.T, l [][]byte) [][]byte { return edit(t, l, 6, `","hash":"`, `","hash":"x`) },
			kind:   "malformed", line: 7, seq: 7, msg: "entry 7 (audit.jsonl line 7) is malformed", entries: 6,
		},
		{
			name:   "replace a line with garbage",
			tamper: func(t *testing.T, l [][]byte) [][]byte { l[6] = []byte("hello\n"); return l },
			kind:   "malformed", line: 7, msg: "audit.jsonl line 7 (after entry 6) is malformed", entries: 6,
		},
		{
			name:   "delete a line",
			tamper: func(t *testing.T, l [][]byte) [][]byte { return slices.Delete(l, 4, 5) },
			kind:   "deleted", line: 5, seq: 6, msg: "entry 6 (audit.jsonl line 5) follows entry 4: entry 5 was deleted", entries: 4,
		},
		{
			name:   "delete two lines",
			tamper: func(t *testing.T, l [][]byte) [][]byte { return slices.Delete(l, 4, 6) },
			kind:   "deleted", line: 5, seq: 7, msg: "entries 5-6 were deleted", entries: 4,
		},
		{
			name:   "swap two lines",
			tamper: func(t *testing.T, l [][]byte) [][]byte { l[4], l[5] = l[5], l[4]; return l },
			kind:   "reordered", line: 5, seq: 6, msg: "entry 6 (audit.jsonl line 5) is out of order: it comes before entry 5 (audit.jsonl line 6)", entries: 4,
		},
		{
			name:   "move a line to the end",
			tamper: func(t *testing.T, l [][]byte) [][]byte { return append(slices.Delete(slices.Clone(l), 1, 2), l[1]) },
			kind:   "reordered", line: 2, seq: 3, msg: "entry 3 (audit.jsonl line 2) is out of order", entries: 1,
		},
		{
			name:   "swap the first two lines",
			tamper: func(t *testing.T, l [][]byte) [][]byte { l[0], l[1] = l[1], l[0]; return l },
			kind:   "reordered", line: 1, seq: 2, msg: "the chain starts later, at entry 1 (audit.jsonl line 2)",
		},
		{
			name:   "duplicate a line",
			tamper: func(t *testing.T, l [][]byte) [][]byte { return slices.Insert(l, 5, l[4]) },
			kind:   "inserted", line: 6, seq: 5, msg: "entry 5 (audit.jsonl line 6) was inserted: it is a copy of entry 5 (audit.jsonl line 5)", entries: 5,
		},
		{
			name:   "insert the next entry of another chain",
			tamper: func(t *testing.T, l [][]byte) [][]byte { return slices.Insert(l, 4, foreignLines[4]) },
			kind:   "inserted", line: 5, seq: 5, msg: "entry 5 (audit.jsonl line 5) was inserted", entries: 4,
		},
		{
			name:   "insert an old entry of another chain",
			tamper: func(t *testing.T, l [][]byte) [][]byte { return slices.Insert(l, 7, foreignLines[2]) },
			kind:   "inserted", line: 8, seq: 3, msg: "entry 3 (audit.jsonl line 8) was inserted", entries: 7,
		},
		{
			name:   "insert a later entry of another chain",
			tamper: func(t *testing.T, l [][]byte) [][]byte { return slices.Insert(l, 2, foreignLines[8]) },
			kind:   "inserted", line: 3, seq: 9, msg: "entry 9 (audit.jsonl line 3) was inserted", entries: 2,
		},
		{
			name:   "drop the first line",
			tamper: func(t *testing.T, l [][]byte) [][]byte { return l[1:] },
			kind:   "missing start", line: 1, seq: 2, msg: "entries before seq 2 are missing; pass the earlier files too",
		},
		{
			name:    "truncate the last line",
			tamper:  func(t *testing.T, l [][]byte) [][]byte { l[n-1] = l[n-1][:40]; return l },
			entries: n - 1, warn: "truncated tail",
		},
		{
			name:    "drop the last line",
			tamper:  func(t *testing.T, l [][]byte) [][]byte { return l[:n-1] },
			entries: n - 1,
		},
		{
			name:    "blank line",
			tamper:  func(t *testing.T, l [][]byte) [][]byte { return slices.Insert(l, 3, []byte("\n")) },
			entries: n, warn: "torn",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			writeLog(t, Options{Path: path}, n)
			lines := tc.tamper(t, readLines(t, path))
			if err := os.WriteFile(path, bytes.Join(lines, nil), 0o600); err != nil {
				t.Fatal(err)
			}
			rep, err := Verify([]string{path}, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, rep, tc.kind, tc.line, tc.seq, tc.msg, tc.entries, tc.warn)
		})
	}
}

// checkReport compares a report with the expected first problem (none when
// kind is ""), the number of intact entries and the only warning.
func checkReport(t *testing.T, rep *Report, kind string, line int, seq int64, msg string, entries int, warn string) {
	t.Helper()
	switch {
	case kind == "" && rep.Bad != nil:
		t.Errorf("unexpected problem: %+v", *rep.Bad)
	case kind != "" && rep.Bad == nil:
		t.Errorf("tampering not detected, want %q", kind)
	case kind != "":
		b := rep.Bad
		if b.Kind != kind || b.Line != line || b.Seq != seq || !strings.Contains(b.Msg, msg) {
			t.Errorf("got %s line %d seq %d: %s\nwant %s line %d seq %d, Msg containing %q", b.Kind, b.Line, b.Seq, b.Msg, kind, line, seq, msg)
		}
	}
	if rep.Entries != entries {
		t.Errorf("Entries = %d, want %d", rep.Entries, entries)
	}
	var warns []string
	for _, w := range rep.Warnings {
		warns = append(warns, w.Kind)
	}
	if (warn == "" && len(warns) > 0) || (warn != "" && !slices.Equal(warns, []string{warn})) {
		t.Errorf("warnings %q, want %q: %+v", warns, warn, rep.Warnings)
	}
}

func edit(t *testing.T, lines [][]byte, i int, old, repl string) [][]byte {
	t.Helper()
	if !bytes.Contains(lines[i], []byte(old)) {
		t.Fatalf("line %d has no %s: %s", i+1, old, lines[i])
	}
	lines[i] = bytes.Replace(lines[i], []byte(old), []byte(repl), 1)
	return lines
}

func readLinesFrom(data []byte) [][]byte {
	var lines [][]byte
	for len(data) > 0 {
		i := bytes.IndexByte(data, '\n') + 1
		if i == 0 {
			i = len(data)
		}
		lines = append(lines, data[:i])
		data = data[i:]
	}
	return lines
}

func TestVerifyEmpty(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	rep, err := Verify([]string{filepath.Join(dir, "missing.jsonl"), empty}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Bad != nil || rep.Entries != 0 || rep.Head != "" || len(rep.Warnings) != 0 {
		t.Errorf("Verify of no entries = %+v", rep)
	}
}
