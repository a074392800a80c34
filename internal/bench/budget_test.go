package bench

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCheck(t *testing.T) {
	t.Parallel()
	budgets := []Budget{
		{Figure: "size", Limit: 15, Unit: "MB"},
		{Figure: "task", Limit: 50, Unit: "ms"},
		{Figure: "task", Metric: PeakRSS, Limit: 25, Unit: "MiB"},
	}
	size := func(v float64) Figure { return Figure{Name: "size", Unit: "MB", Value: v} }
	task := func(v, rss float64) Figure {
		return Figure{Name: "task", Unit: "ms", Value: v, Runs: 3, Extra: map[string]float64{PeakRSS: rss}}
	}
	verdict := func(fig, metric string, v float64, unit string, budget, margin float64, s Status) Verdict {
		return Verdict{Figure: fig, Metric: metric, Value: v, Unit: unit, Budget: budget, Limit: budget * margin, Status: s}
	}
	tests := []struct {
		name      string
		figs      []Figure
		margin    float64
		allowOver []string
		want      []Verdict
		failures  int
	}{
		{"within budget", []Figure{size(12), task(40, 16)}, 2, nil, []Verdict{
			verdict("size", "", 12, "MB", 15, 2, Within),
			verdict("task", "", 40, "ms", 50, 2, Within),
			verdict("task", PeakRSS, 16, "MiB", 25, 2, Within),
		}, 0},
		{"exactly at the budget is within", []Figure{size(15)}, 2, nil, []Verdict{verdict("size", "", 15, "MB", 15, 2, Within)}, 0},
		{"over budget, within margin", []Figure{size(29.9)}, 2, nil, []Verdict{verdict("size", "", 29.9, "MB", 15, 2, Over)}, 0},
		{"exactly at the margin is within it", []Figure{size(30)}, 2, nil, []Verdict{verdict("size", "", 30, "MB", 15, 2, Over)}, 0},
		{"beyond the margin fails", []Figure{size(31)}, 2, nil, []Verdict{verdict("size", "", 31, "MB", 15, 2, Beyond)}, 1},
		{"margin 1 is the budget itself", []Figure{size(16)}, 1, nil, []Verdict{verdict("size", "", 16, "MB", 15, 1, Beyond)}, 1},
		{"a wider margin", []Figure{size(40)}, 3, nil, []Verdict{verdict("size", "", 40, "MB", 15, 3, Over)}, 0},
		{"an extra metric fails on its own", []Figure{task(40, 60)}, 2, nil, []Verdict{
			verdict("task", "", 40, "ms", 50, 2, Within),
			verdict("task", PeakRSS, 60, "MiB", 25, 2, Beyond),
		}, 1},
		{"allow-over demotes that figure's failure only", []Figure{size(31), task(101, 60)}, 2, []string{"task"}, []Verdict{
			verdict("size", "", 31, "MB", 15, 2, Beyond),
			verdict("task", "", 101, "ms", 50, 2, Allowed),
			verdict("task", PeakRSS, 60, "MiB", 25, 2, Allowed),
		}, 1},
		{"allow-over leaves a figure within margin as it is", []Figure{size(20)}, 2, []string{"size"}, []Verdict{verdict("size", "", 20, "MB", 15, 2, Over)}, 0},
		{"a metric not reported is unmeasured, not a failure", []Figure{{Name: "task", Unit: "ms", Value: 40, Runs: 3, Note: "no RSS here"}}, 2, nil, []Verdict{
			verdict("task", "", 40, "ms", 50, 2, Within),
			{Figure: "task", Metric: PeakRSS, Unit: "MiB", Budget: 25, Limit: 50, Status: Unmeasured, Note: "no RSS here"},
		}, 0},
		{"a skipped figure is unmeasured", []Figure{{Name: "size", Unit: "MB", Skipped: true, Note: "refused"}}, 2, nil, []Verdict{
			{Figure: "size", Unit: "MB", Budget: 15, Limit: 30, Status: Unmeasured, Note: "refused"},
		}, 0},
		{"a figure without a budget is informational", []Figure{{Name: "audit", Unit: "us", Value: 300, Runs: 10}}, 2, nil, []Verdict{
			{Figure: "audit", Value: 300, Unit: "us", Status: Informational},
		}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Check(tc.figs, budgets, tc.margin, tc.allowOver)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
			if n := len(Failures(got)); n != tc.failures {
				t.Errorf("%d failures, want %d", n, tc.failures)
			}
		})
	}
}

// Every budget names a figure Run measures, and every figure but
// audit-append has one.
func TestBudgetsNameFigures(t *testing.T) {
	t.Parallel()
	budgeted := map[string]bool{}
	for _, b := range Budgets() {
		budgeted[b.Figure] = true
		if b.Limit <= 0 || b.Unit == "" {
			t.Errorf("budget %+v has no limit or unit", b)
		}
	}
	for _, n := range Names() {
		if budgeted[n] == (n == AuditAppendName) {
			t.Errorf("figure %s: budgeted = %v", n, budgeted[n])
		}
		delete(budgeted, n)
	}
	for n := range budgeted {
		t.Errorf("budget for %s, which is not a figure", n)
	}
}

// TestCheckExact: the binary's size does not depend on the machine's load,
// so its budget gets no margin.
func TestCheckExact(t *testing.T) {
	t.Parallel()
	exact := []Budget{{Figure: "size", Limit: 15, Unit: "MB", Exact: true}}
	tests := []struct {
		name   string
		value  float64
		status Status
	}{
		{"at the budget", 15, Within},
		{"just over fails, whatever the margin", 15.1, Beyond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Check([]Figure{{Name: "size", Unit: "MB", Value: tc.value}}, exact, 2, nil)
			want := []Verdict{{Figure: "size", Value: tc.value, Unit: "MB", Budget: 15, Limit: 15, Status: tc.status}}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
	if got := Budgets()[0]; got.Figure != BinarySizeName || !got.Exact {
		t.Errorf("the binary-size budget %+v is not exact", got)
	}
}
