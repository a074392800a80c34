package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"
)

const (
	defaultMaxOutput = 1 << 20
	// reaperGrace is how long Run waits for a reaper to clean up after
	// SIGTERM before it kills the reaper's group itself.
	reaperGrace = 2 * time.Second
	// drainGrace bounds how long output is still read once the command and
	// its process group are gone. Only a process that left the group (setsid)
	// can hold the pipes open that long; its later output is dropped.
	drainGrace = time.Second
)

// errNotFound is returned by lookPath when no executable matches.
var errNotFound = errors.New("command not found")

// Run runs c under profile p and reports how it ended.
//
// A profile this build cannot enforce is refused with an error wrapping
// ErrProfileUnavailable before anything is started. The command runs in its
// own process group, and the whole group is killed when the command exits,
// times out or ctx ends, so no background child outlives the call; on Linux
// not even one that left the group: confined commands are PID 1 of their
// own PID namespace, trusted ones run under a reaper (reaperConfinement),
// and both die with git-agent. A command
// that cannot be found or executed is reported as a shell would (exit 127 or
// 126, message on stderr), not as an error. A timeout gives ExitCode 124;
// Signal names the signal that ended the command, including the SIGKILL sent
// on timeout or cancellation. When ctx ends, the partial Result is returned
// with ctx.Err(). c.Env is the complete environment: nil means an empty one,
// never git-agent's own.
func Run(ctx context.Context, p Profile, c *Cmd) (*Result, error) {
	if err := Available(p.Mode); err != nil {
		return nil, err
	}
	if err := validate(p, c); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if p.Mode == Trusted {
		conf, err := trustedConfinement(c)
		if err != nil {
			return nil, fmt.Errorf("run %s: %w", c.Args[0], err)
		}
		if conf == nil {
			return runCommand(ctx, c, nil)
		}
		return runUnder(ctx, c, conf, func(err error) error { return err })
	}
	conf, err := confine(p, c)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrProfileUnavailable, err)
	}
	return runUnder(ctx, c, conf, func(err error) error { return fmt.Errorf("%w: %v", ErrProfileUnavailable, err) })
}

// runUnder runs c under conf, then cleans conf up. The command may have
// died before it ran, because setup inside the init failed: that is never
// a result to show as the command's, but refusal of the setup error.
func runUnder(ctx context.Context, c *Cmd, conf *confinement, refusal func(error) error) (*Result, error) {
	defer conf.cleanup()
	res, err := runCommand(ctx, c, conf)
	if err == nil && res != nil {
		if serr := conf.setupError(); serr != nil {
			return nil, refusal(serr)
		}
	}
	return res, err
}

// confinement turns a command into its confined form for one run.
type confinement struct {
	// wrap rewrites the started process (the program, arguments, environment,
	// extra files and process attributes) after the program has been found.
	wrap func(cmd *exec.Cmd, path string) error
	// started, if set, is called once the process has started (the egress
	// proxy takes over its listener then).
	started func()
	// setupError reports a failure of the sandbox setup, read after the process ended.
	setupError func() error
	cleanup    func()
	// reaper: the started process is a reaper (Linux, trusted), which is
	// asked to stop with SIGTERM so that it can kill what the command left.
	reaper bool
}

func validate(p Profile, c *Cmd) error {
	switch {
	case c == nil || len(c.Args) == 0 || c.Args[0] == "":
		return errors.New("run: empty command")
	case !filepath.IsAbs(p.Workspace):
		return fmt.Errorf("run %s: workspace %q is not an absolute path", c.Args[0], p.Workspace)
	case !filepath.IsAbs(c.Dir):
		return fmt.Errorf("run %s: working directory %q is not an absolute path", c.Args[0], c.Dir)
	}
	fi, err := os.Stat(c.Dir)
	if err != nil {
		return fmt.Errorf("run %s: working directory: %w", c.Args[0], err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("run %s: working directory %q is not a directory", c.Args[0], c.Dir)
	}
	return nil
}

// runCommand runs c, confined by conf when it is not nil.
func runCommand(ctx context.Context, c *Cmd, conf *confinement) (*Result, error) {
	limit := c.MaxOutput
	if limit <= 0 {
		limit = defaultMaxOutput
	}
	var teeMu sync.Mutex // c.Stdout and c.Stderr may be the same writer
	stdout := &capture{max: limit, tee: newTee(&teeMu, c.Stdout)}
	stderr := &capture{max: limit, tee: newTee(&teeMu, c.Stderr)}
	env := c.Env
	if env == nil {
		env = []string{}
	}
	start := time.Now()

	path, err := lookPath(c.Args[0], c.Dir, env)
	if err == nil {
		var res *Result
		res, err = execute(ctx, c, path, env, stdout, stderr, conf)
		if res != nil {
			res.Duration = time.Since(start)
			return res, err
		}
	}
	var se *setupErr
	if errors.As(err, &se) {
		return nil, fmt.Errorf("%w: %v", ErrProfileUnavailable, se.err)
	}
	code, ok := startFailure(err)
	if !ok {
		return nil, fmt.Errorf("run %s: %w", c.Args[0], err)
	}
	reason := err.Error()
	var errno syscall.Errno
	if errors.As(err, &errno) {
		reason = errno.Error() // without Go's "fork/exec PATH:" prefix, as a shell prints it
	}
	_, _ = fmt.Fprintf(stderr, "git-agent: %s: %s\n", c.Args[0], reason)
	res := &Result{ExitCode: code, Duration: time.Since(start)}
	fill(res, stdout, stderr)
	return res, nil
}

// execute starts the command and waits for it. It returns a nil Result only
// if the command could not be started.
func execute(ctx context.Context, c *Cmd, path string, env []string, stdout, stderr *capture, conf *confinement) (*Result, error) {
	outR, outW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer outR.Close()
	errR, errW, err := os.Pipe()
	if err != nil {
		_ = outW.Close()
		return nil, err
	}
	defer errR.Close()
	cmd := &exec.Cmd{
		Path: path, Args: c.Args, Dir: c.Dir, Env: env,
		Stdin: c.Stdin, Stdout: outW, Stderr: errW, // nil Stdin reads os.DevNull
		SysProcAttr: sysProcAttr(),
	}
	// exec.Cmd would copy a non-file Stdin itself, and Wait would wait for
	// that copy even after the command exits, forever if the reader blocks.
	var inR, inW *os.File
	if _, isFile := c.Stdin.(*os.File); c.Stdin != nil && !isFile {
		if inR, inW, err = os.Pipe(); err != nil {
			_ = outW.Close()
			_ = errW.Close()
			return nil, err
		}
		defer inW.Close() // ends the copy below at its next write
		cmd.Stdin = inR
	}
	if conf != nil {
		if err := conf.wrap(cmd, path); err != nil {
			_ = outW.Close()
			_ = errW.Close()
			if inR != nil {
				_ = inR.Close()
			}
			return nil, &setupErr{err}
		}
	}
	err = cmd.Start()
	if err == nil && conf != nil && conf.started != nil {
		conf.started()
	}
	_ = outW.Close() // the child has its copies; EOF must come when the group is gone
	_ = errW.Close()
	if inR != nil {
		_ = inR.Close()
	}
	if err != nil {
		return nil, err
	}
	if inW != nil {
		// Not waited for: it ends when c.Stdin does or the command is gone.
		go func() {
			_, _ = io.Copy(inW, c.Stdin)
			_ = inW.Close()
		}()
	}
	// Our own pipes rather than exec's: Wait would otherwise block until
	// every holder of the pipes, such as a background grandchild, exits.
	var wg sync.WaitGroup
	wg.Go(func() { _, _ = io.Copy(stdout, outR) }) // ends at EOF or the drain deadline
	wg.Go(func() { _, _ = io.Copy(stderr, errR) })

	g := &group{proc: cmd.Process, reaper: conf != nil && conf.reaper}
	done := make(chan error, 1)
	go func() { done <- waitExit(cmd, g) }()
	var timeout <-chan time.Time
	if c.Timeout > 0 {
		t := time.NewTimer(c.Timeout)
		defer t.Stop()
		timeout = t.C
	}
	res := &Result{}
	select {
	case err = <-done:
	case <-timeout:
		res.TimedOut = true
		g.kill()
		err = <-done
	case <-ctx.Done():
		res.Canceled = true
		g.kill()
		err = <-done
	}
	deadline := time.Now().Add(drainGrace)
	_ = outR.SetReadDeadline(deadline)
	_ = errR.SetReadDeadline(deadline)
	wg.Wait()

	fill(res, stdout, stderr)
	if cmd.ProcessState == nil { // the wait itself failed; the group is killed
		res.ExitCode = -1
		return res, fmt.Errorf("wait: %w", err)
	}
	res.ExitCode, res.Signal = exitStatus(cmd.ProcessState)
	if res.TimedOut {
		res.ExitCode = ExitTimeout
	}
	if res.Canceled {
		return res, ctx.Err()
	}
	return res, nil
}

// startFailure maps an error from finding or starting a program to the exit
// code a POSIX shell would give.
func startFailure(err error) (code int, ok bool) {
	switch {
	case errors.Is(err, errNotFound), errors.Is(err, syscall.ENOENT):
		return 127, true
	case errors.Is(err, syscall.EACCES), errors.Is(err, syscall.EPERM),
		errors.Is(err, syscall.ENOEXEC), errors.Is(err, syscall.EISDIR):
		return 126, true
	}
	return 0, false
}

// group is the process group of a started command. Once the leader has been
// reaped its id may be reused, so after final the group is never signalled.
type group struct {
	mu    sync.Mutex
	proc  *os.Process
	ended bool
	// reaper: proc is a reaper; kill asks it first (SIGTERM) and kills its
	// group only if it is still there after reaperGrace.
	reaper bool
}

func (g *group) kill() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.ended {
		return
	}
	if g.reaper {
		if err := g.proc.Signal(syscall.SIGTERM); err == nil {
			time.AfterFunc(reaperGrace, g.kill)
			g.reaper = false
			return
		}
	}
	killGroup(g.proc)
}

// final kills what is left of the group, for the last time.
func (g *group) final() {
	g.mu.Lock()
	defer g.mu.Unlock()
	killGroup(g.proc)
	g.ended = true
}

// setupErr is a failure to prepare the confinement, before anything ran.
type setupErr struct{ err error }

func (e *setupErr) Error() string { return e.err.Error() }
