package action

import "strings"

// htmlTag is an HTML open or closing tag as CommonMark recognises raw HTML.
type htmlTag struct {
	name        string // lower case
	closing     bool   // </name>
	selfClosing bool   // <name ... />
	attrs       [][2]string
	end         int // index just past '>'
}

// parseTag parses the tag at st.s[i], which is '<', following CommonMark's
// grammar for open tags (name, then attributes each after whitespace, each
// an optional unquoted, 'single' or "double" quoted value, then an
// optional '/' and '>') and closing tags (</name>).
func (st *stripper) parseTag(i int) (htmlTag, bool) {
	s := st.s
	var t htmlTag
	j := i + 1
	if j < len(s) && s[j] == '/' {
		t.closing = true
		j++
	}
	start := j
	if j >= len(s) || !isAlpha(s[j]) {
		return t, false
	}
	for j < len(s) && (isAlpha(s[j]) || isDigit(s[j]) || s[j] == '-') {
		j++
	}
	t.name = strings.ToLower(s[start:j])
	for {
		k := skipSpace(s, j)
		switch {
		case k >= len(s):
			return t, false
		case s[k] == '>':
			t.end = k + 1
			return t, true
		case s[k] == '/' && !t.closing && k+1 < len(s) && s[k+1] == '>':
			t.selfClosing, t.end = true, k+2
			return t, true
		case t.closing || k == j || !isAttrNameStart(s[k]):
			return t, false // closing tags take no attributes; attributes need space before them
		}
		name := k
		for k < len(s) && isAttrName(s[k]) {
			k++
		}
		attr := [2]string{strings.ToLower(s[name:k]), ""}
		j = k
		if v := skipSpace(s, k); v < len(s) && s[v] == '=' {
			v = skipSpace(s, v+1)
			if v >= len(s) {
				return t, false
			}
			switch q := s[v]; q {
			case '"', '\'':
				e := st.index(q, v+1)
				if e < 0 {
					return t, false
				}
				attr[1], j = s[v+1:e], e+1
			default:
				e := v
				for e < len(s) && !strings.ContainsRune(" \t\n\"'=<>`", rune(s[e])) {
					e++
				}
				if e == v {
					return t, false
				}
				attr[1], j = s[v:e], e
			}
		}
		t.attrs = append(t.attrs, attr)
	}
}

// hidden reports whether the element's content would not be shown: script,
// style and template elements, and elements with a hidden attribute or a
// style of display:none or visibility:hidden.
func (t htmlTag) hidden() bool {
	if t.name == "script" || t.name == "style" || t.name == "template" {
		return true
	}
	for _, a := range t.attrs {
		switch a[0] {
		case "hidden":
			return true
		case "style":
			v := strings.Join(strings.Fields(strings.ToLower(a[1])), "")
			if strings.Contains(v, "display:none") || strings.Contains(v, "visibility:hidden") {
				return true
			}
		}
	}
	return false
}

// knownTag reports whether name is an HTML element GitHub renders, or one
// that hides or embeds content. Other <words> are left alone so that text
// such as "Vec<T>" or "x <y and z> w" survives.
func knownTag(name string) bool {
	switch name {
	case "a", "abbr", "b", "bdi", "bdo", "blockquote", "br", "caption", "center", "cite", "code",
		"dd", "del", "details", "dfn", "div", "dl", "dt", "em", "embed", "figcaption", "figure",
		"font", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe", "img", "ins", "kbd",
		"li", "mark", "object", "ol", "p", "picture", "pre", "q", "rp", "rt", "ruby", "s", "samp",
		"script", "section", "small", "source", "span", "strike", "strong", "style", "sub",
		"summary", "sup", "svg", "table", "tbody", "td", "template", "tfoot", "th", "thead",
		"time", "tr", "tt", "u", "ul", "var", "video", "wbr":
		return true
	}
	return false
}

// voidTag reports whether name is an element that has no end tag.
func voidTag(name string) bool {
	switch name {
	case "br", "embed", "hr", "img", "source", "wbr":
		return true
	}
	return false
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n') {
		i++
	}
	return i
}

func isAttrNameStart(c byte) bool { return isAlpha(c) || c == '_' || c == ':' }
func isAttrName(c byte) bool {
	return isAttrNameStart(c) || isDigit(c) || c == '.' || c == '-'
}
func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }
