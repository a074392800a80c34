package patch

import "strings"

// passes are the line comparisons seek tries, strictest first, as Codex does:
// models often get indentation, trailing spaces or typographic punctuation
// slightly wrong while meaning the right lines.
var passes = []func(string) string{
	func(s string) string { return s },
	func(s string) string { return strings.TrimRight(s, " \t\v\f\r") },
	strings.TrimSpace,
	func(s string) string { return strings.TrimSpace(normalizePunct(s)) },
}

// seek returns the index of the first occurrence of pattern in lines at or
// after start, or -1. If eof, a match ending at the last line is preferred.
func seek(lines, pattern []string, start int, eof bool) int {
	n := len(pattern)
	if n == 0 {
		return start
	}
	if start < 0 || n > len(lines)-start {
		return -1
	}
	for _, norm := range passes {
		want := make([]string, n)
		for i, p := range pattern {
			want[i] = norm(p)
		}
		matchAt := func(at int) bool {
			for j, w := range want {
				if norm(lines[at+j]) != w {
					return false
				}
			}
			return true
		}
		if eof && matchAt(len(lines)-n) {
			return len(lines) - n
		}
		for i := start; i <= len(lines)-n; i++ {
			if matchAt(i) {
				return i
			}
		}
	}
	return -1
}

// closest finds the start of the longest run of leading pattern lines found
// in lines (loosest comparison), giving up past a work budget.
func closest(lines, pattern []string) (at, n int) {
	norm := passes[len(passes)-1]
	want := make([]string, len(pattern))
	for i, p := range pattern {
		want[i] = norm(p)
	}
	got := make([]string, len(lines))
	for i, l := range lines {
		got[i] = norm(l)
	}
	budget := 1 << 22
	for i := range got {
		k := 0
		for k < len(want) && i+k < len(got) && got[i+k] == want[k] {
			k++
		}
		if budget -= k + 1; budget < 0 {
			break
		}
		if k > n {
			at, n = i, k
		}
	}
	return at, n
}

var punct = strings.NewReplacer(
	"\u2018", "'", "\u2019", "'", "\u201A", "'", "\u201B", "'", "\u2032", "'",
	"\u201C", `"`, "\u201D", `"`, "\u201E", `"`, "\u201F", `"`, "\u2033", `"`,
	"\u00AB", `"`, "\u00BB", `"`,
	"\u2010", "-", "\u2011", "-", "\u2012", "-", "\u2013", "-", "\u2014", "-", "\u2015", "-", "\u2212", "-",
	"\u2026", "...",
	"\u00A0", " ", "\u2002", " ", "\u2003", " ", "\u2004", " ", "\u2005", " ", "\u2006", " ",
	"\u2007", " ", "\u2008", " ", "\u2009", " ", "\u200A", " ", "\u202F", " ", "\u205F", " ", "\u3000", " ",
)

// normalizePunct maps typographic quotes, dashes, ellipses and spaces to
// their ASCII counterparts.
func normalizePunct(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return punct.Replace(s)
		}
	}
	return s
}
