package bench

import (
	"fmt"
	"slices"
)

// Budget is a ceiling on one metric of a figure.
type Budget struct {
	Figure string
	// Metric is "" for the figure's median, else a key of Figure.Extra.
	Metric string
	Limit  float64
	Unit   string
	// Exact budgets get no margin: the figure does not depend on how busy
	// the machine is (the binary's size).
	Exact bool
}

// Budgets are git-agent's performance targets on a 2-core machine (issue
// 6). This is the one place they are defined; docs/benchmarks.md explains
// them. audit-append has none: it is informational.
func Budgets() []Budget {
	return []Budget{
		{Figure: BinarySizeName, Limit: 15, Unit: "MB", Exact: true},
		{Figure: ColdStartName, Limit: 5, Unit: "ms"},
		{Figure: ScriptedTaskName, Limit: 50, Unit: "ms"},
		{Figure: ScriptedTaskName, Metric: PeakRSS, Limit: 25, Unit: "MiB"},
		// The overhead of confinement: confined minus bare.
		{Figure: SandboxExecName, Limit: 3, Unit: "ms"},
	}
}

// DefaultMargin is the factor over a budget beyond which Check fails a
// figure: shared CI machines are noisy.
const DefaultMargin = 2

// Status is the outcome of checking one figure against its budget.
type Status int

const (
	Within        Status = iota // at or under the budget
	Over                        // over the budget, within the margin
	Beyond                      // beyond budget × margin: a failure
	Allowed                     // beyond the margin, but allowed (a warning)
	Unmeasured                  // skipped, or the metric is not reported here
	Informational               // the figure has no budget
)

func (s Status) String() string {
	switch s {
	case Within:
		return "ok"
	case Over:
		return "over budget (within margin)"
	case Beyond:
		return "FAIL: beyond margin"
	case Allowed:
		return "beyond margin (allowed)"
	case Unmeasured:
		return "not measured"
	case Informational:
		return "informational"
	}
	return fmt.Sprintf("Status(%d)", int(s))
}

// Verdict is one figure's metric checked against its budget.
type Verdict struct {
	Figure string
	Metric string // "" for the median
	Value  float64
	Unit   string
	Budget float64 // 0 when Informational
	Limit  float64 // Budget × margin
	Status Status
	Note   string // why a figure is Unmeasured
}

// Label names the checked quantity: the figure, and the metric if not the median.
func (v Verdict) Label() string {
	if v.Metric == "" {
		return v.Figure
	}
	return v.Figure + " " + v.Metric
}

// Check compares each figure's median (and budgeted Extra metrics) with
// its budgets × margin, in the order of figs then budgets. Figures named in
// allowOver that are beyond the margin are Allowed rather than Beyond.
func Check(figs []Figure, budgets []Budget, margin float64, allowOver []string) []Verdict {
	var out []Verdict
	for _, f := range figs {
		n := len(out)
		for _, b := range budgets {
			if b.Figure != f.Name {
				continue
			}
			v := Verdict{Figure: f.Name, Metric: b.Metric, Unit: b.Unit, Budget: b.Limit, Limit: b.Limit * margin}
			if b.Exact {
				v.Limit = b.Limit
			}
			val, ok := f.Value, !f.Skipped
			if ok && b.Metric != "" {
				val, ok = f.Extra[b.Metric]
			}
			switch {
			case !ok:
				v.Status, v.Note = Unmeasured, f.Note
			case val <= b.Limit:
				v.Value, v.Status = val, Within
			case val <= v.Limit:
				v.Value, v.Status = val, Over
			case slices.Contains(allowOver, f.Name):
				v.Value, v.Status = val, Allowed
			default:
				v.Value, v.Status = val, Beyond
			}
			out = append(out, v)
		}
		if len(out) == n {
			v := Verdict{Figure: f.Name, Value: f.Value, Unit: f.Unit, Status: Informational}
			if f.Skipped {
				v.Status, v.Note, v.Value = Unmeasured, f.Note, 0
			}
			out = append(out, v)
		}
	}
	return out
}

// Failures are the verdicts with Status Beyond.
func Failures(vs []Verdict) []Verdict {
	var out []Verdict
	for _, v := range vs {
		if v.Status == Beyond {
			out = append(out, v)
		}
	}
	return out
}
