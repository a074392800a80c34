package cli

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strings"

	"github.com/git-agent/git-agent/internal/bench"
	"github.com/spf13/cobra"
)

// BenchOptions are the inputs of `git agent bench`.
type BenchOptions struct {
	IO        *IOStreams
	Context   context.Context
	Format    string // text, json or gobench
	Runs      int
	Check     bool
	Margin    float64
	AllowOver []string
	// Confirm is how many more times --check measures a figure beyond the
	// margin before it fails.
	Confirm int
	// Executable is the binary measured (os.Executable), and Environ the
	// environment children start from (os.Environ).
	Executable func() (string, error)
	Environ    func() []string
}

// NewCmdBench builds `git agent bench`. runF replaces the behaviour in tests.
func NewCmdBench(f *Factory, runF func(*BenchOptions) error) *cobra.Command {
	opts := &BenchOptions{IO: f.IO, Executable: os.Executable, Environ: os.Environ}
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "bench [--format text|json|gobench] [--runs N] [--check [--margin X] [--allow-over NAME]...]",
		Short: "Measure this git-agent's performance figures and check them against their budgets",
		Long: `Measure git-agent's performance on this machine, each figure the median of N
runs with its min and max:

  binary-size    the size of this git-agent binary (noted if not stripped)
  cold-start     git-agent --version as a child process: wall time, peak RSS
  scripted-task  git-agent run on a 2-turn task (one sandboxed shell call that
                 writes a file) against a scripted model server on loopback,
                 in a fresh git repository: worktree, branch and commit included
  sandbox-exec   true under workspace-write, less a bare exec of true
  audit-append   one fsynced audit-log append (informational)

Results go to stdout: a table, the JSON array github-action-benchmark's
customSmallerIsBetter tool reads (--json), or Go benchmark lines for benchstat
and its go tool (--format gobench); progress goes to stderr.

--check compares each figure's median with its budget times --margin (binary
15 MB, cold start 5 ms, scripted task 50 ms and 25 MiB, sandbox overhead 3 ms)
and exits 1 naming every figure beyond it; --allow-over NAME turns that
figure's failure into a warning. A figure beyond the margin is measured again
(--confirm times) before it fails, since a busy moment on a shared machine can
cover all of one figure's runs: the lowest median stands and every attempt is
noted. See docs/benchmarks.md.`,
		Example: `  git agent bench
  git agent bench --runs 20 --check
  git agent bench --json > bench.json
  git agent bench --format gobench --runs 10 | benchstat -`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Context = cmd.Context()
			if asJSON {
				if cmd.Flags().Changed("format") && opts.Format != "json" {
					return usageErrorf("--json conflicts with --format %s", opts.Format)
				}
				opts.Format = "json"
			}
			if !slices.Contains([]string{"text", "json", "gobench"}, opts.Format) {
				return usageErrorf("unknown --format %q: use text, json or gobench", opts.Format)
			}
			if opts.Runs < 1 {
				return usageErrorf("--runs %d: need at least 1", opts.Runs)
			}
			if opts.Confirm < 0 {
				return usageErrorf("--confirm %d: need 0 or more", opts.Confirm)
			}
			if opts.Margin < 1 {
				return usageErrorf("--margin %g: need at least 1 (the budget itself)", opts.Margin)
			}
			for _, name := range opts.AllowOver {
				if !slices.Contains(bench.Names(), name) {
					return usageErrorf("--allow-over %q: not a figure; use one of %s", name, strings.Join(bench.Names(), ", "))
				}
			}
			if runF != nil {
				return runF(opts)
			}
			return benchRun(opts)
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print github-action-benchmark JSON (same as --format json)")
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output: text, json (github-action-benchmark customSmallerIsBetter) or gobench (Go benchmark lines)")
	cmd.Flags().IntVar(&opts.Runs, "runs", bench.DefaultRuns, "runs per figure (the median is reported)")
	cmd.Flags().BoolVar(&opts.Check, "check", false, "check every figure against its budget; exit 1 if one is beyond budget × margin")
	cmd.Flags().Float64Var(&opts.Margin, "margin", bench.DefaultMargin, "with --check: fail only beyond this multiple of a budget")
	cmd.Flags().IntVar(&opts.Confirm, "confirm", bench.DefaultConfirm, "with --check: measure a figure beyond the margin this many more times before failing it")
	cmd.Flags().StringArrayVar(&opts.AllowOver, "allow-over", nil, "with --check: only warn when the named figure is beyond the margin; repeatable")
	return cmd
}

func benchRun(opts *BenchOptions) error {
	exe, err := opts.Executable()
	if err != nil {
		return fmt.Errorf("bench: find this executable: %w", err)
	}
	bo := bench.Options{Exe: exe, Runs: opts.Runs, Environ: opts.Environ(), Progress: opts.IO.ErrOut}
	figs, err := bench.Run(opts.Context, bo)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if opts.Check {
		measure := func(ctx context.Context, name string) (bench.Figure, error) {
			return bench.MeasureFigure(ctx, bo, name)
		}
		figs, err = bench.Confirm(opts.Context, figs, bench.Budgets(), opts.Margin, opts.AllowOver, opts.Confirm, measure, opts.IO.ErrOut)
		if err != nil {
			return fmt.Errorf("bench: %w", err)
		}
	}
	switch opts.Format {
	case "json":
		err = bench.WriteJSON(opts.IO.Out, figs)
	case "gobench":
		err = bench.WriteGoBench(opts.IO.Out, runtime.GOOS, runtime.GOARCH, figs)
	default:
		err = bench.WriteText(opts.IO.Out, figs)
	}
	if err != nil {
		return fmt.Errorf("bench: write the results: %w", err)
	}
	if opts.Format != "text" {
		for _, f := range figs {
			if f.Skipped {
				fmt.Fprintf(opts.IO.ErrOut, "bench: %s skipped: %s\n", f.Name, f.Note)
			}
		}
	}
	if !opts.Check {
		return nil
	}
	return benchCheck(opts, figs)
}

// benchCheck prints every figure's verdict (to stdout with the text table,
// else to stderr, keeping stdout machine-readable) and fails naming each
// figure beyond its budget × margin.
func benchCheck(opts *BenchOptions, figs []bench.Figure) error {
	vs := bench.Check(figs, bench.Budgets(), opts.Margin, opts.AllowOver)
	w := opts.IO.ErrOut
	if opts.Format == "text" {
		w = opts.IO.Out
		fmt.Fprintln(w)
	}
	if err := bench.WriteCheck(w, vs, opts.Margin); err != nil {
		return fmt.Errorf("bench: write the check: %w", err)
	}
	var failed []string
	for _, v := range vs {
		switch v.Status {
		case bench.Allowed:
			fmt.Fprintf(opts.IO.ErrOut, "warning: %s is %.2f %s, beyond %gx its %g %s budget (allowed by --allow-over)\n",
				v.Label(), v.Value, v.Unit, opts.Margin, v.Budget, v.Unit)
		case bench.Beyond:
			failed = append(failed, fmt.Sprintf("%s %.2f %s > %g %s", v.Label(), v.Value, v.Unit, v.Limit, v.Unit))
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("beyond %gx budget: %s", opts.Margin, strings.Join(failed, "; "))
	}
	return nil
}
