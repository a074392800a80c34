package bench

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixedFigures are a run's figures as `git agent bench` would have them.
func fixedFigures() []Figure {
	return []Figure{
		{Name: BinarySizeName, Unit: "MB", Value: 12.189858, Min: 12.189858, Max: 12.189858, Extra: map[string]float64{"bytes": 12189858}},
		{Name: ColdStartName, Unit: "ms", Value: 4.3004, Min: 3.7, Max: 7.4, Runs: 20, Extra: map[string]float64{PeakRSS: 12.70703125}, Note: upperBoundNote},
		{Name: ScriptedTaskName, Unit: "ms", Value: 39.7126, Min: 35.7, Max: 50.7, Runs: 20, Extra: map[string]float64{PeakRSS: 16.9}},
		{Name: SandboxExecName, Unit: "ms", Value: 11.7, Min: 8.7, Max: 16.9, Runs: 20, Extra: map[string]float64{"bare-ms": 1.1, "confined-ms": 12.8}},
		{Name: AuditAppendName, Unit: "us", Value: 300.25, Min: 280, Max: 2500, Runs: 200},
	}
}

// withSkipped is fixedFigures with sandbox-exec refused by the machine.
func withSkipped() []Figure {
	figs := fixedFigures()
	figs[3] = Figure{Name: SandboxExecName, Unit: "ms", Skipped: true, Note: "sandbox profile unavailable: no user namespaces"}
	return figs
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", path, diff)
	}
}

func TestFormats(t *testing.T) {
	t.Parallel()
	// Every verdict: cold-start beyond the margin, scripted-task over budget
	// within it, sandbox-exec beyond it but allowed.
	over := fixedFigures()
	over[1].Value, over[2].Value = 10.5, 60
	check := Check(over, Budgets(), 2, []string{SandboxExecName})
	tests := []struct {
		golden string
		write  func(*bytes.Buffer) error
	}{
		{"text.golden", func(b *bytes.Buffer) error { return WriteText(b, fixedFigures()) }},
		{"text-skipped.golden", func(b *bytes.Buffer) error { return WriteText(b, withSkipped()) }},
		{"check.golden", func(b *bytes.Buffer) error { return WriteCheck(b, check, 2) }},
		{"check-skipped.golden", func(b *bytes.Buffer) error {
			return WriteCheck(b, Check(withSkipped(), Budgets(), 1.5, nil), 1.5)
		}},
		{"json.golden", func(b *bytes.Buffer) error { return WriteJSON(b, fixedFigures()) }},
		{"json-skipped.golden", func(b *bytes.Buffer) error { return WriteJSON(b, withSkipped()) }},
		{"gobench.golden", func(b *bytes.Buffer) error { return WriteGoBench(b, "linux", "amd64", fixedFigures()) }},
	}
	for _, tc := range tests {
		t.Run(tc.golden, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := tc.write(&b); err != nil {
				t.Fatal(err)
			}
			golden(t, tc.golden, b.Bytes())
		})
	}
}

// The JSON is exactly what github-action-benchmark's customSmallerIsBetter
// tool reads: an array of objects with the strings name, unit, range and
// extra and the number value, nothing else.
func TestJSONRoundTrip(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteJSON(&b, fixedFigures()); err != nil {
		t.Fatal(err)
	}
	var raw []map[string]any
	if err := json.Unmarshal(b.Bytes(), &raw); err != nil {
		t.Fatalf("not a JSON array: %v\n%s", err, b.String())
	}
	for _, e := range raw {
		for k, v := range e {
			_, isString := v.(string)
			_, isNumber := v.(float64)
			switch {
			case k == "value" && isNumber:
			case (k == "name" || k == "unit" || k == "range" || k == "extra") && isString:
			default:
				t.Errorf("entry %v: field %q = %#v is not part of the format", e["name"], k, v)
			}
		}
	}
	var got []Entry
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := []Entry{
		{Name: "binary-size", Unit: "MB", Value: 12.19, Extra: "bytes=12189858"},
		{Name: "cold-start", Unit: "ms", Value: 4.3, Range: "3.7…7.4", Extra: "runs=20\npeak-MiB=12.707\n" + upperBoundNote},
		{Name: "scripted-task", Unit: "ms", Value: 39.713, Range: "35.7…50.7", Extra: "runs=20\npeak-MiB=16.9"},
		{Name: "sandbox-exec", Unit: "ms", Value: 11.7, Range: "8.7…16.9", Extra: "runs=20\nbare-ms=1.1\nconfined-ms=12.8"},
		{Name: "audit-append", Unit: "us", Value: 300.25, Range: "280…2500", Extra: "runs=200"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// goBenchLine is github-action-benchmark's go tool's pattern for a result
// line (src/extract.ts); the Go benchmark format proposal adds that the
// fields after the name are pairs of a number and a unit.
var goBenchLine = regexp.MustCompile(`^(?P<name>Benchmark\w+[\w()$%^&*-=|,[\]{}"#]*?)(?P<procs>-\d+)?\s+(?P<times>\d+)\s+(?P<remainder>.+)$`)

// parseGoBench reads Go benchmark output as benchstat and
// github-action-benchmark do: result lines by name, each a map of unit to
// value, and the iteration counts.
func parseGoBench(t *testing.T, out string) (map[string]map[string]float64, map[string]int) {
	t.Helper()
	results, iters := map[string]map[string]float64{}, map[string]int{}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(line, "Benchmark") {
			if !regexp.MustCompile(`^[a-z]+: \S+$`).MatchString(line) {
				t.Errorf("line %q is neither a result nor a key: value header", line)
			}
			continue
		}
		m := goBenchLine.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("github-action-benchmark would not read %q", line)
			continue
		}
		fields := strings.Fields(line)
		if len(fields) < 4 || len(fields)%2 != 0 {
			t.Errorf("line %q: want an even number of fields, at least 4", line)
			continue
		}
		name := m[1]
		iters[name], _ = strconv.Atoi(m[3])
		results[name] = map[string]float64{}
		for i := 2; i < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				t.Errorf("line %q: value %q: %v", line, fields[i], err)
			}
			results[name][fields[i+1]] = v
		}
	}
	return results, iters
}

func TestGoBenchRoundTrip(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	if err := WriteGoBench(&b, "linux", "amd64", withSkipped()); err != nil {
		t.Fatal(err)
	}
	results, iters := parseGoBench(t, b.String())
	wantResults := map[string]map[string]float64{
		"BenchmarkBinarySize":   {"MB": 12.19, "bytes": 12189858},
		"BenchmarkColdStart":    {"ns/op": 4300400, "median-ms": 4.3, "min-ms": 3.7, "max-ms": 7.4, "peak-MiB": 12.707},
		"BenchmarkScriptedTask": {"ns/op": 39712600, "median-ms": 39.713, "min-ms": 35.7, "max-ms": 50.7, "peak-MiB": 16.9},
		"BenchmarkAuditAppend":  {"ns/op": 300250, "median-us": 300.25, "min-us": 280, "max-us": 2500},
	}
	if diff := cmp.Diff(wantResults, results); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
	wantIters := map[string]int{"BenchmarkBinarySize": 1, "BenchmarkColdStart": 20, "BenchmarkScriptedTask": 20, "BenchmarkAuditAppend": 200}
	if diff := cmp.Diff(wantIters, iters); diff != "" {
		t.Errorf("iterations (-want +got):\n%s", diff)
	}
}
