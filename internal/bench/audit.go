package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/git-agent/git-agent/internal/audit"
)

// AuditAppend is the time of one audit-log append (sanitized, hashed,
// fsynced, under the file lock) to a log in a temporary directory, in µs:
// ten appends per run, each timed.
func AuditAppend(ctx context.Context, o Options) (Figure, error) {
	dir, err := os.MkdirTemp(o.TempDir, "git-agent-bench-audit-")
	if err != nil {
		return Figure{}, fmt.Errorf("audit append: %w", err)
	}
	defer os.RemoveAll(dir)
	san := audit.NewSanitizer(audit.SanitizerOptions{Home: "/home/alice", User: "alice", Secrets: []string{"hunter2hunter2"}})
	l, err := audit.Open(audit.Options{Path: filepath.Join(dir, "audit.jsonl"), Agent: "git-agent/bench", Sanitizer: san})
	if err != nil {
		return Figure{}, fmt.Errorf("audit append: %w", err)
	}
	defer l.Close()
	e := audit.Entry{
		Session:   "0197a0b2-6c1e-7f00-8000-000000000000",
		Operation: "exec",
		Target:    "go test ./... in /home/alice/src/repo",
		Decision:  "allowed",
		Rule:      "prefix:go test",
		Profile:   "workspace-write",
		Details:   map[string]any{"exit": 0, "duration_ms": 1234, "argv": []string{"go", "test", "./..."}},
	}
	n := o.runs() * 10
	us := make([]float64, 0, n)
	for range n {
		if err := ctx.Err(); err != nil {
			return Figure{}, err
		}
		start := time.Now()
		if _, err := l.Append(e); err != nil {
			return Figure{}, fmt.Errorf("audit append: %w", err)
		}
		us = append(us, float64(time.Since(start))/float64(time.Microsecond))
	}
	st := Summarize(us)
	return Figure{Name: AuditAppendName, Unit: "us", Value: st.Median, Min: st.Min, Max: st.Max, Runs: n}, nil
}
