package tool

import (
	"regexp"
	"strings"
)

// gitignore matches paths against .gitignore rules. Paths are slash-separated
// and relative to the root the rules were collected from. It is immutable:
// with returns a new matcher, so sibling directories can share a parent's.
type gitignore struct {
	rules []ignoreRule
}

type ignoreRule struct {
	base    string // directory holding the .gitignore, "" for the root
	re      *regexp.Regexp
	negate  bool
	dirOnly bool
}

// with returns g plus the rules of a .gitignore found in directory base.
func (g *gitignore) with(base string, data []byte) *gitignore {
	var rules []ignoreRule
	if g != nil {
		rules = append(rules, g.rules...)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if r, ok := parseIgnoreRule(base, line); ok {
			rules = append(rules, r)
		}
	}
	return &gitignore{rules: rules}
}

// match reports whether rel itself is ignored; the last matching rule wins.
// It does not look at rel's parents: a walker never enters an ignored
// directory, so it need not.
func (g *gitignore) match(rel string, isDir bool) bool {
	if g == nil {
		return false
	}
	for i := len(g.rules) - 1; i >= 0; i-- {
		r := g.rules[i]
		if r.dirOnly && !isDir {
			continue
		}
		sub := rel
		if r.base != "" {
			var ok bool
			if sub, ok = strings.CutPrefix(rel, r.base+"/"); !ok {
				continue
			}
		}
		if r.re.MatchString(sub) {
			return !r.negate
		}
	}
	return false
}

// ignored reports whether rel is ignored, either itself or because one of
// its parent directories is (git cannot re-include a file below an ignored
// directory).
func (g *gitignore) ignored(rel string, isDir bool) bool {
	for i := 0; i < len(rel); i++ {
		if rel[i] == '/' && g.match(rel[:i], true) {
			return true
		}
	}
	return g.match(rel, isDir)
}

func parseIgnoreRule(base, line string) (ignoreRule, bool) {
	line = strings.TrimSuffix(line, "\r")
	if line == "" || line[0] == '#' {
		return ignoreRule{}, false
	}
	// Trailing spaces are ignored unless escaped with a backslash.
	for strings.HasSuffix(line, " ") && !strings.HasSuffix(line, `\ `) {
		line = line[:len(line)-1]
	}
	if line == "" {
		return ignoreRule{}, false
	}
	r := ignoreRule{base: base}
	if line[0] == '!' {
		r.negate = true
		line = line[1:]
	}
	if strings.HasSuffix(line, "/") {
		r.dirOnly = true
		line = strings.TrimRight(line, "/")
	}
	if line == "" {
		return ignoreRule{}, false
	}
	// A slash anywhere but the end anchors the pattern to base; otherwise it
	// matches a name at any depth.
	anchored := strings.Contains(line, "/")
	line = strings.TrimPrefix(line, "/")
	expr := "^"
	if !anchored {
		expr += "(?:.*/)?"
	}
	expr += globRegexp(line) + "$"
	re, err := regexp.Compile(expr)
	if err != nil {
		return ignoreRule{}, false
	}
	r.re = re
	return r, true
}

// globRegexp translates a gitignore glob to a regular expression: "*" and
// "?" stop at "/", "**" spans directories where it is a whole component,
// "[...]" is a character class, and a backslash quotes the next character.
func globRegexp(glob string) string {
	var b strings.Builder
	for i := 0; i < len(glob); i++ {
		c := glob[i]
		switch {
		case strings.HasPrefix(glob[i:], "**") && (i == 0 || glob[i-1] == '/'):
			rest := glob[i+2:]
			switch {
			case rest == "":
				b.WriteString(".*")
				i++
			case rest[0] == '/':
				b.WriteString("(?:.*/)?")
				i += 2
			default:
				b.WriteString("[^/]*")
				i++
			}
		case c == '*':
			b.WriteString("[^/]*")
		case c == '?':
			b.WriteString("[^/]")
		case c == '[':
			class, n := globClass(glob[i:])
			if n == 0 {
				b.WriteString(`\[`)
				continue
			}
			b.WriteString(class)
			i += n - 1
		case c == '\\' && i+1 < len(glob):
			i++
			b.WriteString(regexp.QuoteMeta(glob[i : i+1]))
		default:
			b.WriteString(regexp.QuoteMeta(glob[i : i+1]))
		}
	}
	return b.String()
}

// globClass translates the bracket expression at the start of s, returning
// the regexp class and the bytes consumed, or 0 if it is not closed.
func globClass(s string) (string, int) {
	i := 1
	var b strings.Builder
	b.WriteString("[")
	if i < len(s) && (s[i] == '!' || s[i] == '^') {
		b.WriteString("^/")
		i++
	}
	for first := true; i < len(s); i, first = i+1, false {
		c := s[i]
		switch {
		case c == ']' && !first:
			return b.String() + "]", i + 1
		case c == '[' && strings.HasPrefix(s[i:], "[:"):
			end := strings.Index(s[i+2:], ":]")
			if end < 0 {
				return "", 0
			}
			b.WriteString(s[i : i+2+end+2])
			i += 2 + end + 1
		case c == '\\' && i+1 < len(s):
			i++
			b.WriteString(regexp.QuoteMeta(s[i : i+1]))
		case c == '-' && !first:
			b.WriteByte('-')
		default:
			b.WriteString(regexp.QuoteMeta(s[i : i+1]))
		}
	}
	return "", 0
}
