package tool

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestListDir(t *testing.T) {
	t.Parallel()
	ws, outside := newTestWorkspace(t)
	writeTestFile(t, filepath.Join(ws, "sub", "b.go"), "")
	writeTestFile(t, filepath.Join(ws, "sub", "deep", "c.go"), "")
	writeTestFile(t, filepath.Join(ws, ".git", "HEAD"), "ref: refs/heads/main\n")
	writeTestFile(t, filepath.Join(ws, "many", "x"), "")
	for i := range 12 {
		writeTestFile(t, filepath.Join(ws, "many", fmt.Sprintf("f%02d", i)), "")
	}
	mkSymlink(t, "sub/b.go", filepath.Join(ws, "link"))
	mkSymlink(t, outside, filepath.Join(ws, "out"))
	if err := os.Mkdir(filepath.Join(ws, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name    string
		args    string
		want    string
		wantErr bool
		detail  *ListDirDetail
	}{
		{
			name:   "root, depth 1",
			args:   `{}`,
			want:   "./\n  .git/\n  a.txt\n  empty/\n  link -> sub/b.go\n  many/\n  out -> " + outside + "\n  sub/\n",
			detail: &ListDirDetail{Path: ".", Depth: 1, Entries: 7},
		},
		{
			name: "depth 3, .git not entered, symlinks not followed",
			args: `{"path": "sub", "depth": 3}`,
			want: "sub/\n  b.go\n  deep/\n    c.go\n",
		},
		{
			name:   "limit",
			args:   `{"path": "many", "limit": 3}`,
			want:   "many/\n  f00\n  f01\n  f02\n… listing truncated at 3 entries; list a subdirectory, lower depth or raise limit\n",
			detail: &ListDirDetail{Path: "many", Depth: 1, Entries: 3, Truncated: true},
		},
		{
			name: "depth capped",
			args: `{"path": "sub/deep", "depth": 9}`,
			want: "sub/deep/\n  c.go\n(depth capped at 5)\n",
		},
		{name: "empty directory", args: `{"path": "empty"}`, want: "empty/\n(empty directory)\n"},
		{name: "file", args: `{"path": "a.txt"}`, wantErr: true, want: "list_dir: a.txt is a file, not a directory; use read_file to read it"},
		{name: "missing", args: `{"path": "nope"}`, wantErr: true, want: "list_dir: nope does not exist"},
		{name: "bad depth", args: `{"depth": "deep"}`, wantErr: true, want: `list_dir: invalid arguments: "depth" must be an integer, got "deep"; expected ` + listDirUsage},
		{name: "not an object", args: `[1]`, wantErr: true, want: `list_dir: invalid arguments: the arguments must be a JSON object, got array; expected ` + listDirUsage},
		{name: "symlink to outside", args: `{"path": "out"}`, wantErr: true, want: `list_dir: path "out" leads through a symlink to ` + outside + `, outside the workspace: path must be inside the workspace`},
		{name: "dotdot", args: `{"path": ".."}`, wantErr: true, want: `list_dir: path ".." contains "..": path must be inside the workspace; use a path relative to the workspace root`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runTool(t, NewListDir(), ws, tt.args)
			if res.IsError != tt.wantErr {
				t.Errorf("IsError = %v, want %v", res.IsError, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, res.Output); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if tt.detail != nil {
				if diff := cmp.Diff(*tt.detail, res.Detail); diff != "" {
					t.Errorf("detail (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestListDirDeepLimit(t *testing.T) {
	t.Parallel()
	ws, _ := newTestWorkspace(t)
	for i := range 30 {
		writeTestFile(t, filepath.Join(ws, "d", fmt.Sprintf("s%d", i%3), fmt.Sprintf("f%02d", i)), "")
	}
	res := runTool(t, NewListDir(), ws, `{"path": "d", "depth": 5, "limit": 10}`)
	if got := strings.Count(res.Output, "\n"); got != 12 { // header + 10 entries + note
		t.Errorf("output has %d lines, want 12:\n%s", got, res.Output)
	}
}
