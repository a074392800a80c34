package sandbox

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkRunTrue measures the cost of confinement: `true` under each
// profile. trusted runs under a reaper (one more process start); trusted
// without the reaper is the process-group handling alone, the bare cost.
// Target: workspace-write at most 3 ms slower than a bare exec, median.
//
//	go test -run '^$' -bench RunTrue -benchtime 50x ./sandbox
func BenchmarkRunTrue(b *testing.B) {
	for _, name := range []Mode{"trusted-no-reaper", Trusted, ReadOnly, WorkspaceWrite} {
		b.Run(string(name), func(b *testing.B) {
			m := name
			if m == "trusted-no-reaper" {
				initHooked.Store(false)
				defer initHooked.Store(true)
				m = Trusted
			}
			if err := Available(m); err != nil {
				b.Skip(err)
			}
			ws := b.TempDir()
			var walls []time.Duration
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				start := time.Now()
				res, err := Run(context.Background(), Profile{Mode: m, Workspace: ws}, &Cmd{Args: []string{"/bin/true"}, Dir: ws, Env: []string{}})
				if err != nil || res.ExitCode != 0 {
					b.Fatalf("%v %+v", err, res)
				}
				walls = append(walls, time.Since(start))
			}
			slices.Sort(walls)
			b.ReportMetric(float64(walls[len(walls)/2].Microseconds())/1000, "median-ms")
			b.ReportMetric(float64(walls[0].Microseconds())/1000, "min-ms")
			b.ReportMetric(float64(walls[len(walls)-1].Microseconds())/1000, "max-ms")
		})
	}
}
