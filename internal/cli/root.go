package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/git-agent/git-agent/sandbox"
	"github.com/spf13/cobra"
)

// Main runs git-agent and returns the process exit code.
func Main() int {
	// A confined command starts as git-agent re-executed inside its new
	// namespaces; it must set up the sandbox before anything else runs.
	if sandbox.IsInit() {
		return sandbox.InitMain()
	}
	// Fast path: `--version` is timed as cold start; skip building the tree.
	if len(os.Args) == 2 && (os.Args[1] == "--version" || os.Args[1] == "-version") {
		fmt.Println("git-agent " + Version())
		return ExitOK
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// The first signal cancels the session, which kills its commands and
		// records the interruption; a second one terminates at once.
		<-ctx.Done()
		stop()
	}()
	f := NewFactory(ctx)
	return Execute(f, os.Args[1:])
}

// Execute runs the command tree with args and maps the result to an exit code.
func Execute(f *Factory, args []string) int {
	if f.Log == nil {
		f.Log = discardLogger()
	}
	if f.Environ == nil {
		f.Environ = osEnviron
	}
	defer f.closeAll()
	root := NewRootCmd(f)
	root.SetArgs(args)
	root.SetIn(f.IO.In)
	root.SetOut(f.IO.Out)
	root.SetErr(f.IO.ErrOut)
	err := root.ExecuteContext(f.Context)
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if !errors.As(err, &ee) {
		msg := err.Error()
		var ue *UsageError
		if errors.As(err, &ue) || isCobraUsage(msg) {
			fmt.Fprintf(f.IO.ErrOut, "git-agent: %s\nRun 'git agent --help' for usage.\n", msg)
			return ExitUsage
		}
		fmt.Fprintf(f.IO.ErrOut, "git-agent: %s\n", msg)
	}
	return ExitCode(err)
}

func isCobraUsage(msg string) bool {
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "requires at most"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// NewRootCmd builds the command tree.
func NewRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use: "git-agent <command> [flags]",
		// Shown as "git agent": git runs git-agent as its subcommand.
		Annotations: map[string]string{cobra.CommandDisplayNameAnnotation: "git agent"},
		Short:       "An AI coding agent you can trust with a repository",
		Long: `git-agent runs an AI coding agent on your repository: a model reads the code,
runs commands under a security profile and edits files with patches, and every
step is recorded as a resumable session.

Start with 'git agent demo' (no API key needed), then 'git agent run "TASK"'.`,
		Example: `  git agent demo
  OPENAI_API_KEY=... git agent run "make the failing test pass"
  git agent run --provider anthropic --json "explain cmd/main.go" > events.jsonl
  git agent run --provider ollama --model qwen2.5-coder "add a README section"
  git agent resume --last "now add a test for it"`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       Version(),
	}
	root.SetVersionTemplate("git-agent {{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &UsageError{Err: err} })
	f.Global.register(root)
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return f.setupLogging() }
	root.CompletionOptions.DisableDefaultCmd = true
	root.SetHelpTemplate(root.HelpTemplate() + "\n" + exitCodeHelp + "\n")

	root.AddCommand(
		NewCmdRun(f, nil),
		NewCmdResume(f, nil),
		NewCmdSessions(f, nil),
		NewCmdDemo(f, nil),
		NewCmdSandbox(f, nil),
		NewCmdReview(f, nil),
		NewCmdHook(f, nil),
		newCmdConfig(f),
		newCmdVersion(f),
		NewCmdApply(f, nil),
		NewCmdUndo(f, nil),
		NewCmdLog(f, nil),
		NewCmdGC(f),
		NewCmdAudit(f, nil),
		NewCmdSBOM(f, nil),
		NewCmdBench(f, nil),
		NewCmdAction(f, nil),
	)
	return root
}
