//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/git-agent/git-agent/internal/model/modeltest"
)

// The seed targets (2-core machine): stripped binary ≤15 MB, --version ≤5 ms,
// a 2-turn scripted task with one shell call ≤50 ms wall and ≤25 MiB peak RSS.
// Run: scripts/bench.sh, or
//   go test -run '^$' -bench . -benchtime 20x ./cmd/git-agent

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

// buildBinary builds a stripped git-agent as released, once per test binary.
func buildBinary(b *testing.B) string {
	b.Helper()
	buildOnce.Do(func() {
		// A fixed path, replaced atomically, so repeated runs leave one binary behind, not many.
		dir := filepath.Join(os.TempDir(), "git-agent-bench")
		if buildErr = os.MkdirAll(dir, 0o755); buildErr != nil {
			return
		}
		tmp := filepath.Join(dir, fmt.Sprintf("git-agent.%d", os.Getpid()))
		cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", tmp, ".")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("build: %v\n%s", err, out)
			return
		}
		builtBin = filepath.Join(dir, "git-agent")
		buildErr = os.Rename(tmp, builtBin)
	})
	if buildErr != nil {
		b.Fatal(buildErr)
	}
	return builtBin
}

// measure runs cmd and returns its wall time and peak RSS in KiB.
func measure(b *testing.B, cmd *exec.Cmd) (time.Duration, int64) {
	start := time.Now()
	out, err := cmd.CombinedOutput()
	wall := time.Since(start)
	if err != nil {
		b.Fatalf("%v: %v\n%s", cmd.Args, err, out)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return wall, ru.Maxrss
}

func report(b *testing.B, walls []time.Duration, rss []int64) {
	slices.Sort(walls)
	slices.Sort(rss)
	b.ReportMetric(float64(walls[len(walls)/2].Microseconds())/1000, "median-ms")
	b.ReportMetric(float64(walls[0].Microseconds())/1000, "min-ms")
	b.ReportMetric(float64(walls[len(walls)-1].Microseconds())/1000, "max-ms")
	b.ReportMetric(float64(rss[len(rss)-1])/1024, "peak-MiB")
}

func BenchmarkBinarySize(b *testing.B) {
	bin := buildBinary(b)
	st, err := os.Stat(bin)
	if err != nil {
		b.Fatal(err)
	}
	for i := 0; i < b.N; i++ {
	}
	b.ReportMetric(float64(st.Size())/1e6, "MB")
}

func BenchmarkVersion(b *testing.B) {
	bin := buildBinary(b)
	var walls []time.Duration
	var rss []int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		w, r := measure(b, exec.Command(bin, "--version"))
		walls, rss = append(walls, w), append(rss, r)
	}
	report(b, walls, rss)
}

// BenchmarkScriptedTask: the whole process for a 2-turn task — the model
// (scripted, on loopback, OpenAI Responses SSE) asks for one shell call, then
// answers. Includes config loading, session recording and the command.
func BenchmarkScriptedTask(b *testing.B) {
	bin := buildBinary(b)
	work := b.TempDir()
	home := filepath.Join(work, "home")
	ws := filepath.Join(work, "ws")
	if err := os.MkdirAll(ws, 0o755); err != nil {
		b.Fatal(err)
	}
	env := append(os.Environ(), "HOME="+home, "XDG_STATE_HOME="+filepath.Join(home, "state"),
		"XDG_CONFIG_HOME="+filepath.Join(home, "config"), "OPENAI_API_KEY=sk-bench")
	var walls []time.Duration
	var rss []int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		srv := modeltest.New(
			modeltest.Call("call_1", "shell", map[string]any{"command": []string{"true"}}),
			modeltest.Say("done"))
		// The default profile, workspace-write: the shell call is confined.
		cmd := exec.Command(bin, "run", "--base-url", srv.URL+"/v1", "-C", ws, "run true and report")
		cmd.Env = env
		b.StartTimer()
		w, r := measure(b, cmd)
		b.StopTimer()
		srv.Close()
		walls, rss = append(walls, w), append(rss, r)
		b.StartTimer()
	}
	report(b, walls, rss)
}
