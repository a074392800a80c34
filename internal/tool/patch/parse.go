// Package patch parses and applies patches in the Codex apply_patch format:
//
//	*** Begin Patch
//	*** Add File: path      (then lines prefixed "+")
//	*** Delete File: path
//	*** Update File: path   (optionally "*** Move to: path", then hunks)
//	@@ optional anchor line
//	 context / -removed / +added lines
//	*** End of File         (optional: the hunk ends at the end of the file)
//	*** End Patch
//
// Hunks carry no line numbers; they are located by their context. Applying is
// all-or-nothing: every file's new content is computed and every precondition
// checked before the first write. The package touches files only through FS,
// so the caller decides which paths a patch may reach.
package patch

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// Op is what a patch does to one file.
type Op int

const (
	Add Op = iota
	Delete
	Update
)

func (o Op) String() string {
	switch o {
	case Add:
		return "add"
	case Delete:
		return "delete"
	default:
		return "update"
	}
}

// Patch is a parsed patch: file operations in the order given.
type Patch struct {
	Files []File
}

// File is one "*** Add/Delete/Update File" section.
type File struct {
	Op     Op
	Path   string
	MoveTo string   // Update only: new path, or ""
	Lines  []string // Add only: the new file's lines, without "+"
	Hunks  []Hunk   // Update only
}

// Hunk is one change inside an updated file.
type Hunk struct {
	// Anchors are the texts after "@@" lines, sought in order before the
	// hunk's own lines.
	Anchors []string
	Lines   []Line
	// EOF is set by "*** End of File": the hunk ends at the end of the file.
	EOF bool
}

// Line is a hunk line: Kind is ' ' (context), '-' (remove) or '+' (add).
type Line struct {
	Kind byte
	Text string
}

const (
	beginMarker  = "*** Begin Patch"
	endMarker    = "*** End Patch"
	addPrefix    = "*** Add File:"
	deletePrefix = "*** Delete File:"
	updatePrefix = "*** Update File:"
	movePrefix   = "*** Move to:"
	eofMarker    = "*** End of File"
)

var (
	heredocOpen = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(?:\S+\s+)*<<-?\s*(['"]?)([A-Za-z_][A-Za-z0-9_]*)(['"]?)\s*$`)
	})
	// unifiedHeader is a "@@ -1,2 +1,3 @@ tail" line as git diff writes it;
	// the numbers are ignored and the tail, if any, is the anchor.
	unifiedHeader = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^@@ -\d+(?:,\d+)? \+\d+(?:,\d+)? @@ ?(.*)$`) })
)

// Parse parses a patch. It tolerates CRLF line endings, blank lines around the
// markers and a shell heredoc wrapper (<<'EOF' ... EOF).
func Parse(text string) (*Patch, error) {
	lines := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n")
	first, last := 0, len(lines)-1
	for first <= last && strings.TrimSpace(lines[first]) == "" {
		first++
	}
	for last >= first && strings.TrimSpace(lines[last]) == "" {
		last--
	}
	if first > last {
		return nil, errors.New("patch is empty: it must start with \"*** Begin Patch\" and end with \"*** End Patch\"")
	}
	if m := heredocOpen().FindStringSubmatch(strings.TrimSpace(lines[first])); m != nil && m[1] == m[3] {
		first++
		if last >= first && strings.TrimSpace(lines[last]) == m[2] {
			last--
		}
	}
	if first > last || strings.TrimSpace(lines[first]) != beginMarker {
		return nil, fmt.Errorf("line %d: the first line must be %q", first+1, beginMarker)
	}
	if strings.TrimSpace(lines[last]) != endMarker || last == first {
		return nil, fmt.Errorf("line %d: the last line must be %q", last+1, endMarker)
	}
	p := &parser{lines: lines, n: first + 1, end: last}
	return p.parse()
}

type parser struct {
	lines []string
	n     int // index of the next line
	end   int // index of the End Patch line
	patch Patch
}

func (p *parser) errorf(format string, a ...any) error {
	return fmt.Errorf("line %d: %s", p.n+1, fmt.Sprintf(format, a...))
}

func (p *parser) parse() (*Patch, error) {
	for p.n < p.end {
		header := strings.TrimRight(p.lines[p.n], " \t")
		var err error
		switch {
		case header == "":
			p.n++
			continue
		case strings.HasPrefix(header, addPrefix):
			err = p.parseAdd(header)
		case strings.HasPrefix(header, deletePrefix):
			err = p.parseDelete(header)
		case strings.HasPrefix(header, updatePrefix):
			err = p.parseUpdate(header)
		default:
			err = p.errorf("expected a file header (%q, %q or %q), got %q", addPrefix+" path", deletePrefix+" path", updatePrefix+" path", p.lines[p.n])
		}
		if err != nil {
			return nil, err
		}
	}
	if len(p.patch.Files) == 0 {
		return nil, p.errorf("patch changes no files: add an \"*** Add File:\", \"*** Delete File:\" or \"*** Update File:\" section")
	}
	return &p.patch, nil
}

func (p *parser) path(header, prefix string) (string, error) {
	path := strings.TrimSpace(strings.TrimPrefix(header, prefix))
	if path == "" {
		return "", p.errorf("%q has no path", prefix)
	}
	return path, nil
}

// isHeader reports whether line starts a new file section.
func isHeader(line string) bool {
	t := strings.TrimRight(line, " \t")
	return strings.HasPrefix(t, addPrefix) || strings.HasPrefix(t, deletePrefix) || strings.HasPrefix(t, updatePrefix)
}

func (p *parser) parseAdd(header string) error {
	path, err := p.path(header, addPrefix)
	if err != nil {
		return err
	}
	p.n++
	f := File{Op: Add, Path: path, Lines: []string{}}
	for ; p.n < p.end && !isHeader(p.lines[p.n]); p.n++ {
		line := p.lines[p.n]
		if strings.TrimSpace(line) == "" && p.blankTail(false) {
			p.n = p.skipBlank() - 1 // the loop increments
			continue
		}
		if !strings.HasPrefix(line, "+") {
			return p.errorf("in %q every line must start with \"+\", got %q", header, line)
		}
		f.Lines = append(f.Lines, line[1:])
	}
	p.patch.Files = append(p.patch.Files, f)
	return nil
}

func (p *parser) parseDelete(header string) error {
	path, err := p.path(header, deletePrefix)
	if err != nil {
		return err
	}
	p.n++
	for ; p.n < p.end && !isHeader(p.lines[p.n]); p.n++ {
		if strings.TrimSpace(p.lines[p.n]) != "" {
			return p.errorf("%q must not be followed by content lines, got %q", header, p.lines[p.n])
		}
	}
	p.patch.Files = append(p.patch.Files, File{Op: Delete, Path: path})
	return nil
}

// blankTail reports whether the lines from p.n up to the next header (or the
// end) are all blank (empty, if strict): separators between sections, not
// content.
func (p *parser) blankTail(strict bool) bool {
	for i := p.n; i < p.end && !isHeader(p.lines[i]); i++ {
		if l := p.lines[i]; l != "" && (strict || strings.TrimSpace(l) != "") {
			return false
		}
	}
	return true
}

func (p *parser) parseUpdate(header string) error {
	path, err := p.path(header, updatePrefix)
	if err != nil {
		return err
	}
	p.n++
	f := File{Op: Update, Path: path}
	if p.n < p.end && strings.HasPrefix(strings.TrimSpace(p.lines[p.n]), movePrefix) {
		if f.MoveTo, err = p.path(strings.TrimSpace(p.lines[p.n]), movePrefix); err != nil {
			return err
		}
		p.n++
	}
	var cur *Hunk
	newHunk := func() {
		f.Hunks = append(f.Hunks, Hunk{})
		cur = &f.Hunks[len(f.Hunks)-1]
	}
	for ; p.n < p.end && !isHeader(p.lines[p.n]); p.n++ {
		line := p.lines[p.n]
		trimmed := strings.TrimRight(line, " \t")
		switch {
		case strings.HasPrefix(line, "@@"):
			anchor := strings.TrimPrefix(strings.TrimPrefix(line, "@@"), " ")
			if m := unifiedHeader().FindStringSubmatch(line); m != nil {
				anchor = m[1]
			}
			// Consecutive "@@" lines narrow the search step by step.
			if cur == nil || len(cur.Lines) > 0 {
				newHunk()
			}
			if strings.TrimSpace(anchor) != "" {
				cur.Anchors = append(cur.Anchors, anchor)
			}
		case trimmed == eofMarker:
			if cur == nil || len(cur.Lines) == 0 {
				return p.errorf("%q must follow the lines of a hunk", eofMarker)
			}
			cur.EOF = true
		case strings.HasPrefix(trimmed, movePrefix):
			return p.errorf("%q must come right after %q", movePrefix, header)
		case strings.HasPrefix(line, `\ No newline at end of file`):
			// Copied from a git diff; final newlines are kept as they are.
		case line == "" && p.blankTail(true):
			p.n = p.skipBlank() - 1 // the loop increments
		case line == "" || line[0] == ' ' || line[0] == '-' || line[0] == '+':
			if cur != nil && cur.EOF {
				return p.errorf("hunk %d of %q continues after %q; start a new hunk with \"@@\"", len(f.Hunks), path, eofMarker)
			}
			if cur == nil {
				newHunk()
			}
			l := Line{Kind: ' '}
			if line != "" {
				l = Line{Kind: line[0], Text: line[1:]}
			}
			cur.Lines = append(cur.Lines, l)
		default:
			return p.errorf("unexpected line %q in %q: hunk lines must start with \" \" (context), \"-\" (remove) or \"+\" (add), and hunks with \"@@\"", line, header)
		}
	}
	for i, h := range f.Hunks {
		if len(h.Lines) == 0 {
			return p.errorf("hunk %d of %q has no lines", i+1, path)
		}
	}
	if len(f.Hunks) == 0 && f.MoveTo == "" {
		return p.errorf("%q has no hunks: add lines starting with \"@@\", \" \", \"-\" or \"+\"", header)
	}
	p.patch.Files = append(p.patch.Files, f)
	return nil
}

// skipBlank returns the index of the next header (or the end), after a
// blankTail.
func (p *parser) skipBlank() int {
	i := p.n
	for i < p.end && !isHeader(p.lines[i]) {
		i++
	}
	return i
}
