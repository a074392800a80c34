package sandbox

import (
	"os"
	"testing"
)

// TestMain lets the test binary serve as the sandbox init: confined commands
// re-execute os.Executable(), which under `go test` is this binary.
func TestMain(m *testing.M) {
	if IsInit() {
		os.Exit(InitMain())
	}
	// Confined runs create per-workspace cache directories under the user
	// cache dir: keep the tests' ones out of the real one.
	cache, err := os.MkdirTemp("", "git-agent-sandbox-test-cache-")
	if err != nil {
		panic(err)
	}
	os.Setenv("XDG_CACHE_HOME", cache)
	code := m.Run()
	os.RemoveAll(cache)
	os.Exit(code)
}
