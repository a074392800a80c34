package tool

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"unicode/utf8"
)

//go:embed read_file.md
var readFileDescription string

const (
	readDefaultLimit = 2000
	readMaxLineBytes = 2000
	readMaxOutput    = 256 << 10
	binarySniffBytes = 8 << 10
)

// ReadFile is the "read_file" tool: it shows a text file's lines, numbered.
type ReadFile struct{}

// NewReadFile returns the read_file tool.
func NewReadFile() *ReadFile { return &ReadFile{} }

// ReadFileDetail records a read_file call for events and session logs.
type ReadFileDetail struct {
	Path       string `json:"path"`
	StartLine  int    `json:"start_line"`
	EndLine    int    `json:"end_line"` // last line shown; StartLine-1 if none
	TotalLines int    `json:"total_lines"`
	Truncated  bool   `json:"truncated,omitempty"` // more lines remain
}

func (*ReadFile) Name() string              { return "read_file" }
func (*ReadFile) Description() string       { return readFileDescription }
func (*ReadFile) Risk(json.RawMessage) Risk { return RiskLow }
func (*ReadFile) Schema() json.RawMessage   { return json.RawMessage(readFileSchema) }

const readFileUsage = `{"path": "src/main.go", "offset": 1, "limit": 2000} ("offset" and "limit" are optional)`

const readFileSchema = `{
  "type": "object",
  "properties": {
    "path": {"type": "string", "description": "File to read, relative to the workspace root."},
    "offset": {"type": "integer", "minimum": 1, "description": "First line to show, 1-based (default 1)."},
    "limit": {"type": "integer", "minimum": 1, "description": "Maximum number of lines to show (default 2000)."}
  },
  "required": ["path"],
  "additionalProperties": false
}`

type readFileArgs struct {
	Path   string `json:"path"`
	Offset intArg `json:"offset"`
	Limit  intArg `json:"limit"`
}

func (r *ReadFile) Run(ctx context.Context, env *Env, callID string, args json.RawMessage) (Result, error) {
	var a readFileArgs
	if res, ok := decodeArgs(r.Name(), args, &a, readFileUsage); !ok {
		return res, nil
	}
	if a.Path == "" {
		return Errorf(`read_file: "path" is required; expected %s`, readFileUsage), nil
	}
	if a.Offset < 0 || a.Limit < 0 {
		return Errorf(`read_file: "offset" and "limit" must be positive; expected %s`, readFileUsage), nil
	}
	offset, limit := max(int(a.Offset), 1), int(a.Limit)
	if limit == 0 {
		limit = readDefaultLimit
	}
	abs, err := Resolve(env.Workspace, a.Path)
	if err != nil {
		return Errorf("read_file: %v", err), nil
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Errorf("read_file: %s does not exist; use list_dir or grep to find the file", a.Path), nil
	case err != nil:
		return Errorf("read_file: %v", err), nil
	case fi.IsDir():
		return Errorf("read_file: %s is a directory; use list_dir to see its entries", a.Path), nil
	case !fi.Mode().IsRegular():
		return Errorf("read_file: %s is not a regular file (%v)", a.Path, fi.Mode().Type()), nil
	}
	f, err := os.Open(abs)
	if err != nil {
		return Errorf("read_file: %v", err), nil
	}
	defer f.Close()
	br := bufio.NewReaderSize(f, 64<<10)
	if head, _ := br.Peek(binarySniffBytes); bytes.IndexByte(head, 0) >= 0 {
		return Errorf("read_file: %s looks like a binary file (it contains NUL bytes); it is not shown", a.Path), nil
	}
	return readLines(ctx, br, Rel(env.Workspace, abs), offset, limit)
}

// readLines formats lines offset..offset+limit-1 of br like cat -n, then
// counts the rest so the model knows how to continue.
func readLines(ctx context.Context, br *bufio.Reader, rel string, offset, limit int) (Result, error) {
	var b strings.Builder
	d := ReadFileDetail{Path: rel, StartLine: offset, EndLine: offset - 1}
	capped := false
	for n := 1; ; n++ {
		keep := 0
		if n >= offset && n < offset+limit && !capped {
			keep = readMaxLineBytes
		}
		line, size, ok, err := readLine(br, keep)
		if err != nil {
			return Result{}, fmt.Errorf("read %s: %w", rel, err)
		}
		if !ok {
			break
		}
		d.TotalLines = n
		if keep == 0 {
			if n%4096 == 0 && ctx.Err() != nil {
				return Result{}, ctx.Err()
			}
			continue
		}
		text := string(line)
		if size > len(line) {
			text = trimPartialRune(text) + fmt.Sprintf(" … [line truncated: %d bytes in all]", size)
		}
		entry := fmt.Sprintf("%6d\t%s\n", n, text)
		if b.Len()+len(entry) > readMaxOutput {
			capped = true
			continue
		}
		b.WriteString(entry)
		d.EndLine = n
	}
	switch {
	case d.TotalLines == 0:
		return Result{Output: fmt.Sprintf("(%s is empty)", rel), Detail: d}, nil
	case offset > d.TotalLines:
		return Errorf("read_file: offset %d is past the end of %s, which has %d lines", offset, rel, d.TotalLines), nil
	}
	if more := d.TotalLines - d.EndLine; more > 0 {
		d.Truncated = true
		if capped {
			b.WriteString("… output capped at 256 KiB;")
		} else {
			b.WriteString("…")
		}
		fmt.Fprintf(&b, " %s; call again with offset=%d\n", plural(more, "more line"), d.EndLine+1)
	}
	return Result{Output: b.String(), Detail: d}, nil
}

// readLine reads one line, keeping at most keep bytes of it without its line
// ending. size is the line's length without the ending; ok is false at EOF.
func readLine(br *bufio.Reader, keep int) (line []byte, size int, ok bool, err error) {
	var last []byte
	for {
		frag, err := br.ReadSlice('\n')
		size += len(frag)
		if room := keep + 2 - len(line); room > 0 {
			line = append(line, frag[:min(room, len(frag))]...)
		}
		// The last two bytes of the line so far, for its ending.
		if last = append(last, frag[max(0, len(frag)-2):]...); len(last) > 2 {
			last = last[len(last)-2:]
		}
		switch {
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF):
			if size == 0 {
				return nil, 0, false, nil
			}
		case err != nil:
			return nil, 0, false, err
		}
		break
	}
	for _, end := range []string{"\n", "\r"} {
		if bytes.HasSuffix(last, []byte(end)) {
			last = last[:len(last)-1]
			size--
			if len(line) > size {
				line = line[:size]
			}
		}
	}
	return line[:min(len(line), keep)], size, true, nil
}

// trimPartialRune drops an incomplete UTF-8 sequence left at the end of s by
// cutting it at a byte count.
func trimPartialRune(s string) string {
	for i := 1; i <= utf8.UTFMax && i <= len(s); i++ {
		if utf8.RuneStart(s[len(s)-i]) {
			if !utf8.FullRuneInString(s[len(s)-i:]) {
				return s[:len(s)-i]
			}
			break
		}
	}
	return s
}

// plural writes n and noun, adding "s" unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
