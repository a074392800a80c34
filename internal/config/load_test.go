package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// layers is one test's input: file contents and the string layers.
type layers struct {
	user, repo string // TOML; "" means no file
	git        map[string]string
	env        map[string]string
	flags      map[string]string
}

// load runs Load over temp files. Paths in errors and warnings are rewritten
// to $USER and $REPO so expectations can be literal.
func load(t *testing.T, in layers) (*Loaded, string, error) {
	t.Helper()
	dir := t.TempDir()
	userFile := filepath.Join(dir, "user", "config.toml")
	repoRoot := filepath.Join(dir, "repo")
	if in.user != "" {
		writeFile(t, userFile, in.user)
	}
	if in.repo != "" {
		writeFile(t, RepoFile(repoRoot), in.repo)
	}
	env := map[string]string{"HOME": "/home/u"}
	for k, v := range in.env {
		env[k] = v
	}
	l, err := Load(context.Background(), LoadOptions{
		UserFile: userFile,
		RepoRoot: repoRoot,
		Getenv:   func(k string) string { return env[k] },
		Flags:    in.flags,
		GitConfig: func(_ context.Context, d string) (map[string]string, error) {
			if d != repoRoot {
				t.Errorf("git config read in %q, want %q", d, repoRoot)
			}
			return in.git, nil
		},
	})
	scrub := strings.NewReplacer(userFile, "$USER", RepoFile(repoRoot), "$REPO").Replace
	if l != nil {
		for i, w := range l.Warnings {
			l.Warnings[i] = scrub(w)
		}
		for k, s := range l.Sources {
			s.Where = scrub(s.Where)
			l.Sources[k] = s
		}
	}
	msg := ""
	if err != nil {
		msg = scrub(err.Error())
	}
	return l, msg, err
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLoadPrecedence(t *testing.T) {
	t.Parallel()
	all := layers{
		user: "model = \"u\"\nmax_turns = 10\nshell_timeout = \"30s\"\nwrite_roots = [\"/u\"]\napproval = \"on-request\"\n" +
			"context_window = 1000\n[[rules]]\nprefix = [\"go\", \"test\"]\ndecision = \"allow\"\n",
		repo: "model = \"r\"\nmax_turns = 20\nshell_timeout = 40\ncontext_window = 2000\n" +
			"[[rules]]\nprefix = [\"rm\"]\ndecision = \"forbid\"\nreason = \"no\"\n",
		git:   map[string]string{"agent.model": "g", "agent.max-turns": "30", "agent.shelltimeout": "50s"},
		env:   map[string]string{"GIT_AGENT_MODEL": "e", "GIT_AGENT_SHELL_TIMEOUT": "1m", "GIT_AGENT_WRITE_ROOTS": "/e1, /e2"},
		flags: map[string]string{"model": "f"},
	}
	tests := []struct {
		name        string
		in          layers
		key         string
		wantValue   any
		wantSource  Source
		wantDefault bool
	}{
		{"default", layers{}, "max_turns", 50, Source{Layer: "default"}, true},
		{"default state dir", layers{}, "state_dir", "/home/u/.local/state/git-agent", Source{Layer: "default"}, true},
		{"xdg state dir", layers{env: map[string]string{"XDG_STATE_HOME": "/s"}}, "state_dir", "/s/git-agent", Source{Layer: "default"}, true},
		{"flag beats env", all, "model", "f", Source{"flag", "--model"}, false},
		{"env beats git", all, "shell_timeout", Duration(time.Minute), Source{"env", "GIT_AGENT_SHELL_TIMEOUT"}, false},
		{"git beats repo", all, "max_turns", 30, Source{"git", "git config agent.max-turns"}, false},
		{"repo beats user", all, "context_window", 2000, Source{"repo", "$REPO"}, false},
		{"user beats default", all, "approval", "on-request", Source{"user", "$USER"}, false},
		{"env list", all, "write_roots", []string{"/e1", "/e2"}, Source{"env", "GIT_AGENT_WRITE_ROOTS"}, false},
		{"rules accumulate", all, "rules", []Rule{
			{Prefix: []string{"go", "test"}, Decision: "allow"},
			{Prefix: []string{"rm"}, Decision: "forbid", Reason: "no"},
		}, Source{"repo", "$USER, $REPO"}, false},
		{"repo integer seconds", layers{repo: "shell_timeout = 40"}, "shell_timeout", Duration(40 * time.Second), Source{"repo", "$REPO"}, false},
		{"env only", layers{env: map[string]string{"GIT_AGENT_MAX_TURNS": "3"}}, "max_turns", 3, Source{"env", "GIT_AGENT_MAX_TURNS"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, _, err := load(t, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			got, _ := field(&l.Config, tt.key)
			if diff := cmp.Diff(tt.wantValue, got.Interface()); diff != "" {
				t.Errorf("%s value (-want +got):\n%s", tt.key, diff)
			}
			if diff := cmp.Diff(tt.wantSource, l.Sources[tt.key]); diff != "" {
				t.Errorf("%s source (-want +got):\n%s", tt.key, diff)
			}
			if tt.wantDefault {
				want := Defaults()
				want.StateDir = l.Config.StateDir
				if diff := cmp.Diff(want, l.Config); diff != "" {
					t.Errorf("config (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestLoadVendorBaseURL(t *testing.T) {
	t.Parallel()
	vendor := map[string]string{"OPENAI_BASE_URL": "http://oa", "ANTHROPIC_BASE_URL": "http://an"}
	with := func(extra map[string]string) map[string]string {
		m := map[string]string{}
		for k, v := range vendor {
			m[k] = v
		}
		for k, v := range extra {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name       string
		in         layers
		wantURL    string
		wantSource Source
	}{
		{"openai default provider", layers{env: vendor}, "http://oa", Source{"env", "OPENAI_BASE_URL"}},
		{"openai-chat", layers{env: with(map[string]string{"GIT_AGENT_PROVIDER": "openai-chat"})}, "http://oa", Source{"env", "OPENAI_BASE_URL"}},
		{"anthropic", layers{env: with(map[string]string{"GIT_AGENT_PROVIDER": "anthropic"})}, "http://an", Source{"env", "ANTHROPIC_BASE_URL"}},
		{"anthropic ignores openai var", layers{env: map[string]string{"GIT_AGENT_PROVIDER": "anthropic", "OPENAI_BASE_URL": "http://oa"}}, "", Source{Layer: "default"}},
		{"ollama ignores both", layers{env: with(map[string]string{"GIT_AGENT_PROVIDER": "ollama"})}, "", Source{Layer: "default"}},
		{"provider from flag decides", layers{env: vendor, flags: map[string]string{"provider": "anthropic"}}, "http://an", Source{"env", "ANTHROPIC_BASE_URL"}},
		{"beats user file", layers{user: `base_url = "http://user"`, env: vendor}, "http://oa", Source{"env", "OPENAI_BASE_URL"}},
		{"git agent var wins", layers{env: with(map[string]string{"GIT_AGENT_BASE_URL": "http://ga"})}, "http://ga", Source{"env", "GIT_AGENT_BASE_URL"}},
		{"flag wins", layers{env: vendor, flags: map[string]string{"base_url": "http://flag"}}, "http://flag", Source{"flag", "--base-url"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, _, err := load(t, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if l.Config.BaseURL != tt.wantURL || l.Sources["base_url"] != tt.wantSource {
				t.Errorf("base_url = %q from %+v, want %q from %+v", l.Config.BaseURL, l.Sources["base_url"], tt.wantURL, tt.wantSource)
			}
		})
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   layers
		want string
	}{
		{"toml syntax", layers{user: "model = \"x\"\nprovider = \n"}, `config file $USER: line 2: expected value but found '\n' instead: fix or remove it`},
		{"toml type", layers{repo: "model = \"x\"\n\nmax_turns = \"ten\"\n"}, `config file $REPO: line 3 (last key "max_turns"): incompatible types: TOML value has type string; destination has type integer: fix or remove it`},
		{"bad duration", layers{user: `shell_timeout = "soon"`}, `config file $USER: line 1: invalid duration "soon": use a form like "30s" or "2m": fix or remove it`},
		{"unknown provider", layers{user: `provider = "foo"`}, `user file $USER: provider: unknown value "foo": use one of openai, openai-chat, anthropic, ollama, replay`},
		{"unknown profile in repo", layers{repo: `profile = "loose"`}, `repo file $REPO: profile: unknown profile "loose": use one of offline, read-only, net-read-only, workspace-write, trusted`},
		{"bad rule decision", layers{user: "[[rules]]\nprefix = [\"ls\"]\ndecision = \"maybe\"\n"}, `user file $USER: rules[0].decision: unknown value "maybe": use one of allow, prompt, forbid`},
		{"empty rule prefix", layers{user: "[[rules]]\ndecision = \"forbid\"\n"}, `user file $USER: rules[0]: prefix must name at least a command`},
		{"git approval", layers{git: map[string]string{"agent.approval": "always"}}, `git config agent.approval: approval: unknown value "always": use one of never, on-request, untrusted`},
		{"negative max turns env", layers{env: map[string]string{"GIT_AGENT_MAX_TURNS": "-1"}}, `environment GIT_AGENT_MAX_TURNS: max_turns: must be at least 1, got -1`},
		{"non-number env", layers{env: map[string]string{"GIT_AGENT_MAX_TURNS": "many"}}, `environment GIT_AGENT_MAX_TURNS: max_turns: "many" is not a whole number`},
		{"flag profile", layers{flags: map[string]string{"profile": "x"}}, `flag --profile: profile: unknown profile "x": use one of offline, read-only, net-read-only, workspace-write, trusted`},
		{"unknown flag", layers{flags: map[string]string{"colour": "x"}}, `flag --colour: unknown key "colour"`},
		{"rules flag", layers{flags: map[string]string{"rules": "x"}}, `flag --rules: rules can only be set in a config file`},
		{"negative context", layers{user: "context_window = -5"}, `user file $USER: context_window: must not be negative, got -5`},
		{"timeout above max", layers{user: "max_shell_timeout = \"1m\"", env: map[string]string{"GIT_AGENT_SHELL_TIMEOUT": "2m"}},
			`shell_timeout 2m0s (from environment GIT_AGENT_SHELL_TIMEOUT) exceeds max_shell_timeout 1m0s (from user file $USER): lower one or raise the other`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, got, err := load(t, tt.in)
			if err == nil {
				t.Fatal("Load succeeded, want error")
			}
			if got != tt.want {
				t.Errorf("error:\n got %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestLoadUnknownKeys(t *testing.T) {
	t.Parallel()
	l, _, err := load(t, layers{
		user: "modle = \"x\"\nModel = \"y\"\nmodel = \"z\"\n[extra]\na = 1\nb = 2\n[[rules]]\nprefix = [\"ls\"]\ndecision = \"allow\"\nnote = \"n\"\n",
		git:  map[string]string{"agent.colour": "red", "agent.rules": "x"},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`$USER: unknown key "modle" ignored`,
		`$USER: unknown key "extra" ignored`,
		`$USER: unknown key "rules.note" ignored`,
		`$USER: key "Model" ignored: keys are lower case ("model")`,
		`git config agent.colour: unknown key ignored`,
		`git config agent.rules ignored: rules can only be set in a config file`,
	}
	if diff := cmp.Diff(want, l.Warnings); diff != "" {
		t.Errorf("warnings (-want +got):\n%s", diff)
	}
	// A mis-cased spelling makes the key ambiguous, so neither is applied.
	if l.Config.Model != "" {
		t.Errorf("model = %q, want it left unset", l.Config.Model)
	}
}
