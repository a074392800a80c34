// Package tool defines the tools the model may call (shell, apply_patch,
// read_file, list_dir, grep, update_plan) and the registry that exposes them.
//
// Every path a tool touches is confined to the workspace, and every command
// runs through sandbox.Run. Tools never import the agent loop or a model
// provider; a failure the model should see is a Result with IsError, not a Go
// error (a Go error means the tool itself could not run, e.g. cancellation).
package tool

import (
	"context"
	"encoding/json"
	"time"

	"github.com/git-agent/git-agent/internal/telemetry"
	"github.com/git-agent/git-agent/sandbox"
	"github.com/git-agent/git-agent/sandbox/egress"
)

// Risk is a tool call's risk tier, used by the approval policy.
type Risk int

const (
	// RiskLow: reads inside the workspace, plans.
	RiskLow Risk = iota
	// RiskMedium: writes inside the workspace.
	RiskMedium
	// RiskHigh: runs programs.
	RiskHigh
)

func (r Risk) String() string {
	switch r {
	case RiskLow:
		return "low"
	case RiskMedium:
		return "medium"
	default:
		return "high"
	}
}

// Env is what a tool call may use. It is built once per session.
type Env struct {
	// Workspace is the absolute, symlink-resolved root all paths are confined to.
	Workspace string
	// Sandbox is the profile every command runs under.
	Sandbox sandbox.Profile
	// ShellTimeout is the default timeout of a shell call (10s if zero);
	// MaxShellTimeout caps what the model may ask for (10m if zero).
	ShellTimeout    time.Duration
	MaxShellTimeout time.Duration
	// MaxOutput caps captured bytes per stream of a command (1 MiB if zero).
	MaxOutput int
	// ModelOutputLines caps the lines the model sees of a command's output;
	// head and tail are kept around an "omitted" marker (256 if zero).
	ModelOutputLines int
	// Progress, if set, receives incremental output of a running call
	// (for the event stream). It may be called from other goroutines.
	Progress func(callID string, chunk string)
	// Env is the environment passed to commands (already scrubbed by the caller).
	Environ []string
	// Egress, if set, is told every decision of a command's egress proxy.
	Egress func(egress.Decision)
	// Telemetry receives a sandbox.exec span per command; nil is a no-op.
	Telemetry *telemetry.Telemetry
}

// Result is what a tool call produced.
type Result struct {
	// Output is the text the model sees.
	Output string `json:"output"`
	// IsError tells the model the call failed.
	IsError bool `json:"is_error,omitempty"`
	// Detail is structured data for events and session logs (full command
	// output, exit code, plan, files changed...). It must marshal to JSON.
	Detail any `json:"detail,omitempty"`
}

// Tool is one capability offered to the model.
type Tool interface {
	// Name is the function name the model calls.
	Name() string
	// Description is shown to the model (embedded from the tool's .md file).
	Description() string
	// Schema is the JSON Schema of the arguments object.
	Schema() json.RawMessage
	// Risk is the risk tier of a call with these arguments.
	Risk(args json.RawMessage) Risk
	// Run performs the call. callID identifies it in Progress callbacks.
	Run(ctx context.Context, env *Env, callID string, args json.RawMessage) (Result, error)
}

// Errorf builds an error Result for the model.
func Errorf(format string, a ...any) Result {
	return Result{Output: sprintf(format, a...), IsError: true}
}
