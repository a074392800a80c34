package review

import (
	"math"
	"regexp"
	"strings"
	"sync"
)

// secretShape is one kind of credential with a recognisable form. Every
// match contains one of hints (in lower case when fold is set); they are
// tested before the regexp because nearly no line contains any.
type secretShape struct {
	rule, what string
	hints      []string
	fold       bool
	re         *regexp.Regexp
	group      int  // submatch holding the secret; 0: the whole match
	public     bool // the match itself is not secret (a PEM header)
	skip       func(string) bool
}

// secretShapes are the high-confidence shapes: a match is reported as an
// error. Token lengths follow the issuers' documented formats, with some
// slack where formats have changed over time.
//
// They are compiled on first use, not at start-up: every git-agent command
// would otherwise pay for them (git-agent --version is timed).
var secretShapes = sync.OnceValue(func() []secretShape {
	return []secretShape{
		{rule: "secret/aws-access-key", what: "AWS access key id", hints: []string{"AKIA", "ASIA"},
			re: regexp.MustCompile(`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`)},
		{rule: "secret/aws-secret-key", what: "AWS secret access key", hints: []string{"secret"}, fold: true,
			re:    regexp.MustCompile(`(?i)aws_?secret_?(?:access_?)?key["']?\s*[:=]\s*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$)`),
			group: 1},
		{rule: "secret/github-token", what: "GitHub token", hints: []string{"gh", "github_pat_"},
			re: regexp.MustCompile(`\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59,})\b`)},
		{rule: "secret/anthropic-key", what: "Anthropic API key", hints: []string{"sk-ant-"},
			re: regexp.MustCompile(`\bsk-ant-[a-z]+[0-9]*-[A-Za-z0-9_-]{32,}`)},
		{rule: "secret/openai-key", what: "OpenAI API key", hints: []string{"sk-"},
			re:   regexp.MustCompile(`\bsk-(?:[A-Za-z0-9]{32,}|(?:proj|svcacct|admin)-[A-Za-z0-9_-]{32,})`),
			skip: func(s string) bool { return strings.HasPrefix(s, "sk-ant-") }},
		{rule: "secret/slack-token", what: "Slack token", hints: []string{"xox"},
			re: regexp.MustCompile(`\bxox[abpr]-[0-9]{6,}-[A-Za-z0-9-]{8,}`)},
		{rule: "secret/google-api-key", what: "Google API key", hints: []string{"AIza"},
			re: regexp.MustCompile(`\bAIza[0-9A-Za-z_-]{35}(?:[^0-9A-Za-z_-]|$)`)},
		{rule: "secret/private-key", what: "private key", hints: []string{"PRIVATE KEY"}, public: true,
			re: regexp.MustCompile(`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----`)},
		{rule: "secret/jwt", what: "JSON Web Token", hints: []string{"eyJ"},
			re: regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}`)},
	}
})

// RuleGenericSecret flags a quoted, random-looking value assigned to a name
// like password or token: likely, not certain, so a warning.
const RuleGenericSecret = "secret/generic-assignment"

var genericAssign = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`(?i)(?:password|passwd|pwd|secret|token|api_?key|access_?key|credential)[a-z0-9_-]*["']?\s*(?::=|=>|=|:)\s*["']([^"'\s]{8,})["']`)
})

var genericHints = []string{"pass", "pwd", "secret", "token", "key", "credential"}

// genericEntropy is the Shannon entropy, in bits per character, above which
// a value looks generated rather than typed ("changeme", "${DB_PASSWORD}").
const genericEntropy = 3.5

func checkSecrets(out []Finding, path string, line int, text string) []Finding {
	found, lower := false, ""
	for _, s := range secretShapes() {
		hay := text
		if s.fold {
			if lower == "" {
				lower = strings.ToLower(text)
			}
			hay = lower
		}
		if !containsAny(hay, s.hints) {
			continue
		}
		m := s.re.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		secret := strings.TrimRight(m[s.group], "\"' ,;)")
		if s.skip != nil && s.skip(secret) {
			continue
		}
		found = true
		shown := Mask(secret)
		if s.public {
			shown = "(" + secret + ")"
		}
		out = append(out, Finding{Path: path, Line: line, Severity: SeverityError, Rule: s.rule,
			Message: s.what + " " + shown + " added; remove it, rotate the credential, and load it from the environment or a secret store"})
	}
	if found || !containsAny(strings.ToLower(text), genericHints) {
		return out
	}
	for _, m := range genericAssign().FindAllStringSubmatch(text, -1) {
		if entropy(m[1]) >= genericEntropy && !isPlaceholder(m[1]) {
			return append(out, Finding{Path: path, Line: line, Severity: SeverityWarning, Rule: RuleGenericSecret,
				Message: "possible hard-coded secret " + Mask(m[1]) + "; if it is real, remove it, rotate it, and load it from the environment"})
		}
	}
	return out
}

// isPlaceholder reports template references such as ${DB_PASSWORD},
// {{ .Token }} or <your-key>, which are not secrets however random they look.
func isPlaceholder(v string) bool {
	return strings.Contains(v, "${") || strings.Contains(v, "{{") || strings.Contains(v, "%(") ||
		(strings.HasPrefix(v, "<") && strings.HasSuffix(v, ">"))
}

func containsAny(s string, subs []string) bool {
	for _, h := range subs {
		if strings.Contains(s, h) {
			return true
		}
	}
	return false
}

// Mask keeps the first 4 characters of a secret, so a report can be shown
// and posted without leaking it.
func Mask(s string) string {
	r := []rune(s)
	if len(r) <= 4 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:4]) + strings.Repeat("*", min(len(r)-4, 12))
}

func entropy(s string) float64 {
	var counts [256]int
	for i := 0; i < len(s); i++ {
		counts[s[i]]++
	}
	var h float64
	n := float64(len(s))
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / n
			h -= p * math.Log2(p)
		}
	}
	return h
}
