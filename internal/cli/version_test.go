package cli

import (
	"encoding/json"
	"runtime"
	"testing"
)

func TestVersionJSON(t *testing.T) {
	t.Parallel()
	f, out, errOut := testFactory("")
	if code := Execute(f, []string{"version", "--json"}); code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var info BuildInfo
	if err := json.Unmarshal(out.Bytes(), &info); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if info.Version == "" || info.GoVersion != runtime.Version() || info.Platform != runtime.GOOS+"/"+runtime.GOARCH {
		t.Errorf("build info %+v", info)
	}
	// Test binaries carry no module list; cmd/git-agent's
	// TestReproducibleBuild checks it on a real build.
	if info.Settings["GOOS"] != runtime.GOOS {
		t.Errorf("build settings %v", info.Settings)
	}
}
