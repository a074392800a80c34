package wire

import (
	"errors"
	"io"
	"sync"
	"time"
)

// ErrIdle is returned by an IdleReader whose source sent nothing for longer
// than its timeout.
var ErrIdle = errors.New("stream idle: no data received within the idle timeout")

// IdleReader wraps a response body: if no Read returns data within Timeout,
// it calls Cancel (which must abort the underlying request) and subsequent
// reads fail with ErrIdle.
type IdleReader struct {
	r       io.Reader
	timeout time.Duration
	timer   *time.Timer
	mu      sync.Mutex
	idle    bool
}

// NewIdleReader starts the idle clock immediately.
func NewIdleReader(r io.Reader, timeout time.Duration, cancel func()) *IdleReader {
	ir := &IdleReader{r: r, timeout: timeout}
	ir.timer = time.AfterFunc(timeout, func() {
		ir.mu.Lock()
		ir.idle = true
		ir.mu.Unlock()
		cancel()
	})
	return ir
}

func (ir *IdleReader) Read(p []byte) (int, error) {
	n, err := ir.r.Read(p)
	ir.mu.Lock()
	idle := ir.idle
	ir.mu.Unlock()
	if idle {
		return 0, ErrIdle
	}
	if n > 0 {
		ir.timer.Reset(ir.timeout)
	}
	return n, err
}

// Stop releases the timer; call it when the stream is done.
func (ir *IdleReader) Stop() { ir.timer.Stop() }

// Idle reports whether the timeout fired.
func (ir *IdleReader) Idle() bool {
	ir.mu.Lock()
	defer ir.mu.Unlock()
	return ir.idle
}
