// Package sandbox runs the commands the model asks for under a named security
// profile. Run is the single entry point: nothing else in git-agent starts a
// model-requested process.
//
// A profile this build or this kernel cannot enforce is refused with
// ErrProfileUnavailable; it is never silently weakened. sandbox never imports
// agent, model or tool code.
package sandbox

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/git-agent/git-agent/sandbox/egress"
)

// Mode names a security profile.
type Mode string

const (
	Offline        Mode = "offline"
	ReadOnly       Mode = "read-only"
	NetReadOnly    Mode = "net-read-only"
	WorkspaceWrite Mode = "workspace-write"
	Trusted        Mode = "trusted"
)

// Modes lists every profile name, most restrictive first.
var Modes = []Mode{Offline, ReadOnly, NetReadOnly, WorkspaceWrite, Trusted}

// Writable reports whether m lets the workspace be changed.
func Writable(m Mode) bool { return m == WorkspaceWrite || m == Trusted }

// ParseMode validates a profile name.
func ParseMode(s string) (Mode, error) {
	for _, m := range Modes {
		if string(m) == s {
			return m, nil
		}
	}
	return "", fmt.Errorf("unknown profile %q: use one of offline, read-only, net-read-only, workspace-write, trusted", s)
}

// ErrProfileUnavailable means the requested profile cannot be enforced here.
var ErrProfileUnavailable = errors.New("sandbox profile unavailable")

// Profile is a mode plus the paths it applies to.
type Profile struct {
	Mode Mode
	// Workspace is the absolute root the command works in (and, under
	// workspace-write, the only writable tree).
	Workspace string
	// ReadRoots and WriteRoots are extra grants (from user config or flags).
	ReadRoots  []string
	WriteRoots []string
	// AllowDomains are hosts reachable through the egress proxy.
	AllowDomains []string
	// Limits bound each confined command (zero fields: defaults).
	Limits Limits
	// OfflinePrograms replaces the offline allowlist (empty: OfflinePrograms).
	OfflinePrograms []string
	// CacheKey names the cache confined commands share (build caches
	// survive between commands); "" means Workspace. Sessions of one
	// repository share one, whatever worktree they run in.
	CacheKey string
}

// Cmd is a command to run.
type Cmd struct {
	Args    []string // argv; Args[0] is looked up in PATH
	Dir     string   // absolute working directory inside the workspace
	Env     []string // complete environment
	Stdin   io.Reader
	Timeout time.Duration // 0: no timeout beyond ctx
	// MaxOutput caps the captured bytes of stdout and of stderr each; the rest
	// is counted and discarded. 0 means 1 MiB.
	MaxOutput int
	// Stdout and Stderr, if set, also receive the output as it is produced
	// (uncapped), for live progress.
	Stdout, Stderr io.Writer
	// Egress, if set, is told every decision of the command's egress proxy
	// (for the audit log). It is called from the proxy's goroutines.
	Egress func(egress.Decision)
}

// Result is how a command ended.
type Result struct {
	ExitCode  int           `json:"exit_code"`
	Stdout    []byte        `json:"-"`
	Stderr    []byte        `json:"-"`
	Truncated bool          `json:"truncated,omitempty"` // output exceeded MaxOutput
	TimedOut  bool          `json:"timed_out,omitempty"` // killed by Timeout (ExitCode 124)
	Canceled  bool          `json:"canceled,omitempty"`  // killed because ctx ended
	Signal    string        `json:"signal,omitempty"`
	Duration  time.Duration `json:"duration_ns"`

	// StdoutBytes and StderrBytes count all the output of the command,
	// including what MaxOutput discarded.
	StdoutBytes int64 `json:"stdout_bytes"`
	StderrBytes int64 `json:"stderr_bytes"`
}

// ExitTimeout is the exit code reported for a command killed by its timeout,
// as coreutils timeout(1) does.
const ExitTimeout = 124
