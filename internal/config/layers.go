package config

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"slices"
	"strings"
)

// ReadGitConfig runs `git config --get-regexp '^agent\.'` in dir (or the
// current directory when dir is "") and returns the entries keyed by the
// lower-cased name git prints, e.g. "agent.maxturns". No entries, or no git
// installed, is an empty map.
func ReadGitConfig(ctx context.Context, dir string) (map[string]string, error) {
	args := []string{"--no-pager"}
	if dir != "" {
		args = append(args, "-C", dir)
	}
	args = append(args, "config", "--null", "--get-regexp", `^agent\.`)
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Env = append(os.Environ(), "GIT_PAGER=cat", "GIT_TERMINAL_PROMPT=0")
	out, err := cmd.Output()
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) && ee.ExitCode() == 1 {
		return nil, nil // git's "no matching key"
	}
	if errors.Is(err, exec.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
			return nil, fmt.Errorf("git config: %w: %s", err, bytes.TrimSpace(ee.Stderr))
		}
		return nil, fmt.Errorf("git config: %w", err)
	}
	return parseGitConfig(out), nil
}

// parseGitConfig reads `git config --null` output: entries end in NUL, with
// the key and value separated by a newline. A key without a value is a bare
// boolean; git treats it as true. Later entries win, as in git.
func parseGitConfig(out []byte) map[string]string {
	m := make(map[string]string)
	for entry := range strings.SplitSeq(string(out), "\x00") {
		if entry == "" {
			continue
		}
		k, v, ok := strings.Cut(entry, "\n")
		if !ok {
			v = "true"
		}
		m[strings.ToLower(k)] = v
	}
	return m
}

// gitKey maps a git variable name (git allows no underscores and ignores
// case) to a config key: agent.maxturns and agent.max-turns are max_turns.
func gitKey(name string) string {
	norm := strings.ReplaceAll(strings.ToLower(name), "-", "")
	for _, k := range Keys() {
		if strings.ReplaceAll(k, "_", "") == norm {
			return k
		}
	}
	return ""
}

func (l *Loaded) applyGit(vals map[string]string) error {
	for _, name := range slices.Sorted(maps.Keys(vals)) {
		where := "git config " + name
		key := gitKey(strings.TrimPrefix(name, "agent."))
		switch key {
		case "":
			l.warnf("%s: unknown key ignored", where)
			continue
		case "rules", "review_rules":
			l.warnf("%s ignored: %s can only be set in a config file", where, key)
			continue
		}
		if err := l.applyString(key, vals[name], Source{Layer: "git", Where: where}); err != nil {
			return err
		}
	}
	return nil
}

// applyEnv reads GIT_AGENT_<KEY> for every key but rules.
func (l *Loaded) applyEnv(getenv func(string) string) error {
	for _, key := range Keys() {
		name := "GIT_AGENT_" + strings.ToUpper(key)
		if v := getenv(name); v != "" && key != "rules" && key != "review_rules" {
			if err := l.applyString(key, v, Source{Layer: "env", Where: name}); err != nil {
				return err
			}
		}
	}
	return nil
}

func (l *Loaded) applyFlags(flags map[string]string) error {
	for _, key := range slices.Sorted(maps.Keys(flags)) {
		src := Source{Layer: "flag", Where: "--" + strings.ReplaceAll(key, "_", "-")}
		if err := l.applyString(key, flags[key], src); err != nil {
			return err
		}
	}
	return nil
}

// applyVendorBaseURL honours OPENAI_BASE_URL or ANTHROPIC_BASE_URL at the
// environment layer, but only for the provider that variable belongs to, so
// a variable set for one vendor never redirects another vendor's key.
func (l *Loaded) applyVendorBaseURL(getenv func(string) string) error {
	var name string
	switch l.Config.Provider {
	case "openai", "openai-chat":
		name = "OPENAI_BASE_URL"
	case "anthropic":
		name = "ANTHROPIC_BASE_URL"
	default:
		return nil
	}
	v := getenv(name)
	if layer := l.Sources["base_url"].Layer; v == "" || layer == "env" || layer == "flag" {
		return nil
	}
	return l.applyString("base_url", v, Source{Layer: "env", Where: name})
}

func (l *Loaded) applyString(key, value string, src Source) error {
	if err := setString(&l.Config, key, value); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	if err := check(&l.Config, key); err != nil {
		return fmt.Errorf("%s: %w", src, err)
	}
	l.Sources[key] = src
	return nil
}
