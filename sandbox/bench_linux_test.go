package sandbox

import (
	"context"
	"slices"
	"testing"
	"time"
)

// BenchmarkRunTrue measures the cost of confinement: `true` under each
// profile, versus trusted (a bare fork and exec with process-group handling).
// Target: workspace-write at most 3 ms slower than trusted, median.
//
//	go test -run '^$' -bench RunTrue -benchtime 50x ./sandbox
func BenchmarkRunTrue(b *testing.B) {
	for _, m := range []Mode{Trusted, ReadOnly, WorkspaceWrite} {
		b.Run(string(m), func(b *testing.B) {
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
