// Package config resolves git-agent's settings from layered sources: built-in
// defaults, the user file, the repository file, git config (agent.*), the
// environment and command-line flags, each overriding the one before, and
// records where every value came from.
//
// The repository file arrives with a cloned repository and is untrusted: it may
// tighten security settings but must never loosen them, redirect the API
// endpoint or grant extra paths and domains. config only reads settings; it
// never writes files and never imports agent, model or tool code.
package config

import (
	"fmt"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/git-agent/git-agent/sandbox"
)

// Config is the resolved configuration. Field tags name the keys used in
// config files, flags (as the map key) and, upper-cased with a GIT_AGENT_
// prefix, in the environment.
type Config struct {
	Provider        string   `toml:"provider" json:"provider"`
	Model           string   `toml:"model" json:"model"` // "": the CLI picks the provider's default
	BaseURL         string   `toml:"base_url" json:"base_url"`
	Profile         string   `toml:"profile" json:"profile"` // a sandbox.Mode name
	Approval        string   `toml:"approval" json:"approval"`
	MaxTurns        int      `toml:"max_turns" json:"max_turns"`
	ShellTimeout    Duration `toml:"shell_timeout" json:"shell_timeout"`
	MaxShellTimeout Duration `toml:"max_shell_timeout" json:"max_shell_timeout"`
	ContextWindow   int      `toml:"context_window" json:"context_window"` // tokens; 0: provider default
	MaxOutputTokens int      `toml:"max_output_tokens" json:"max_output_tokens"`
	ReadRoots       []string `toml:"read_roots" json:"read_roots"`
	WriteRoots      []string `toml:"write_roots" json:"write_roots"`
	AllowDomains    []string `toml:"allow_domains" json:"allow_domains"`
	// OfflinePrograms replaces the offline profile's allowlist of programs
	// (empty: the built-in list).
	OfflinePrograms []string `toml:"offline_programs" json:"offline_programs"`
	// EnvAllow names environment variables that reach commands even though
	// they look like secrets.
	EnvAllow []string `toml:"env_allow" json:"env_allow"`
	// Limits of every confined command; 0 takes the sandbox default.
	MaxProcesses int   `toml:"max_processes" json:"max_processes"`
	MaxMemory    int64 `toml:"max_memory" json:"max_memory"`       // bytes
	MaxFileSize  int64 `toml:"max_file_size" json:"max_file_size"` // bytes
	// Rules accumulate across file layers rather than replace, so a later
	// layer cannot erase an earlier forbid; the policy applies the strictest
	// matching rule.
	Rules []Rule `toml:"rules" json:"rules"`
	// ReviewRules are extra checks for `git agent review` and the hook:
	// forbidden paths and patterns in added lines. Like rules, they add up
	// across files, and a repository may add them (a check only tightens).
	ReviewRules      []ReviewRule `toml:"review_rules" json:"review_rules"`
	AgentsMDMaxBytes int          `toml:"agents_md_max_bytes" json:"agents_md_max_bytes"` // 0 disables AGENTS.md
	StateDir         string       `toml:"state_dir" json:"state_dir"`                     // sessions and logs
}

// Rule is an exec prefix rule: a shell command whose argv starts with Prefix
// gets Decision.
type Rule struct {
	Prefix   []string `toml:"prefix" json:"prefix"`
	Decision string   `toml:"decision" json:"decision"` // "allow", "prompt" or "forbid"
	Reason   string   `toml:"reason" json:"reason,omitempty"`
}

// ReviewRule is a configured review check.
type ReviewRule struct {
	Name     string   `toml:"name" json:"name"`
	Paths    []string `toml:"paths" json:"paths,omitempty"`     // globs of forbidden paths
	Pattern  string   `toml:"pattern" json:"pattern,omitempty"` // RE2 matched against added lines
	Severity string   `toml:"severity" json:"severity,omitempty"`
	Message  string   `toml:"message" json:"message,omitempty"`
}

// Accepted values, listed in error messages.
var (
	Providers = []string{"openai", "openai-chat", "anthropic", "ollama", "replay"}
	// Approvals is ordered loosest first.
	Approvals = []string{"never", "on-request", "untrusted"}
	Decisions = []string{"allow", "prompt", "forbid"}
)

// Defaults returns the built-in configuration. StateDir is left empty; Load
// fills it from the environment.
func Defaults() Config {
	return Config{
		Provider:         "openai",
		Profile:          string(sandbox.WorkspaceWrite),
		Approval:         "never",
		MaxTurns:         50,
		ShellTimeout:     Duration(10 * time.Second),
		MaxShellTimeout:  Duration(10 * time.Minute),
		AgentsMDMaxBytes: 32768,
	}
}

// UserDir is git-agent's per-user configuration directory:
// $XDG_CONFIG_HOME/git-agent, else ~/.config/git-agent. It holds config.toml
// and AGENTS.md. It is "" when no home directory is known.
func UserDir(getenv func(string) string) string {
	return xdgDir(getenv, "XDG_CONFIG_HOME", ".config")
}

// UserFile is name (e.g. "config.toml" or "AGENTS.md") in UserDir, or "" when
// there is no user directory; never a relative path that would resolve
// inside whatever directory git-agent runs in.
func UserFile(getenv func(string) string, name string) string {
	if dir := UserDir(getenv); dir != "" {
		return filepath.Join(dir, name)
	}
	return ""
}

func defaultStateDir(getenv func(string) string) string {
	return xdgDir(getenv, "XDG_STATE_HOME", filepath.Join(".local", "state"))
}

func xdgDir(getenv func(string) string, xdgVar, homeRel string) string {
	// The XDG spec says relative values are invalid and must be ignored.
	if d := getenv(xdgVar); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "git-agent")
	}
	home := getenv("HOME")
	if home == "" {
		home = getenv("USERPROFILE")
	}
	if home == "" {
		return ""
	}
	return filepath.Join(home, homeRel, "git-agent")
}

// Duration is a time.Duration written in TOML as "10s"/"2m" or as integer
// seconds.
type Duration time.Duration

// UnmarshalTOML implements toml.Unmarshaler.
func (d *Duration) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		return d.parse(v)
	case int64:
		if v < 0 || v > int64(time.Duration(1<<63-1)/time.Second) {
			return fmt.Errorf("duration %d seconds out of range", v)
		}
		*d = Duration(time.Duration(v) * time.Second)
		return nil
	}
	return fmt.Errorf("duration must be a string like \"30s\" or integer seconds, not %T", v)
}

func (d *Duration) parse(s string) error {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return d.UnmarshalTOML(n)
	}
	v, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("invalid duration %q: use a form like \"30s\" or \"2m\"", s)
	}
	*d = Duration(v)
	return nil
}

// MarshalText renders the duration as "10s", for JSON output.
func (d Duration) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

func (d Duration) String() string { return time.Duration(d).String() }

// field finds the Config field for a key; ok is false for unknown keys.
func field(c *Config, key string) (v reflect.Value, ok bool) {
	rv := reflect.ValueOf(c).Elem()
	for i := range rv.NumField() {
		if tagKey(rv.Type().Field(i)) == key {
			return rv.Field(i), true
		}
	}
	return reflect.Value{}, false
}

func tagKey(f reflect.StructField) string {
	k, _, _ := strings.Cut(f.Tag.Get("toml"), ",")
	return k
}

// Keys lists every configuration key in display order.
func Keys() []string {
	t := reflect.TypeFor[Config]()
	keys := make([]string, t.NumField())
	for i := range keys {
		keys[i] = tagKey(t.Field(i))
	}
	return keys
}

// setString sets key from a string, as given by git config, the environment
// or a flag. Lists are comma-separated.
func setString(c *Config, key, s string) error {
	f, ok := field(c, key)
	if !ok {
		return fmt.Errorf("unknown key %q", key)
	}
	switch p := f.Addr().Interface().(type) {
	case *string:
		*p = s
	case *int:
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil {
			return fmt.Errorf("%s: %q is not a whole number", key, s)
		}
		*p = n
	case *Duration:
		if err := p.parse(strings.TrimSpace(s)); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	case *[]string:
		*p = nil
		for part := range strings.SplitSeq(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				*p = append(*p, part)
			}
		}
	default:
		return fmt.Errorf("%s can only be set in a config file", key)
	}
	return nil
}

// check validates one key's current value.
func check(c *Config, key string) error {
	oneOf := func(name, v string, valid []string) error {
		if slices.Contains(valid, v) {
			return nil
		}
		return fmt.Errorf("%s: unknown value %q: use one of %s", name, v, strings.Join(valid, ", "))
	}
	switch key {
	case "provider":
		return oneOf(key, c.Provider, Providers)
	case "approval":
		return oneOf(key, c.Approval, Approvals)
	case "profile":
		if _, err := sandbox.ParseMode(c.Profile); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
	case "max_turns":
		if c.MaxTurns < 1 {
			return fmt.Errorf("%s: must be at least 1, got %d", key, c.MaxTurns)
		}
	case "shell_timeout", "max_shell_timeout":
		if d, _ := field(c, key); d.Int() <= 0 {
			return fmt.Errorf("%s: must be positive, like \"30s\"", key)
		}
	case "context_window", "max_output_tokens", "agents_md_max_bytes":
		if n, _ := field(c, key); n.Int() < 0 {
			return fmt.Errorf("%s: must not be negative, got %d", key, n.Int())
		}
	case "review_rules":
		for i, r := range c.ReviewRules {
			if r.Name == "" || (len(r.Paths) == 0 && r.Pattern == "") {
				return fmt.Errorf("review_rules[%d]: needs a name and paths or a pattern", i)
			}
			if r.Pattern != "" {
				if _, err := regexp.Compile(r.Pattern); err != nil {
					return fmt.Errorf("review_rules[%d].pattern: %v", i, err)
				}
			}
			if r.Severity != "" {
				if err := oneOf(fmt.Sprintf("review_rules[%d].severity", i), r.Severity, []string{"error", "warning", "info"}); err != nil {
					return err
				}
			}
		}
	case "rules":
		for i, r := range c.Rules {
			if len(r.Prefix) == 0 || r.Prefix[0] == "" {
				return fmt.Errorf("rules[%d]: prefix must name at least a command", i)
			}
			if err := oneOf(fmt.Sprintf("rules[%d].decision", i), r.Decision, Decisions); err != nil {
				return err
			}
		}
	}
	return nil
}
