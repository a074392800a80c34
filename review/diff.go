package review

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ParseDiff reads unified diff output, as `git diff` prints it, into one
// FileDiff per file. It accepts plain unified diffs (no "diff --git" line)
// too, tolerates CRLF line endings, and skips the payload of binary patches.
// Line counts in every hunk match its header, or ParseDiff returns an error.
func ParseDiff(r io.Reader) ([]FileDiff, error) {
	p := &parser{br: bufio.NewReader(r)}
	if err := p.run(); err != nil {
		return p.files, fmt.Errorf("parse diff: line %d: %w", p.n, err)
	}
	return p.files, nil
}

type parser struct {
	br    *bufio.Reader
	n     int // current line number in the input
	files []FileDiff
	cur   *FileDiff
	hunk  *Hunk
	// old and new count the lines the current hunk still expects; oldLine
	// and newLine number the next line on each side.
	old, new, oldLine, newLine int
	binaryPatch                bool // inside "GIT binary patch" data
}

func (p *parser) run() error {
	for {
		line, err := p.br.ReadString('\n')
		if line == "" && err != nil {
			if errors.Is(err, io.EOF) {
				return p.endOfInput()
			}
			return err
		}
		p.n++
		line = strings.TrimSuffix(strings.TrimSuffix(line, "\n"), "\r")
		if err := p.line(line); err != nil {
			return err
		}
	}
}

func (p *parser) endOfInput() error {
	if p.hunk != nil && (p.old > 0 || p.new > 0) {
		return fmt.Errorf("hunk ends early: %d old and %d new lines missing", p.old, p.new)
	}
	return nil
}

func (p *parser) line(s string) error {
	if p.hunk != nil && (p.old > 0 || p.new > 0) {
		return p.hunkLine(s)
	}
	p.hunk = nil
	switch {
	case strings.HasPrefix(s, `\`):
		return nil // "\ No newline at end of file" after a hunk's last line
	case strings.HasPrefix(s, "diff --git "):
		p.start()
		p.binaryPatch = false
		a, b := splitGitPaths(s[len("diff --git "):])
		p.cur.OldPath, p.cur.NewPath = stripPrefix(a, "a/"), stripPrefix(b, "b/")
	case p.binaryPatch:
		return nil
	case strings.HasPrefix(s, "--- ") && p.startsFile():
		if p.cur == nil || len(p.cur.Hunks) > 0 {
			p.start()
		}
		p.cur.OldPath = headerPath(s[4:], "a/")
	case strings.HasPrefix(s, "+++ ") && p.cur != nil && len(p.cur.Hunks) == 0:
		p.cur.NewPath = headerPath(s[4:], "b/")
	case strings.HasPrefix(s, "@@ "):
		if p.cur == nil {
			return errors.New("hunk before any file header")
		}
		return p.startHunk(s)
	case p.cur == nil:
		return nil // preamble, such as a commit message
	case strings.HasPrefix(s, "new file mode "):
		p.cur.Added, p.cur.OldPath = true, ""
	case strings.HasPrefix(s, "deleted file mode "):
		p.cur.Deleted, p.cur.NewPath = true, ""
	case strings.HasPrefix(s, "rename from "), strings.HasPrefix(s, "copy from "):
		_, rest, _ := strings.Cut(s, " from ")
		p.cur.OldPath = unquote(rest)
	case strings.HasPrefix(s, "rename to "), strings.HasPrefix(s, "copy to "):
		_, rest, _ := strings.Cut(s, " to ")
		p.cur.NewPath = unquote(rest)
	case s == "GIT binary patch":
		p.cur.Binary, p.binaryPatch = true, true
	case strings.HasPrefix(s, "Binary files ") && strings.HasSuffix(s, " differ"):
		p.cur.Binary = true
		if strings.HasPrefix(s, "Binary files /dev/null and ") {
			p.cur.Added, p.cur.OldPath = true, ""
		} else if strings.HasSuffix(s, " and /dev/null differ") {
			p.cur.Deleted, p.cur.NewPath = true, ""
		}
	}
	return nil
}

// startsFile reports whether a "--- " line is a file header rather than, say,
// a line of a commit message: a header is followed by "+++ ".
func (p *parser) startsFile() bool {
	next, _ := p.br.Peek(4)
	return string(next) == "+++ "
}

func (p *parser) start() {
	p.files = append(p.files, FileDiff{})
	p.cur = &p.files[len(p.files)-1]
}

func (p *parser) startHunk(s string) error {
	var h Hunk
	rest, ok := strings.CutPrefix(s, "@@ -")
	oldR, rest, ok2 := strings.Cut(rest, " +")
	newR, _, ok3 := strings.Cut(rest, " @@")
	if !ok || !ok2 || !ok3 {
		return fmt.Errorf("malformed hunk header %q", s)
	}
	var err1, err2 error
	h.OldStart, h.OldLines, err1 = parseRange(oldR)
	h.NewStart, h.NewLines, err2 = parseRange(newR)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("hunk header %q: %w", s, err)
	}
	p.cur.Hunks = append(p.cur.Hunks, h)
	p.hunk = &p.cur.Hunks[len(p.cur.Hunks)-1]
	p.old, p.new = h.OldLines, h.NewLines
	p.oldLine, p.newLine = max(h.OldStart, 1), max(h.NewStart, 1)
	return nil
}

// parseRange reads "start[,count]"; count defaults to 1.
func parseRange(s string) (start, count int, err error) {
	a, b, hasCount := strings.Cut(s, ",")
	count = 1
	if start, err = strconv.Atoi(a); err == nil && hasCount {
		count, err = strconv.Atoi(b)
	}
	const limit = 1 << 30
	if err == nil && (start < 0 || count < 0 || start > limit || count > limit) {
		err = fmt.Errorf("range %q out of bounds", s)
	}
	return start, count, err
}

func (p *parser) hunkLine(s string) error {
	kind, text := byte(' '), s
	if s != "" {
		kind, text = s[0], s[1:]
	}
	l := Line{Kind: kind, Text: text}
	switch {
	case kind == '\\':
		return nil
	case kind == ' ' && p.old > 0 && p.new > 0:
		l.OldLine, l.NewLine = p.oldLine, p.newLine
		p.old, p.new, p.oldLine, p.newLine = p.old-1, p.new-1, p.oldLine+1, p.newLine+1
	case kind == '-' && p.old > 0:
		l.OldLine = p.oldLine
		p.old, p.oldLine = p.old-1, p.oldLine+1
	case kind == '+' && p.new > 0:
		l.NewLine = p.newLine
		p.new, p.newLine = p.new-1, p.newLine+1
	default:
		return fmt.Errorf("line %q does not fit the hunk (%d old, %d new lines left)", s, p.old, p.new)
	}
	p.hunk.Lines = append(p.hunk.Lines, l)
	return nil
}

// splitGitPaths splits the "a/x b/y" of a "diff --git" line. Unquoted paths
// may contain spaces, so when both names are equal (no rename) the line is
// split in the middle; otherwise at the first " b/". Rename and ---/+++
// lines, when present, override the guess.
func splitGitPaths(s string) (a, b string) {
	if strings.HasPrefix(s, `"`) {
		a, rest := cutQuoted(s)
		return a, unquote(strings.TrimPrefix(rest, " "))
	}
	if i := strings.Index(s, ` "`); i >= 0 && strings.HasSuffix(s, `"`) {
		return s[:i], unquote(s[i+1:])
	}
	if len(s)%2 == 1 {
		mid := len(s) / 2
		a, b := s[:mid], s[mid+1:]
		if s[mid] == ' ' && strings.HasPrefix(a, "a/") && strings.HasPrefix(b, "b/") && a[2:] == b[2:] {
			return a, b
		}
	}
	if i := strings.Index(s, " b/"); i >= 0 {
		return s[:i], s[i+1:]
	}
	a, b, _ = strings.Cut(s, " ")
	return a, b
}

// headerPath reads the path of a ---/+++ line: "" for /dev/null, and without
// a trailing tab and timestamp (plain diff -u output).
func headerPath(s, prefix string) string {
	if !strings.HasPrefix(s, `"`) {
		s, _, _ = strings.Cut(s, "\t")
	}
	s = unquote(s)
	if s == "/dev/null" {
		return ""
	}
	return stripPrefix(s, prefix)
}

func stripPrefix(s, prefix string) string {
	if s == "/dev/null" {
		return ""
	}
	return strings.TrimPrefix(s, prefix)
}

// cutQuoted splits a leading C-quoted string from the rest.
func cutQuoted(s string) (string, string) {
	for i := 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return unquote(s[:i+1]), s[i+1:]
		}
	}
	return s, ""
}

// unquote decodes git's C-style quoting ("a\tb", "\303\251"); anything else
// is returned as is.
func unquote(s string) string {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return s
	}
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}
