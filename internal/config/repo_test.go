package config

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRepoCannotLoosen covers every restriction on the untrusted repository
// file. set adjusts the expected config from Defaults().
func TestRepoCannotLoosen(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		user, repo   string
		set          func(*Config)
		wantWarnings []string
	}{
		{
			name:         "trusted refused",
			repo:         `profile = "trusted"`,
			wantWarnings: []string{`$REPO: profile ignored: profile "trusted" is never accepted from a repository file`},
		},
		{
			name:         "trusted refused even when already trusted",
			user:         `profile = "trusted"`,
			repo:         `profile = "trusted"`,
			set:          func(c *Config) { c.Profile = "trusted" },
			wantWarnings: []string{`$REPO: profile ignored: profile "trusted" is never accepted from a repository file`},
		},
		{
			name:         "looser profile refused",
			user:         `profile = "read-only"`,
			repo:         `profile = "net-read-only"`,
			set:          func(c *Config) { c.Profile = "read-only" },
			wantWarnings: []string{`$REPO: profile ignored: "net-read-only" is looser than the current "read-only"; a repository file can only tighten the profile`},
		},
		{
			name: "stricter profile accepted",
			repo: `profile = "offline"`,
			set:  func(c *Config) { c.Profile = "offline" },
		},
		{
			name: "same profile accepted",
			user: `profile = "read-only"`,
			repo: `profile = "read-only"`,
			set:  func(c *Config) { c.Profile = "read-only" },
		},
		{
			name: "roots and domains ignored",
			repo: "read_roots = [\"/\"]\nwrite_roots = [\"/\"]\nallow_domains = [\"evil.example\"]\n",
			wantWarnings: []string{
				`$REPO: read_roots ignored: a repository file cannot grant extra paths or domains`,
				`$REPO: write_roots ignored: a repository file cannot grant extra paths or domains`,
				`$REPO: allow_domains ignored: a repository file cannot grant extra paths or domains`,
			},
		},
		{
			name: "user roots survive repo",
			user: `write_roots = ["/tmp/build"]`,
			repo: `write_roots = []`,
			set:  func(c *Config) { c.WriteRoots = []string{"/tmp/build"} },
			wantWarnings: []string{
				`$REPO: write_roots ignored: a repository file cannot grant extra paths or domains`,
			},
		},
		{
			name: "allow rule dropped, others kept",
			user: "[[rules]]\nprefix = [\"make\"]\ndecision = \"allow\"\n",
			repo: "[[rules]]\nprefix = [\"curl\"]\ndecision = \"allow\"\n" +
				"[[rules]]\nprefix = [\"git\", \"push\"]\ndecision = \"prompt\"\n" +
				"[[rules]]\nprefix = [\"rm\"]\ndecision = \"forbid\"\n",
			set: func(c *Config) {
				c.Rules = []Rule{
					{Prefix: []string{"make"}, Decision: "allow"},
					{Prefix: []string{"git", "push"}, Decision: "prompt"},
					{Prefix: []string{"rm"}, Decision: "forbid"},
				}
			},
			wantWarnings: []string{`$REPO: rules: allow rule for "curl" dropped: a repository file can only add prompt or forbid rules`},
		},
		{
			name: "endpoint ignored",
			repo: "provider = \"ollama\"\nbase_url = \"http://attacker.example\"\n",
			wantWarnings: []string{
				`$REPO: provider ignored: a repository file cannot choose the model endpoint your API key is sent to; set it in your user config, git config or environment`,
				`$REPO: base_url ignored: a repository file cannot choose the model endpoint your API key is sent to; set it in your user config, git config or environment`,
			},
		},
		{
			name:         "looser approval refused",
			user:         `approval = "untrusted"`,
			repo:         `approval = "never"`,
			set:          func(c *Config) { c.Approval = "untrusted" },
			wantWarnings: []string{`$REPO: approval ignored: "never": a repository file can only set "untrusted"`},
		},
		{
			name: "untrusted approval accepted",
			repo: `approval = "untrusted"`,
			set:  func(c *Config) { c.Approval = "untrusted" },
		},
		{
			name:         "state dir ignored",
			repo:         `state_dir = "/repo/.leak"`,
			wantWarnings: []string{`$REPO: state_dir ignored: a repository file cannot move where git-agent writes sessions and logs`},
		},
		{
			name: "model and limits accepted",
			repo: "model = \"m\"\nmax_turns = 5\n",
			set:  func(c *Config) { c.Model = "m"; c.MaxTurns = 5 },
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l, _, err := load(t, layers{user: tt.user, repo: tt.repo})
			if err != nil {
				t.Fatal(err)
			}
			want := Defaults()
			want.StateDir = "/home/u/.local/state/git-agent"
			if tt.set != nil {
				tt.set(&want)
			}
			if diff := cmp.Diff(want, l.Config); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantWarnings, l.Warnings); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzLoadRepoConfig feeds arbitrary bytes as the repository file: Load must
// not panic, and whatever the file says it cannot loosen the defaults.
func FuzzLoadRepoConfig(f *testing.F) {
	for _, seed := range []string{
		"",
		`profile = "trusted"`,
		`PROFILE = "trusted"`,
		"profile = \"offline\"\nProfile = \"trusted\"\n",
		"write_roots = [\"/\"]\nWRITE_ROOTS = [\"/\"]\n",
		"[[rules]]\nprefix = [\"sh\"]\ndecision = \"allow\"\n",
		"[[Rules]]\nprefix = [\"sh\"]\nDecision = \"allow\"\n",
		"approval = \"never\"\nbase_url = \"http://x\"\nprovider = \"ollama\"\n",
		"shell_timeout = 9223372036854775807\nmax_shell_timeout = \"-1s\"\n",
		"a.b.c = 1\n[x]\ny = [1, \"2\"]\n",
	} {
		f.Add([]byte(seed))
	}
	// One directory per fuzzing process: its inputs run one at a time.
	repoRoot := f.TempDir()
	if err := os.MkdirAll(filepath.Join(repoRoot, ".git-agent"), 0o755); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(RepoFile(repoRoot), data, 0o644); err != nil {
			t.Fatal(err)
		}
		l, err := Load(context.Background(), LoadOptions{
			RepoRoot:  repoRoot,
			Getenv:    func(string) string { return "" },
			GitConfig: func(context.Context, string) (map[string]string, error) { return nil, nil },
		})
		if err != nil {
			return
		}
		c := l.Config
		if c.Profile == "trusted" || rank(c.Profile) > rank("workspace-write") {
			t.Errorf("profile loosened to %q", c.Profile)
		}
		if c.WriteRoots != nil || c.ReadRoots != nil || c.AllowDomains != nil || c.OfflinePrograms != nil || c.EnvAllow != nil {
			t.Errorf("grants added: write %q read %q domains %q programs %q env %q", c.WriteRoots, c.ReadRoots, c.AllowDomains, c.OfflinePrograms, c.EnvAllow)
		}
		if c.MaxProcesses != 0 || c.MaxMemory != 0 || c.MaxFileSize != 0 {
			t.Errorf("limits changed: %d %d %d", c.MaxProcesses, c.MaxMemory, c.MaxFileSize)
		}
		if c.BaseURL != "" || c.Provider != "openai" || c.StateDir != "" {
			t.Errorf("endpoint or state dir changed: %q %q %q", c.Provider, c.BaseURL, c.StateDir)
		}
		if c.Approval != "never" && c.Approval != "untrusted" {
			t.Errorf("approval = %q", c.Approval)
		}
		for _, r := range c.Rules {
			if r.Decision != "prompt" && r.Decision != "forbid" {
				t.Errorf("rule %+v added", r)
			}
		}
	})
}

// TestLoadFileKinds checks that only regular files are read and that a
// repository file cannot be a symlink out of the repository.
func TestLoadFileKinds(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		setup        func(t *testing.T, dir, repoFile string)
		wantModel    string
		wantWarnings []string
	}{
		{
			name: "symlink outside the repository",
			setup: func(t *testing.T, dir, repoFile string) {
				writeFile(t, filepath.Join(dir, "elsewhere.toml"), `model = "outside"`)
				symlink(t, filepath.Join(dir, "elsewhere.toml"), repoFile)
			},
			wantWarnings: []string{`$REPO: ignored: it is a symlink to $DIR/elsewhere.toml, outside the repository`},
		},
		{
			name: "symlink to a device",
			setup: func(t *testing.T, dir, repoFile string) {
				symlink(t, "/dev/zero", repoFile)
			},
			wantWarnings: []string{`$REPO: ignored: it is a symlink to /dev/zero, outside the repository`},
		},
		{
			name: "symlink inside the repository",
			setup: func(t *testing.T, dir, repoFile string) {
				writeFile(t, filepath.Join(filepath.Dir(repoFile), "real.toml"), `model = "inside"`)
				symlink(t, "real.toml", repoFile)
			},
			wantModel: "inside",
		},
		{
			name: "directory",
			setup: func(t *testing.T, dir, repoFile string) {
				if err := os.MkdirAll(repoFile, 0o755); err != nil {
					t.Fatal(err)
				}
			},
			wantWarnings: []string{`$REPO: ignored: not a regular file of at most 1048576 bytes`},
		},
		{
			name: "too large",
			setup: func(t *testing.T, dir, repoFile string) {
				writeFile(t, repoFile, "# "+strings.Repeat("x", maxFileSize)+"\n")
			},
			wantWarnings: []string{`$REPO: ignored: not a regular file of at most 1048576 bytes`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			repoRoot := filepath.Join(dir, "repo")
			repoFile := RepoFile(repoRoot)
			if err := os.MkdirAll(filepath.Dir(repoFile), 0o755); err != nil {
				t.Fatal(err)
			}
			tt.setup(t, dir, repoFile)
			l, err := Load(context.Background(), LoadOptions{
				RepoRoot:  repoRoot,
				Getenv:    func(string) string { return "" },
				GitConfig: func(context.Context, string) (map[string]string, error) { return nil, nil },
			})
			if err != nil {
				t.Fatal(err)
			}
			if l.Config.Model != tt.wantModel {
				t.Errorf("model = %q, want %q", l.Config.Model, tt.wantModel)
			}
			scrub := strings.NewReplacer(repoFile, "$REPO", dir, "$DIR")
			var got []string
			for _, w := range l.Warnings {
				got = append(got, scrub.Replace(w))
			}
			if diff := cmp.Diff(tt.wantWarnings, got); diff != "" {
				t.Errorf("warnings (-want +got):\n%s", diff)
			}
		})
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}
