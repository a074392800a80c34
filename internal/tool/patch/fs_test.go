package patch

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// dirResolver confines patch paths to dir (a simplified tool.Resolve).
func dirResolver(dir string) func(string) (string, error) {
	return func(p string) (string, error) {
		if filepath.IsAbs(p) || strings.Contains(p, "..") {
			return "", fmt.Errorf("path %q must be inside the workspace", p)
		}
		return filepath.Join(dir, p), nil
	}
}

func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	got := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		got[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func TestOSApply(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		patch   string
		want    map[string]string
		wantErr string
	}{
		{
			name:  "writes, moves and deletes",
			patch: "*** Begin Patch\n*** Update File: run.sh\n-echo 1\n+echo 2\n*** Update File: crlf.txt\n*** Move to: sub/moved.txt\n a\n+b\n*** Delete File: gone\n*** Add File: sub/deep/new\n+new\n*** End Patch",
			want: map[string]string{
				"run.sh":        "#!/bin/sh\necho 2\n",
				"sub/moved.txt": "a\r\nb\r\nc\r\n",
				"sub/deep/new":  "new\n",
			},
		},
		{
			name:    "second file failing leaves the first untouched",
			patch:   "*** Begin Patch\n*** Update File: run.sh\n-echo 1\n+echo 2\n*** Update File: crlf.txt\n-nope\n*** End Patch",
			wantErr: `update "crlf.txt": hunk 1: could not find these lines:`,
		},
		{
			name:    "escaping path leaves everything untouched",
			patch:   "*** Begin Patch\n*** Delete File: gone\n*** Add File: ../escape\n+x\n*** End Patch",
			wantErr: `add "../escape": path "../escape" must be inside the workspace`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			orig := map[string]string{"run.sh": "#!/bin/sh\necho 1\n", "crlf.txt": "a\r\nc\r\n", "gone": "bye\n"}
			for name, s := range orig {
				mode := os.FileMode(0o644)
				if strings.HasSuffix(name, ".sh") {
					mode = 0o755
				}
				if err := os.WriteFile(filepath.Join(dir, name), []byte(s), mode); err != nil {
					t.Fatal(err)
				}
			}
			p, err := Parse(tt.patch)
			if err != nil {
				t.Fatal(err)
			}
			_, err = p.Apply(OS(dirResolver(dir)))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("Apply error = %v, want %q", err, tt.wantErr)
				}
				if diff := cmp.Diff(orig, readTree(t, dir)); diff != "" {
					t.Errorf("failed patch changed files (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("Apply: %v", err)
			}
			// readTree also proves no temporary files were left behind.
			if diff := cmp.Diff(tt.want, readTree(t, dir)); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
			fi, err := os.Stat(filepath.Join(dir, "run.sh"))
			if err != nil || fi.Mode().Perm() != 0o755 {
				t.Errorf("run.sh mode = %v, %v; want 0755 preserved", fi.Mode(), err)
			}
		})
	}
}
