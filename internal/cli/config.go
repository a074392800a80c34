package cli

import (
	"github.com/spf13/cobra"
)

func newCmdConfig(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "config",
		Short: "Inspect configuration",
	}
	var jsonOut bool
	var dir string
	show := &cobra.Command{
		Use:   "show",
		Short: "Show the effective configuration and where each value comes from",
		Long: `Show every setting with its value and its source. Layers, lowest precedence first:
defaults, ~/.config/git-agent/config.toml, the repository's .git-agent/config.toml,
git config agent.*, environment (GIT_AGENT_*, OPENAI_BASE_URL, ANTHROPIC_BASE_URL),
flags. The repository file is untrusted: it can tighten security, never loosen it.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			ws, err := workdir(f, dir)
			if err != nil {
				return err
			}
			l, _, err := loadConfig(f.Context, f, ws, nil)
			if err != nil {
				return err
			}
			for _, w := range l.Warnings {
				cmd.PrintErrln("warning: " + w)
			}
			return l.Show(f.IO.Out, jsonOut)
		},
	}
	show.Flags().BoolVar(&jsonOut, "json", false, "print JSON")
	show.Flags().StringVarP(&dir, "cd", "C", "", "show the configuration for this directory")
	cmd.AddCommand(show)
	return cmd
}
