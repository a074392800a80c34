package sandbox

import (
	"errors"
	"os"
	"sync"
	"testing"
)

// TestPrefetch: the trial started early gives the answer Available gives
// (the same one to every caller, however many wait at once), and its wait
// returns once it is done.
func TestPrefetch(t *testing.T) {
	wait := Prefetch()
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = Available(WorkspaceWrite)
		}()
	}
	wait()
	wg.Wait()
	for i, err := range errs[1:] {
		if (err == nil) != (errs[0] == nil) {
			t.Errorf("caller %d: %v; caller 0: %v", i+1, err, errs[0])
		}
	}
	if err := errs[0]; err != nil && !errors.Is(err, ErrProfileUnavailable) {
		t.Errorf("Available after Prefetch = %v, want nil or ErrProfileUnavailable", err)
	}
	if os.Getenv("GIT_AGENT_REQUIRE_SANDBOX") == "1" && errs[0] != nil {
		t.Fatalf("GIT_AGENT_REQUIRE_SANDBOX is set but the sandbox is refused: %v", errs[0])
	}
}
