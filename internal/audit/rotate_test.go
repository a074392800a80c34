package audit

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestRotation(t *testing.T) {
	t.Parallel()
	const (
		n        = 40
		maxBytes = 1200 // a few entries per file
	)
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.jsonl")
	written := writeLog(t, Options{Path: path, MaxBytes: maxBytes}, n)
	files, err := Files(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 4 {
		t.Fatalf("Files = %q, want several", files)
	}
	for i, f := range files[:len(files)-1] {
		if want := rotatedName(path, int64(i+1)); f != want {
			t.Errorf("Files[%d] = %s, want %s", i, f, want)
		}
		if fi, err := os.Stat(f); err != nil || fi.Size() > maxBytes {
			t.Errorf("%s: %v, size over %d", f, err, maxBytes)
		}
	}
	if files[len(files)-1] != path {
		t.Errorf("last of Files = %s, want the current file %s", files[len(files)-1], path)
	}
	if filepath.Base(files[0]) != "audit.000001.jsonl" {
		t.Errorf("first rotated file is %s, want audit.000001.jsonl", filepath.Base(files[0]))
	}

	rep, err := Verify(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep, "", 0, 0, "", n, "")
	if rep.Head != written[n-1].Hash {
		t.Errorf("Head = %q, want %q", rep.Head, written[n-1].Hash)
	}
	got, err := Read(files)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(written, got, detailsAsJSON); diff != "" {
		t.Errorf("Read across files (-written +read):\n%s", diff)
	}

	// The seq of the first entry of each file, to name what goes missing.
	firstSeq := func(f string) int64 {
		es, err := Read([]string{f})
		if err != nil || len(es) == 0 {
			t.Fatalf("Read %s: %v, %d entries", f, err, len(es))
		}
		return es[0].Seq
	}
	tests := []struct {
		name    string
		files   []string
		kind    string
		file    string
		seq     int64
		msg     string
		entries int
	}{
		{
			name:  "a middle file deleted",
			files: append(append([]string{}, files[:1]...), files[2:]...),
			kind:  "deleted", file: files[2], seq: firstSeq(files[2]), msg: "were deleted", entries: int(firstSeq(files[1]) - 1),
		},
		{
			name:  "only the current file",
			files: files[len(files)-1:],
			kind:  "missing start", file: path, seq: firstSeq(path), msg: "pass the earlier files too",
		},
		{
			name:  "files out of order",
			files: append([]string{files[1]}, files[0]),
			kind:  "reordered", file: files[1], seq: firstSeq(files[1]), msg: "the chain starts later, at entry 1 (audit.000001.jsonl line 1)",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep, err := Verify(tc.files, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, rep, tc.kind, 1, tc.seq, tc.msg, tc.entries, "")
			if rep.Bad != nil && rep.Bad.File != tc.file {
				t.Errorf("Bad.File = %s, want %s", rep.Bad.File, tc.file)
			}
		})
	}
}

func TestReopenAfterRotation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		crash func(t *testing.T, path string) // what happened after the last entry
	}{
		{name: "clean", crash: func(*testing.T, string) {}},
		{
			name: "current file missing", // a crash between rename and create
			crash: func(t *testing.T, path string) {
				if err := os.Rename(path, rotatedName(path, 99)); err != nil {
					t.Fatal(err)
				}
			},
		},
		{
			name: "current file empty",
			crash: func(t *testing.T, path string) {
				if err := os.Rename(path, rotatedName(path, 99)); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, nil, 0o600); err != nil {
					t.Fatal(err)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			written := writeLog(t, Options{Path: path, MaxBytes: 1000}, 12)
			tc.crash(t, path)
			l, err := Open(Options{Path: path, MaxBytes: 1000, Now: clock()})
			if err != nil {
				t.Fatal(err)
			}
			if l.Head() != written[11].Hash {
				t.Errorf("Head after reopen = %q, want %q", l.Head(), written[11].Hash)
			}
			e, err := l.Append(Entry{Operation: "session.start"})
			l.Close()
			if err != nil {
				t.Fatal(err)
			}
			if e.Seq != 13 || e.Prev != written[11].Hash {
				t.Errorf("appended seq %d prev %q, want 13 and %q", e.Seq, e.Prev, written[11].Hash)
			}
			files, err := Files(path)
			if err != nil {
				t.Fatal(err)
			}
			rep, err := Verify(files, nil)
			if err != nil {
				t.Fatal(err)
			}
			checkReport(t, rep, "", 0, 0, "", 13, "")
		})
	}
}

func TestFilesIgnoresStrangers(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, name := range []string{"audit.000002.jsonl", "audit.000010.jsonl", "audit.1.jsonl", "audit.00000x.jsonl", "audit.jsonl.lock", "other.000001.jsonl", "audit.000001.json"} {
		if err := os.WriteFile(filepath.Join(dir, name), nil, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "audit.jsonl")
	got, err := Files(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{filepath.Join(dir, "audit.000002.jsonl"), filepath.Join(dir, "audit.000010.jsonl"), path}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Files (-want +got):\n%s", diff)
	}
	if got, err := Files(filepath.Join(dir, "missing", "audit.jsonl")); err != nil || len(got) != 1 {
		t.Errorf("Files in a missing dir = %q, %v", got, err)
	}
}
