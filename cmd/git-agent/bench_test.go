package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/git-agent/git-agent/internal/bench"
	"github.com/git-agent/git-agent/sandbox"
)

// The figures of `git agent bench`, as go test benchmarks of a stripped
// binary built as released; the measuring is internal/bench's, and the
// budgets are bench.Budgets. Run: scripts/bench.sh, or
//
//	go test -run '^$' -bench . -benchtime 20x ./cmd/git-agent

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

// report reports a figure's metrics, named as `git agent bench --format
// gobench` names them, and logs its note (an upper-bound peak RSS).
func report(b *testing.B, f bench.Figure) {
	if f.Note != "" {
		b.Log(f.Note)
	}
	for _, m := range f.Metrics() {
		b.ReportMetric(m.Value, m.Unit)
	}
}

func BenchmarkBinarySize(b *testing.B) {
	f, err := bench.BinarySize(buildBinary(b))
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
	}
	report(b, f)
}

// BenchmarkVersion is the cold-start figure: `git-agent --version` as a
// child process.
func BenchmarkVersion(b *testing.B) {
	bin := buildBinary(b)
	ctx := context.Background()
	var samples []bench.Sample
	for b.Loop() {
		s, err := bench.Version(ctx, bin, os.Environ())
		if err != nil {
			b.Fatal(err)
		}
		samples = append(samples, s)
	}
	report(b, bench.TimedFigure(bench.ColdStartName, samples))
}

// BenchmarkScriptedTask: the whole process for a 2-turn task in a fresh git
// repository — the model (scripted, on loopback, OpenAI Responses SSE) asks
// for one shell call that writes a file, then answers. Includes config
// loading, the worktree and agent branch, session recording, the confined
// command and the commit.
func BenchmarkScriptedTask(b *testing.B) {
	bin := buildBinary(b)
	ctx := context.Background()
	o := bench.TaskOptions{Exe: bin, Dir: b.TempDir(), Environ: os.Environ()}
	var samples []bench.Sample
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		t, err := bench.PrepareTask(ctx, o)
		if errors.Is(err, sandbox.ErrProfileUnavailable) {
			b.Skip(err)
		}
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		s, err := t.Run(ctx)
		b.StopTimer()
		t.Close()
		if err != nil {
			b.Fatal(err)
		}
		samples = append(samples, s)
		b.StartTimer()
	}
	report(b, bench.TimedFigure(bench.ScriptedTaskName, samples))
}
