package cli

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/git-agent/git-agent/internal/audit"
	"github.com/git-agent/git-agent/internal/telemetry"
	"github.com/git-agent/git-agent/sandbox"
	"github.com/spf13/cobra"
)

// globalFlags are the root's persistent flags: where diagnostics and
// records go.
type globalFlags struct {
	Debug       bool
	LogFile     string
	AuditLog    string
	MetricsFile string
}

func (g *globalFlags) register(cmd *cobra.Command) {
	fl := cmd.PersistentFlags()
	fl.BoolVar(&g.Debug, "debug", false, "print diagnostics on stderr (env GIT_AGENT_DEBUG=1)")
	fl.StringVar(&g.LogFile, "log-file", "", "append diagnostics as JSON lines to this file")
	fl.StringVar(&g.AuditLog, "audit-log", "", "the audit log file (default $XDG_STATE_HOME/git-agent/audit/audit.jsonl)")
	fl.StringVar(&g.MetricsFile, "metrics-file", "", "write the run's final metrics to this file as JSON")
}

// setupLogging builds f.Log from the global flags; Execute closes it.
func (f *Factory) setupLogging() error {
	debug := f.Global.Debug
	switch strings.ToLower(f.Getenv("GIT_AGENT_DEBUG")) {
	case "1", "true", "yes", "on":
		debug = true
	}
	if !debug && f.Global.LogFile == "" {
		return nil
	}
	l, closeFn, err := newLogger(f.IO.ErrOut, debug, f.Global.LogFile, f.sanitizer().String)
	if err != nil {
		return err
	}
	f.Log = l
	f.closers = append(f.closers, closeFn)
	return nil
}

// sanitizer is the one sanitizer of this process: the home directory, the
// user name and the values of every variable the sandbox scrubs as a secret.
func (f *Factory) sanitizer() *audit.Sanitizer {
	if f.san == nil {
		user := f.Getenv("USER")
		if user == "" {
			user = f.Getenv("LOGNAME")
		}
		environ := f.Environ
		if environ == nil {
			environ = os.Environ
		}
		f.san = audit.NewSanitizer(audit.SanitizerOptions{Home: f.home(), User: user,
			Secrets: audit.SecretValues(environ(), sandbox.SecretName)})
	}
	return f.san
}

// auditPath is where the audit log goes: --audit-log, or stateDir/audit.
func (f *Factory) auditPath(stateDir string) string {
	if f.Global.AuditLog != "" {
		if abs, err := filepath.Abs(f.Global.AuditLog); err == nil {
			return abs
		}
		return f.Global.AuditLog
	}
	if stateDir == "" {
		stateDir = f.defaultStateDir()
	}
	return filepath.Join(stateDir, "audit", "audit.jsonl")
}

// openAudit opens the audit log; Execute closes it.
func (f *Factory) openAudit(stateDir string) (*audit.Log, error) {
	path := f.auditPath(stateDir)
	l, err := audit.Open(audit.Options{Path: path, Key: []byte(f.Getenv("GIT_AGENT_AUDIT_KEY")), Now: f.Now,
		Agent: agentName(), Sanitizer: f.sanitizer()})
	if err != nil {
		return nil, fmt.Errorf("open the audit log %s: %w (pass --audit-log FILE to put it elsewhere)", path, err)
	}
	f.closers = append(f.closers, l.Close)
	return l, nil
}

// commandRecorder opens the audit log for a command that is not a session
// (git agent sandbox, review --post), with dir's configured state directory.
func (f *Factory) commandRecorder(dir, profile string) (*recorder, error) {
	stateDir := ""
	if l, _, err := loadConfig(f.Context, f, dir, nil); err == nil {
		stateDir = l.Config.StateDir
	}
	log, err := f.openAudit(stateDir)
	if err != nil {
		return nil, err
	}
	return &recorder{log: log, profile: profile}, nil
}

// newTelemetry starts OpenTelemetry for one command, configured only by
// the OTEL_* variables and --metrics-file; without them it is a no-op.
func (f *Factory) newTelemetry(ctx context.Context) (*telemetry.Telemetry, error) {
	t, err := telemetry.New(ctx, telemetry.Options{Getenv: f.Getenv, ServiceVersion: Version(), Now: f.Now,
		Sanitize: f.sanitizer().String, MetricsFile: f.Global.MetricsFile, Logger: f.Log})
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	if t != nil {
		f.closers = append(f.closers, func() error {
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			if err := t.Shutdown(ctx); err != nil {
				f.Log.Warn("telemetry export failed", "error", err)
			}
			return nil
		})
	}
	return t, nil
}

// closeAll runs the closers registered by the command, last first.
func (f *Factory) closeAll() {
	for i := len(f.closers) - 1; i >= 0; i-- {
		if err := f.closers[i](); err != nil {
			fmt.Fprintf(f.IO.ErrOut, "warning: %v\n", err)
		}
	}
	f.closers = nil
}

// recorder appends a command's entries to the audit log with the session and
// profile filled in. A nil recorder records nothing.
type recorder struct {
	log     *audit.Log
	session string
	profile string
}

func (r *recorder) record(e audit.Entry) error {
	if r == nil || r.log == nil {
		return nil
	}
	if e.Session == "" {
		e.Session = r.session
	}
	if e.Profile == "" {
		e.Profile = r.profile
	}
	_, err := r.log.Append(e)
	return err
}

// note records an entry whose failure must not fail the command: it warns.
func (r *recorder) note(f *Factory, e audit.Entry) {
	if err := r.record(e); err != nil {
		f.Log.Warn("audit entry lost", "operation", e.Operation, "error", err)
		fmt.Fprintf(f.IO.ErrOut, "warning: audit log: %v\n", err)
	}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func osEnviron() []string { return os.Environ() }
