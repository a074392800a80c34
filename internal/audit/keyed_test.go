package audit

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

func TestVerifyKeyed(t *testing.T) {
	t.Parallel()
	key := []byte("correct horse battery staple")
	tests := []struct {
		name   string
		write  func(t *testing.T, path string)
		key    []byte
		kind   string
		seq    int64
		msg    string
		intact int
	}{
		{
			name:  "right key",
			write: func(t *testing.T, path string) { writeLog(t, Options{Path: path, Key: key}, 5) },
			key:   key, intact: 5,
		},
		{
			name:  "no key",
			write: func(t *testing.T, path string) { writeLog(t, Options{Path: path, Key: key}, 5) },
			kind:  "key required", seq: 1, msg: "set GIT_AGENT_AUDIT_KEY",
		},
		{
			name:  "wrong key",
			write: func(t *testing.T, path string) { writeLog(t, Options{Path: path, Key: key}, 5) },
			key:   []byte("wrong"), kind: "edited", seq: 1, msg: "GIT_AGENT_AUDIT_KEY is not the key",
		},
		{
			name:  "rewritten as plain sha256",
			write: func(t *testing.T, path string) { writeLog(t, Options{Path: path}, 5) },
			key:   key, kind: "unkeyed entry", seq: 1, msg: "entry 1 (audit.jsonl line 1) is not keyed",
		},
		{
			name: "tail rewritten as plain sha256",
			write: func(t *testing.T, path string) {
				writeLog(t, Options{Path: path, Key: key}, 5)
				writeMore(t, path, 3)
			},
			key: key, kind: "unkeyed entry", seq: 6, msg: "entry 6 (audit.jsonl line 6)", intact: 5,
		},
		{
			name: "edited keyed entry",
			write: func(t *testing.T, path string) {
				writeLog(t, Options{Path: path, Key: key}, 5)
				lines := edit(t, readLines(t, path), 2, `"decision":"denied"`, `"decision":"allowed"`)
				if err := os.WriteFile(path, bytes.Join(lines, nil), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			key: key, kind: "edited", seq: 3, msg: "entry 3 (audit.jsonl line 3) was edited", intact: 2,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			tc.write(t, path)
			rep, err := Verify([]string{path}, tc.key)
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, rep, tc.kind, int(tc.seq), tc.seq, tc.msg, tc.intact, "")
		})
	}
}

// TestVerifyEveryByteFlip flips each byte of a log in turn: every flip must
// be reported as tampering, except one in the final newline, which looks
// exactly like a write cut short by a crash.
func TestVerifyEveryByteFlip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		key  []byte
	}{
		{name: "plain"},
		{name: "keyed", key: []byte("k")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "audit.jsonl")
			writeLog(t, Options{Path: path, Key: tc.key}, 4)
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			flipped := filepath.Join(dir, "flipped.jsonl")
			for i := range orig {
				data := bytes.Clone(orig)
				data[i] ^= 0x01
				if err := os.WriteFile(flipped, data, 0o600); err != nil {
					t.Fatal(err)
				}
				rep, err := Verify([]string{flipped}, tc.key)
				if err != nil {
					t.Fatal(err)
				}
				if i == len(orig)-1 {
					checkReport(t, rep, "", 0, 0, "", 3, "truncated tail")
					continue
				}
				if rep.Bad == nil {
					t.Errorf("flipping byte %d (%q) went unnoticed", i, orig[i])
				}
			}
		})
	}
}
