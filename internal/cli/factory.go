package cli

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"github.com/git-agent/git-agent/internal/audit"
)

// Factory carries the dependencies every command needs, so tests can
// substitute them.
type Factory struct {
	IO         *IOStreams
	Getenv     func(string) string
	Now        func() time.Time
	HTTPClient *http.Client
	// Getwd returns the directory commands act on (before -C).
	Getwd func() (string, error)
	// Context is the base context; Main wires it to SIGINT/SIGTERM.
	Context context.Context
	// Environ lists the process environment (for the sanitizer's secrets).
	Environ func() []string
	// Log receives diagnostics (--debug, --log-file); it discards by default.
	Log *slog.Logger
	// Global holds the root's persistent flags.
	Global globalFlags

	san     *audit.Sanitizer
	closers []func() error
}

// NewFactory returns a factory over the real process environment.
func NewFactory(ctx context.Context) *Factory {
	return &Factory{
		IO:         System(),
		Getenv:     os.Getenv,
		Now:        time.Now,
		HTTPClient: &http.Client{},
		Getwd:      os.Getwd,
		Context:    ctx,
		Environ:    osEnviron,
		Log:        discardLogger(),
	}
}

// defaultStateDir is $XDG_STATE_HOME/git-agent or ~/.local/state/git-agent.
func (f *Factory) defaultStateDir() string {
	if d := f.Getenv("XDG_STATE_HOME"); d != "" {
		return filepath.Join(d, "git-agent")
	}
	return filepath.Join(f.home(), ".local", "state", "git-agent")
}

func (f *Factory) home() string {
	if h := f.Getenv("HOME"); h != "" {
		return h
	}
	if h, err := os.UserHomeDir(); err == nil {
		return h
	}
	return os.TempDir()
}
