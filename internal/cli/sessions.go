package cli

import (
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"
)

// SessionsOptions are the inputs of `git agent sessions`.
type SessionsOptions struct {
	F     *Factory
	JSON  bool
	Limit int
	Dir   string
}

// NewCmdSessions builds `git agent sessions`.
func NewCmdSessions(f *Factory, runF func(*SessionsOptions) error) *cobra.Command {
	opts := &SessionsOptions{F: f}
	cmd := &cobra.Command{
		Use:   "sessions",
		Short: "List recorded sessions, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return sessionsRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print JSON")
	cmd.Flags().IntVarP(&opts.Limit, "limit", "n", 20, "show at most this many sessions (0: all)")
	cmd.Flags().StringVarP(&opts.Dir, "cd", "C", "", "read configuration as if run in this directory")
	return cmd
}

func sessionsRun(opts *SessionsOptions) error {
	f := opts.F
	store, err := sessionStore(f, opts.Dir)
	if err != nil {
		return err
	}
	list, err := store.List()
	if err != nil {
		return err
	}
	if opts.Limit > 0 && len(list) > opts.Limit {
		list = list[:opts.Limit]
	}
	if opts.JSON {
		enc := json.NewEncoder(f.IO.Out)
		enc.SetIndent("", "  ")
		if list == nil {
			return enc.Encode([]any{})
		}
		return enc.Encode(list)
	}
	if len(list) == 0 {
		fmt.Fprintf(f.IO.ErrOut, "no sessions yet in %s; start one with: git agent run \"TASK\" (or git agent demo)\n", store.Dir)
		return nil
	}
	tw := tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tUPDATED\tSTATUS\tTURNS\tMODEL\tTASK")
	for _, s := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s/%s\t%s\n", s.ID, s.Updated.Local().Format("2006-01-02 15:04"), s.Status, s.Turns, s.Provider, s.Model, clipLine(s.Prompt, 50))
	}
	return tw.Flush()
}
