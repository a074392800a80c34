package audit

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// tail is what a Log needs to know about the end of a log to append to it.
type tail struct {
	seq    int64  // seq of the last complete, valid entry; 0 if none
	hash   string // its hash
	found  bool   // whether there is such an entry
	needNL bool   // the file ends without "\n": a torn write must be terminated first
}

// tailChunk is the first read size when scanning backwards; it doubles per
// read so that a huge last line costs O(n), not O(n²).
const tailChunk = 4096

// backLines yields the lines of a file from last to first without reading
// the file from its start. The first line yielded is the part after the last
// "\n" (empty when the file ends with a newline).
type backLines struct {
	r     io.ReaderAt
	pos   int64  // buf holds the file's bytes [pos, pos+len(buf)) not yet yielded
	buf   []byte // not yet yielded
	chunk int64
	done  bool
}

func (b *backLines) prev() (line []byte, ok bool, err error) {
	for {
		if b.done {
			return nil, false, nil
		}
		if i := bytes.LastIndexByte(b.buf, '\n'); i >= 0 {
			line, b.buf = b.buf[i+1:], b.buf[:i]
			return line, true, nil
		}
		if b.pos == 0 {
			line, b.buf, b.done = b.buf, nil, true
			return line, true, nil
		}
		n := min(b.chunk, b.pos)
		b.chunk *= 2
		b.pos -= n
		nb := make([]byte, int(n)+len(b.buf))
		if _, err := b.r.ReadAt(nb[:n], b.pos); err != nil {
			return nil, false, err
		}
		copy(nb[n:], b.buf)
		b.buf = nb
	}
}

// readTail finds the last valid entry of the file at path by reading it
// backwards. A missing file is an empty one. It returns the file's size too,
// so that a Log can later tell whether someone else has written to it.
func readTail(path string) (t tail, size int64, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return tail{}, 0, nil
	}
	if err != nil {
		return tail{}, 0, fmt.Errorf("read audit log tail: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return tail{}, 0, fmt.Errorf("read audit log tail: %w", err)
	}
	size = fi.Size()
	b := &backLines{r: f, pos: size, chunk: tailChunk}
	for first := true; ; first = false {
		line, ok, err := b.prev()
		if err != nil {
			return tail{}, 0, fmt.Errorf("read audit log tail %s: %w", path, err)
		}
		if !ok {
			return t, size, nil
		}
		if first && len(line) > 0 {
			// A crash cut the last write short. If what is there is still a
			// whole entry, only its newline is missing and it stays in the
			// chain (Verify counts it); either way the next write must start
			// on a fresh line.
			t.needNL = true
		}
		if l, _, ok := parseLink(line); ok {
			t.seq, t.hash, t.found = l.Seq, l.Hash, true
			return t, size, nil
		}
	}
}

// findTail returns the tail of the current file at path, falling back to
// the newest rotated file that has an entry when the current file has none
// (it was just rotated, or only holds a torn write).
func findTail(path string) (t tail, size int64, err error) {
	t, size, err = readTail(path)
	if err != nil || t.found {
		return t, size, err
	}
	gens, err := rotated(path)
	if err != nil {
		return tail{}, 0, err
	}
	for i := len(gens) - 1; i >= 0; i-- {
		rt, _, err := readTail(gens[i].path)
		if err != nil {
			return tail{}, 0, err
		}
		if rt.found {
			t.seq, t.hash, t.found = rt.seq, rt.hash, true
			return t, size, nil
		}
	}
	return t, size, nil
}
