package cli

import (
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
)

// runnerTemp is $RUNNER_TEMP, where the action leaves files for later
// steps, or the system temporary directory outside Actions.
func (a *actionCtx) runnerTemp() string {
	if d := a.f.Getenv("RUNNER_TEMP"); d != "" {
		return d
	}
	return os.TempDir()
}

// extras runs what the sbom and bench inputs ask for and sets their outputs.
func (a *actionCtx) extras() error {
	if a.in.SBOM {
		path := filepath.Join(a.runnerTemp(), "git-agent.cdx.json")
		err := sbomRun(&SBOMOptions{IO: a.f.IO, Context: a.ctx, Dir: a.workspace(), Output: path, Format: "json", Spec: "1.6",
			Getenv: a.f.Getenv, Now: a.f.Now, Rand: rand.Reader, BuildInfo: debug.ReadBuildInfo})
		if err != nil {
			return fmt.Errorf("sbom input: %w", err)
		}
		a.res.sbom = path
	}
	if a.in.Bench {
		path := filepath.Join(a.runnerTemp(), "git-agent-bench.json")
		file, err := os.Create(path)
		if err != nil {
			return fmt.Errorf("bench input: %w", err)
		}
		err = benchRun(&BenchOptions{IO: &IOStreams{In: a.f.IO.In, Out: file, ErrOut: a.f.IO.ErrOut}, Context: a.ctx,
			Format: "json", Runs: 3, Executable: os.Executable, Environ: a.f.Environ})
		if cerr := file.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return fmt.Errorf("bench input: %w", err)
		}
		a.res.bench = path
	}
	return nil
}
