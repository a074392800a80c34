package config

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata")

func TestShow(t *testing.T) {
	t.Parallel()
	c := Defaults()
	c.Model = "claude-sonnet"
	c.Provider = "anthropic"
	c.StateDir = "/home/u/.local/state/git-agent"
	c.WriteRoots = []string{"/tmp/build", "/with space"}
	c.Rules = []Rule{{Prefix: []string{"go", "test"}, Decision: "allow"}, {Prefix: []string{"rm"}, Decision: "forbid", Reason: "no"}}
	l := &Loaded{Config: c, Sources: map[string]Source{}}
	for _, k := range Keys() {
		l.Sources[k] = Source{Layer: "default"}
	}
	l.Sources["model"] = Source{"flag", "--model"}
	l.Sources["provider"] = Source{"env", "GIT_AGENT_PROVIDER"}
	l.Sources["write_roots"] = Source{"user", "/home/u/.config/git-agent/config.toml"}
	l.Sources["rules"] = Source{"repo", "/home/u/.config/git-agent/config.toml, /src/r/.git-agent/config.toml"}
	l.Sources["max_turns"] = Source{"git", "git config agent.maxturns"}
	l.Warnings = []string{`/src/r/.git-agent/config.toml: base_url ignored: a repository file cannot choose the model endpoint your API key is sent to; set it in your user config, git config or environment`}

	tests := []struct {
		name   string
		json   bool
		golden string
	}{
		{"table", false, "show.golden"},
		{"json", true, "show.json.golden"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := l.Show(&buf, tt.json); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tt.golden)
			if *update {
				if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test -update to create it)", err)
			}
			if diff := cmp.Diff(string(want), buf.String()); diff != "" {
				t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
			}
		})
	}
}
