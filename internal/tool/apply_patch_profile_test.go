package tool

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-agent/git-agent/sandbox"
)

// apply_patch writes without sandbox.Run, so it must honour the profile itself.
func TestApplyPatchHonoursProfile(t *testing.T) {
	t.Parallel()
	add := `{"patch":"*** Begin Patch\n*** Add File: new.txt\n+hi\n*** End Patch"}`
	tests := []struct {
		mode    sandbox.Mode
		written bool
	}{
		{sandbox.Offline, false},
		{sandbox.ReadOnly, false},
		{sandbox.NetReadOnly, false},
		{sandbox.WorkspaceWrite, true},
		{sandbox.Trusted, true},
	}
	for _, tc := range tests {
		t.Run(string(tc.mode), func(t *testing.T) {
			t.Parallel()
			ws, _ := newTestWorkspace(t)
			env := &Env{Workspace: ws, Sandbox: sandbox.Profile{Mode: tc.mode, Workspace: ws}}
			res, err := NewApplyPatch().Run(context.Background(), env, "c", json.RawMessage(add))
			if err != nil {
				t.Fatal(err)
			}
			_, statErr := os.Stat(filepath.Join(ws, "new.txt"))
			if written := statErr == nil; written != tc.written || res.IsError == tc.written {
				t.Fatalf("written=%v isError=%v output=%q", written, res.IsError, res.Output)
			}
			if !tc.written && !strings.Contains(res.Output, "does not allow changing files") {
				t.Errorf("output = %q", res.Output)
			}
		})
	}
}
