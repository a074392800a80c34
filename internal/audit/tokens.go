package audit

import (
	"regexp"
	"strings"
	"sync"
)

// tokenRE matches credentials by their shape, wherever they appear: in a
// command line, in model output, in a file being written. It is compiled on
// first use rather than at package init because git-agent's start-up time
// (--version) is benchmarked and most runs never log a token.
var tokenRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(strings.Join([]string{
		// A PEM private key, through its END line or, cut short, to the end.
		`-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----(?s:.*?)(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\z)`,
		// OpenAI (sk-…, sk-proj-…) and Anthropic (sk-ant-…) API keys.
		`\bsk-[A-Za-z0-9_-]{20,}`,
		// GitHub tokens: personal, OAuth, app server, user, refresh; fine-grained PATs.
		`\bgh[pousr]_[A-Za-z0-9]{30,}`,
		`\bgithub_pat_[A-Za-z0-9_]{20,}`,
		// AWS access key ids, long-term and temporary.
		`\b(?:AKIA|ASIA)[A-Z0-9]{16}\b`,
		// Slack tokens.
		`\bxox[abprs]-[A-Za-z0-9-]{10,}`,
		// JWTs: base64url JSON header and payload, then a signature (maybe empty).
		`\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*`,
	}, "|"))
})

// mayHoldToken is the fast path: every token shape contains one of these,
// and checking them is much cheaper than running the regexp.
func mayHoldToken(s string) bool {
	for _, hint := range [...]string{"sk-", "ghp_", "gho_", "ghs_", "ghu_", "ghr_", "github_pat_", "AKIA", "ASIA", "xox", "eyJ", "PRIVATE KEY"} {
		if strings.Contains(s, hint) {
			return true
		}
	}
	return false
}

// redactTokens replaces every token-shaped substring of s with [REDACTED].
func redactTokens(s string) string {
	if !mayHoldToken(s) {
		return s
	}
	return tokenRE().ReplaceAllLiteralString(s, redacted)
}
