package bench

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSummarize(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		xs   []float64
		want Stats
	}{
		{"none", nil, Stats{}},
		{"one", []float64{3}, Stats{3, 3, 3}},
		{"odd count, unsorted", []float64{5, 1, 9, 3, 7}, Stats{5, 1, 9}},
		{"even count: mean of the middle two", []float64{4, 1, 3, 2}, Stats{2.5, 1, 4}},
		{"outliers move min and max, not the median", []float64{10, 11, 12, 13, 500}, Stats{12, 10, 500}},
		{"equal values", []float64{2, 2, 2, 2}, Stats{2, 2, 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			before := append([]float64(nil), tc.xs...)
			if diff := cmp.Diff(tc.want, Summarize(tc.xs)); diff != "" {
				t.Errorf("Summarize(%v) (-want +got):\n%s", tc.xs, diff)
			}
			if diff := cmp.Diff(before, tc.xs); diff != "" {
				t.Errorf("Summarize modified its input:\n%s", diff)
			}
		})
	}
}

func TestTimedFigure(t *testing.T) {
	t.Parallel()
	const mib = 1 << 20
	tests := []struct {
		name    string
		samples []Sample
		want    Figure
	}{
		{"wall in ms, median peak RSS in MiB",
			[]Sample{{Wall: 3 * time.Millisecond, PeakRSS: 10 * mib}, {Wall: 1500 * time.Microsecond, PeakRSS: 14 * mib}, {Wall: 9 * time.Millisecond, PeakRSS: 12 * mib}},
			Figure{Name: "x", Unit: "ms", Value: 3, Min: 1.5, Max: 9, Runs: 3, Extra: map[string]float64{PeakRSS: 12}}},
		{"RSS not reported",
			[]Sample{{Wall: time.Millisecond, PeakRSS: -1}, {Wall: 2 * time.Millisecond, PeakRSS: -1}},
			Figure{Name: "x", Unit: "ms", Value: 1.5, Min: 1, Max: 2, Runs: 2, Note: "peak RSS is not reported on this platform"}},
		{"RSS masked by the parent's is an upper bound",
			[]Sample{{Wall: time.Millisecond, PeakRSS: 8 * mib, UpperBound: true}, {Wall: time.Millisecond, PeakRSS: 9 * mib}},
			Figure{Name: "x", Unit: "ms", Value: 1, Min: 1, Max: 1, Runs: 2, Extra: map[string]float64{PeakRSS: 8.5}, Note: upperBoundNote}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, TimedFigure("x", tc.samples)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		fig  Figure
		want []Metric
	}{
		{"read, not sampled: the value alone", Figure{Unit: "MB", Value: 12.5, Min: 12.5, Max: 12.5, Extra: map[string]float64{"bytes": 12.5e6}},
			[]Metric{{12.5, "MB"}, {12.5e6, "bytes"}}},
		{"sampled: median, min, max, then extra by key", Figure{Unit: "ms", Value: 2, Min: 1, Max: 3, Runs: 1,
			Extra: map[string]float64{"confined-ms": 4, "bare-ms": 1}},
			[]Metric{{2, "median-ms"}, {1, "min-ms"}, {3, "max-ms"}, {1, "bare-ms"}, {4, "confined-ms"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tc.fig.Metrics()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestKeptEnv(t *testing.T) {
	t.Parallel()
	got := keptEnv([]string{"PATH=/bin", "HOME=/root", "OPENAI_API_KEY=sk-real", "XDG_STATE_HOME=/s", "LANG=C.UTF-8",
		"GIT_AGENT_PROFILE=trusted", "TMPDIR=/t", "GIT_DIR=/g", "SystemRoot=C:\\Windows"})
	want := []string{"PATH=/bin", "LANG=C.UTF-8", "TMPDIR=/t", "SystemRoot=C:\\Windows"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestGoName(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ figure, want string }{
		{BinarySizeName, "BenchmarkBinarySize"},
		{ColdStartName, "BenchmarkColdStart"},
		{ScriptedTaskName, "BenchmarkScriptedTask"},
		{SandboxExecName, "BenchmarkSandboxExec"},
		{AuditAppendName, "BenchmarkAuditAppend"},
	} {
		if got := GoName(tc.figure); got != tc.want {
			t.Errorf("GoName(%q) = %q, want %q", tc.figure, got, tc.want)
		}
	}
}
