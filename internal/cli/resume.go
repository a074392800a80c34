package cli

import (
	"path/filepath"

	"github.com/git-agent/git-agent/internal/agent"
	"github.com/spf13/cobra"
)

// ResumeOptions are the inputs of `git agent resume`.
type ResumeOptions struct {
	F      *Factory
	ID     string
	Last   bool
	Prompt string
	Flags  sessionFlags
}

// NewCmdResume builds `git agent resume`.
func NewCmdResume(f *Factory, runF func(*ResumeOptions) error) *cobra.Command {
	opts := &ResumeOptions{F: f}
	cmd := &cobra.Command{
		Use:   "resume [ID | --last] TASK...",
		Short: "Continue a recorded session with a new message",
		Long: `Continue a session: the whole conversation is loaded from its rollout and the
new task is sent as the next user message. ID may be a unique prefix. The
session keeps its provider, model, profile and workspace unless flags override them.`,
		Example: `  git agent resume --last "also update the docs"
  git agent resume 3f2a "now run the linter"`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if !opts.Last {
				opts.ID, args = args[0], args[1:]
			}
			prompt, err := readPrompt(f, args)
			if err != nil {
				return err
			}
			opts.Prompt = prompt
			opts.Flags.collect(cmd)
			if runF != nil {
				return runF(opts)
			}
			return resumeRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Last, "last", false, "resume the most recent session")
	opts.Flags.register(cmd, true)
	return cmd
}

func resumeRun(opts *ResumeOptions) error {
	f := opts.F
	store, err := sessionStore(f, opts.Flags.Dir)
	if err != nil {
		return reportStartError(f, opts.Flags.JSON, err)
	}
	id := opts.ID
	if opts.Last {
		id, err = store.Last()
	} else {
		id, err = store.Resolve(id)
	}
	if err != nil {
		return reportStartError(f, opts.Flags.JSON, &UsageError{Err: err})
	}
	loaded, err := store.Load(id)
	if err != nil {
		return reportStartError(f, opts.Flags.JSON, err)
	}
	res, err := runSession(f.Context, f, sessionSpec{Flags: opts.Flags, Prompt: opts.Prompt, Resume: loaded})
	if err != nil {
		return reportStartError(f, opts.Flags.JSON, err)
	}
	return outcomeError(f, res, opts.Flags.JSON)
}

// sessionStore opens the session store configured for dir.
func sessionStore(f *Factory, dir string) (*agent.Store, error) {
	ws, err := workdir(f, dir)
	if err != nil {
		return nil, err
	}
	loaded, _, err := loadConfig(f.Context, f, ws, nil)
	if err != nil {
		return nil, err
	}
	state := loaded.Config.StateDir
	if state == "" {
		state = f.defaultStateDir()
	}
	return &agent.Store{Dir: filepath.Join(state, "sessions"), Now: f.Now}, nil
}
