package patch

import (
	"errors"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// memFS is an in-memory FS. Writing or removing failName fails.
type memFS struct {
	files    map[string]string
	modes    map[string]fs.FileMode
	failName string
}

func newMemFS(files map[string]string) *memFS {
	m := &memFS{files: map[string]string{}, modes: map[string]fs.FileMode{}}
	for k, v := range files {
		m.files[k] = v
		m.modes[k] = 0o644
	}
	return m
}

func (m *memFS) Resolve(p string) (string, error) {
	if p == "" || strings.HasPrefix(p, "/") || strings.Contains("/"+p+"/", "/../") {
		return "", fmt.Errorf("path %q must be inside the workspace", p)
	}
	return path.Clean(p), nil
}

func (m *memFS) Stat(name string) (fs.FileMode, error) {
	if _, ok := m.files[name]; ok {
		return m.modes[name], nil
	}
	for k := range m.files {
		if strings.HasPrefix(k, name+"/") {
			return fs.ModeDir | 0o755, nil
		}
	}
	return 0, fs.ErrNotExist
}

func (m *memFS) ReadFile(name string) ([]byte, error) {
	s, ok := m.files[name]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return []byte(s), nil
}

func (m *memFS) WriteFile(name string, data []byte, perm fs.FileMode) error {
	if name == m.failName {
		return errors.New("disk full")
	}
	m.files[name] = string(data)
	m.modes[name] = perm
	return nil
}

func (m *memFS) Remove(name string) error {
	if name == m.failName {
		return errors.New("permission denied")
	}
	delete(m.files, name)
	delete(m.modes, name)
	return nil
}

func TestApply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		files    map[string]string
		patch    string
		want     map[string]string // nil: unchanged
		changes  []Change
		wantErr  string // substring; files must be unchanged
		failName string
	}{
		{
			name:  "add, delete, update, move",
			files: map[string]string{"old": "gone\n", "a": "1\n2\n3\n", "b": "x\n"},
			patch: "*** Begin Patch\n*** Add File: dir/new\n+n1\n+n2\n*** Delete File: old\n*** Update File: a\n 1\n-2\n+two\n 3\n*** Update File: b\n*** Move to: c\n-x\n+y\n*** End Patch",
			want:  map[string]string{"dir/new": "n1\nn2\n", "a": "1\ntwo\n3\n", "c": "y\n"},
			changes: []Change{
				{Op: Add, Path: "dir/new", Added: 2},
				{Op: Delete, Path: "old", Removed: 1},
				{Op: Update, Path: "a", Added: 1, Removed: 1},
				{Op: Update, Path: "b", MoveTo: "c", Added: 1, Removed: 1},
			},
		},
		{
			name:    "multi-hunk with anchors",
			files:   map[string]string{"f.py": "def a():\n    return 1\n\ndef b():\n    return 1\n\ndef c():\n    return 1\n"},
			patch:   "*** Begin Patch\n*** Update File: f.py\n@@ def a():\n-    return 1\n+    return 0\n@@ def c():\n-    return 1\n+    return 2\n*** End Patch",
			want:    map[string]string{"f.py": "def a():\n    return 0\n\ndef b():\n    return 1\n\ndef c():\n    return 2\n"},
			changes: []Change{{Op: Update, Path: "f.py", Added: 2, Removed: 2}},
		},
		{
			name:    "whitespace-fuzzy context keeps the file's text",
			files:   map[string]string{"f": "\tif x {  \n\t\ty()\n\t}\n"},
			patch:   "*** Begin Patch\n*** Update File: f\n     if x {\n-    y()\n+    z()\n   }\n*** End Patch",
			want:    map[string]string{"f": "\tif x {  \n    z()\n\t}\n"},
			changes: []Change{{Op: Update, Path: "f", Added: 1, Removed: 1}},
		},
		{
			name:    "unicode punctuation",
			files:   map[string]string{"f": "say(“hi” — ok)\n"},
			patch:   "*** Begin Patch\n*** Update File: f\n-say(\"hi\" - ok)\n+say(\"bye\")\n*** End Patch",
			want:    map[string]string{"f": "say(\"bye\")\n"},
			changes: []Change{{Op: Update, Path: "f", Added: 1, Removed: 1}},
		},
		{
			name:    "CRLF file keeps CRLF, no final newline kept",
			files:   map[string]string{"w": "a\r\nb\r\nc"},
			patch:   "*** Begin Patch\n*** Update File: w\n a\n-b\n+B\n+B2\n c\n*** End Patch",
			want:    map[string]string{"w": "a\r\nB\r\nB2\r\nc"},
			changes: []Change{{Op: Update, Path: "w", Added: 2, Removed: 1}},
		},
		{
			name:    "EOF marker prefers the last occurrence",
			files:   map[string]string{"f": "x\ny\nx\n"},
			patch:   "*** Begin Patch\n*** Update File: f\n-x\n+z\n*** End of File\n*** End Patch",
			want:    map[string]string{"f": "x\ny\nz\n"},
			changes: []Change{{Op: Update, Path: "f", Added: 1, Removed: 1}},
		},
		{
			name:    "pure addition after anchor, trailing blank context retried",
			files:   map[string]string{"f": "import (\n\t\"os\"\n)\n"},
			patch:   "*** Begin Patch\n*** Update File: f\n@@ import (\n+\t\"fmt\"\n*** Update File: f\n@@\n \t\"os\"\n+\t\"io\"\n \n*** End Patch",
			want:    map[string]string{"f": "import (\n\t\"fmt\"\n\t\"os\"\n\t\"io\"\n)\n"},
			changes: []Change{{Op: Update, Path: "f", Added: 1}, {Op: Update, Path: "f", Added: 1}},
		},
		{
			name:    "add to empty file",
			files:   map[string]string{"e": ""},
			patch:   "*** Begin Patch\n*** Update File: e\n+x\n*** End Patch",
			want:    map[string]string{"e": "x\n"},
			changes: []Change{{Op: Update, Path: "e", Added: 1}},
		},
		{
			name:    "add existing",
			files:   map[string]string{"a": "1\n"},
			patch:   "*** Begin Patch\n*** Add File: a\n+2\n*** End Patch",
			wantErr: `add "a": the file already exists; use "*** Update File:" to change it`,
		},
		{
			name:    "update missing",
			files:   map[string]string{},
			patch:   "*** Begin Patch\n*** Update File: a\n-1\n*** End Patch",
			wantErr: `update "a": the file does not exist; use "*** Add File:" to create it`,
		},
		{
			name:    "delete missing",
			patch:   "*** Begin Patch\n*** Delete File: a\n*** End Patch",
			wantErr: `delete "a": the file does not exist`,
		},
		{
			name:    "update a directory",
			files:   map[string]string{"d/x": "1\n"},
			patch:   "*** Begin Patch\n*** Update File: d\n-1\n*** End Patch",
			wantErr: `update "d": it is a directory`,
		},
		{
			name:    "move onto existing",
			files:   map[string]string{"a": "1\n", "b": "2\n"},
			patch:   "*** Begin Patch\n*** Update File: a\n*** Move to: b\n*** End Patch",
			wantErr: `move "a" to "b": the destination already exists`,
		},
		{
			name:    "path outside",
			files:   map[string]string{"a": "1\n"},
			patch:   "*** Begin Patch\n*** Update File: a\n-1\n+2\n*** Add File: ../x\n+y\n*** End Patch",
			wantErr: `add "../x": path "../x" must be inside the workspace`,
		},
		{
			name:    "second file fails, first untouched",
			files:   map[string]string{"a": "1\n", "b": "2\n"},
			patch:   "*** Begin Patch\n*** Update File: a\n-1\n+one\n*** Update File: b\n-3\n+three\n*** End Patch",
			wantErr: "update \"b\": hunk 1: could not find these lines:\n  -3\nRead the file again",
		},
		{
			name:    "anchor not found",
			files:   map[string]string{"a": "1\n"},
			patch:   "*** Begin Patch\n*** Update File: a\n@@ func nope()\n-1\n*** End Patch",
			wantErr: `update "a": hunk 1: could not find the "@@ func nope()" anchor line; the text after "@@" must be a line of the file that comes before the change`,
		},
		{
			name:  "closest match reported",
			files: map[string]string{"a": "x\nfunc f() {\n\treturn 1\n}\n"},
			patch: "*** Begin Patch\n*** Update File: a\n func f() {\n-\treturn 2\n+\treturn 3\n }\n*** End Patch",
			wantErr: "update \"a\": hunk 1: could not find these lines:\n   func f() {\n  -\treturn 2\n   }\n" +
				"Closest match: 1 of 3 lines match at line 2; line 3 of the file is \"\\treturn 1\" where the patch expects \"\\treturn 2\".\n",
		},
		{
			name:    "hunks out of order",
			files:   map[string]string{"a": "1\n2\n3\n"},
			patch:   "*** Begin Patch\n*** Update File: a\n-3\n+c\n@@\n-1\n+a\n*** End Patch",
			wantErr: "They appear at line 1, before the end of the previous hunk or anchor (line 3): hunks must be in file order",
		},
		{
			name:     "write failure rolls back",
			files:    map[string]string{"a": "1\n", "b": "2\n"},
			failName: "b",
			patch:    "*** Begin Patch\n*** Update File: a\n-1\n+one\n*** Delete File: b\n*** End Patch",
			wantErr:  "remove b: permission denied",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p, err := Parse(tt.patch)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			m := newMemFS(tt.files)
			m.failName = tt.failName
			sum, err := p.Apply(m)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Apply error = %v\nwant it to contain %s", err, tt.wantErr)
				}
				if diff := cmp.Diff(newMemFS(tt.files).files, m.files); diff != "" {
					t.Errorf("files changed by a failed patch (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			if diff := cmp.Diff(tt.want, m.files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.changes, sum.Changes); diff != "" {
				t.Errorf("changes (-want +got):\n%s", diff)
			}
		})
	}
}
