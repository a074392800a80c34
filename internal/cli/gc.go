package cli

import (
	"fmt"

	"github.com/git-agent/git-agent/gitops"
	"github.com/spf13/cobra"
)

// NewCmdGC builds `git agent gc`.
func NewCmdGC(f *Factory) *cobra.Command {
	var dir string
	cmd := &cobra.Command{
		Use:   "gc",
		Short: "Remove stale agent worktrees and locks",
		Long: `Remove the worktrees of agent sessions that are no longer running (for
example after git-agent was killed), stale index locks in them, and worktree
records whose directory is gone. Agent branches are kept: use 'git agent undo'
to delete one. Your own checkout and branches are never touched.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			repo, err := openRepo(f, dir)
			if err != nil {
				return err
			}
			store, err := sessionStore(f, dir)
			if err != nil {
				return err
			}
			alive := func(id string) bool {
				full, err := store.Resolve(id)
				if err != nil {
					return false
				}
				l, err := store.Load(full)
				if err != nil || l.Status != "incomplete" || l.Meta.PID <= 0 {
					return false
				}
				return processAlive(l.Meta.PID)
			}
			// Nothing is lost: what a dead session left in its worktree is
			// committed on its branch before the worktree goes.
			if list, err := repo.AgentBranches(f.Context); err == nil {
				for _, b := range list {
					if b.Worktree == "" || alive(b.Session) {
						continue
					}
					task := &gitops.Task{Repo: repo, Branch: b.Branch, Worktree: b.Worktree}
					sha, err := task.Commit(f.Context, "agent: work left by a session that did not finish",
						"git agent gc committed what the session had changed when it stopped.",
						[]gitops.Trailer{{Key: gitops.TrailerSession, Value: b.Session}, {Key: "Agent-Status", Value: "killed"}})
					switch {
					case err != nil:
						fmt.Fprintf(f.IO.ErrOut, "warning: could not save the work in %s: %v\n", b.Worktree, err)
					case sha != "":
						fmt.Fprintf(f.IO.ErrOut, "saved the unfinished work of %s as %s\n", b.Branch, short(sha))
					}
				}
			}
			removed, err := repo.GC(f.Context, gitops.GCOptions{Alive: alive, Now: f.Now})
			for _, r := range removed {
				fmt.Fprintf(f.IO.ErrOut, "removed %s\n", r)
			}
			if err == nil && len(removed) == 0 {
				fmt.Fprintln(f.IO.ErrOut, "nothing to clean up")
			}
			return err
		},
	}
	cmd.Flags().StringVarP(&dir, "cd", "C", "", "the repository (default: the current directory)")
	return cmd
}
