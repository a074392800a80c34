package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/git-agent/git-agent/gitops"
	"github.com/git-agent/git-agent/internal/audit"
	"github.com/spf13/cobra"
)

// BranchOptions are the inputs of apply, undo and log.
type BranchOptions struct {
	F      *Factory
	Dir    string
	Target string // session id (prefix) or branch
	Squash bool
	Patch  bool
	JSON   bool
}

func openRepo(f *Factory, dir string) (*gitops.Repo, error) {
	ws, err := workdir(f, dir)
	if err != nil {
		return nil, err
	}
	repo, err := gitops.Open(f.Context, ws)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	return repo, nil
}

// NewCmdApply builds `git agent apply`.
func NewCmdApply(f *Factory, runF func(*BranchOptions) error) *cobra.Command {
	opts := &BranchOptions{F: f}
	cmd := &cobra.Command{
		Use:   "apply SESSION|BRANCH",
		Short: "Bring an agent branch's work into your current branch",
		Long: `Merge the agent branch of a session (or a branch name) into your current
branch. --squash stages the changes without committing; --patch prints them as
a patch instead. Nothing happens if your uncommitted changes would conflict.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Target = args[0]
			if opts.Squash && opts.Patch {
				return usageErrorf("--squash and --patch exclude each other")
			}
			if runF != nil {
				return runF(opts)
			}
			return applyRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Squash, "squash", false, "stage the changes as one change instead of merging")
	cmd.Flags().BoolVar(&opts.Patch, "patch", false, "print the changes as a patch (git am format) and change nothing")
	cmd.Flags().StringVarP(&opts.Dir, "cd", "C", "", "the repository (default: the current directory)")
	return cmd
}

func applyRun(opts *BranchOptions) error {
	repo, err := openRepo(opts.F, opts.Dir)
	if err != nil {
		return err
	}
	branch, err := repo.FindAgentBranch(opts.F.Context, opts.Target)
	if err != nil {
		return &UsageError{Err: err}
	}
	mode := gitops.ApplyMode("merge")
	switch {
	case opts.Squash:
		mode = "squash"
	case opts.Patch:
		mode = "patch"
	}
	out, err := repo.Apply(opts.F.Context, branch, mode)
	if err != nil {
		return err
	}
	if mode == "patch" {
		_, err = fmt.Fprint(opts.F.IO.Out, out)
		return err
	}
	fmt.Fprintf(opts.F.IO.ErrOut, "%s\n", out)
	return nil
}

// NewCmdUndo builds `git agent undo`.
func NewCmdUndo(f *Factory, runF func(*BranchOptions) error) *cobra.Command {
	opts := &BranchOptions{F: f}
	cmd := &cobra.Command{
		Use:   "undo SESSION|BRANCH",
		Short: "Delete an agent branch and its worktree",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Target = args[0]
			if runF != nil {
				return runF(opts)
			}
			repo, err := openRepo(f, opts.Dir)
			if err != nil {
				return err
			}
			branch, err := repo.FindAgentBranch(f.Context, opts.Target)
			if err != nil {
				return &UsageError{Err: err}
			}
			err = repo.Undo(f.Context, branch)
			e := audit.Entry{Operation: "branch.delete", Target: branch, Decision: "ok", Reason: "git agent undo",
				Details: map[string]any{"repo": repo.Root}}
			if err != nil {
				e.Decision, e.Reason = "failed", err.Error()
			}
			if rec, rerr := f.commandRecorder(repo.Root, ""); rerr != nil {
				fmt.Fprintf(f.IO.ErrOut, "warning: %v\n", rerr)
			} else {
				rec.note(f, e)
			}
			if err != nil {
				return err
			}
			fmt.Fprintf(f.IO.ErrOut, "deleted %s\n", branch)
			return nil
		},
	}
	cmd.Flags().StringVarP(&opts.Dir, "cd", "C", "", "the repository (default: the current directory)")
	return cmd
}

// NewCmdLog builds `git agent log`.
func NewCmdLog(f *Factory, runF func(*BranchOptions) error) *cobra.Command {
	opts := &BranchOptions{F: f}
	cmd := &cobra.Command{
		Use:   "log",
		Short: "List agent branches with session, model, status and diffstat",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			repo, err := openRepo(f, opts.Dir)
			if err != nil {
				return err
			}
			list, err := repo.AgentBranches(f.Context)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				fmt.Fprintln(f.IO.ErrOut, "no agent branches yet; start one with: git agent run \"TASK\"")
				return nil
			}
			tw := tabwriter.NewWriter(f.IO.Out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "BRANCH\tSESSION\tMODEL\tSTATUS\tCHANGES\tSUBJECT")
			for _, b := range list {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d files +%d -%d\t%s\n", b.Branch, b.Session, b.Model, b.Status, b.Files, b.Added, b.Deleted, clipLine(b.Subject, 50))
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVarP(&opts.Dir, "cd", "C", "", "the repository (default: the current directory)")
	return cmd
}
