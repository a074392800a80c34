package cli

import (
	"bytes"
	"crypto/rand"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"

	"github.com/git-agent/git-agent/action"
	"github.com/git-agent/git-agent/internal/bench"
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
		res, err := sbomWrite(&SBOMOptions{IO: a.f.IO, Context: a.ctx, Dir: a.workspace(), Output: path, Format: "json", Spec: "1.6",
			Getenv: a.f.Getenv, Now: a.f.Now, Rand: rand.Reader, BuildInfo: debug.ReadBuildInfo})
		if err != nil {
			return fmt.Errorf("sbom input: %w", err)
		}
		a.res.sbom = path
		if res.BOM.Components != nil {
			a.res.sbomComponents = len(*res.BOM.Components)
		}
	}
	if a.in.Bench {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("bench input: find this executable: %w", err)
		}
		environ := a.f.Environ
		if environ == nil {
			environ = os.Environ
		}
		figs, err := bench.Run(a.ctx, bench.Options{Exe: exe, Runs: actionBenchRuns, Environ: environ(), Progress: a.f.IO.ErrOut})
		if err != nil {
			return fmt.Errorf("bench input: %w", err)
		}
		var buf bytes.Buffer
		if err := bench.WriteJSON(&buf, figs); err != nil {
			return fmt.Errorf("bench input: %w", err)
		}
		path := filepath.Join(a.runnerTemp(), "git-agent-bench.json")
		if err := writeFileAtomic(path, buf.Bytes(), 0o644); err != nil {
			return fmt.Errorf("bench input: %w", err)
		}
		a.res.bench, a.res.benchFigures = path, figs
	}
	return nil
}

// actionBenchRuns is the number of runs per figure of the bench input: a
// job's budget is minutes, and github-action-benchmark tracks the trend.
const actionBenchRuns = 3

// extrasSummary adds the sbom and bench files and figures to s.
func extrasSummary(s *action.Summary, res *actionResult) {
	if res.sbom != "" {
		f := action.File{Label: "SBOM", Path: res.sbom, Detail: fmt.Sprintf("CycloneDX 1.6, %d component", res.sbomComponents)}
		if res.sbomComponents != 1 {
			f.Detail += "s"
		}
		s.Files = append(s.Files, f)
	}
	if res.bench != "" {
		s.Files = append(s.Files, action.File{Label: "benchmarks", Path: res.bench, Detail: "github-action-benchmark JSON"})
	}
	for _, f := range res.benchFigures {
		row := action.Figure{Name: f.Name}
		switch {
		case f.Skipped:
			row.Median = "skipped: " + f.Note
		case f.Runs == 0:
			row.Median = fmt.Sprintf("%.2f %s", f.Value, f.Unit)
		default:
			row.Median = fmt.Sprintf("%.2f %s", f.Value, f.Unit)
			row.Range = fmt.Sprintf("%.2f…%.2f %s", f.Min, f.Max, f.Unit)
		}
		s.Figures = append(s.Figures, row)
	}
}
