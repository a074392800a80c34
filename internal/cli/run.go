package cli

import (
	"bufio"
	"encoding/json"
	"io"
	"strings"

	"github.com/git-agent/git-agent/internal/agent"
	"github.com/spf13/cobra"
)

// RunOptions are the inputs of `git agent run`.
type RunOptions struct {
	F      *Factory
	Prompt string
	Flags  sessionFlags
}

// NewCmdRun builds `git agent run`. runF replaces the behaviour in tests.
func NewCmdRun(f *Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{F: f}
	cmd := &cobra.Command{
		Use:   "run [flags] TASK...",
		Short: "Run a task with the agent",
		Long: `Run a task: the model reads the workspace, runs commands under the security
profile and edits files, until it answers. The task is the arguments joined by
spaces, or standard input when the only argument is "-".

Progress goes to stderr and the final answer to stdout; with --json, stdout
carries one JSON event per line instead (docs/events.md). Every session is
recorded and can be continued with 'git agent resume'.

Security: the default profile is workspace-write: commands may write only the
workspace (not .git) and a private TMPDIR, and reach no network. Where this
machine cannot enforce the requested profile, run refuses to start (exit 4)
rather than run unconfined; 'git agent sandbox check' says why.`,
		Example: `  git agent run "fix the failing test in ./calc"
  echo "summarise the README" | git agent run --json - > events.jsonl
  git agent run --provider openai-chat --base-url http://localhost:8000/v1 --model qwen "…"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			prompt, err := readPrompt(f, args)
			if err != nil {
				return err
			}
			opts.Prompt = prompt
			opts.Flags.collect(cmd)
			if runF != nil {
				return runF(opts)
			}
			return runRun(opts)
		},
	}
	opts.Flags.register(cmd, true)
	return cmd
}

func runRun(opts *RunOptions) error {
	f := opts.F
	res, err := runSession(f.Context, f, sessionSpec{Flags: opts.Flags, Prompt: opts.Prompt})
	if err != nil {
		return reportStartError(f, opts.Flags.JSON, err)
	}
	return outcomeError(f, res, opts.Flags.JSON)
}

// readPrompt joins args, or reads stdin for "-".
func readPrompt(f *Factory, args []string) (string, error) {
	if len(args) == 1 && args[0] == "-" {
		b, err := io.ReadAll(io.LimitReader(f.IO.In, 1<<20))
		if err != nil {
			return "", usageErrorf("read task from stdin: %v", err)
		}
		args = []string{string(b)}
	}
	p := strings.TrimSpace(strings.Join(args, " "))
	if p == "" {
		return "", &UsageError{Err: errNoPrompt}
	}
	return p, nil
}

// reportStartError also emits an error event in --json mode, so a script
// reading stdout learns why no session started.
func reportStartError(f *Factory, jsonMode bool, err error) error {
	if jsonMode {
		ev := agent.Event{Type: agent.EventError, Time: f.Now().UTC(), Error: &agent.ErrorInfo{Kind: errorKind(err), Message: oneLine(err.Error())}}
		b, _ := json.Marshal(ev)
		f.IO.Out.Write(append(b, '\n'))
	}
	return err
}

func errorKind(err error) string {
	switch ExitCode(err) {
	case ExitUsage:
		return "usage"
	case ExitProvider:
		return "model"
	case ExitSandbox:
		return "sandbox"
	case ExitInterrupted:
		return "interrupted"
	}
	return "internal"
}

func bufioReader(r io.Reader) *bufio.Reader {
	if br, ok := r.(*bufio.Reader); ok {
		return br
	}
	return bufio.NewReader(r)
}
