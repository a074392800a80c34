package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// ErrClosed is returned by Append after Close.
var ErrClosed = errors.New("audit log is closed")

// defaultMaxBytes is the rotation size when Options.MaxBytes is 0.
const defaultMaxBytes = 16 << 20

// Options configure Open.
type Options struct {
	Path      string           // the current log file, e.g. $XDG_STATE_HOME/git-agent/audit/audit.jsonl; its directory is created 0700
	Key       []byte           // non-empty: hashes become HMAC-SHA256 with this key
	MaxBytes  int64            // rotate when the current file would exceed this; 0 means 16 MiB
	Now       func() time.Time // default time.Now
	Agent     string           // default Agent of entries that leave it empty
	Sanitizer *Sanitizer       // applied to every string of an entry before hashing and writing; nil = none
}

// Log appends entries to an audit log. It is safe for concurrent use, and
// several processes may append to the same log at once.
type Log struct {
	path     string
	key      []byte
	maxBytes int64
	now      func() time.Time
	agent    string
	san      *Sanitizer

	mu     sync.Mutex
	lock   *os.File    // path + ".lock", flocked around every Append
	f      *os.File    // the current file, O_APPEND
	fi     os.FileInfo // f's identity, to notice a rotation by another process
	size   int64       // f's size after this Log's last write; -1 forces a re-read
	seq    int64       // seq of the chain head
	head   string      // hash of the chain head
	needNL bool        // the file ends in a torn write
}

// Open opens (creating if needed) the audit log at opts.Path and reads the
// end of it to learn the chain head.
func Open(opts Options) (*Log, error) {
	if opts.Path == "" {
		return nil, errors.New("open audit log: no path")
	}
	l := &Log{
		path:     opts.Path,
		key:      bytes.Clone(opts.Key),
		maxBytes: opts.MaxBytes,
		now:      opts.Now,
		agent:    opts.Agent,
		san:      opts.Sanitizer,
	}
	if l.maxBytes <= 0 {
		l.maxBytes = defaultMaxBytes
	}
	if l.now == nil {
		l.now = time.Now
	}
	if err := os.MkdirAll(filepath.Dir(l.path), 0o700); err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	lock, err := openPrivate(l.path+".lock", os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	l.lock = lock
	if err := l.locked(func() error {
		if err := l.openCurrent(); err != nil {
			return err
		}
		return l.loadTail()
	}); err != nil {
		l.Close()
		return nil, fmt.Errorf("open audit log: %w", err)
	}
	return l, nil
}

// openPrivate opens a file that only its owner may read, tightening the
// mode of a file that already existed.
func openPrivate(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag, 0o600)
	if err != nil {
		return nil, err
	}
	// Only a regular file is made private: --audit-log /dev/stderr must not
	// chmod the terminal (or, as root, a shared device).
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		return f, nil
	}
	if err := f.Chmod(0o600); err != nil && !errors.Is(err, errors.ErrUnsupported) {
		f.Close()
		return nil, err
	}
	return f, nil
}

// openCurrent opens the current file for appending. The caller holds the lock.
func (l *Log) openCurrent() error {
	_, statErr := os.Stat(l.path)
	f, err := openPrivate(l.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY)
	if err != nil {
		return err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return err
	}
	if errors.Is(statErr, fs.ErrNotExist) {
		if err := syncDir(filepath.Dir(l.path)); err != nil {
			f.Close()
			return err
		}
	}
	l.f, l.fi, l.size = f, fi, fi.Size()
	return nil
}

// loadTail learns the chain head from the files. The caller holds the lock.
func (l *Log) loadTail() error {
	t, size, err := findTail(l.path)
	if err != nil {
		return err
	}
	l.seq, l.head, l.needNL, l.size = t.seq, t.hash, t.needNL, size
	return nil
}

// refresh notices appends and rotations by other processes since this Log
// last wrote. The caller holds the lock.
func (l *Log) refresh() error {
	fi, err := os.Stat(l.path)
	switch {
	case l.f == nil || errors.Is(err, fs.ErrNotExist) || (err == nil && !os.SameFile(fi, l.fi)):
		if l.f != nil {
			l.f.Close()
			l.f = nil
		}
		if err := l.openCurrent(); err != nil {
			return err
		}
		return l.loadTail()
	case err != nil:
		return err
	case fi.Size() != l.size:
		return l.loadTail()
	}
	return nil
}

// locked runs fn holding the cross-process lock.
func (l *Log) locked(fn func() error) error {
	if err := lockFile(l.lock); err != nil {
		return fmt.Errorf("lock %s: %w", l.lock.Name(), err)
	}
	err := fn()
	if uerr := unlockFile(l.lock); uerr != nil && err == nil {
		err = fmt.Errorf("unlock %s: %w", l.lock.Name(), uerr)
	}
	return err
}

// Append writes e to the log and returns it as written: sanitized, with
// Seq, Time (UTC; now unless set), Agent (the default unless set), MAC, Prev
// and Hash filled in. It returns only once the entry is on disk.
func (l *Log) Append(e Entry) (Entry, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lock == nil {
		return Entry{}, fmt.Errorf("append audit entry: %w", ErrClosed)
	}
	err := l.locked(func() error {
		if err := l.refresh(); err != nil {
			return err
		}
		return l.write(&e)
	})
	if err != nil {
		return Entry{}, fmt.Errorf("append audit entry: %w", err)
	}
	return e, nil
}

// write fills in and writes e. The caller holds the lock.
func (l *Log) write(e *Entry) error {
	if e.Time.IsZero() {
		e.Time = l.now()
	}
	e.Time = e.Time.UTC()
	if e.Agent == "" {
		e.Agent = l.agent
	}
	l.sanitize(e)
	e.Seq, e.Prev, e.MAC = l.seq+1, l.head, ""
	if len(l.key) > 0 {
		e.MAC = macHMAC
	}
	line, sum, err := encodeLine(e, l.key)
	if err != nil {
		return err
	}
	e.Hash = sum
	nl := int64(0)
	if l.needNL {
		nl = 1
	}
	if l.size > 0 && l.size+nl+int64(len(line)) > l.maxBytes {
		if err := l.rotate(); err != nil {
			return err
		}
	}
	buf := line
	if l.needNL {
		// Terminate the torn line in the same write, so that a crash now
		// cannot leave two torn lines glued together.
		buf = append(append(make([]byte, 0, len(line)+1), '\n'), line...)
	}
	n, err := l.f.Write(buf)
	if err != nil {
		l.size = -1 // re-read the tail before the next write
		return fmt.Errorf("write %s: %w", l.path, err)
	}
	if err := l.f.Sync(); err != nil {
		l.size = -1
		return fmt.Errorf("sync %s: %w", l.path, err)
	}
	l.size += int64(n)
	l.seq, l.head, l.needNL = e.Seq, sum, false
	return nil
}

// sanitize passes every string of e through the Sanitizer.
func (l *Log) sanitize(e *Entry) {
	s := l.san
	if s == nil {
		return
	}
	for _, p := range []*string{&e.Session, &e.Agent, &e.Operation, &e.Target, &e.Decision, &e.Reason, &e.Rule, &e.Profile} {
		*p = s.String(*p)
	}
	if e.Details != nil {
		e.Details = s.Value(e.Details).(map[string]any)
	}
}

// Head returns the hash of the last entry written or found: the chain head.
// Recording it elsewhere lets a later Verify notice a truncated log.
func (l *Log) Head() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.head
}

// Path returns the current log file.
func (l *Log) Path() string { return l.path }

// Close closes the log. Appending afterwards returns ErrClosed.
func (l *Log) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	var errs []error
	if l.f != nil {
		errs = append(errs, l.f.Close())
		l.f = nil
	}
	if l.lock != nil {
		errs = append(errs, l.lock.Close())
		l.lock = nil
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("close audit log: %w", err)
	}
	return nil
}
