package cli

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"time"
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
