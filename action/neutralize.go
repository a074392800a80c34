package action

import (
	"regexp"
	"strings"
	"sync"
)

// Inert makes Markdown written by a model, which read untrusted text, safe
// to post on GitHub under git-agent's name. A prompt injection in a diff
// can steer what the model writes; Inert keeps that text from acting on
// anyone:
//
//   - @mentions (users and teams) and issue references (#12, owner/repo#12,
//     GH-12) become code spans, which notify nobody and link nowhere;
//   - images (Markdown and <img>) become "(image)", hidden HTML and
//     comments go and attributes are dropped, as in Untrusted; then what
//     HTML is left is escaped, so nothing renders as a tag;
//   - runs of whitespace, newlines included, become one space: a finding
//     is one paragraph and cannot start a heading, list or table.
//
// Code spans the model wrote stay as they are, since GitHub renders their
// content literally. Links stay: GitHub shows their destination.
func Inert(s string) string {
	s = strings.Join(strings.Fields(Untrusted(s, 0)), " ")
	var b strings.Builder
	for s != "" {
		i := strings.IndexByte(s, '`')
		if i < 0 {
			b.WriteString(inertText(s))
			break
		}
		b.WriteString(inertText(s[:i]))
		s = s[i:]
		run := len(s) - len(strings.TrimLeft(s, "`"))
		fence := s[:run]
		end := strings.Index(s[run:], fence)
		// A span closes on a run of exactly the same length.
		for end >= 0 && run+end+run < len(s) && s[run+end+run] == '`' {
			next := strings.Index(s[run+end+run:], fence)
			if next < 0 {
				end = -1
				break
			}
			end += run + next
		}
		if end < 0 {
			// No closing run: the backticks are literal text.
			b.WriteString(strings.Repeat("\\`", run))
			s = s[run:]
			continue
		}
		b.WriteString(s[:run+end+run])
		s = s[run+end+run:]
	}
	return b.String()
}

// inertRefs matches what GitHub turns into a notification or a cross-link:
// @user, @org/team, #12, owner/repo#12, GH-12.
var inertRefs = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(?:^|[^A-Za-z0-9_` + "`" + `/.-])((?:@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9_.-]+)?)|(?:[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)?#[0-9]+|GH-[0-9]+)`)
})

// inertText neutralises text outside code spans.
func inertText(s string) string {
	s = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace(s)
	re := inertRefs()
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(s, -1) {
		b.WriteString(s[last:m[2]])
		b.WriteString("`" + s[m[2]:m[3]] + "`")
		last = m[3]
	}
	b.WriteString(s[last:])
	return b.String()
}
