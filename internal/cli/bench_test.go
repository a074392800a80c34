package cli

import (
	"strings"
	"testing"

	"github.com/git-agent/git-agent/internal/bench"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestBenchFlags(t *testing.T) {
	t.Parallel()
	defaults := BenchOptions{Format: "text", Runs: 10, Margin: 2, Confirm: 2}
	tests := []struct {
		name    string
		args    []string
		want    BenchOptions
		wantErr string
	}{
		{"defaults", nil, defaults, ""},
		{"--json", []string{"--json"}, BenchOptions{Format: "json", Runs: 10, Margin: 2, Confirm: 2}, ""},
		{"--json with --format json", []string{"--json", "--format", "json"}, BenchOptions{Format: "json", Runs: 10, Margin: 2, Confirm: 2}, ""},
		{"gobench", []string{"--format", "gobench", "--runs", "1"}, BenchOptions{Format: "gobench", Runs: 1, Margin: 2, Confirm: 2}, ""},
		{"check with margin and allow-over repeated", []string{"--check", "--runs", "20", "--margin", "1.5", "--allow-over", "sandbox-exec", "--allow-over", "scripted-task"},
			BenchOptions{Format: "text", Runs: 20, Check: true, Margin: 1.5, Confirm: 2, AllowOver: []string{"sandbox-exec", "scripted-task"}}, ""},
		{"confirm", []string{"--check", "--confirm", "0"}, BenchOptions{Format: "text", Runs: 10, Check: true, Margin: 2}, ""},
		{"negative confirm", []string{"--confirm", "-1"}, BenchOptions{}, "--confirm -1: need 0 or more"},
		{"--json conflicts with another format", []string{"--json", "--format", "gobench"}, BenchOptions{}, "--json conflicts with --format gobench"},
		{"unknown format", []string{"--format", "csv"}, BenchOptions{}, `unknown --format "csv"`},
		{"no runs", []string{"--runs", "0"}, BenchOptions{}, "--runs 0: need at least 1"},
		{"margin below the budget", []string{"--margin", "0.5"}, BenchOptions{}, "--margin 0.5: need at least 1"},
		{"allow-over names a figure", []string{"--allow-over", "sandbox"}, BenchOptions{}, `--allow-over "sandbox": not a figure`},
		{"no arguments", []string{"extra"}, BenchOptions{}, "unknown command"},
		{"bad runs", []string{"--runs", "many"}, BenchOptions{}, "invalid argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _, _ := testFactory("")
			got, err := parseFlags(t, f, NewCmdBench, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if code := ExitCode(err); code != ExitUsage && !isCobraUsage(err.Error()) {
					t.Errorf("exit %d, want %d", code, ExitUsage)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(BenchOptions{}, "IO", "Context", "Executable", "Environ")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBenchCheck(t *testing.T) {
	t.Parallel()
	figs := func(coldStart, sandboxExec float64) []bench.Figure {
		return []bench.Figure{
			{Name: bench.BinarySizeName, Unit: "MB", Value: 12.2},
			{Name: bench.ColdStartName, Unit: "ms", Value: coldStart, Runs: 5},
			{Name: bench.SandboxExecName, Unit: "ms", Value: sandboxExec, Runs: 5},
			{Name: bench.AuditAppendName, Unit: "us", Value: 300, Runs: 50},
		}
	}
	tests := []struct {
		name      string
		format    string
		figs      []bench.Figure
		allowOver []string
		wantErr   string
		stdout    []string // substrings
		stderr    []string
	}{
		{"all within: verdicts on stdout after the table", "text", figs(4, 2), nil, "",
			[]string{"\nCHECK ", "cold-start  ", "ok", "audit-append", "informational"}, nil},
		{"over budget within margin passes", "text", figs(7, 2), nil, "",
			[]string{"over budget (within margin)"}, nil},
		{"beyond margin fails naming each figure", "text", figs(11, 7), nil,
			"beyond 2x budget: cold-start 11.00 ms > 10 ms; sandbox-exec 7.00 ms > 6 ms",
			[]string{"FAIL: beyond margin"}, nil},
		{"allow-over demotes to a warning", "text", figs(4, 11.7), []string{bench.SandboxExecName}, "",
			[]string{"beyond margin (allowed)"}, []string{"warning: sandbox-exec is 11.70 ms, beyond 2x its 3 ms budget (allowed by --allow-over)"}},
		{"allow-over only for the named figure", "text", figs(11, 11.7), []string{bench.SandboxExecName},
			"beyond 2x budget: cold-start 11.00 ms > 10 ms", nil, []string{"warning: sandbox-exec"}},
		{"json keeps stdout for the results: verdicts on stderr", "json", figs(4, 2), nil, "",
			nil, []string{"CHECK ", "cold-start"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, out, errOut := testFactory("")
			opts := &BenchOptions{IO: f.IO, Format: tc.format, Check: true, Margin: 2, AllowOver: tc.allowOver}
			err := benchCheck(opts, tc.figs)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || err.Error() != tc.wantErr) {
				t.Fatalf("err = %v, want %q", err, tc.wantErr)
			}
			if err != nil && ExitCode(err) != ExitFailed {
				t.Errorf("exit %d, want %d", ExitCode(err), ExitFailed)
			}
			for _, s := range tc.stdout {
				if !strings.Contains(out.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, out)
				}
			}
			for _, s := range tc.stderr {
				if !strings.Contains(errOut.String(), s) {
					t.Errorf("stderr lacks %q:\n%s", s, errOut)
				}
			}
			if tc.format != "text" && out.Len() != 0 {
				t.Errorf("stdout = %q, want nothing but the results", out)
			}
		})
	}
}
