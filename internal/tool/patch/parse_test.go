package patch

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		in      string
		want    []File
		wantErr string
	}{
		{
			name: "every op",
			in: `*** Begin Patch
*** Add File: new.txt
+hello
+
+world
*** Delete File: old.txt
*** Update File: a.go
@@ func main() {
 	a := 1
-	b := 2
+	b := 3
*** Update File: b.go
*** Move to: c.go
@@
-x
+y
*** End Patch`,
			want: []File{
				{Op: Add, Path: "new.txt", Lines: []string{"hello", "", "world"}},
				{Op: Delete, Path: "old.txt"},
				{Op: Update, Path: "a.go", Hunks: []Hunk{{
					Anchors: []string{"func main() {"},
					Lines:   []Line{{' ', "\ta := 1"}, {'-', "\tb := 2"}, {'+', "\tb := 3"}},
				}}},
				{Op: Update, Path: "b.go", MoveTo: "c.go", Hunks: []Hunk{{Lines: []Line{{'-', "x"}, {'+', "y"}}}}},
			},
		},
		{
			name: "first hunk without @@, nested anchors, EOF marker, empty context line",
			in: `*** Begin Patch
*** Update File: a.py
 import os
+import sys
@@ class A:
@@     def f(self):
-        return 1
+        return 2

 x = 1
*** End of File
*** End Patch`,
			want: []File{{Op: Update, Path: "a.py", Hunks: []Hunk{
				{Lines: []Line{{' ', "import os"}, {'+', "import sys"}}},
				{Anchors: []string{"class A:", "    def f(self):"}, EOF: true, Lines: []Line{
					{'-', "        return 1"}, {'+', "        return 2"}, {' ', ""}, {' ', "x = 1"},
				}},
			}}},
		},
		{
			name: "heredoc wrapper, CRLF, blank separators, unified header, no-newline marker",
			in:   "apply_patch <<'EOF'\r\n*** Begin Patch\r\n*** Update File: a\r\n@@ -1,2 +1,2 @@ func f() {\r\n-a\r\n+b\r\n\\ No newline at end of file\r\n\r\n*** Add File: b\r\n+x\r\n\r\n*** End Patch\r\nEOF\r\n",
			want: []File{
				{Op: Update, Path: "a", Hunks: []Hunk{{Anchors: []string{"func f() {"}, Lines: []Line{{'-', "a"}, {'+', "b"}}}}},
				{Op: Add, Path: "b", Lines: []string{"x"}},
			},
		},
		{
			name: "pure move, empty add",
			in:   "<<EOF\n*** Begin Patch\n*** Update File: a\n*** Move to: b\n*** Add File: empty\n*** End Patch\nEOF",
			want: []File{
				{Op: Update, Path: "a", MoveTo: "b"},
				{Op: Add, Path: "empty", Lines: []string{}},
			},
		},
		{name: "empty", in: " \n\n", wantErr: `patch is empty: it must start with "*** Begin Patch" and end with "*** End Patch"`},
		{name: "no begin", in: "*** Update File: a\n-x\n*** End Patch", wantErr: `line 1: the first line must be "*** Begin Patch"`},
		{name: "no end", in: "*** Begin Patch\n*** Delete File: a\n", wantErr: `line 2: the last line must be "*** End Patch"`},
		{name: "begin only", in: "*** Begin Patch", wantErr: `line 1: the last line must be "*** End Patch"`},
		{name: "no files", in: "*** Begin Patch\n\n*** End Patch", wantErr: `line 3: patch changes no files: add an "*** Add File:", "*** Delete File:" or "*** Update File:" section`},
		{name: "bad header", in: "*** Begin Patch\n*** Modify File: a\n*** End Patch", wantErr: `line 2: expected a file header ("*** Add File: path", "*** Delete File: path" or "*** Update File: path"), got "*** Modify File: a"`},
		{name: "add without plus", in: "*** Begin Patch\n*** Add File: a\n+x\ny\n*** End Patch", wantErr: `line 4: in "*** Add File: a" every line must start with "+", got "y"`},
		{name: "missing path", in: "*** Begin Patch\n*** Delete File:\n*** End Patch", wantErr: `line 2: "*** Delete File:" has no path`},
		{name: "delete with content", in: "*** Begin Patch\n*** Delete File: a\n-x\n*** End Patch", wantErr: `line 3: "*** Delete File: a" must not be followed by content lines, got "-x"`},
		{name: "update without hunks", in: "*** Begin Patch\n*** Update File: a\n*** End Patch", wantErr: `line 3: "*** Update File: a" has no hunks: add lines starting with "@@", " ", "-" or "+"`},
		{name: "empty hunk", in: "*** Begin Patch\n*** Update File: a\n@@ x\n*** Delete File: b\n*** End Patch", wantErr: `line 4: hunk 1 of "a" has no lines`},
		{name: "bad hunk line", in: "*** Begin Patch\n*** Update File: a\n@@\n-x\n*y\n*** End Patch", wantErr: `line 5: unexpected line "*y" in "*** Update File: a": hunk lines must start with " " (context), "-" (remove) or "+" (add), and hunks with "@@"`},
		{name: "move after hunk", in: "*** Begin Patch\n*** Update File: a\n-x\n*** Move to: b\n*** End Patch", wantErr: `line 4: "*** Move to:" must come right after "*** Update File: a"`},
		{name: "eof marker without lines", in: "*** Begin Patch\n*** Update File: a\n@@\n*** End of File\n*** End Patch", wantErr: `line 4: "*** End of File" must follow the lines of a hunk`},
		{name: "lines after eof marker", in: "*** Begin Patch\n*** Update File: a\n-x\n*** End of File\n+y\n*** End Patch", wantErr: `line 5: hunk 1 of "a" continues after "*** End of File"; start a new hunk with "@@"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse(tt.in)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("Parse error = %v\nwant %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tt.want, p.Files); diff != "" {
				t.Errorf("Parse (-want +got):\n%s", diff)
			}
		})
	}
}
