package tool

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// newTestWorkspace makes a resolved workspace with a sibling "outside" directory.
func newTestWorkspace(t *testing.T) (ws, outside string) {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	ws = filepath.Join(root, "ws")
	outside = filepath.Join(root, "outside")
	for _, d := range []string{ws, outside, filepath.Join(ws, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeTestFile(t, filepath.Join(ws, "a.txt"), "a\n")
	writeTestFile(t, filepath.Join(outside, "secret"), "s\n")
	return ws, outside
}

func writeTestFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func mkSymlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func TestResolve(t *testing.T) {
	t.Parallel()
	ws, outside := newTestWorkspace(t)
	mkSymlink(t, filepath.Join(outside, "secret"), filepath.Join(ws, "file-out"))
	mkSymlink(t, outside, filepath.Join(ws, "dir-out"))
	mkSymlink(t, "sub", filepath.Join(ws, "dir-in"))
	mkSymlink(t, "a.txt", filepath.Join(ws, "file-in"))
	mkSymlink(t, filepath.Join(outside, "nope"), filepath.Join(ws, "dangling-out"))
	mkSymlink(t, "../ws/sub/new", filepath.Join(ws, "dangling-in"))
	mkSymlink(t, "loop", filepath.Join(ws, "loop"))

	tests := []struct {
		name    string
		path    string
		want    string // relative to ws; ignored on error
		wantErr string // substring
		outside bool   // error wraps ErrOutsideWorkspace
	}{
		{name: "relative file", path: "a.txt", want: "a.txt"},
		{name: "dot", path: ".", want: "."},
		{name: "cleaned", path: "./sub//x/./y", want: "sub/x/y"},
		{name: "absolute inside", path: filepath.Join(ws, "a.txt"), want: "a.txt"},
		{name: "new file", path: "sub/new/deeper.go", want: "sub/new/deeper.go"},
		{name: "symlinked dir inside", path: "dir-in/new.txt", want: "sub/new.txt"},
		{name: "symlinked file inside", path: "file-in", want: "a.txt"},
		{name: "dangling symlink inside", path: "dangling-in", want: "sub/new"},
		{name: "dotdot", path: "../outside/secret", wantErr: `contains ".."`, outside: true},
		{name: "dotdot that stays inside", path: "sub/../a.txt", wantErr: `contains ".."`, outside: true},
		{name: "absolute outside", path: filepath.Join(outside, "secret"), wantErr: "is outside the workspace", outside: true},
		{name: "root", path: "/", wantErr: "is outside the workspace", outside: true},
		{name: "symlink file outside", path: "file-out", wantErr: "leads through a symlink", outside: true},
		{name: "symlink dir outside", path: "dir-out/secret", wantErr: "leads through a symlink", outside: true},
		{name: "symlinked parent outside, new file", path: "dir-out/new/file.txt", wantErr: "leads through a symlink", outside: true},
		{name: "dangling symlink outside", path: "dangling-out", wantErr: "leads through a symlink", outside: true},
		{name: "empty", path: "", wantErr: "path is empty"},
		{name: "nul", path: "a\x00b", wantErr: "NUL byte"},
		{name: "file as directory", path: "a.txt/x", wantErr: "not a directory"},
		{name: "symlink loop", path: "loop/x", wantErr: "too many levels"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Resolve(ws, tt.path)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Resolve(%q) = %q, %v; want error containing %q", tt.path, got, err, tt.wantErr)
				}
				if errors.Is(err, ErrOutsideWorkspace) != tt.outside {
					t.Errorf("errors.Is(%v, ErrOutsideWorkspace) = %v, want %v", err, !tt.outside, tt.outside)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(%q): %v", tt.path, err)
			}
			if want := filepath.Join(ws, tt.want); got != want {
				t.Errorf("Resolve(%q) = %q, want %q", tt.path, got, want)
			}
		})
	}
}

func TestResolveWorkspaceSymlink(t *testing.T) {
	t.Parallel()
	ws, outside := newTestWorkspace(t)
	link := filepath.Join(filepath.Dir(ws), "ws-link")
	mkSymlink(t, ws, link)

	tests := []struct {
		name    string
		path    string
		want    string
		wantErr bool
	}{
		{name: "relative", path: "a.txt", want: filepath.Join(ws, "a.txt")},
		{name: "absolute through the link", path: filepath.Join(link, "sub", "n"), want: filepath.Join(ws, "sub", "n")},
		{name: "absolute real path", path: filepath.Join(ws, "a.txt"), want: filepath.Join(ws, "a.txt")},
		{name: "outside", path: filepath.Join(outside, "secret"), wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Resolve(link, tt.path)
			if tt.wantErr {
				if !errors.Is(err, ErrOutsideWorkspace) {
					t.Fatalf("Resolve = %q, %v; want ErrOutsideWorkspace", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("Resolve = %q, %v; want %q", got, err, tt.want)
			}
			if r := Rel(link, got); r != filepath.ToSlash(strings.TrimPrefix(tt.want, ws+string(filepath.Separator))) {
				t.Errorf("Rel = %q", r)
			}
		})
	}
}

func TestResolveDir(t *testing.T) {
	t.Parallel()
	ws, _ := newTestWorkspace(t)
	tests := []struct {
		name    string
		path    string
		wantErr string
	}{
		{name: "workspace", path: "."},
		{name: "subdir", path: "sub"},
		{name: "file", path: "a.txt", wantErr: "is not a directory"},
		{name: "missing", path: "nope", wantErr: "does not exist"},
		{name: "outside", path: "/", wantErr: "outside the workspace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := ResolveDir(ws, tt.path)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("ResolveDir(%q) error = %v, want %q", tt.path, err, tt.wantErr)
			}
		})
	}
}

func TestRel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ws, abs, want string
	}{
		{name: "inside", ws: "/w", abs: "/w/a/b", want: "a/b"},
		{name: "root", ws: "/w", abs: "/w", want: "."},
		{name: "outside", ws: "/w", abs: "/x/y", want: "/x/y"},
		{name: "prefix sibling", ws: "/w", abs: "/wx/y", want: "/wx/y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Rel(filepath.FromSlash(tt.ws), filepath.FromSlash(tt.abs)); got != filepath.FromSlash(tt.want) && got != tt.want {
				t.Errorf("Rel(%q, %q) = %q, want %q", tt.ws, tt.abs, got, tt.want)
			}
		})
	}
}

// runTool calls t with JSON args in workspace ws and fails on a Go error.
func runTool(t *testing.T, tl Tool, ws, args string) Result {
	t.Helper()
	res, err := tl.Run(t.Context(), &Env{Workspace: ws}, "call-1", json.RawMessage(args))
	if err != nil {
		t.Fatalf("%s.Run(%s): %v", tl.Name(), args, err)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Fatalf("%s result does not marshal: %v", tl.Name(), err)
	}
	return res
}

// checkSchema checks the parts of a tool's schema every provider relies on.
func checkSchema(t *testing.T, tl Tool) {
	t.Helper()
	var s struct {
		Type                 string                     `json:"type"`
		Properties           map[string]json.RawMessage `json:"properties"`
		Required             []string                   `json:"required"`
		AdditionalProperties *bool                      `json:"additionalProperties"`
	}
	if err := json.Unmarshal(tl.Schema(), &s); err != nil {
		t.Fatalf("%s schema: %v", tl.Name(), err)
	}
	if s.Type != "object" || len(s.Properties) == 0 || s.AdditionalProperties == nil || *s.AdditionalProperties {
		t.Errorf("%s schema = %s", tl.Name(), tl.Schema())
	}
	for _, r := range s.Required {
		if _, ok := s.Properties[r]; !ok {
			t.Errorf("%s schema requires unknown property %q", tl.Name(), r)
		}
	}
	if strings.TrimSpace(tl.Description()) == "" {
		t.Errorf("%s has no description", tl.Name())
	}
}

func TestToolSchemas(t *testing.T) {
	t.Parallel()
	for _, tl := range []Tool{NewReadFile(), NewListDir(), NewGrep(), NewApplyPatch(), NewUpdatePlan()} {
		t.Run(tl.Name(), func(t *testing.T) {
			t.Parallel()
			checkSchema(t, tl)
		})
	}
}
