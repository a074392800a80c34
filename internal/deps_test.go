// Package internal_test checks that dependencies between git-agent's packages
// flow one way (cli → agent → tool → sandbox; model, audit and telemetry
// depend on nothing of ours), so a wrong arrow fails CI.
package internal_test

import (
	"os/exec"
	"strings"
	"testing"
)

const mod = "github.com/git-agent/git-agent/"

func TestDependencyDirection(t *testing.T) {
	t.Parallel()
	tests := []struct {
		pkg       string
		forbidden []string // import path prefixes, relative to the module
	}{
		{"internal/model/...", []string{"internal/agent", "internal/tool", "internal/cli", "internal/policy", "internal/config", "sandbox"}},
		{"sandbox/...", []string{"internal/"}},
		{"internal/tool/...", []string{"internal/agent", "internal/cli", "internal/policy", "internal/config", "internal/model/openai", "internal/model/anthropic", "internal/model/replay"}},
		{"internal/policy/...", []string{"internal/agent", "internal/cli", "internal/model/openai", "internal/model/anthropic", "internal/model/replay", "internal/config"}},
		{"internal/agent/...", []string{"internal/cli", "internal/config", "internal/model/openai", "internal/model/anthropic", "internal/model/replay", "internal/model/modeltest"}},
		{"internal/config/...", []string{"internal/agent", "internal/cli", "internal/tool", "internal/model"}},
		{"gitops/...", []string{"internal/"}},
		{"review/...", []string{"internal/", "gitops", "sandbox"}},
		// audit and telemetry are leaves: cli, agent and tool all write to them.
		{"internal/audit/...", []string{"internal/", "gitops", "sandbox", "review"}},
		{"internal/telemetry/...", []string{"internal/", "gitops", "sandbox", "review"}},
	}
	for _, tc := range tests {
		t.Run(tc.pkg, func(t *testing.T) {
			t.Parallel()
			out, err := exec.Command("go", "list", "-deps", mod+tc.pkg).Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			for _, dep := range strings.Fields(string(out)) {
				rel, ok := strings.CutPrefix(dep, mod)
				if !ok {
					continue
				}
				for _, f := range tc.forbidden {
					if strings.HasPrefix(rel, f) && !strings.HasPrefix(tc.pkg, f) {
						t.Errorf("%s depends on %s", tc.pkg, rel)
					}
				}
			}
		})
	}
}
