package tool

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// patchArgs wraps a patch as apply_patch arguments under key.
func patchArgs(t *testing.T, key, patch string) string {
	t.Helper()
	b, err := json.Marshal(map[string]string{key: patch})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// snapshot reads every regular file under dir (slash paths to contents).
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		b, err := os.ReadFile(p)
		got[Rel(dir, p)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestApplyPatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    func(t *testing.T) string
		want    string // output, or a prefix of it for errors
		wantErr bool
		files   map[string]string // after; nil means unchanged
		detail  *ApplyPatchDetail
	}{
		{
			name: "add, update, move, delete",
			args: func(t *testing.T) string {
				return patchArgs(t, "patch", "*** Begin Patch\n*** Add File: sub/new.go\n+package sub\n*** Update File: main.go\n@@ func main() {\n-\tprintln(1)\n+\tprintln(2)\n*** Update File: old.txt\n*** Move to: sub/renamed.txt\n*** Delete File: sub/gone.txt\n*** End Patch")
			},
			want: "Success. Updated the following files:\nA sub/new.go\nM main.go\nM old.txt -> sub/renamed.txt\nD sub/gone.txt\n",
			files: map[string]string{
				"main.go":         "package main\n\nfunc main() {\n\tprintln(2)\n}\n",
				"sub/new.go":      "package sub\n",
				"sub/renamed.txt": "old\n",
			},
			detail: &ApplyPatchDetail{Files: []PatchedFile{
				{Op: "add", Path: "sub/new.go", Added: 1, SHA256: "sha256:0f8a30f26053fb832032c5006ccc5646189b16e5f881e36170a813968226becd", Size: 12},
				{Op: "update", Path: "main.go", Added: 1, Removed: 1, SHA256: "sha256:b77c51ccd10ffbeb04c10d46c5e4d59e16dc65d2dd8344908242f11314743450", Size: 42},
				{Op: "update", Path: "old.txt", MoveTo: "sub/renamed.txt", SHA256: "sha256:01d09d19c2139a46aebfb577780d123d7396e97201bc7ead210a2ebff8239dee", Size: 4},
				{Op: "delete", Path: "sub/gone.txt", Removed: 1},
			}},
		},
		{
			name: "input alias and heredoc wrapper",
			args: func(t *testing.T) string {
				return patchArgs(t, "input", "<<'EOF'\n*** Begin Patch\n*** Delete File: old.txt\n*** End Patch\nEOF\n")
			},
			want:  "Success. Updated the following files:\nD old.txt\n",
			files: map[string]string{"main.go": "package main\n\nfunc main() {\n\tprintln(1)\n}\n", "sub/gone.txt": "bye\n"},
		},
		{
			name: "failing second file changes nothing",
			args: func(t *testing.T) string {
				return patchArgs(t, "patch", "*** Begin Patch\n*** Delete File: old.txt\n*** Update File: main.go\n-\tprintln(3)\n+\tprintln(4)\n*** End Patch")
			},
			want:    "apply_patch: update \"main.go\": hunk 1: could not find these lines:\n  -\tprintln(3)\n",
			wantErr: true,
		},
		{
			name:    "invalid patch",
			args:    func(t *testing.T) string { return patchArgs(t, "patch", "--- a/main.go\n+++ b/main.go\n") },
			want:    "apply_patch: invalid patch: line 1: the first line must be \"*** Begin Patch\"\nNo file was changed.",
			wantErr: true,
		},
		{
			name: "dotdot",
			args: func(t *testing.T) string {
				return patchArgs(t, "patch", "*** Begin Patch\n*** Add File: ../evil\n+x\n*** End Patch")
			},
			want:    `apply_patch: add "../evil": path "../evil" contains "..": path must be inside the workspace`,
			wantErr: true,
		},
		{
			name: "symlinked dir pointing outside",
			args: func(t *testing.T) string {
				return patchArgs(t, "patch", "*** Begin Patch\n*** Add File: out/planted\n+x\n*** End Patch")
			},
			want:    `apply_patch: add "out/planted": path "out/planted" leads through a symlink`,
			wantErr: true,
		},
		{
			name: "git hooks are off limits",
			args: func(t *testing.T) string {
				return patchArgs(t, "patch", "*** Begin Patch\n*** Add File: .git/hooks/pre-commit\n+#!/bin/sh\n*** End Patch")
			},
			want:    `apply_patch: add ".git/hooks/pre-commit": path ".git/hooks/pre-commit" is inside a .git directory, which patches may not change`,
			wantErr: true,
		},
		{name: "missing patch", args: func(*testing.T) string { return `{}` }, want: `apply_patch: "patch" is required; expected ` + applyPatchUsage, wantErr: true},
		{name: "not JSON", args: func(*testing.T) string { return `*** Begin Patch` }, want: `apply_patch: invalid arguments: the arguments are not valid JSON`, wantErr: true},
		{name: "wrong type", args: func(*testing.T) string { return `{"patch": ["x"]}` }, want: `apply_patch: invalid arguments: "patch" must be a string, got array`, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws, outside := newTestWorkspace(t)
			if err := os.Remove(filepath.Join(ws, "a.txt")); err != nil {
				t.Fatal(err)
			}
			writeTestFile(t, filepath.Join(ws, "main.go"), "package main\n\nfunc main() {\n\tprintln(1)\n}\n")
			writeTestFile(t, filepath.Join(ws, "old.txt"), "old\n")
			writeTestFile(t, filepath.Join(ws, "sub", "gone.txt"), "bye\n")
			mkSymlink(t, outside, filepath.Join(ws, "out"))
			before := snapshot(t, ws)

			res := runTool(t, NewApplyPatch(), ws, tt.args(t))
			if res.IsError != tt.wantErr {
				t.Errorf("IsError = %v, want %v: %s", res.IsError, tt.wantErr, res.Output)
			}
			if tt.wantErr && !strings.HasPrefix(res.Output, tt.want) || !tt.wantErr && res.Output != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", res.Output, tt.want)
			}
			want := tt.files
			if want == nil {
				want = before
			}
			if diff := cmp.Diff(want, snapshot(t, ws)); diff != "" {
				t.Errorf("workspace (-want +got):\n%s", diff)
			}
			if got := snapshot(t, outside); !cmp.Equal(got, map[string]string{"secret": "s\n"}) {
				t.Errorf("outside changed: %v", got)
			}
			if tt.detail != nil {
				if diff := cmp.Diff(*tt.detail, res.Detail); diff != "" {
					t.Errorf("detail (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestApplyPatchRisk(t *testing.T) {
	t.Parallel()
	if got := NewApplyPatch().Risk(nil); got != RiskMedium {
		t.Errorf("Risk = %v, want medium", got)
	}
	for _, tl := range []Tool{NewReadFile(), NewListDir(), NewGrep(), NewUpdatePlan()} {
		if got := tl.Risk(nil); got != RiskLow {
			t.Errorf("%s Risk = %v, want low", tl.Name(), got)
		}
	}
}
