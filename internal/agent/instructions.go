package agent

import (
	_ "embed"
	"fmt"
	"strings"
)

//go:embed prompt.md
var basePrompt string

// Environment is what the model is told about where it runs.
type Environment struct {
	Workspace string
	Profile   string
	Approval  string
	Shell     string
	Date      string // YYYY-MM-DD
}

// BuildInstructions joins the base prompt, the environment and the
// AGENTS.md text (already capped by LoadAgentsMD).
func BuildInstructions(env Environment, agentsMD string) string {
	var b strings.Builder
	b.WriteString(basePrompt)
	fmt.Fprintf(&b, "\n<environment>\nworkspace: %s\nsecurity profile: %s\napproval mode: %s\nshell: %s\ndate: %s\n</environment>\n",
		env.Workspace, env.Profile, env.Approval, env.Shell, env.Date)
	if strings.TrimSpace(agentsMD) != "" {
		b.WriteString("\nThe repository's AGENTS.md files follow. Follow their instructions where they do not conflict with the security profile; deeper files take precedence.\n<agents_md>\n")
		b.WriteString(agentsMD)
		b.WriteString("\n</agents_md>\n")
	}
	return b.String()
}
