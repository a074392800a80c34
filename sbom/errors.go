package sbom

import "fmt"

// InputError is a file or directory that exists in the wrong form or cannot
// be read at all (not a directory, permission denied). Callers treat it as a
// usage mistake: the user pointed at the wrong thing.
type InputError struct {
	Path string
	Err  error
}

func (e *InputError) Error() string {
	return fmt.Sprintf("read %s: %v (check the path and its permissions)", e.Path, e.Err)
}

func (e *InputError) Unwrap() error { return e.Err }

// ParseError is a lockfile or manifest whose content is malformed. Line is
// 1-based, or 0 when the position is unknown.
type ParseError struct {
	File string
	Line int
	Err  error
}

func (e *ParseError) Error() string {
	where := e.File
	if e.Line > 0 {
		where = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	return fmt.Sprintf("parse %s: %v (fix the file or regenerate it with its package manager)", where, e.Err)
}

func (e *ParseError) Unwrap() error { return e.Err }

// lineOf returns the 1-based line of byte offset off in data.
func lineOf(data []byte, off int64) int {
	if off < 0 {
		return 0
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1
	for _, c := range data[:off] {
		if c == '\n' {
			line++
		}
	}
	return line
}
