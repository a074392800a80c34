package wire

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"testing"
	"time"
)

func TestIdleReaderFires(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	var cancels atomic.Int32
	ir := NewIdleReader(pr, 50*time.Millisecond, func() {
		cancels.Add(1)
		pw.CloseWithError(context.Canceled) // what aborting the request does to the body
	})
	defer ir.Stop()
	start := time.Now()
	n, err := ir.Read(make([]byte, 16))
	if n != 0 || !errors.Is(err, ErrIdle) {
		t.Fatalf("Read = %d, %v; want 0, ErrIdle", n, err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("idle noticed after %s, want about 50ms", d)
	}
	if !ir.Idle() || cancels.Load() != 1 {
		t.Errorf("Idle() = %v, cancels = %d; want true, 1", ir.Idle(), cancels.Load())
	}
	if _, err := ir.Read(make([]byte, 16)); !errors.Is(err, ErrIdle) {
		t.Errorf("second Read err = %v, want ErrIdle", err)
	}
}

func TestIdleReaderActivityResets(t *testing.T) {
	t.Parallel()
	pr, pw := io.Pipe()
	// The gaps are 25x shorter than the timeout, so a loaded CI machine does
	// not turn scheduling delay into a false idle.
	ir := NewIdleReader(pr, 500*time.Millisecond, func() { pw.CloseWithError(context.Canceled) })
	defer ir.Stop()
	go func() {
		// 40 writes 20ms apart outlast the timeout; only the resets keep the
		// reader alive.
		for range 40 {
			time.Sleep(20 * time.Millisecond)
			if _, err := pw.Write([]byte("x")); err != nil {
				return
			}
		}
		pw.Close()
	}()
	b, err := io.ReadAll(ir)
	if err != nil || len(b) != 40 {
		t.Fatalf("ReadAll = %q, %v; want 40 bytes and no error", b, err)
	}
	if ir.Idle() {
		t.Error("Idle() = true for an active stream")
	}
}

func TestIdleReaderStop(t *testing.T) {
	t.Parallel()
	var cancels atomic.Int32
	ir := NewIdleReader(eofReader{}, 20*time.Millisecond, func() { cancels.Add(1) })
	ir.Stop()
	time.Sleep(80 * time.Millisecond)
	if cancels.Load() != 0 || ir.Idle() {
		t.Errorf("cancel ran %d times after Stop", cancels.Load())
	}
	if _, err := ir.Read(make([]byte, 1)); err != io.EOF {
		t.Errorf("Read err = %v, want io.EOF passed through", err)
	}
}

type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }
