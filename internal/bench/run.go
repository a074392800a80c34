package bench

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
)

// DefaultRuns is the number of samples per figure when Options.Runs is 0.
const DefaultRuns = 10

// Options configure Run and the figures.
type Options struct {
	// Exe is the git-agent binary measured: os.Executable() for `git agent
	// bench`, a freshly built stripped binary for the go test benchmarks.
	Exe string
	// Runs is the number of samples per figure (audit-append takes ten times
	// as many); 0 means DefaultRuns.
	Runs int
	// Environ is the environment children start from (os.Environ()); only
	// the variables in keptEnv are passed on.
	Environ []string
	// TempDir is where temporary directories go; "" means os.TempDir().
	TempDir string
	// Git is the git program; "" means "git" from PATH.
	Git string
	// Progress receives a line as each figure starts; nil discards it.
	Progress io.Writer
}

func (o Options) runs() int {
	if o.Runs <= 0 {
		return DefaultRuns
	}
	return o.Runs
}

func (o Options) git() string {
	if o.Git == "" {
		return "git"
	}
	return o.Git
}

// Run measures every figure, in the order of Names. It stops at the first
// error: a figure that cannot be measured for a reason other than this
// machine refusing the sandbox (which makes it Skipped) is a failure.
func Run(ctx context.Context, o Options) ([]Figure, error) {
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	var figs []Figure
	for _, s := range steps() {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		fmt.Fprintf(progress, "bench: measuring %s\n", s.name)
		f, err := s.measure(ctx, o)
		if err != nil && ctx.Err() != nil {
			// A child killed by the interruption is not the failure.
			return nil, fmt.Errorf("measure %s: interrupted: %w", s.name, ctx.Err())
		}
		if err != nil {
			return nil, fmt.Errorf("measure %s: %w", s.name, err)
		}
		figs = append(figs, f)
	}
	return figs, nil
}

type step struct {
	name    string
	measure func(context.Context, Options) (Figure, error)
}

// steps are the figures' measurements, in the order of Names.
func steps() []step {
	return []step{
		{BinarySizeName, func(_ context.Context, o Options) (Figure, error) { return BinarySize(o.Exe) }},
		{ColdStartName, ColdStart},
		{ScriptedTaskName, ScriptedTask},
		{SandboxExecName, SandboxExec},
		{AuditAppendName, AuditAppend},
	}
}

// BinarySize is the size of the binary at path, in MB (10⁶ bytes), noting
// when it still has the symbol table or DWARF that released binaries are
// built without (-ldflags='-s -w').
func BinarySize(path string) (Figure, error) {
	st, err := os.Stat(path)
	if err != nil {
		return Figure{}, fmt.Errorf("binary size: %w", err)
	}
	mb := float64(st.Size()) / 1e6
	f := Figure{Name: BinarySizeName, Unit: "MB", Value: mb, Min: mb, Max: mb,
		Extra: map[string]float64{"bytes": float64(st.Size())}}
	switch ok, err := stripped(path); {
	case err != nil:
		f.Note = "cannot tell whether it is stripped: " + err.Error()
	case !ok:
		f.Note = "not stripped: released binaries are built with -ldflags='-s -w'"
	}
	return f, nil
}

// Version runs `exe --version` once, in environ reduced by keptEnv: the
// cold start of the process.
func Version(ctx context.Context, exe string, environ []string) (Sample, error) {
	cmd := Command(ctx, exe, "--version")
	cmd.Env = keptEnv(environ)
	s, out, err := Measure(ctx, cmd)
	if err != nil {
		return Sample{}, err
	}
	if !bytes.HasPrefix(out, []byte("git-agent ")) {
		return Sample{}, fmt.Errorf("%s --version printed %q, not a git-agent version", exe, tail(out, 200))
	}
	return s, nil
}

// ColdStart is the wall time and peak RSS of `<exe> --version`, after one
// unmeasured run that brings the binary into the page cache.
func ColdStart(ctx context.Context, o Options) (Figure, error) {
	if _, err := Version(ctx, o.Exe, o.Environ); err != nil {
		return Figure{}, err
	}
	var samples []Sample
	for range o.runs() {
		s, err := Version(ctx, o.Exe, o.Environ)
		if err != nil {
			return Figure{}, err
		}
		samples = append(samples, s)
	}
	return TimedFigure(ColdStartName, samples), nil
}

// keptEnv is the part of environ measured children see: what finds programs
// and temporary directories, and the locale. Everything else (HOME, XDG_*,
// API keys, git and git-agent settings) would make the figures depend on the
// machine they run on.
func keptEnv(environ []string) []string {
	var out []string
	for _, kv := range environ {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "PATH", "TMPDIR", "TMP", "TEMP", "LANG", "LC_ALL", "SYSTEMROOT", "COMSPEC", "PATHEXT", "WINDIR":
			out = append(out, kv)
		}
	}
	return out
}
