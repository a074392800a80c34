// Package bench measures git-agent's performance figures (binary size, cold
// start, a scripted task, sandbox overhead, audit-log appends) for both
// `git agent bench` and the go test benchmarks, so the measuring has one
// implementation; it also holds the budgets the figures are checked against
// and the output formats (text, github-action-benchmark JSON, Go benchmark
// text).
//
// A figure is a median over several runs with its min and max. bench drives
// git-agent as a child process against a scripted model server on loopback:
// it never talks to a real provider, it cleans up every temporary directory,
// server and child it starts, and a failed run is an error, never a number.
package bench
