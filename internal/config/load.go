package config

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/git-agent/git-agent/sandbox"
)

// Source says which layer set a key and where in that layer. Where is a file
// path, a variable name, "git config agent.x" or "--flag". Rules accumulate
// across files, so for rules Layer is the highest contributing layer and
// Where lists every contributing file, comma-separated.
type Source struct {
	Layer string `json:"layer"` // "default", "user", "repo", "git", "env" or "flag"
	Where string `json:"where,omitempty"`
}

func (s Source) String() string {
	switch s.Layer {
	case "default":
		return "default"
	case "user", "repo":
		if strings.Contains(s.Where, ", ") {
			return "files " + s.Where
		}
		return s.Layer + " file " + s.Where
	case "env":
		return "environment " + s.Where
	case "flag":
		return "flag " + s.Where
	}
	return s.Where // "git config agent.x"
}

// LoadOptions says where to look. Every field may be left zero.
type LoadOptions struct {
	UserFile string // usually filepath.Join(UserDir(getenv), "config.toml"); "" skips it
	RepoRoot string // "" when not inside a repository
	Getenv   func(string) string
	// Flags holds only the flags the user set, keyed by config key
	// ("max_turns", not "max-turns").
	Flags map[string]string
	// GitConfig returns the agent.* git config entries visible from dir,
	// keyed by the lower-cased name git prints. Nil means ReadGitConfig. It
	// is called with RepoRoot even when that is "", so that global agent.*
	// settings apply outside a repository too.
	GitConfig func(ctx context.Context, dir string) (map[string]string, error)
}

// Loaded is the resolved configuration with the source of every key.
type Loaded struct {
	Config   Config
	Sources  map[string]Source
	Warnings []string // settings ignored or dropped; show them to the user
}

// RepoFile is the repository's config file.
func RepoFile(repoRoot string) string {
	return filepath.Join(repoRoot, ".git-agent", "config.toml")
}

// Load resolves the configuration from, lowest precedence first: defaults,
// the user file, the repository file (restricted, see allowFromRepo), git
// config, the environment (GIT_AGENT_<KEY>, then OPENAI_BASE_URL or
// ANTHROPIC_BASE_URL for the matching provider) and flags. An invalid value
// or a malformed file is an error naming its source; unknown keys and
// settings a repository may not change are warnings.
func Load(ctx context.Context, opts LoadOptions) (*Loaded, error) {
	getenv := opts.Getenv
	if getenv == nil {
		getenv = os.Getenv
	}
	gitConfig := opts.GitConfig
	if gitConfig == nil {
		gitConfig = ReadGitConfig
	}
	l := &Loaded{Config: Defaults(), Sources: make(map[string]Source)}
	for _, k := range Keys() {
		l.Sources[k] = Source{Layer: "default"}
	}
	l.Config.StateDir = defaultStateDir(getenv)

	if opts.UserFile != "" {
		if err := l.loadFile(opts.UserFile, "user", ""); err != nil {
			return nil, err
		}
	}
	if opts.RepoRoot != "" {
		if err := l.loadFile(RepoFile(opts.RepoRoot), "repo", opts.RepoRoot); err != nil {
			return nil, err
		}
	}
	vals, err := gitConfig(ctx, opts.RepoRoot)
	if err != nil {
		return nil, fmt.Errorf("read git config: %w", err)
	}
	steps := []func() error{
		func() error { return l.applyGit(vals) },
		func() error { return l.applyEnv(getenv) },
		func() error { return l.applyFlags(opts.Flags) },
		func() error { return l.applyVendorBaseURL(getenv) },
		l.crossCheck,
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return nil, err
		}
	}
	return l, nil
}

func (l *Loaded) warnf(format string, args ...any) {
	l.Warnings = append(l.Warnings, fmt.Sprintf(format, args...))
}

// maxFileSize bounds a config file; real ones are a few hundred bytes.
const maxFileSize = 1 << 20

// loadFile reads and applies one file. Only a regular file is read, so a
// repository cannot hang or exhaust the loader with a symlink to a FIFO or
// /dev/zero, and a repository file must resolve inside the repository.
func (l *Loaded) loadFile(path, layer, root string) error {
	resolved, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read %s config: %w", layer, err)
	}
	if root != "" {
		realRoot, err := filepath.EvalSymlinks(root)
		if rel, _ := filepath.Rel(realRoot, resolved); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			l.warnf("%s: ignored: it is a symlink to %s, outside the repository", path, resolved)
			return nil
		}
	}
	st, err := os.Stat(resolved)
	if err != nil {
		return fmt.Errorf("read %s config: %w", layer, err)
	}
	if !st.Mode().IsRegular() || st.Size() > maxFileSize {
		l.warnf("%s: ignored: not a regular file of at most %d bytes", path, maxFileSize)
		return nil
	}
	data, err := os.ReadFile(resolved)
	if err != nil {
		return fmt.Errorf("read %s config: %w", layer, err)
	}
	return l.applyFile(path, layer, data)
}

// applyFile merges one TOML file. Only keys present in the file change.
func (l *Loaded) applyFile(path, layer string, data []byte) error {
	var fc Config
	md, err := toml.Decode(string(data), &fc)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return fmt.Errorf("config file %s: line %d: %s: fix or remove it", path, pe.Position.Line, pe.Message)
		}
		return fmt.Errorf("config file %s: %s: fix or remove it", path, strings.TrimPrefix(err.Error(), "toml: "))
	}
	unknown := make(map[string]bool)
	for _, k := range md.Undecoded() {
		unknown[k.String()] = true
		if len(k) > 1 && unknown[k[:len(k)-1].String()] {
			continue // the enclosing table is already reported
		}
		l.warnf("%s: unknown key %q ignored", path, k.String())
	}
	// The decoder matches keys case-insensitively; we do not, so that two
	// spellings of one key cannot race. Such keys are ignored with a warning.
	skip := make(map[string]bool)
	for _, k := range md.Keys() {
		if s := k.String(); !unknown[s] && s != strings.ToLower(s) {
			l.warnf("%s: key %q ignored: keys are lower case (%q)", path, s, strings.ToLower(s))
			skip[strings.ToLower(k[0])] = true
		}
	}
	src := Source{Layer: layer, Where: path}
	for _, key := range Keys() {
		if !md.IsDefined(key) || skip[key] {
			continue
		}
		if err := check(&fc, key); err != nil {
			return fmt.Errorf("%s: %w", src, err)
		}
		if layer == "repo" && !l.allowFromRepo(path, key, &fc) {
			continue
		}
		s := src
		if key == "rules" || key == "review_rules" {
			if prev := l.Sources[key]; prev.Layer != "default" {
				s.Where = prev.Where + ", " + path
			}
			if key == "rules" {
				l.Config.Rules = append(l.Config.Rules, fc.Rules...)
			} else {
				l.Config.ReviewRules = append(l.Config.ReviewRules, fc.ReviewRules...)
			}
		} else {
			dst, _ := field(&l.Config, key)
			v, _ := field(&fc, key)
			dst.Set(v)
		}
		l.Sources[key] = s
	}
	return nil
}

// allowFromRepo enforces that an untrusted repository file can only tighten
// security. It may filter fc.Rules; it reports false when nothing of key is
// left to apply, after warning why.
func (l *Loaded) allowFromRepo(path, key string, fc *Config) bool {
	ignore := func(why string) bool {
		l.warnf("%s: %s ignored: %s", path, key, why)
		return false
	}
	switch key {
	case "provider", "base_url":
		return ignore("a repository file cannot choose the model endpoint your API key is sent to; set it in your user config, git config or environment")
	case "read_roots", "write_roots", "allow_domains":
		return ignore("a repository file cannot grant extra paths or domains")
	case "offline_programs":
		return ignore("a repository file cannot add programs to the offline allowlist")
	case "env_allow":
		return ignore("a repository file cannot let secrets through to commands")
	case "max_processes", "max_memory", "max_file_size":
		return ignore("a repository file cannot change resource limits")
	case "state_dir":
		return ignore("a repository file cannot move where git-agent writes sessions and logs")
	case "profile":
		if fc.Profile == "trusted" {
			return ignore(`profile "trusted" is never accepted from a repository file`)
		}
		if rank(fc.Profile) > rank(l.Config.Profile) {
			return ignore(fmt.Sprintf("%q is looser than the current %q; a repository file can only tighten the profile", fc.Profile, l.Config.Profile))
		}
	case "approval":
		if fc.Approval != "untrusted" {
			return ignore(fmt.Sprintf(`%q: a repository file can only set "untrusted"`, fc.Approval))
		}
	case "rules":
		fc.Rules = slices.DeleteFunc(fc.Rules, func(r Rule) bool {
			if r.Decision != "allow" {
				return false
			}
			l.warnf("%s: rules: allow rule for %q dropped: a repository file can only add prompt or forbid rules", path, strings.Join(r.Prefix, " "))
			return true
		})
		return len(fc.Rules) > 0
	}
	return true
}

// rank orders profiles most restrictive first; unknown names rank loosest.
func rank(profile string) int {
	for i, m := range sandbox.Modes {
		if string(m) == profile {
			return i
		}
	}
	return len(sandbox.Modes)
}

func (l *Loaded) crossCheck() error {
	c := l.Config
	if c.ShellTimeout > c.MaxShellTimeout {
		return fmt.Errorf("shell_timeout %s (from %s) exceeds max_shell_timeout %s (from %s): lower one or raise the other",
			c.ShellTimeout, l.Sources["shell_timeout"], c.MaxShellTimeout, l.Sources["max_shell_timeout"])
	}
	return nil
}
