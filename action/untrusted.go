package action

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Untrusted prepares Markdown written by someone else (a pull request's
// title or body, a comment) to be shown to a model as data, dropping what a
// person reading it on GitHub would not see but a model would:
//
//   - invisible characters (see Invisible): zero-width and bidirectional
//     controls, tag characters, variation selectors, other format (Cf) and
//     control characters;
//   - HTML comments, up to the first "-->" or, unterminated, to the end;
//   - the alt and title text of images: <img> tags and Markdown images
//     ![alt](url) become "(image)", <source> tags go;
//   - the attributes of other HTML tags GitHub renders (<a title="...">
//     becomes <a>), and elements with a hidden attribute, a display:none or
//     visibility:hidden style, or that are <script>, <style> or <template>,
//     with their content up to the matching end tag or the end;
//   - link reference definitions such as "[//]: # (note)", which render as
//     nothing.
//
// Line endings become "\n", invalid UTF-8 becomes U+FFFD, and the result
// is cut to at most limit bytes (limit <= 0 means no cap), ending in a note
// saying how much was cut. The rules are deliberately blunt: they may drop
// text that was visible (HTML inside a code span, say) but never keep
// text that was hidden. Use UntrustedCode for diffs and files, where
// hiding anything would hide it from the reviewer too.
func Untrusted(s string, limit int) string {
	s = normalizeNewlines(strings.ToValidUTF8(s, "\uFFFD"))
	s = stripHidden(s)
	return truncate(s, limit)
}

// UntrustedCode prepares a diff or file content for a model. Everything a
// person sees in GitHub's raw view stays, HTML comments included; invisible
// characters, which a reviewer must notice rather than never see (a
// "Trojan Source" bidi override, say), are replaced by a visible <U+XXXX>.
// Line endings become "\n", invalid UTF-8 becomes U+FFFD, and the result
// is cut to at most limit bytes (limit <= 0 means no cap).
func UntrustedCode(s string, limit int) string {
	s = normalizeNewlines(strings.ToValidUTF8(s, "\uFFFD"))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r == '\u2028' || r == '\u2029':
			b.WriteByte('\n')
		case Invisible(r):
			fmt.Fprintf(&b, "<U+%04X>", r)
		default:
			b.WriteRune(r)
		}
	}
	return truncate(b.String(), limit)
}

// Invisible reports whether Untrusted drops r (and UntrustedCode shows it
// escaped): control characters other than tab and newline; format (Cf)
// characters, among them the soft hyphen U+00AD, zero-width U+200B–U+200F,
// bidirectional U+202A–U+202E and U+2066–U+2069, U+2060–U+206F, the byte
// order mark U+FEFF and tag characters U+E0000–U+E007F; variation
// selectors; the combining grapheme joiner; and the Hangul fillers, which
// render as blank space.
func Invisible(r rune) bool {
	switch {
	case r == '\t' || r == '\n':
		return false
	case r < 0x20 || (r >= 0x7f && r <= 0x9f):
		return true
	case r >= 0x2060 && r <= 0x206f, r >= 0xe0000 && r <= 0xe007f:
		return true
	case r >= 0xfe00 && r <= 0xfe0f, r >= 0xe0100 && r <= 0xe01ef: // variation selectors
		return true
	case r == 0x034f, r == 0x115f, r == 0x1160, r == 0x3164, r == 0xffa0:
		return true
	}
	return unicode.Is(unicode.Cf, r)
}

// truncate cuts s to at most limit bytes on a rune boundary, ending with a
// note of how many bytes were dropped when there is room for it.
func truncate(s string, limit int) string {
	if limit <= 0 || len(s) <= limit {
		return s
	}
	noteMax := len(fmt.Sprintf("\n[truncated %d bytes]", len(s)))
	if limit < noteMax {
		return s[:runeStart(s, limit)]
	}
	keep := runeStart(s, limit-noteMax)
	return s[:keep] + fmt.Sprintf("\n[truncated %d bytes]", len(s)-keep)
}

// runeStart returns the largest i <= n at which a rune of s starts.
func runeStart(s string, n int) int {
	for n > 0 && n < len(s) && !utf8.RuneStart(s[n]) {
		n--
	}
	return n
}
