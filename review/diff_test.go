package review

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseDiff(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []FileDiff
		wantErr string
	}{
		{"modified file", `diff --git a/main.go b/main.go
index 1111111..2222222 100644
--- a/main.go
+++ b/main.go
@@ -1,3 +1,4 @@
 package main
-var x = 1
+var x = 2
+var y = 3
 
`, []FileDiff{{OldPath: "main.go", NewPath: "main.go", Hunks: []Hunk{{OldStart: 1, OldLines: 3, NewStart: 1, NewLines: 4, Lines: []Line{
			{' ', "package main", 1, 1}, {'-', "var x = 1", 2, 0}, {'+', "var x = 2", 0, 2}, {'+', "var y = 3", 0, 3}, {' ', "", 3, 4},
		}}}}}, ""},
		{"new file without newline", `diff --git a/new.txt b/new.txt
new file mode 100644
index 0000000..3333333
--- /dev/null
+++ b/new.txt
@@ -0,0 +1,2 @@
+one
+two
\ No newline at end of file
`, []FileDiff{{NewPath: "new.txt", Added: true, Hunks: []Hunk{{NewStart: 1, NewLines: 2, Lines: []Line{
			{'+', "one", 0, 1}, {'+', "two", 0, 2}}}}}}, ""},
		{"deleted file", "diff --git a/old.txt b/old.txt\ndeleted file mode 100644\n--- a/old.txt\n+++ /dev/null\n@@ -1 +0,0 @@\n-gone\n",
			[]FileDiff{{OldPath: "old.txt", Deleted: true, Hunks: []Hunk{{OldStart: 1, OldLines: 1, Lines: []Line{{'-', "gone", 1, 0}}}}}}, ""},
		{"pure rename", "diff --git a/a b/c\nsimilarity index 100%\nrename from a\nrename to c\n",
			[]FileDiff{{OldPath: "a", NewPath: "c"}}, ""},
		{"rename with spaces", "diff --git a/x y/a b b/x y/c d\nsimilarity index 90%\nrename from x y/a b\nrename to x y/c d\n",
			[]FileDiff{{OldPath: "x y/a b", NewPath: "x y/c d"}}, ""},
		{"unquoted path with space", "diff --git a/with space b/with space\nnew file mode 100644\n",
			[]FileDiff{{NewPath: "with space", Added: true}}, ""},
		{"quoted paths with escapes", "diff --git \"a/t\\tab\" \"b/\\303\\251t\\303\\251\"\n--- \"a/t\\tab\"\n+++ \"b/\\303\\251t\\303\\251\"\n@@ -1 +1 @@\n-a\n+b\n",
			[]FileDiff{{OldPath: "t\tab", NewPath: "été", Hunks: []Hunk{{OldStart: 1, OldLines: 1, NewStart: 1, NewLines: 1, Lines: []Line{{'-', "a", 1, 0}, {'+', "b", 0, 1}}}}}}, ""},
		{"binary files differ", "diff --git a/img.png b/img.png\nnew file mode 100644\nindex 0000000..1111111\nBinary files /dev/null and b/img.png differ\n",
			[]FileDiff{{NewPath: "img.png", Added: true, Binary: true}}, ""},
		{"git binary patch", "diff --git a/b.bin b/b.bin\nnew file mode 100644\nGIT binary patch\nliteral 12\nTcmZQzU|?oqU|?nd0003001+\n\nliteral 0\nHcmV?d00001\n\ndiff --git a/z b/z\n--- a/z\n+++ b/z\n@@ -1 +1 @@\n-x\n+y\n",
			[]FileDiff{{NewPath: "b.bin", Added: true, Binary: true},
				{OldPath: "z", NewPath: "z", Hunks: []Hunk{{OldStart: 1, OldLines: 1, NewStart: 1, NewLines: 1, Lines: []Line{{'-', "x", 1, 0}, {'+', "y", 0, 1}}}}}}, ""},
		{"crlf", "diff --git a/w b/w\r\n--- a/w\r\n+++ b/w\r\n@@ -1,2 +1,2 @@\r\n ctx\r\n-a\r\n+b\r\n",
			[]FileDiff{{OldPath: "w", NewPath: "w", Hunks: []Hunk{{OldStart: 1, OldLines: 2, NewStart: 1, NewLines: 2, Lines: []Line{{' ', "ctx", 1, 1}, {'-', "a", 2, 0}, {'+', "b", 0, 2}}}}}}, ""},
		{"two hunks and a plain diff header with timestamp", "--- f.txt\t2024-01-01\n+++ f.txt\t2024-01-02\n@@ -1 +1 @@\n-a\n+b\n@@ -10,0 +11 @@\n+c\n",
			[]FileDiff{{OldPath: "f.txt", NewPath: "f.txt", Hunks: []Hunk{
				{OldStart: 1, OldLines: 1, NewStart: 1, NewLines: 1, Lines: []Line{{'-', "a", 1, 0}, {'+', "b", 0, 1}}},
				{OldStart: 10, OldLines: 0, NewStart: 11, NewLines: 1, Lines: []Line{{'+', "c", 0, 11}}}}}}, ""},
		{"preamble and mode change", "commit abc\n--- not a header\n\ndiff --git a/s.sh b/s.sh\nold mode 100644\nnew mode 100755\n",
			[]FileDiff{{OldPath: "s.sh", NewPath: "s.sh"}}, ""},
		{"empty", "", nil, ""},
		{"truncated hunk", "diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,2 @@\n-a\n", nil, "hunk ends early"},
		{"too many added lines", "diff --git a/a b/a\n@@ -1 +1 @@\n+a\n+b\n-c\n", nil, "does not fit the hunk"},
		{"bad hunk header", "diff --git a/a b/a\n@@ -x +1 @@\n", nil, "hunk header"},
		{"hunk without file", "@@ -1 +1 @@\n", nil, "hunk before any file header"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseDiff(strings.NewReader(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ParseDiff (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseDiff(f *testing.F) {
	f.Add("diff --git a/a b/a\n--- a/a\n+++ b/a\n@@ -1,2 +1,3 @@\n x\n-y\n+z\n+w\n\\ No newline at end of file\n")
	f.Add("diff --git \"a/\\303\\251\" \"b/\\303\\251\"\nnew file mode 100644\nBinary files /dev/null and \"b/\\303\\251\" differ\n")
	f.Add("diff --git a/b b/b\nGIT binary patch\nliteral 1\nIcmZ?d00001\n\n")
	f.Add("--- a\r\n+++ b\r\n@@ -0,0 +1 @@\r\n+x\r\n")
	f.Fuzz(func(t *testing.T, in string) {
		files, err := ParseDiff(strings.NewReader(in))
		if err != nil {
			return
		}
		for _, fd := range files {
			for _, h := range fd.Hunks {
				checkHunk(t, h)
			}
		}
	})
}

// checkHunk verifies that a hunk's lines agree with its header and that line
// numbers advance by one on each side.
func checkHunk(t *testing.T, h Hunk) {
	t.Helper()
	oldN, newN := max(h.OldStart, 1), max(h.NewStart, 1)
	var olds, news int
	for _, l := range h.Lines {
		switch l.Kind {
		case ' ':
			if l.OldLine != oldN || l.NewLine != newN {
				t.Fatalf("context line %+v, want old %d new %d", l, oldN, newN)
			}
			oldN, newN, olds, news = oldN+1, newN+1, olds+1, news+1
		case '-':
			if l.OldLine != oldN || l.NewLine != 0 {
				t.Fatalf("deleted line %+v, want old %d", l, oldN)
			}
			oldN, olds = oldN+1, olds+1
		case '+':
			if l.NewLine != newN || l.OldLine != 0 {
				t.Fatalf("added line %+v, want new %d", l, newN)
			}
			newN, news = newN+1, news+1
		default:
			t.Fatalf("line kind %q", l.Kind)
		}
	}
	if olds != h.OldLines || news != h.NewLines {
		t.Fatalf("hunk %d,%d has %d old and %d new lines", h.OldLines, h.NewLines, olds, news)
	}
}
