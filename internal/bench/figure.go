package bench

import (
	"maps"
	"slices"
	"time"
)

// Names of the figures, in the order Run measures them.
const (
	BinarySizeName   = "binary-size"
	ColdStartName    = "cold-start"
	ScriptedTaskName = "scripted-task"
	SandboxExecName  = "sandbox-exec"
	AuditAppendName  = "audit-append"
)

// Names lists every figure Run measures, in order.
func Names() []string {
	return []string{BinarySizeName, ColdStartName, ScriptedTaskName, SandboxExecName, AuditAppendName}
}

// PeakRSS is the Extra key of a figure's median peak resident set size, in MiB.
const PeakRSS = "peak-MiB"

// Figure is one measured quantity: the median of Runs samples, with their
// min and max, in Unit.
type Figure struct {
	Name  string
	Unit  string  // "MB", "ms", "us"
	Value float64 // the median
	Min   float64
	Max   float64
	// Runs counts the samples behind Value; 0 for a figure that is read
	// rather than sampled (binary-size).
	Runs int
	// Extra holds further metrics, keyed by a name that ends in their unit
	// ("peak-MiB", "bare-ms", "bytes").
	Extra map[string]float64
	// Note qualifies the figure ("not stripped"), or says why it was skipped.
	Note string
	// Skipped figures could not be measured on this machine (see Note); they
	// carry no numbers.
	Skipped bool
}

// Metric is one value of a figure with its unit, as Go benchmarks report
// them (b.ReportMetric) and the gobench format prints them.
type Metric struct {
	Value float64
	Unit  string
}

// Metrics lists a figure's values: the median, min and max (just the value
// for a figure that is not sampled), then Extra in key order.
func (f Figure) Metrics() []Metric {
	var ms []Metric
	if f.Runs == 0 {
		ms = append(ms, Metric{f.Value, f.Unit})
	} else {
		ms = append(ms, Metric{f.Value, "median-" + f.Unit}, Metric{f.Min, "min-" + f.Unit}, Metric{f.Max, "max-" + f.Unit})
	}
	for _, k := range slices.Sorted(maps.Keys(f.Extra)) {
		ms = append(ms, Metric{f.Extra[k], k})
	}
	return ms
}

// Stats are the median, min and max of some samples.
type Stats struct{ Median, Min, Max float64 }

// Summarize returns the median (the mean of the middle two for an even
// count), min and max of xs, which it does not modify; zero for no samples.
func Summarize(xs []float64) Stats {
	if len(xs) == 0 {
		return Stats{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	med := s[n/2]
	if n%2 == 0 {
		med = (s[n/2-1] + s[n/2]) / 2
	}
	return Stats{Median: med, Min: s[0], Max: s[n-1]}
}

// Sample is one timed run of a child process.
type Sample struct {
	Wall time.Duration
	// PeakRSS is the peak resident set size in bytes of the process and the
	// children it waited for; -1 where the platform does not report it.
	PeakRSS int64
	// UpperBound is set when PeakRSS is no more than the measuring process's
	// own peak, which Linux charges to its children: the child's own peak
	// is at most PeakRSS.
	UpperBound bool
}

// upperBoundNote qualifies a peak RSS that may be the measuring process's.
const upperBoundNote = "peak RSS is an upper bound (Linux charges the measuring process's own peak to the children it starts)"

// ms converts a duration to milliseconds, keeping nanoseconds.
func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// TimedFigure is the figure of samples of child processes: wall time in ms
// and, where reported, the median peak RSS in MiB.
func TimedFigure(name string, samples []Sample) Figure {
	walls := make([]float64, 0, len(samples))
	var rss []float64
	bound := false
	for _, s := range samples {
		bound = bound || s.UpperBound
		walls = append(walls, ms(s.Wall))
		if s.PeakRSS >= 0 {
			rss = append(rss, float64(s.PeakRSS)/(1<<20))
		}
	}
	st := Summarize(walls)
	f := Figure{Name: name, Unit: "ms", Value: st.Median, Min: st.Min, Max: st.Max, Runs: len(samples)}
	switch {
	case len(rss) == len(samples) && len(rss) > 0:
		f.Extra = map[string]float64{PeakRSS: Summarize(rss).Median}
		if bound {
			f.Note = upperBoundNote
		}
	default:
		f.Note = "peak RSS is not reported on this platform"
	}
	return f
}
