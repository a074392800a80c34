package bench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"time"

	"github.com/git-agent/git-agent/sandbox"
)

// sandboxCacheKey names the sandbox cache of the measured commands: one
// directory for every bench run, removed when empty (true writes nothing),
// rather than one per temporary workspace.
const sandboxCacheKey = "git-agent bench"

// SandboxExec is the cost of confinement: `true` run through sandbox.Run
// under workspace-write versus a bare fork, exec and wait (os/exec, as an
// agent without a sandbox runs commands), alternating, after one
// unmeasured run of each. (Not trusted: on Linux a trusted command runs
// under a reaper, itself a process start.) Value is the difference of the medians, Min and Max the confined
// extremes less the bare median; Extra holds both medians. It is Skipped,
// with the diagnosis, when this machine refuses workspace-write.
func SandboxExec(ctx context.Context, o Options) (Figure, error) {
	skipped := func(why string) (Figure, error) {
		return Figure{Name: SandboxExecName, Unit: "ms", Skipped: true, Note: why}, nil
	}
	if err := sandbox.Available(sandbox.WorkspaceWrite); err != nil {
		return skipped(err.Error())
	}
	truePath, err := exec.LookPath("true")
	if err != nil {
		return skipped("no true program to run: " + err.Error())
	}
	ws, err := os.MkdirTemp(o.TempDir, "git-agent-bench-sandbox-")
	if err != nil {
		return Figure{}, fmt.Errorf("sandbox exec: %w", err)
	}
	defer os.RemoveAll(ws)
	defer os.Remove(sandbox.CacheDir(sandboxCacheKey))
	bareRun := func() (float64, error) {
		cmd := exec.CommandContext(ctx, truePath)
		cmd.Dir = ws
		cmd.Env = []string{}
		start := time.Now()
		err := cmd.Run()
		wall := time.Since(start)
		if err != nil {
			return 0, fmt.Errorf("bare exec of true: %w", err)
		}
		return ms(wall), nil
	}
	run := func(m sandbox.Mode) (float64, error) {
		p := sandbox.Profile{Mode: m, Workspace: ws, CacheKey: sandboxCacheKey}
		start := time.Now()
		res, err := sandbox.Run(ctx, p, &sandbox.Cmd{Args: []string{truePath}, Dir: ws, Env: []string{}})
		wall := time.Since(start)
		if err != nil {
			return 0, fmt.Errorf("sandbox exec under %s: %w", m, err)
		}
		if res.ExitCode != 0 {
			return 0, fmt.Errorf("sandbox exec under %s: true exited %d: %s", m, res.ExitCode, tail(res.Stderr, 500))
		}
		return ms(wall), nil
	}
	var bare, confined []float64
	for i := range o.runs() + 1 {
		b, err := bareRun()
		if err != nil {
			return Figure{}, err
		}
		c, err := run(sandbox.WorkspaceWrite)
		if errors.Is(err, sandbox.ErrProfileUnavailable) {
			return skipped(err.Error())
		}
		if err != nil {
			return Figure{}, err
		}
		if i > 0 {
			bare, confined = append(bare, b), append(confined, c)
		}
	}
	sb, sc := Summarize(bare), Summarize(confined)
	return Figure{Name: SandboxExecName, Unit: "ms", Value: sc.Median - sb.Median,
		Min: sc.Min - sb.Median, Max: sc.Max - sb.Median, Runs: len(confined),
		Extra: map[string]float64{"bare-ms": sb.Median, "confined-ms": sc.Median}}, nil
}
