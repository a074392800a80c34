package bench

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// num formats v for JSON and Go benchmark output: at most three decimals
// (a microsecond in ms), no trailing zeros.
func num(v float64) string {
	return strconv.FormatFloat(math.Round(v*1000)/1000, 'f', -1, 64)
}

// round3 is v as num prints it.
func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// details renders a figure's runs, Extra and Note, separated by sep.
func details(f Figure, sep string) string {
	var parts []string
	if f.Runs > 0 {
		parts = append(parts, "runs="+strconv.Itoa(f.Runs))
	}
	for _, k := range slices.Sorted(maps.Keys(f.Extra)) {
		parts = append(parts, k+"="+num(f.Extra[k]))
	}
	if f.Note != "" {
		parts = append(parts, f.Note)
	}
	return strings.Join(parts, sep)
}

// WriteText prints figs as a table for people.
func WriteText(w io.Writer, figs []Figure) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "FIGURE\tMEDIAN\tMIN…MAX\tDETAILS")
	for _, f := range figs {
		switch {
		case f.Skipped:
			fmt.Fprintf(tw, "%s\tskipped\t\t%s\n", f.Name, f.Note)
		case f.Runs == 0:
			fmt.Fprintf(tw, "%s\t%.2f %s\t\t%s\n", f.Name, f.Value, f.Unit, details(f, "  "))
		default:
			fmt.Fprintf(tw, "%s\t%.2f %s\t%.2f…%.2f\t%s\n", f.Name, f.Value, f.Unit, f.Min, f.Max, details(f, "  "))
		}
	}
	return tw.Flush()
}

// WriteCheck prints every verdict with its budget, the limit at margin and
// the outcome.
func WriteCheck(w io.Writer, vs []Verdict, margin float64) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "CHECK\tMEDIAN\tBUDGET\tLIMIT (%sx)\tVERDICT\n", num(margin))
	for _, v := range vs {
		switch v.Status {
		case Unmeasured:
			fmt.Fprintf(tw, "%s\t—\t%s\t%s\t%s: %s\n", v.Label(), budget(v.Budget, v.Unit), budget(v.Limit, v.Unit), v.Status, v.Note)
		default:
			fmt.Fprintf(tw, "%s\t%.2f %s\t%s\t%s\t%s\n", v.Label(), v.Value, v.Unit, budget(v.Budget, v.Unit), budget(v.Limit, v.Unit), v.Status)
		}
	}
	return tw.Flush()
}

func budget(v float64, unit string) string {
	if v == 0 {
		return "—"
	}
	return num(v) + " " + unit
}

// Entry is one benchmark in the JSON that github-action-benchmark's
// customSmallerIsBetter tool reads: name, unit and value, with range and
// extra shown in its charts' tooltips.
type Entry struct {
	Name  string  `json:"name"`
	Unit  string  `json:"unit"`
	Value float64 `json:"value"`
	Range string  `json:"range,omitempty"`
	Extra string  `json:"extra,omitempty"`
}

// Entries converts figs to JSON entries; skipped figures have no numbers
// and are left out.
func Entries(figs []Figure) []Entry {
	var out []Entry
	for _, f := range figs {
		if f.Skipped {
			continue
		}
		e := Entry{Name: f.Name, Unit: f.Unit, Value: round3(f.Value), Extra: details(f, "\n")}
		if f.Runs > 0 {
			e.Range = num(f.Min) + "…" + num(f.Max)
		}
		out = append(out, e)
	}
	return out
}

// WriteJSON prints figs as a JSON array of Entries, one per line.
func WriteJSON(w io.Writer, figs []Figure) error {
	var b strings.Builder
	b.WriteString("[")
	for i, e := range Entries(figs) {
		line, err := json.Marshal(e)
		if err != nil {
			return fmt.Errorf("encode %s: %w", e.Name, err)
		}
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n  ")
		b.Write(line)
	}
	b.WriteString("\n]\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// GoName is the Go benchmark name of a figure: "scripted-task" becomes
// "BenchmarkScriptedTask".
func GoName(figure string) string {
	var b strings.Builder
	b.WriteString("Benchmark")
	for _, part := range strings.Split(figure, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// nanos is the number of nanoseconds in one unit of a timed figure; 0 for
// other units.
func nanos(unit string) float64 {
	switch unit {
	case "s":
		return 1e9
	case "ms":
		return 1e6
	case "us":
		return 1e3
	case "ns":
		return 1
	}
	return 0
}

// WriteGoBench prints figs in the Go benchmark format (as `go test -bench`
// does, for benchstat and github-action-benchmark's go tool): a goos and
// goarch header, then one line per measured figure, its runs as the
// iteration count and, for timed figures, the median as ns/op first.
func WriteGoBench(w io.Writer, goos, goarch string, figs []Figure) error {
	var b strings.Builder
	fmt.Fprintf(&b, "goos: %s\ngoarch: %s\npkg: github.com/git-agent/git-agent\n", goos, goarch)
	for _, f := range figs {
		if f.Skipped {
			continue
		}
		fmt.Fprintf(&b, "%s %d", GoName(f.Name), max(f.Runs, 1))
		if n := nanos(f.Unit); n != 0 {
			fmt.Fprintf(&b, " %s ns/op", strconv.FormatFloat(math.Round(f.Value*n), 'f', 0, 64))
		}
		for _, m := range f.Metrics() {
			fmt.Fprintf(&b, " %s %s", num(m.Value), m.Unit)
		}
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
