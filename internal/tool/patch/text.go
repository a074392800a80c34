package patch

import (
	"fmt"
	"strings"
)

// text is a file split into lines, remembering each line's ending so that
// untouched lines keep theirs and new lines get the file's usual one.
type text struct {
	lines []string // without "\n" or "\r\n"
	cr    []bool   // line i ended with "\r\n"
	// finalNewline: the last line ends with a newline (true for an empty file,
	// so that lines added to it are terminated).
	finalNewline bool
	crlf         bool // most line endings are "\r\n"
}

func splitText(s string) text {
	t := text{finalNewline: true}
	if s == "" {
		return t
	}
	parts := strings.Split(s, "\n")
	if parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	} else {
		t.finalNewline = false
	}
	t.lines = make([]string, len(parts))
	t.cr = make([]bool, len(parts))
	crs := 0
	for i, p := range parts {
		terminated := i < len(parts)-1 || t.finalNewline
		if terminated && strings.HasSuffix(p, "\r") {
			p = p[:len(p)-1]
			t.cr[i] = true
			crs++
		}
		t.lines[i] = p
	}
	t.crlf = crs*2 > len(parts)
	return t
}

func (t text) String() string {
	var b strings.Builder
	for i, l := range t.lines {
		b.WriteString(l)
		if i < len(t.lines)-1 || t.finalNewline {
			if t.cr[i] {
				b.WriteByte('\r')
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// applyHunks returns t with hunks applied, and the count of added and removed
// lines. Errors name the hunk (1-based) and show what could not be found.
func applyHunks(t text, hunks []Hunk) (out text, added, removed int, err error) {
	out = text{finalNewline: t.finalNewline || len(t.lines) == 0, crlf: t.crlf}
	pos, copied := 0, 0
	for hi, h := range hunks {
		for _, a := range h.Anchors {
			i := seek(t.lines, []string{a}, pos, false)
			if i < 0 {
				return text{}, 0, 0, fmt.Errorf("hunk %d: could not find the \"@@ %s\" anchor line%s; the text after \"@@\" must be a line of the file that comes before the change", hi+1, a, after(pos))
			}
			pos = i + 1
		}
		lines := h.Lines
		start := -1
		for {
			old := oldLines(lines)
			if len(old) == 0 {
				start = len(t.lines)
				if len(h.Anchors) > 0 {
					start = pos
				}
				break
			}
			if start = seek(t.lines, old, pos, h.EOF); start >= 0 {
				break
			}
			// A blank trailing context line is often an artefact of how the
			// patch was written, not of the file; retry without it.
			if n := len(lines); n > 0 && lines[n-1].Kind == ' ' && strings.TrimSpace(lines[n-1].Text) == "" {
				lines = lines[:n-1]
				continue
			}
			return text{}, 0, 0, notFound(t.lines, hi+1, h.Lines, pos)
		}
		for ; copied < start; copied++ {
			out.lines = append(out.lines, t.lines[copied])
			out.cr = append(out.cr, t.cr[copied])
		}
		for _, l := range lines {
			switch l.Kind {
			case ' ':
				// Keep the file's own text: the match may have been fuzzy.
				out.lines = append(out.lines, t.lines[copied])
				out.cr = append(out.cr, t.cr[copied])
				copied++
			case '-':
				copied++
				removed++
			case '+':
				out.lines = append(out.lines, l.Text)
				out.cr = append(out.cr, t.crlf)
				added++
			}
		}
		pos = copied
	}
	out.lines = append(out.lines, t.lines[copied:]...)
	out.cr = append(out.cr, t.cr[copied:]...)
	return out, added, removed, nil
}

func oldLines(lines []Line) []string {
	var old []string
	for _, l := range lines {
		if l.Kind != '+' {
			old = append(old, l.Text)
		}
	}
	return old
}

func after(pos int) string {
	if pos == 0 {
		return ""
	}
	return fmt.Sprintf(" after line %d", pos)
}

// notFound explains a hunk that did not match, with the closest partial match
// when one is cheap to find.
func notFound(file []string, hunk int, lines []Line, pos int) error {
	old := oldLines(lines)
	var b strings.Builder
	fmt.Fprintf(&b, "hunk %d: could not find these lines%s:\n", hunk, after(pos))
	shown := 0
	for _, l := range lines {
		if l.Kind == '+' {
			continue
		}
		if shown++; shown > 20 {
			fmt.Fprintf(&b, "  ... (%d more)\n", len(old)-20)
			break
		}
		fmt.Fprintf(&b, "  %c%s\n", l.Kind, l.Text)
	}
	if i := seek(file, old, 0, false); i >= 0 && i < pos {
		fmt.Fprintf(&b, "They appear at line %d, before the end of the previous hunk or anchor (line %d): hunks must be in file order and must not overlap.", i+1, pos)
		return fmt.Errorf("%s", b.String())
	}
	if at, n := closest(file, old); n > 0 {
		fmt.Fprintf(&b, "Closest match: %d of %d lines match at line %d", n, len(old), at+1)
		if at+n < len(file) {
			fmt.Fprintf(&b, "; line %d of the file is %q where the patch expects %q", at+n+1, file[at+n], old[n])
		}
		b.WriteString(".\n")
	}
	b.WriteString("Read the file again and copy the context and removed lines exactly.")
	return fmt.Errorf("%s", b.String())
}
