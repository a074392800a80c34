package bench

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// DefaultConfirm is how many times Confirm measures a failing figure again.
const DefaultConfirm = 2

// Confirm measures again, up to attempts more times, each figure whose
// check is Beyond (allowed figures are not remeasured): a shared machine can
// be busy for the whole of one figure's runs (the 20 cold starts of CI take
// 0.1 s), which a median cannot absorb, while a real regression is beyond
// the margin every time. The attempt with the lowest median stands, its
// Note listing every attempt's median; a figure stops being remeasured as
// soon as one attempt is within the margin. measure is MeasureFigure bound to
// the Options of the first attempt.
func Confirm(ctx context.Context, figs []Figure, budgets []Budget, margin float64, allowOver []string, attempts int,
	measure func(context.Context, string) (Figure, error), progress io.Writer) ([]Figure, error) {
	if progress == nil {
		progress = io.Discard
	}
	out := make([]Figure, len(figs))
	copy(out, figs)
	for i, f := range out {
		medians := []float64{f.Value}
		best := f
		for n := 0; n < attempts && beyond(best, budgets, margin, allowOver); n++ {
			fmt.Fprintf(progress, "bench: %s is beyond %gx its budget; measuring it again (%d of %d)\n", f.Name, margin, n+1, attempts)
			g, err := measure(ctx, f.Name)
			if err != nil {
				return nil, fmt.Errorf("measure %s again: %w", f.Name, err)
			}
			medians = append(medians, g.Value)
			if !g.Skipped && g.Value < best.Value {
				best = g
			}
		}
		if len(medians) > 1 {
			parts := make([]string, len(medians))
			for j, m := range medians {
				parts[j] = strconv.FormatFloat(round3(m), 'f', -1, 64)
			}
			note := fmt.Sprintf("lowest of %d measurements (medians %s %s)", len(medians), strings.Join(parts, ", "), f.Unit)
			if best.Note != "" {
				note += "; " + best.Note
			}
			best.Note = note
		}
		out[i] = best
	}
	return out, nil
}

// beyond reports whether any of f's verdicts fails the check.
func beyond(f Figure, budgets []Budget, margin float64, allowOver []string) bool {
	return len(Failures(Check([]Figure{f}, budgets, margin, allowOver))) > 0
}

// MeasureFigure measures the figure called name alone.
func MeasureFigure(ctx context.Context, o Options, name string) (Figure, error) {
	for _, s := range steps() {
		if s.name == name {
			return s.measure(ctx, o)
		}
	}
	return Figure{}, fmt.Errorf("no figure %q: use one of %s", name, strings.Join(Names(), ", "))
}
