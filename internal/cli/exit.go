package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/sandbox"
)

// Exit codes. This is the one place they are defined; docs/exit-codes.md and
// `git agent --help` describe them.
const (
	ExitOK          = 0   // the task completed
	ExitFailed      = 1   // the task did not complete (turn limit, loop, tool or session failure)
	ExitUsage       = 2   // bad flags, arguments or configuration; missing API key
	ExitProvider    = 3   // the model provider failed: auth, quota, wrong URL or model, server down, broken stream
	ExitSandbox     = 4   // the requested security profile cannot be enforced here
	ExitInterrupted = 130 // interrupted (Ctrl-C / SIGTERM)
)

const exitCodeHelp = `Exit codes:
  0    the task completed
  1    the task did not complete (turn limit, loop detected, session failure)
  2    usage or configuration error (bad flag, invalid config, missing API key)
  3    model provider error (auth, quota, wrong base URL or model, server down)
  4    the requested security profile cannot be enforced on this system
  130  interrupted`

// UsageError is a mistake in how the command was called.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

func usageErrorf(format string, a ...any) error {
	return &UsageError{Err: fmt.Errorf(format, a...)}
}

// ExitError carries an exit code for an error already reported to the user.
type ExitError struct{ Code int }

func (e *ExitError) Error() string { return fmt.Sprintf("exit status %d", e.Code) }

// ExitCode maps an error to its documented exit code.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	var ue *UsageError
	switch {
	case errors.As(err, &ue):
		return ExitUsage
	case errors.Is(err, context.Canceled):
		return ExitInterrupted
	case errors.Is(err, sandbox.ErrProfileUnavailable):
		return ExitSandbox
	}
	if me, ok := model.AsError(err); ok {
		if me.Kind == model.ErrConfig {
			return ExitUsage
		}
		return ExitProvider
	}
	return ExitFailed
}
