package telemetry

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden files")

func TestMetricsFileGolden(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "metrics.json")
	tel := mustNew(t, Options{
		Getenv:         env(map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "deployment.environment=ci"}),
		ServiceVersion: "1.2.3",
		Now:            newClock().Now,
		MetricsFile:    path,
	})
	m := tel.Metrics()
	m.TaskStarted(String("mode", "review"), Bool("ci", true))
	m.Tokens(1200, 340, "gpt-x")
	m.ToolCall("shell", "allow")
	m.ToolCall("apply_patch", "ask")
	m.SandboxDenial("network")
	m.Error("tool")
	m.TaskFinished(30*time.Millisecond, "completed")
	if err := os.WriteFile(path, []byte("stale"), 0o600); err != nil { // replaced, not appended to
		t.Fatal(err)
	}
	shutdown(t, tel)

	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "metrics.golden.json")
	if *update {
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("metrics file differs from %s (-want +got; go test -update rewrites it):\n%s", golden, diff)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if runtime.GOOS != "windows" && fi.Mode().Perm() != 0o600 {
		t.Errorf("metrics file mode %v, want 0600", fi.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("directory holds %d entries, want only the metrics file (no temporary left)", len(entries))
	}
}

func TestMetricsFileError(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "missing", "metrics.json")
	tel := mustNew(t, Options{MetricsFile: path})
	err := tel.Shutdown(context.Background())
	if err == nil || !strings.HasPrefix(err.Error(), "telemetry: write metrics file: ") || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Shutdown = %v, want a write metrics file error wrapping ErrNotExist", err)
	}
}
