package sandbox

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProtectedPaths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(t *testing.T, ws, outside string)
		want  func(ws, outside string) []string
	}{
		{"none", func(*testing.T, string, string) {}, func(string, string) []string { return nil }},
		{"git dir and agent config", func(t *testing.T, ws, _ string) {
			os.Mkdir(filepath.Join(ws, ".git"), 0o755)
			os.Mkdir(filepath.Join(ws, ".git-agent"), 0o755)
		}, func(ws, _ string) []string {
			return []string{filepath.Join(ws, ".git"), filepath.Join(ws, ".git-agent")}
		}},
		{"git file and its gitdir", func(t *testing.T, ws, outside string) {
			os.WriteFile(filepath.Join(ws, ".git"), []byte("gitdir: "+outside+"\n"), 0o644)
		}, func(ws, outside string) []string { return []string{filepath.Join(ws, ".git"), outside} }},
		{"git symlink", func(t *testing.T, ws, outside string) {
			os.Symlink(outside, filepath.Join(ws, ".git"))
		}, func(ws, outside string) []string { return []string{outside} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			ws, _ := filepath.EvalSymlinks(t.TempDir())
			outside, _ := filepath.EvalSymlinks(t.TempDir())
			tc.setup(t, ws, outside)
			if diff := cmp.Diff(tc.want(ws, outside), protectedPaths(ws)); diff != "" {
				t.Errorf("protectedPaths (-want +got):\n%s", diff)
			}
		})
	}
}

func TestOfflineAllowlistIsConfigurable(t *testing.T) {
	t.Parallel()
	env := []string{"PATH=" + DefaultPath}
	c := &Cmd{Args: []string{"ls"}, Dir: "/"}
	def := specFor(Profile{Mode: Offline, Workspace: "/"}, c, "/bin/ls", env, "")
	custom := specFor(Profile{Mode: Offline, Workspace: "/", OfflinePrograms: []string{"cat"}}, c, "/bin/cat", env, "")
	if !slices.ContainsFunc(def.ExecFiles, func(p string) bool { return filepath.Base(p) == "ls" }) {
		t.Errorf("default allowlist lacks ls: %v", def.ExecFiles)
	}
	if slices.ContainsFunc(custom.ExecFiles, func(p string) bool { return filepath.Base(p) == "ls" }) ||
		!slices.ContainsFunc(custom.ExecFiles, func(p string) bool { return filepath.Base(p) == "cat" }) {
		t.Errorf("custom allowlist = %v, want cat (and loaders) only", custom.ExecFiles)
	}
	if ww := specFor(Profile{Mode: WorkspaceWrite, Workspace: "/"}, c, "/bin/ls", env, "/tmp/x"); ww.ExecFiles != nil {
		t.Errorf("workspace-write restricts execution: %v", ww.ExecFiles)
	}
}
