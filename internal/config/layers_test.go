package config

import (
	"context"
	"errors"
	"os/exec"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseGitConfig(t *testing.T) {
	t.Parallel()
	out := "agent.model\ngpt\x00agent.flag\x00agent.multi\nline1\nline2\x00Agent.Model\nlater\x00"
	want := map[string]string{"agent.model": "later", "agent.flag": "true", "agent.multi": "line1\nline2"}
	if diff := cmp.Diff(want, parseGitConfig([]byte(out))); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestLoadGitConfig(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		git         map[string]string
		want        func(*Config)
		wantSources map[string]Source
	}{
		{
			name: "names without separators",
			git:  map[string]string{"agent.maxturns": "7", "agent.shelltimeout": "30", "agent.baseurl": "http://b"},
			want: func(c *Config) {
				c.MaxTurns = 7
				c.ShellTimeout = Duration(30 * time.Second)
				c.BaseURL = "http://b"
			},
			wantSources: map[string]Source{
				"max_turns":     {"git", "git config agent.maxturns"},
				"shell_timeout": {"git", "git config agent.shelltimeout"},
				"base_url":      {"git", "git config agent.baseurl"},
			},
		},
		{
			name: "names with dashes",
			git:  map[string]string{"agent.max-turns": "8", "agent.write-roots": "/a, /b", "agent.provider": "anthropic", "agent.profile": "trusted"},
			want: func(c *Config) {
				c.MaxTurns = 8
				c.WriteRoots = []string{"/a", "/b"}
				c.Provider = "anthropic"
				c.Profile = "trusted" // git config is the user's own, so it may loosen
			},
			wantSources: map[string]Source{
				"max_turns":   {"git", "git config agent.max-turns"},
				"write_roots": {"git", "git config agent.write-roots"},
				"provider":    {"git", "git config agent.provider"},
				"profile":     {"git", "git config agent.profile"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, _, err := load(t, layers{git: tt.git})
			if err != nil {
				t.Fatal(err)
			}
			want := Defaults()
			want.StateDir = l.Config.StateDir
			tt.want(&want)
			if diff := cmp.Diff(want, l.Config); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			for k, s := range tt.wantSources {
				if l.Sources[k] != s {
					t.Errorf("source of %s = %+v, want %+v", k, l.Sources[k], s)
				}
			}
		})
	}
}

func TestLoadGitConfigError(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	_, err := Load(context.Background(), LoadOptions{
		Getenv:    func(string) string { return "" },
		GitConfig: func(context.Context, string) (map[string]string, error) { return nil, boom },
	})
	if !errors.Is(err, boom) {
		t.Errorf("err = %v, want it to wrap %v", err, boom)
	}
}

// TestReadGitConfigRealGit proves the real runner against git itself.
func TestReadGitConfigRealGit(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git not installed")
	}
	// Keep the machine's own git config out of the result.
	t.Setenv("GIT_CONFIG_GLOBAL", "/dev/null")
	t.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	dir := t.TempDir()
	ctx := context.Background()
	for _, args := range [][]string{
		{"init", "-q"},
		{"config", "agent.model", "x"},
		{"config", "agent.max-turns", "7"},
		{"config", "core.editor", "true"},
	} {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
	got, err := ReadGitConfig(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"agent.model": "x", "agent.max-turns": "7"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}

	// No agent.* keys is git's exit status 1, which is not an error.
	got, err = ReadGitConfig(ctx, t.TempDir())
	if err != nil || len(got) != 0 {
		t.Errorf("outside a repository: %v, %v; want empty, nil", got, err)
	}
}
