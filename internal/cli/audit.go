package cli

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/git-agent/git-agent/internal/audit"
	"github.com/spf13/cobra"
)

// AuditOptions are the options of `git agent audit verify|show`.
type AuditOptions struct {
	IO      *IOStreams
	Files   []string
	Session string
	JSON    bool
}

// NewCmdAudit builds `git agent audit`.
func NewCmdAudit(f *Factory, runF func(string, *AuditOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "audit <command>",
		Short: "Verify and read the tamper-evident audit log",
		Long: `Every decision git-agent takes and every effect it has (tool calls allowed or
denied, commands run, files written, network requests, commits, API writes) is
appended to a hash-chained audit log: each entry carries the SHA-256 of the
previous one (an HMAC with GIT_AGENT_AUDIT_KEY set), so editing, deleting,
reordering or inserting an entry breaks the chain.`,
	}
	run := func(verb string, opts *AuditOptions) error {
		if runF != nil {
			return runF(verb, opts)
		}
		if len(opts.Files) == 0 {
			files, err := defaultAuditFiles(f)
			if err != nil {
				return err
			}
			opts.Files = files
		}
		if verb == "verify" {
			return auditVerifyRun(f, opts)
		}
		return auditShowRun(opts)
	}
	verify := &cobra.Command{
		Use:   "verify [FILE...]",
		Short: "Check the audit log's hash chain (exit 1 naming the first bad entry)",
		Example: `  git agent audit verify
  git agent audit verify ~/.local/state/git-agent/audit/audit.*.jsonl ~/.local/state/git-agent/audit/audit.jsonl`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return run("verify", &AuditOptions{IO: f.IO, Files: args})
		},
	}
	showOpts := &AuditOptions{IO: f.IO}
	show := &cobra.Command{
		Use:   "show [FILE...]",
		Short: "Print the audit log as a table, oldest first",
		Example: `  git agent audit show --session 3fa85f64a1b2
  git agent audit show --json | jq 'select(.decision == "denied")'`,
		RunE: func(cmd *cobra.Command, args []string) error {
			showOpts.Files = args
			return run("show", showOpts)
		},
	}
	show.Flags().StringVar(&showOpts.Session, "session", "", "only this session's entries (an id or its prefix)")
	show.Flags().BoolVar(&showOpts.JSON, "json", false, "print entries as JSON lines")
	cmd.AddCommand(verify, show)
	return cmd
}

// defaultAuditFiles lists the chain files of the configured audit log.
func defaultAuditFiles(f *Factory) ([]string, error) {
	stateDir := ""
	if wd, err := f.Getwd(); err == nil {
		if l, _, err := loadConfig(f.Context, f, wd, nil); err == nil {
			stateDir = l.Config.StateDir
		}
	}
	path := f.auditPath(stateDir)
	files, err := audit.Files(path)
	if err != nil {
		return nil, fmt.Errorf("list the audit log %s: %w", path, err)
	}
	var present []string
	for _, p := range files {
		if _, err := os.Stat(p); err == nil {
			present = append(present, p)
		}
	}
	if len(present) == 0 {
		return nil, usageErrorf("no audit log at %s yet: run a task first, or name the files (git agent audit verify FILE...)", path)
	}
	return present, nil
}

func auditVerifyRun(f *Factory, opts *AuditOptions) error {
	rep, err := audit.Verify(opts.Files, []byte(f.Getenv("GIT_AGENT_AUDIT_KEY")))
	if err != nil {
		return fmt.Errorf("verify the audit log: %w", err)
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(opts.IO.ErrOut, "warning: %s: %s\n", w.Kind, w.Msg)
	}
	if rep.Bad != nil {
		fmt.Fprintf(opts.IO.ErrOut, "audit log TAMPERED: %s\n", rep.Bad.Msg)
		fmt.Fprintf(opts.IO.ErrOut, "  %d entries before it are intact (chain head %s)\n", rep.Entries, headOrNone(rep.Head))
		return &ExitError{Code: ExitFailed}
	}
	fmt.Fprintf(opts.IO.Out, "audit log intact: %d entries in %d file(s), chain head %s\n", rep.Entries, len(rep.Files), rep.Head)
	return nil
}

func auditShowRun(opts *AuditOptions) error {
	entries, err := audit.Read(opts.Files)
	if err != nil {
		return fmt.Errorf("read the audit log: %w", err)
	}
	var shown []audit.Entry
	for _, e := range entries {
		if opts.Session == "" || strings.HasPrefix(e.Session, opts.Session) {
			shown = append(shown, e)
		}
	}
	if opts.JSON {
		enc := json.NewEncoder(opts.IO.Out)
		for _, e := range shown {
			if err := enc.Encode(e); err != nil {
				return err
			}
		}
		return nil
	}
	if len(shown) == 0 {
		fmt.Fprintln(opts.IO.ErrOut, "no audit entries match")
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "SEQ\tTIME\tSESSION\tOPERATION\tDECISION\tTARGET\tREASON")
	for _, e := range shown {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", e.Seq, e.Time.Local().Format("2006-01-02 15:04:05"), e.Session,
			e.Operation, e.Decision, clipCell(e.Target, 60), clipCell(e.Reason, 60))
	}
	return tw.Flush()
}

// clipCell keeps a table cell on one line and within n runes.
func clipCell(s string, n int) string {
	s = oneLine(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func headOrNone(h string) string {
	if h == "" {
		return "(none)"
	}
	return short(h)
}
