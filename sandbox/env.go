package sandbox

import "strings"

// DefaultPath is the PATH given to commands whose environment has none.
const DefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

// secretParts are name fragments that mark a variable as a likely secret.
// Matching is deliberately broad: a command missing a harmless variable is a
// small cost, a model reading a credential is not.
var secretParts = []string{"KEY", "TOKEN", "SECRET", "PASSWORD", "CREDENTIAL"}

// secretNames are always removed, whatever the patterns say.
var secretNames = []string{"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GIT_AGENT_AUDIT_KEY", "GITHUB_TOKEN", "GH_TOKEN"}

// ScrubEnv drops the variables of environ ("NAME=value" entries) whose names
// look like secrets, plus those named in extra. It returns the entries kept,
// in order, and the names removed (each once), so callers can audit what a
// command was not given without recording the values.
func ScrubEnv(environ []string, extra ...string) (kept, removed []string) {
	drop := make(map[string]bool, len(secretNames)+len(extra))
	for _, n := range secretNames {
		drop[n] = true
	}
	for _, n := range extra {
		drop[n] = true
	}
	seen := map[string]bool{}
	for _, kv := range environ {
		name := envName(kv)
		if !drop[name] && !looksSecret(name) {
			kept = append(kept, kv)
			continue
		}
		if !seen[name] {
			seen[name] = true
			removed = append(removed, name)
		}
	}
	return kept, removed
}

// SecretName reports whether ScrubEnv removes a variable of this name: the
// audit log redacts the values of exactly these.
func SecretName(name string) bool {
	for _, n := range secretNames {
		if n == name {
			return true
		}
	}
	return looksSecret(name)
}

func looksSecret(name string) bool {
	upper := strings.ToUpper(name)
	for _, p := range secretParts {
		if strings.Contains(upper, p) {
			return true
		}
	}
	return false
}

// forcedEnv is set for every command whatever the caller's environment says:
// no prompt or pager may wait on a terminal nobody is watching.
var forcedEnv = []string{"GIT_TERMINAL_PROMPT=0", "PAGER=cat", "GIT_PAGER=cat", "NO_COLOR=1"}

// BaseEnv returns environ scrubbed by ScrubEnv, with PATH ensured
// (DefaultPath if missing or empty), GIT_TERMINAL_PROMPT=0, PAGER=cat,
// GIT_PAGER=cat and NO_COLOR=1 forced, and TERM=dumb unless TERM is set.
func BaseEnv(environ []string) []string {
	kept, _ := ScrubEnv(environ)
	forced := map[string]string{}
	for _, kv := range forcedEnv {
		forced[envName(kv)] = kv
	}
	// Keep only the last entry of each name: that is the one exec.Cmd uses.
	last := make(map[string]int, len(kept))
	for i, kv := range kept {
		last[envName(kv)] = i
	}
	out := make([]string, 0, len(kept)+len(forcedEnv)+2)
	have := map[string]bool{}
	for i, kv := range kept {
		name := envName(kv)
		if last[name] != i {
			continue
		}
		switch {
		case forced[name] != "":
			kv = forced[name]
		case name == "PATH" && kv == "PATH=":
			kv = "PATH=" + DefaultPath
		}
		have[name] = true
		out = append(out, kv)
	}
	if !have["PATH"] {
		out = append(out, "PATH="+DefaultPath)
	}
	for _, kv := range forcedEnv {
		if !have[envName(kv)] {
			out = append(out, kv)
		}
	}
	if !have["TERM"] {
		out = append(out, "TERM=dumb")
	}
	return out
}

// envName returns the NAME of a "NAME=value" entry (the whole entry if it has
// no '='). A leading '=' belongs to the name, as in Windows' "=C:=C:\" entries.
func envName(kv string) string {
	i := strings.IndexByte(kv, '=')
	if i == 0 {
		i = strings.IndexByte(kv[1:], '=')
		if i >= 0 {
			i++
		}
	}
	if i < 0 {
		return kv
	}
	return kv[:i]
}

// lookupEnv returns the value of name in environ; the last entry wins, as in
// exec.Cmd.
func lookupEnv(environ []string, name string) (value string, ok bool) {
	for _, kv := range environ {
		if envName(kv) == name && len(kv) > len(name) {
			value, ok = kv[len(name)+1:], true
		}
	}
	return value, ok
}

// AllowSecrets adds back to env the variables of environ that ScrubEnv
// removed by pattern but the user allowed by name (config env_allow).
// git-agent's own keys (OPENAI_API_KEY, ...) are never added back.
func AllowSecrets(env, environ, allow []string) []string {
	if len(allow) == 0 {
		return env
	}
	never := map[string]bool{}
	for _, n := range secretNames {
		never[n] = true
	}
	ok := map[string]bool{}
	for _, n := range allow {
		if !never[n] {
			ok[n] = true
		}
	}
	have := map[string]bool{}
	for _, kv := range env {
		have[envName(kv)] = true
	}
	out := append([]string(nil), env...)
	for _, kv := range environ {
		if name := envName(kv); ok[name] && !have[name] {
			out = append(out, kv)
			have[name] = true
		}
	}
	return out
}
