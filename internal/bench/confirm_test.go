package bench

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"
)

func TestConfirm(t *testing.T) {
	t.Parallel()
	budgets := []Budget{
		{Figure: ColdStartName, Limit: 5, Unit: "ms"},
		{Figure: ScriptedTaskName, Limit: 50, Unit: "ms"},
	}
	cold := func(v float64) Figure { return Figure{Name: ColdStartName, Unit: "ms", Value: v, Runs: 20} }
	task := func(v float64) Figure { return Figure{Name: ScriptedTaskName, Unit: "ms", Value: v, Runs: 20} }
	tests := []struct {
		name      string
		figs      []Figure
		allowOver []string
		attempts  int
		again     []float64 // the medians the remeasurements return, in order
		want      []float64 // the resulting figures' values
		wantNote  string    // the cold-start figure's note
		wantCalls int
		wantFail  bool // a verdict is still Beyond afterwards
	}{
		{name: "within: not remeasured", figs: []Figure{cold(4.2)}, attempts: 2,
			want: []float64{4.2}},
		{name: "over but within the margin: not remeasured", figs: []Figure{cold(9.9)}, attempts: 2,
			want: []float64{9.9}},
		{name: "a busy moment: the second attempt stands", figs: []Figure{cold(11.23)}, attempts: 2,
			again: []float64{4.5}, want: []float64{4.5}, wantCalls: 1,
			wantNote: "lowest of 2 measurements (medians 11.23, 4.5 ms)"},
		{name: "a regression: beyond every time", figs: []Figure{cold(12)}, attempts: 2,
			again: []float64{13, 11}, want: []float64{11}, wantCalls: 2, wantFail: true,
			wantNote: "lowest of 3 measurements (medians 12, 13, 11 ms)"},
		{name: "a worse attempt does not replace a better one", figs: []Figure{cold(11)}, attempts: 2,
			again: []float64{14, 9}, want: []float64{9}, wantCalls: 2,
			wantNote: "lowest of 3 measurements (medians 11, 14, 9 ms)"},
		{name: "no attempts: fails at once", figs: []Figure{cold(11)}, attempts: 0,
			want: []float64{11}, wantFail: true},
		{name: "allowed figures are not remeasured", figs: []Figure{cold(4), task(120)}, allowOver: []string{ScriptedTaskName}, attempts: 2,
			want: []float64{4, 120}},
		{name: "only the failing figure is remeasured", figs: []Figure{cold(11), task(40)}, attempts: 1,
			again: []float64{6}, want: []float64{6, 40}, wantCalls: 1,
			wantNote: "lowest of 2 measurements (medians 11, 6 ms)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			calls := 0
			measure := func(_ context.Context, name string) (Figure, error) {
				if name != ColdStartName {
					t.Errorf("remeasured %s", name)
				}
				v := tc.again[calls]
				calls++
				return cold(v), nil
			}
			var progress bytes.Buffer
			got, err := Confirm(context.Background(), tc.figs, budgets, 2, tc.allowOver, tc.attempts, measure, &progress)
			if err != nil {
				t.Fatal(err)
			}
			if calls != tc.wantCalls {
				t.Errorf("%d remeasurements, want %d", calls, tc.wantCalls)
			}
			if strings.Count(progress.String(), "measuring it again") != tc.wantCalls {
				t.Errorf("progress does not announce each remeasurement:\n%s", progress.String())
			}
			for i, f := range got {
				if f.Value != tc.want[i] {
					t.Errorf("%s = %g, want %g", f.Name, f.Value, tc.want[i])
				}
				if f.Name == ColdStartName && f.Note != tc.wantNote {
					t.Errorf("note %q, want %q", f.Note, tc.wantNote)
				}
			}
			if fail := len(Failures(Check(got, budgets, 2, tc.allowOver))) > 0; fail != tc.wantFail {
				t.Errorf("still failing = %v, want %v", fail, tc.wantFail)
			}
			if tc.figs[0].Note != "" {
				t.Error("Confirm changed its input")
			}
		})
	}
}

func TestConfirmMeasureError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := Confirm(context.Background(), []Figure{{Name: ColdStartName, Unit: "ms", Value: 30, Runs: 3}}, Budgets(), 2, nil, 2,
		func(context.Context, string) (Figure, error) { return Figure{}, boom }, nil)
	if !errors.Is(err, boom) || !strings.Contains(err.Error(), "measure cold-start again") {
		t.Fatalf("err = %v", err)
	}
}

func TestMeasureFigureUnknown(t *testing.T) {
	t.Parallel()
	_, err := MeasureFigure(context.Background(), Options{}, "warm-start")
	if err == nil || !strings.Contains(err.Error(), `no figure "warm-start": use one of binary-size`) {
		t.Fatalf("err = %v", err)
	}
}
