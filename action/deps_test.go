package action

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoGitAgentImports keeps action a leaf: the command built on it may
// import anything, but action imports nothing of git-agent's.
func TestNoGitAgentImports(t *testing.T) {
	t.Parallel()
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/git-agent/git-agent/") && dep != "github.com/git-agent/git-agent/action" {
			t.Errorf("action depends on %s", dep)
		}
	}
}
