package action

import (
	"bytes"
	"strings"
	"unicode/utf8"
)

// stripper is Untrusted's single pass over s (valid UTF-8, "\n" line
// endings). Kept text goes to out, which doubles as a stack: whenever a
// removal makes out end in "<!--", that is a comment now, so it is dropped
// too; "<!<!-- -->--" leaves no comment behind. Searches for a byte go
// through index, which remembers its answers, so that hostile input (a
// thousand "![" or unclosed quotes) cannot make the pass quadratic.
type stripper struct {
	s     string
	out   []byte
	cache map[byte][2]int // c -> {from, at}: the first c at or after from is at (-1: none)
}

func stripHidden(s string) string {
	st := &stripper{s: s, out: make([]byte, 0, len(s)), cache: map[byte][2]int{}}
	for i := 0; i < len(s); {
		if i == 0 || s[i-1] == '\n' {
			if n := linkRefDef(s[i:]); n > 0 {
				i += n
				continue
			}
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == '\u2028' || r == '\u2029':
			st.out = append(st.out, '\n')
			i += size
			continue
		case Invisible(r):
			i += size
			continue
		case r == '<':
			if end, repl, ok := st.tag(i); ok {
				st.out = append(st.out, repl...)
				i = end
				continue
			}
		case r == '!':
			if end := st.image(i); end > 0 {
				st.out = append(st.out, "(image)"...)
				i = end
				continue
			}
		}
		st.out = append(st.out, s[i:i+size]...)
		i += size
		if bytes.HasSuffix(st.out, []byte("<!--")) {
			st.out = st.out[:len(st.out)-len("<!--")]
			end := strings.Index(s[i:], "-->")
			if end < 0 {
				break
			}
			i += end + len("-->")
		}
	}
	return string(st.out)
}

// index returns the index of the first c in s at or after i, or -1.
func (st *stripper) index(c byte, i int) int {
	if e, ok := st.cache[c]; ok && i >= e[0] && (e[1] < 0 || e[1] >= i) {
		return e[1]
	}
	at := strings.IndexByte(st.s[i:], c)
	if at >= 0 {
		at += i
	}
	st.cache[c] = [2]int{i, at}
	return at
}

// firstOf returns the index of the first a or b at or after i, or -1.
func (st *stripper) firstOf(a, b byte, i int) int {
	x, y := st.index(a, i), st.index(b, i)
	if x < 0 || (y >= 0 && y < x) {
		return y
	}
	return x
}

// image returns the end of the Markdown image at i, "![alt](url)" or
// "![alt][ref]", whose alt text a reader never sees; or 0.
func (st *stripper) image(i int) int {
	s := st.s
	if !strings.HasPrefix(s[i:], "![") {
		return 0
	}
	j := st.firstOf(']', '\n', i+2)
	if j < 0 || s[j] != ']' || j+1 >= len(s) || (s[j+1] != '(' && s[j+1] != '[') {
		return 0
	}
	closer := byte(')')
	if s[j+1] == '[' {
		closer = ']'
	}
	k := st.firstOf(closer, '\n', j+2)
	if k < 0 || s[k] != closer {
		return 0
	}
	return k + 1
}

// linkRefDef returns the length, newline included, of the line s starts
// with if it is a Markdown link reference definition ("[label]: dest"),
// which renders as nothing and so is the Markdown way to hide a comment:
// "[//]: # (hidden)". It returns 0 otherwise.
func linkRefDef(s string) int {
	line, _, found := strings.Cut(s, "\n")
	n := len(line)
	if found {
		n++
	}
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || !strings.HasPrefix(t, "[") {
		return 0
	}
	label, rest, ok := strings.Cut(t[1:], "]:")
	if !ok || strings.TrimSpace(label) == "" || strings.ContainsAny(label, "[]") {
		return 0
	}
	if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
		return 0
	}
	return n
}

// tag reads the HTML tag at i if it is one of the elements GitHub renders
// (or an attacker might try) and well-formed as CommonMark requires of raw
// HTML; otherwise GitHub shows it as text and so does Untrusted. It
// returns where to continue and what to write instead.
func (st *stripper) tag(i int) (end int, repl string, ok bool) {
	t, ok := st.parseTag(i)
	if !ok || !knownTag(t.name) {
		return 0, "", false
	}
	switch {
	case t.closing:
		return t.end, "</" + t.name + ">", true
	case t.name == "img":
		return t.end, "(image)", true
	case t.name == "source":
		return t.end, "", true
	case !t.hidden():
		return t.end, "<" + t.name + ">", true
	case t.selfClosing || voidTag(t.name):
		return t.end, "", true
	}
	return st.closeOf(t.name, t.end), "", true
}

// closeOf returns the index just past the end tag matching an element
// named name whose content starts at i, counting nested elements of the
// same name, or len(s) when it is never closed (HTML closes it at the end).
func (st *stripper) closeOf(name string, i int) int {
	depth := 1
	for {
		j := st.index('<', i)
		if j < 0 {
			return len(st.s)
		}
		if t, ok := st.parseTag(j); ok && t.name == name {
			switch {
			case t.closing:
				depth--
			case !t.selfClosing && !voidTag(name):
				depth++
			}
			if depth == 0 {
				return t.end
			}
			j = t.end - 1
		}
		i = j + 1
	}
}
