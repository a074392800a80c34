package audit

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// eachLine calls fn for every line of the file at path, without its newline;
// nl says whether it had one. A missing file has no lines.
func eachLine(path string, fn func(line []byte, n int, nl bool)) error {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read audit log: %w", err)
	}
	defer f.Close()
	r := bufio.NewReaderSize(f, 64<<10)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(line) > 0 {
			trimmed, nl := bytes.CutSuffix(line, []byte("\n"))
			fn(trimmed, n, nl)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("read audit log %s: %w", path, err)
		}
	}
}

// Read parses the entries of files in order, skipping lines that are not
// entries (torn writes, damage). It does not check the chain: that is
// Verify's job. Numbers in Details are json.Number, so none loses precision.
func Read(files []string) ([]Entry, error) {
	var entries []Entry
	for _, path := range files {
		err := eachLine(path, func(line []byte, _ int, _ bool) {
			dec := json.NewDecoder(bytes.NewReader(line))
			dec.UseNumber()
			var e Entry
			if dec.Decode(&e) == nil && !dec.More() && e.Seq > 0 {
				entries = append(entries, e)
			}
		})
		if err != nil {
			return nil, err
		}
	}
	return entries, nil
}
