package sandbox

import (
	"os"
	"os/exec"
	"testing"
)

// TestCrossCompile vets the sandbox and the binary for macOS and Windows, so
// CI on Linux proves the code for those systems (Seatbelt, job objects, and
// their tests) still compiles.
func TestCrossCompile(t *testing.T) {
	t.Parallel()
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("go is not on PATH")
	}
	tests := []struct {
		name         string
		goos, goarch string
	}{
		{name: "darwin/amd64", goos: "darwin", goarch: "amd64"},
		{name: "darwin/arm64", goos: "darwin", goarch: "arm64"},
		{name: "windows/amd64", goos: "windows", goarch: "amd64"},
		{name: "windows/arm64", goos: "windows", goarch: "arm64"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command(goTool, "vet", "./sandbox/...", "./cmd/git-agent")
			cmd.Dir = ".." // the module root
			cmd.Env = append(os.Environ(), "GOOS="+tt.goos, "GOARCH="+tt.goarch, "CGO_ENABLED=0")
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("GOOS=%s GOARCH=%s go vet ./sandbox/... ./cmd/git-agent: %v\n%s", tt.goos, tt.goarch, err, out)
			}
		})
	}
}
