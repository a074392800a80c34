package action

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Command verbs.
const (
	VerbReview = "review"
	VerbFix    = "fix"
	VerbHelp   = "help"
)

// Command is an agent command read from a comment.
type Command struct {
	Verb string // VerbReview, VerbFix or VerbHelp
	// Task is what follows the verb: the rest of the first line and every
	// line after it, trimmed. It is untrusted text; Fix needs it, Review
	// may use it as extra focus, Help ignores it.
	Task string
}

// ParseCommand reads a command from a comment body. A comment triggers only
// when its first non-blank line starts with trigger, indented by at most
// three spaces, and trigger is followed by whitespace or the end of the
// line: "/agent review", "/agent fix add a test for Foo". The phrase
// anywhere else (mid-sentence, on a later line, in a quote, in a fenced or
// indented code block) does not trigger, so quoting or documenting a
// command never runs it. Trigger and verb match regardless of case; an
// unknown or missing verb gives VerbHelp.
func ParseCommand(body, trigger string) (Command, bool) {
	if trigger == "" || strings.TrimSpace(trigger) != trigger {
		return Command{}, false
	}
	body = normalizeNewlines(body)
	var first, rest string
	for {
		line, more, found := strings.Cut(body, "\n")
		if strings.TrimSpace(line) != "" {
			first, rest = line, more
			break
		}
		if !found {
			return Command{}, false
		}
		body = more
	}
	// Four spaces or a tab make an indented code block in Markdown.
	trimmed := strings.TrimLeft(first, " ")
	if len(first)-len(trimmed) > 3 {
		return Command{}, false
	}
	if len(trimmed) < len(trigger) || !strings.EqualFold(trimmed[:len(trigger)], trigger) {
		return Command{}, false
	}
	after := trimmed[len(trigger):]
	if r, _ := utf8.DecodeRuneInString(after); after != "" && !unicode.IsSpace(r) {
		return Command{}, false // "/agentfoo"
	}
	verb, args := strings.TrimSpace(after), ""
	if i := strings.IndexFunc(verb, unicode.IsSpace); i >= 0 {
		verb, args = verb[:i], verb[i:]
	}
	task := strings.TrimSpace(args + "\n" + rest)
	switch v := strings.ToLower(verb); v {
	case VerbReview, VerbFix:
		return Command{Verb: v, Task: task}, true
	}
	return Command{Verb: VerbHelp}, true
}

// normalizeNewlines turns CRLF and lone CR line endings into LF.
func normalizeNewlines(s string) string {
	if !strings.Contains(s, "\r") {
		return s
	}
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.ReplaceAll(s, "\r", "\n")
}
