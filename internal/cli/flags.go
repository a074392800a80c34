package cli

import (
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
)

// sessionFlags are the flags shared by run, resume and demo.
type sessionFlags struct {
	Provider     string
	Model        string
	BaseURL      string
	Profile      string
	Approval     string
	MaxTurns     int
	ShellTimeout time.Duration
	JSON         bool
	Dir          string
	Cassette     string
	Record       string
	AllowDomains []string
	// git integration
	Base               string
	IncludeUncommitted bool
	InPlace            bool
	Commit             bool
	KeepWorktree       bool
	// AuditContent puts prompts and outputs into the audit log, not only their digests.
	AuditContent bool
	// changed maps config keys to the values of flags set on the command line.
	changed map[string]string
}

func (s *sessionFlags) register(cmd *cobra.Command, model bool) {
	fl := cmd.Flags()
	if model {
		fl.StringVar(&s.Provider, "provider", "", "model provider: openai, openai-chat, anthropic, ollama, replay (env GIT_AGENT_PROVIDER)")
		fl.StringVar(&s.Model, "model", "", "model name (env GIT_AGENT_MODEL)")
		fl.StringVar(&s.BaseURL, "base-url", "", "API base URL (env OPENAI_BASE_URL / ANTHROPIC_BASE_URL)")
		fl.StringVar(&s.Cassette, "cassette", "", "with --provider replay: the cassette file to replay")
		fl.StringVar(&s.Record, "record", "", "record the model's turns into this cassette file")
	}
	fl.StringVar(&s.Profile, "profile", "", "security profile: offline, read-only, net-read-only, workspace-write, trusted")
	fl.StringArrayVar(&s.AllowDomains, "allow-domain", nil, "let commands reach HOST[:PORT] through the egress proxy (net-read-only, workspace-write); repeatable")
	fl.StringVar(&s.Approval, "approval", "", "approval mode: never, on-request, untrusted")
	fl.IntVar(&s.MaxTurns, "max-turns", 0, "stop after this many model turns")
	fl.DurationVar(&s.ShellTimeout, "shell-timeout", 0, "default timeout of a shell command (e.g. 30s)")
	fl.BoolVar(&s.JSON, "json", false, "print events as JSON lines on stdout (see docs/events.md)")
	fl.StringVarP(&s.Dir, "cd", "C", "", "run in this directory instead of the current one")
	fl.StringVar(&s.Base, "base", "", "start the task's branch from this ref (default HEAD)")
	fl.BoolVar(&s.IncludeUncommitted, "include-uncommitted", false, "start from a snapshot of your uncommitted changes (your index and files are not touched)")
	fl.BoolVar(&s.InPlace, "in-place", false, "work in the current checkout instead of a new worktree (still confined; .git stays read-only)")
	fl.BoolVar(&s.Commit, "commit", false, "with --in-place: commit the changes at the end")
	fl.BoolVar(&s.KeepWorktree, "keep-worktree", false, "keep the task's worktree after the session")
	fl.BoolVar(&s.AuditContent, "audit-content", false, "record prompts, command output and messages in the audit log (default: only their SHA-256 and size)")
}

// collect records which config keys were set by flags.
func (s *sessionFlags) collect(cmd *cobra.Command) {
	s.changed = map[string]string{}
	fl := cmd.Flags()
	set := func(flag, key, val string) {
		if f := fl.Lookup(flag); f != nil && f.Changed {
			s.changed[key] = val
		}
	}
	set("provider", "provider", s.Provider)
	set("model", "model", s.Model)
	set("base-url", "base_url", s.BaseURL)
	set("profile", "profile", s.Profile)
	set("approval", "approval", s.Approval)
	set("max-turns", "max_turns", strconv.Itoa(s.MaxTurns))
	set("shell-timeout", "shell_timeout", s.ShellTimeout.String())
	set("allow-domain", "allow_domains", strings.Join(s.AllowDomains, ","))
}
