package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/git-agent/git-agent/internal/agent"
	"github.com/git-agent/git-agent/internal/audit"
	"github.com/git-agent/git-agent/sandbox"
	"github.com/git-agent/git-agent/sandbox/egress"
	"github.com/spf13/cobra"
)

// SandboxOptions are the inputs of `git agent sandbox`.
type SandboxOptions struct {
	F            *Factory
	Profile      string
	Dir          string
	Timeout      time.Duration
	AllowDomains []string
	Args         []string
	// Environ is the environment the command's is derived from (scrubbed by
	// sandbox.BaseEnv); os.Environ outside tests.
	Environ func() []string
}

// NewCmdSandbox builds `git agent sandbox`. runF replaces the behaviour in
// tests.
func NewCmdSandbox(f *Factory, runF func(*SandboxOptions) error) *cobra.Command {
	opts := &SandboxOptions{F: f, Environ: os.Environ}
	cmd := &cobra.Command{
		Use:   "sandbox [--profile NAME] [-C DIR] [--timeout DUR] -- COMMAND [ARGS...]",
		Short: "Run a command under a security profile, as the agent's commands run",
		Long: `Run COMMAND exactly as the agent runs the commands the model asks for: through
the sandbox, with DIR (default: the current directory) as the workspace, under
the profile (default: read-only), with an environment scrubbed of variables
that look like secrets. Standard input, output and error are passed through.

The exit status is the command's own. If the profile cannot be enforced on
this machine, nothing runs and the exit status is 4; 'git agent sandbox check'
shows what this machine supports. See docs/security-profiles.md.`,
		Example: `  git agent sandbox -- cat /etc/hostname
  git agent sandbox --profile workspace-write -- go test ./...
  git agent sandbox --profile offline -C ~/src/repo -- sh -c 'ls -la'
  git agent sandbox --profile net-read-only --allow-domain proxy.golang.org -- go mod download
  git agent sandbox check`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("no command given: git agent sandbox [flags] -- COMMAND [ARGS...]")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Args = args
			mode, err := sandbox.ParseMode(opts.Profile)
			if err != nil {
				return &UsageError{Err: err}
			}
			if len(opts.AllowDomains) > 0 && mode != sandbox.NetReadOnly && mode != sandbox.WorkspaceWrite && mode != sandbox.Trusted {
				return usageErrorf("--allow-domain needs --profile net-read-only or workspace-write (the %s profile has no network)", mode)
			}
			if opts.Timeout < 0 {
				return usageErrorf("--timeout %v is negative", opts.Timeout)
			}
			if runF != nil {
				return runF(opts)
			}
			return sandboxRun(opts)
		},
	}
	// Flags end at COMMAND, so `git agent sandbox ls -la` passes -la to ls.
	cmd.Flags().SetInterspersed(false)
	cmd.Flags().StringVar(&opts.Profile, "profile", string(sandbox.ReadOnly), "security profile: offline, read-only, net-read-only, workspace-write, trusted")
	cmd.Flags().StringVarP(&opts.Dir, "cd", "C", "", "workspace and working directory (default: the current directory)")
	cmd.Flags().DurationVar(&opts.Timeout, "timeout", 0, "kill the command after this long (e.g. 30s; 0: no limit)")
	cmd.Flags().StringArrayVar(&opts.AllowDomains, "allow-domain", nil, "let the command reach HOST[:PORT] through the egress proxy (net-read-only, workspace-write); repeatable")
	cmd.AddCommand(newCmdSandboxCheck(f))
	return cmd
}

func sandboxRun(opts *SandboxOptions) error {
	f := opts.F
	mode, err := sandbox.ParseMode(opts.Profile)
	if err != nil {
		return &UsageError{Err: err}
	}
	ws, err := workdir(f, opts.Dir)
	if err != nil {
		return err
	}
	rec, err := f.commandRecorder(ws, string(mode))
	if err != nil {
		return err
	}
	target := strings.Join(opts.Args, " ")
	res, err := sandbox.Run(f.Context, sandbox.Profile{Mode: mode, Workspace: ws, AllowDomains: opts.AllowDomains}, &sandbox.Cmd{
		Args:    opts.Args,
		Dir:     ws,
		Env:     sandbox.BaseEnv(opts.Environ()),
		Stdin:   f.IO.In,
		Timeout: opts.Timeout,
		Stdout:  f.IO.Out,
		Stderr:  f.IO.ErrOut,
		// Everything reaches the streams through the tee; the capture is
		// not used.
		MaxOutput: 1,
		Egress:    func(d egress.Decision) { rec.note(f, agent.EgressEntry(d)) },
	})
	rec.note(f, execEntry(target, res, err))
	switch {
	case errors.Is(err, sandbox.ErrProfileUnavailable):
		fmt.Fprintf(f.IO.ErrOut, "git-agent: %v\n(run 'git agent sandbox check' to see what this machine supports)\n", err)
		return &ExitError{Code: ExitSandbox}
	case err != nil:
		return err // a canceled run exits 130; the command was killed
	case res.TimedOut:
		fmt.Fprintf(f.IO.ErrOut, "git-agent: %s: killed after the %v timeout\n", opts.Args[0], opts.Timeout)
	}
	if res.ExitCode != 0 {
		return &ExitError{Code: res.ExitCode}
	}
	return nil
}

func newCmdSandboxCheck(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "check",
		Short: "Show which security profiles this machine can enforce, and why not",
		Long: `Print, for each security profile, whether this build of git-agent can enforce
it on this machine and, when it cannot, why. To run a program named "check"
in the sandbox, write 'git agent sandbox -- check'.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return sandboxCheck(f)
		},
	}
}

// sandboxCheck prints what this machine offers for confinement, then one
// line per profile. It exits 0 whatever it finds: the report is the result.
func sandboxCheck(f *Factory) error {
	for _, line := range sandbox.Diagnose() {
		if _, err := fmt.Fprintln(f.IO.Out, line); err != nil {
			return err
		}
	}
	fmt.Fprintln(f.IO.Out)
	w := 0
	for _, m := range sandbox.Modes {
		w = max(w, len(m))
	}
	for _, m := range sandbox.Modes {
		status := "enforced"
		if err := sandbox.Available(m); err != nil {
			status = "refused: " + strings.TrimPrefix(err.Error(), sandbox.ErrProfileUnavailable.Error()+": ")
		} else if m == sandbox.Trusted {
			status = "available: no confinement, commands run as you"
		}
		if _, err := fmt.Fprintf(f.IO.Out, "%-*s  %s\n", w, m, status); err != nil {
			return err
		}
	}
	return nil
}

// execEntry is the audit entry of a command git agent sandbox ran (or was
// refused).
func execEntry(target string, res *sandbox.Result, err error) audit.Entry {
	e := audit.Entry{Operation: "exec", Target: target, Decision: "ok"}
	switch {
	case errors.Is(err, sandbox.ErrProfileUnavailable):
		e.Operation, e.Decision, e.Reason = "sandbox.refused", "refused", err.Error()
		return e
	case err != nil && res == nil:
		e.Decision, e.Reason = "failed", err.Error()
		return e
	}
	e.Details = map[string]any{"exit_code": res.ExitCode, "duration_ms": res.Duration.Milliseconds()}
	e.Decision, e.Reason = agent.ExecOutcome(res.TimedOut, res.Signal, res.ExitCode)
	return e
}
