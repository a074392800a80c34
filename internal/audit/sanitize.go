package audit

import (
	"cmp"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Replacement texts.
const (
	redacted = "[REDACTED]"
	userMark = "[USER]"
)

// minSecretLen is the shortest secret value redacted: shorter values (an env
// var set to "1" or "true") would redact ordinary words.
const minSecretLen = 8

// SanitizerOptions configure NewSanitizer.
type SanitizerOptions struct {
	Home    string   // replaced by "~" where it appears as a path prefix; "/root" does not touch "/rootfs"
	User    string   // replaced by "[USER]" as a whole word, unless shorter than 3 chars or a generic account name
	Secrets []string // exact values replaced by "[REDACTED]"; values shorter than 8 bytes are ignored
}

// Sanitizer removes secrets, token-shaped strings, the home directory and the
// user name from text before it is logged. A nil *Sanitizer changes nothing.
type Sanitizer struct {
	secrets *strings.Replacer // nil when there are none
	homes   []string          // Home and its escaped spellings, longest first
	user    string            // "" when not replaced
}

// NewSanitizer returns a Sanitizer for o.
func NewSanitizer(o SanitizerOptions) *Sanitizer {
	s := &Sanitizer{}
	var secrets []string
	for _, v := range o.Secrets {
		if len(v) >= minSecretLen {
			secrets = append(secrets, spellings(v)...)
		}
	}
	if len(secrets) > 0 {
		// strings.Replacer tries its patterns in argument order at each
		// position, so longest first keeps a secret that contains another
		// from being half redacted.
		secrets = sortLongestFirst(secrets)
		pairs := make([]string, 0, 2*len(secrets))
		for _, v := range secrets {
			pairs = append(pairs, v, redacted)
		}
		s.secrets = strings.NewReplacer(pairs...)
	}
	if home := strings.TrimRight(o.Home, `/\`); home != "" {
		homes := spellings(home)
		if strings.Contains(home, `\`) {
			homes = append(homes, strings.ReplaceAll(home, `\`, "/")) // C:/Users/alice
		}
		s.homes = sortLongestFirst(homes)
	}
	if u := o.User; len(u) >= 3 && !genericUser(u) {
		s.user = u
	}
	return s
}

// spellings returns v and the forms it takes inside JSON strings, so that a
// value is also caught in JSON text that was logged as a string.
func spellings(v string) []string {
	out := []string{v}
	for _, html := range []bool{true, false} {
		var b strings.Builder
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(html)
		if enc.Encode(v) == nil {
			q := strings.TrimSuffix(b.String(), "\n")
			out = append(out, q[1:len(q)-1])
		}
	}
	return out
}

func sortLongestFirst(v []string) []string {
	slices.SortFunc(v, func(a, b string) int { return cmp.Or(cmp.Compare(len(b), len(a)), strings.Compare(a, b)) })
	return slices.Compact(v)
}

func genericUser(u string) bool {
	switch strings.ToLower(u) {
	case "root", "user", "admin", "administrator", "runner", "ubuntu", "nobody":
		return true
	}
	return false
}

// String returns v with secrets and token shapes redacted, then the home
// directory shortened to "~", then the user name replaced.
func (s *Sanitizer) String(v string) string {
	if s == nil || v == "" {
		return v
	}
	if s.secrets != nil {
		v = s.secrets.Replace(v)
	}
	v = redactTokens(v)
	for _, h := range s.homes {
		v = replaceBounded(v, h, "~", isPathByte, true)
	}
	if s.user != "" {
		v = replaceBounded(v, s.user, userMark, isWordByte, false)
	}
	return v
}

// isPathByte reports whether c can continue a file name, so that Home
// "/root" is not found in "/rootfs". Bytes of multi-byte UTF-8 count as
// letters.
func isPathByte(c byte) bool {
	return isWordByte(c) || c == '.' || c == '-' || c == '~' || c == '+'
}

func isWordByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c >= 0x80
}

// replaceBounded replaces old in s where it is not glued to surrounding
// characters for which inside reports true. For a path prefix (path), a
// preceding "/" also glues: "/mnt/home/alice" is not alice's home.
func replaceBounded(s, old, repl string, inside func(byte) bool, path bool) string {
	var b strings.Builder
	start := 0 // s[start:] is not yet copied to b
	for from := 0; ; {
		i := strings.Index(s[from:], old)
		if i < 0 {
			break
		}
		i += from
		j := i + len(old)
		before := i > 0 && (inside(s[i-1]) || path && (s[i-1] == '/' || s[i-1] == '\\'))
		after := j < len(s) && inside(s[j])
		if before || after {
			from = i + 1
			continue
		}
		b.WriteString(s[start:i])
		b.WriteString(repl)
		start, from = j, j
	}
	if start == 0 {
		return s
	}
	b.WriteString(s[start:])
	return b.String()
}

// Value returns a deep copy of v with String applied to every string in it,
// map keys included. Strings, maps and slices of the JSON shapes are walked;
// json.RawMessage goes through JSON; numbers, bools, nil and times are kept;
// anything else is replaced by its sanitized JSON encoding (as a
// json.RawMessage), so that no string escapes the sanitizer.
func (s *Sanitizer) Value(v any) any {
	if s == nil {
		return v
	}
	switch v := v.(type) {
	case nil, bool, json.Number, time.Time, time.Duration:
		return v
	case string:
		return s.String(v)
	case []byte:
		return v // encoded as base64: a string would not survive decoding
	case json.RawMessage:
		return json.RawMessage(s.JSON(v))
	case error:
		return s.String(v.Error())
	case map[string]any:
		if v == nil {
			return v
		}
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[s.String(k)] = s.Value(x)
		}
		return out
	case map[string]string:
		if v == nil {
			return v
		}
		out := make(map[string]string, len(v))
		for k, x := range v {
			out[s.String(k)] = s.String(x)
		}
		return out
	case []any:
		if v == nil {
			return v
		}
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = s.Value(x)
		}
		return out
	case []string:
		if v == nil {
			return v
		}
		out := make([]string, len(v))
		for i, x := range v {
			out[i] = s.String(x)
		}
		return out
	}
	switch reflect.ValueOf(v).Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64:
		return v
	}
	b, err := json.Marshal(v)
	if err != nil {
		return v // Append reports the encoding error
	}
	return json.RawMessage(s.JSON(b))
}

// SecretValues returns the values of the NAME=value entries of environ whose
// name isSecret says is secret, skipping empty values.
func SecretValues(environ []string, isSecret func(name string) bool) []string {
	var out []string
	for _, kv := range environ {
		name, val, ok := strings.Cut(kv, "=")
		if !ok || name == "" || val == "" || !isSecret(name) {
			continue
		}
		if !slices.Contains(out, val) {
			out = append(out, val)
		}
	}
	return out
}
