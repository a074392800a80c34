package audit

import (
	"path/filepath"
	"testing"
)

func benchmarkAppend(b *testing.B, key []byte) {
	path := filepath.Join(b.TempDir(), "audit.jsonl")
	san := NewSanitizer(SanitizerOptions{Home: "/home/alice", User: "alice", Secrets: []string{"hunter2hunter2"}})
	l, err := Open(Options{Path: path, Key: key, Agent: "git-agent/bench", Sanitizer: san})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	e := Entry{
		Session:   "0197a0b2-6c1e-7f00-8000-000000000000",
		Operation: "exec",
		Target:    "go test ./... in /home/alice/src/repo",
		Decision:  "allowed",
		Rule:      "prefix:go test",
		Profile:   "workspace-write",
		Details:   map[string]any{"exit": 0, "duration_ms": 1234, "argv": []string{"go", "test", "./..."}},
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		if _, err := l.Append(e); err != nil {
			b.Fatal(err)
		}
		n++
	}
	// One figure for scripts/bench.sh, which prints custom units only.
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(n), "us/append")
}

// BenchmarkAppend measures one sanitized, fsynced append.
func BenchmarkAppend(b *testing.B) { benchmarkAppend(b, nil) }

// BenchmarkAppendHMAC is BenchmarkAppend with a keyed chain.
func BenchmarkAppendHMAC(b *testing.B) {
	benchmarkAppend(b, []byte("0123456789abcdef0123456789abcdef"))
}
