package telemetry

import (
	"os/exec"
	"strings"
	"testing"
)

// TestStandardLibraryOnly keeps the package's reason to exist: outside its
// tests it links nothing but the standard library (no SDK, gRPC or protobuf
// runtime, and none of git-agent's own packages).
func TestStandardLibraryOnly(t *testing.T) {
	t.Parallel()
	const self = "github.com/git-agent/git-agent/internal/telemetry"
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.ImportPath}}{{end}}", self).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, dep := range strings.Fields(string(out)) {
		if dep != self {
			t.Errorf("telemetry depends on %s", dep)
		}
	}
}
