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
	os.Exit(m.Run())
}
