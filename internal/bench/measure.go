package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"sync"
	"time"
)

// waitDelay is how long a child has to exit after it is asked to stop
// (ctx ended) before it is killed.
const waitDelay = 5 * time.Second

// Command is exec.CommandContext for a measured child: when ctx ends (Ctrl-C
// on `git agent bench`) the child is asked to stop, as git-agent handles
// SIGTERM by cancelling its session and killing its commands, then killed
// after a grace period.
func Command(ctx context.Context, name string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Cancel = func() error { return stop(cmd) }
	cmd.WaitDelay = waitDelay
	return cmd
}

// Measure runs cmd and returns its wall time and peak RSS. A command that
// fails (a non-zero exit included) is an error with the end of its output.
// Unless cmd has its own, Measure captures stdout and stderr, and returns
// stdout in out.
func Measure(ctx context.Context, cmd *exec.Cmd) (s Sample, out []byte, err error) {
	var stdout bytes.Buffer
	combined := &lockedBuffer{}
	if cmd.Stdout == nil {
		cmd.Stdout = io.MultiWriter(&stdout, combined)
	}
	if cmd.Stderr == nil {
		cmd.Stderr = combined
	}
	start := time.Now()
	err = cmd.Run()
	wall := time.Since(start)
	if ctx.Err() != nil {
		return Sample{}, nil, ctx.Err()
	}
	if err != nil {
		return Sample{}, nil, fmt.Errorf("run %s: %w\n%s", strings.Join(cmd.Args, " "), err, tail(combined.Bytes(), 2000))
	}
	s = Sample{Wall: wall, PeakRSS: peakRSS(cmd.ProcessState)}
	// Linux charges the peak RSS of a process to the children it starts
	// (exec records the replaced memory's peak, and os/exec starts children
	// sharing the parent's memory until they exec), so a child's ru_maxrss
	// is never below its parent's: when it is not above, it only bounds the
	// child's own peak.
	s.UpperBound = s.PeakRSS >= 0 && s.PeakRSS <= selfPeakRSS()
	return s, stdout.Bytes(), nil
}

// lockedBuffer is stdout and stderr interleaved, which os/exec copies from
// two goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Bytes()
}

// tail is the last n bytes of b, marked when cut.
func tail(b []byte, n int) string {
	if len(b) <= n {
		return string(b)
	}
	return "…" + string(b[len(b)-n:])
}
