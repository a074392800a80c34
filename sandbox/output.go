package sandbox

import (
	"io"
	"sync"
)

// capture keeps the first max bytes written to it and counts the rest. It is
// written by one goroutine and read only after that goroutine is done.
type capture struct {
	max   int
	buf   []byte
	total int64
	tee   *tee
}

func (c *capture) Write(p []byte) (int, error) {
	c.total += int64(len(p))
	if room := c.max - len(c.buf); room > 0 {
		c.buf = append(c.buf, p[:min(room, len(p))]...)
	}
	c.tee.write(p)
	return len(p), nil
}

func fill(res *Result, stdout, stderr *capture) {
	res.Stdout, res.StdoutBytes = stdout.buf, stdout.total
	res.Stderr, res.StderrBytes = stderr.buf, stderr.total
	res.Truncated = stdout.total > int64(len(stdout.buf)) || stderr.total > int64(len(stderr.buf))
}

// tee forwards output to a caller's writer. Writes of both streams are
// serialised by a shared mutex, and the first error stops forwarding: a
// failing progress writer must not kill the command with SIGPIPE.
type tee struct {
	mu     *sync.Mutex
	w      io.Writer
	failed bool
}

func newTee(mu *sync.Mutex, w io.Writer) *tee {
	if w == nil {
		return nil
	}
	return &tee{mu: mu, w: w}
}

func (t *tee) write(p []byte) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.failed {
		return
	}
	if _, err := t.w.Write(p); err != nil {
		t.failed = true
	}
}
