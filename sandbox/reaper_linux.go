package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// A trusted command is unconfined, but it must not outlive its call any
// more than a confined one does. A process group is not enough: a child
// that calls setsid leaves it, and nothing kills the group when git-agent
// itself is killed. So a trusted command runs under a reaper: git-agent
// re-executed (as the sandbox init, with Reaper set), which becomes the
// command's parent and a child subreaper (every orphan of the command's
// tree is re-parented to it, however it detached), starts the command in a
// process group of its own, and when the command exits, when git-agent
// asks (SIGTERM) or when git-agent dies (SIGHUP, its parent-death signal)
// kills the command's group and every process left below it, reaps them,
// and exits as the command did.

// reaperConfinement runs c under a reaper.
func reaperConfinement(c *Cmd) (*confinement, error) {
	const self = "/proc/self/exe"
	errR, errW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	var specR *os.File
	conf := &confinement{reaper: true}
	conf.cleanup = func() {
		errR.Close()
		errW.Close()
		if specR != nil {
			specR.Close()
		}
	}
	conf.setupError = func() error { return readSetupError(errR, errW, "reaper") }
	conf.wrap = func(cmd *exec.Cmd, path string) error {
		r, err := specPipe(initSpec{Mode: Trusted, Reaper: true, Path: path, Args: c.Args, Env: cmd.Env, Dir: c.Dir, Parent: os.Getpid()})
		if err != nil {
			return err
		}
		specR = r
		cmd.Path = self
		cmd.Args = []string{initArg0}
		cmd.Env = []string{initEnv}
		cmd.ExtraFiles = []*os.File{specR, errW} // fds 3 and 4 in the reaper
		// SIGHUP, not SIGKILL: the reaper must live to clean up when
		// git-agent dies.
		cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGHUP}
		return nil
	}
	return conf, nil
}

// reaperMain is the reaper's side (see reaperConfinement). It runs on the
// init's locked OS thread, which is also the thread that forks the
// command: the command's parent-death signal is tied to it.
func reaperMain(s *initSpec, errFile *os.File) int {
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT)
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil {
		fmt.Fprintf(errFile, "become a child subreaper: %v", err)
		return 125
	}
	// git-agent may have died before its parent-death signal was armed.
	if os.Getppid() != s.Parent {
		fmt.Fprintf(errFile, "git-agent (pid %d) is gone", s.Parent)
		return 125
	}
	unix.CloseOnExec(3)
	unix.CloseOnExec(4)
	proc, err := os.StartProcess(s.Path, s.Args, &os.ProcAttr{
		Dir: s.Dir, Env: s.Env, Files: []*os.File{os.Stdin, os.Stdout, os.Stderr},
		// Its own group, so that killing it never kills the reaper; and
		// killed with the reaper, should the reaper be killed outright.
		Sys: &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL},
	})
	if err != nil {
		code := 126
		if errors.Is(err, unix.ENOENT) {
			code = 127
		}
		var errno syscall.Errno
		reason := err.Error()
		if errors.As(err, &errno) {
			reason = errno.Error()
		}
		fmt.Fprintf(os.Stderr, "git-agent: %s: %s\n", s.Args[0], reason)
		return code
	}
	pid := proc.Pid

	// One goroutine reaps every child: the command and whatever orphans
	// are re-parented here. It reports the command's status, then stops
	// once there are no children left.
	status := make(chan unix.WaitStatus, 1)
	empty := make(chan struct{})
	go func() {
		defer close(empty)
		for {
			var ws unix.WaitStatus
			got, err := unix.Wait4(-1, &ws, 0, nil)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			if err != nil { // ECHILD: nobody left
				return
			}
			if got == pid {
				status <- ws
			}
		}
	}()

	var ws unix.WaitStatus
	select {
	case ws = <-status:
	case <-sigs:
		killTree(pid)
		ws = <-status
	}
	// The command is gone; so must be everything it left behind.
	for range 50 {
		killTree(pid)
		select {
		case <-empty:
			return exit(exitAs(ws))
		case <-time.After(20 * time.Millisecond):
		}
	}
	return exit(exitAs(ws))
}

// exit ends the reaper at once with code. Returning to os.Exit would run
// the race detector's exit hook in -race builds, which sleeps a second
// while goroutines are alive; the reaper has nothing to flush.
func exit(code int) int {
	unix.Exit(code)
	return code
}

// killTree SIGKILLs the command's process group and every child of this
// process (orphans of the command re-parented to the subreaper).
func killTree(pgid int) {
	_ = unix.Kill(-pgid, unix.SIGKILL)
	for _, pid := range childrenOf(os.Getpid()) {
		_ = unix.Kill(pid, unix.SIGKILL)
	}
}

// childrenOf lists the processes whose parent is ppid, from /proc.
func childrenOf(ppid int) []int {
	var out []int
	// Every thread's children list: a child belongs to the thread that
	// forked it, or that it was re-parented to.
	tasks, _ := filepath.Glob("/proc/" + strconv.Itoa(ppid) + "/task/*/children")
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil {
				out = append(out, n)
			}
		}
	}
	if len(tasks) > 0 {
		return out
	}
	// Kernels without CONFIG_PROC_CHILDREN: scan every process's parent.
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, st := range stats {
		b, err := os.ReadFile(st)
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces and parentheses.
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) > 1 && f[1] == strconv.Itoa(ppid) {
			if n, err := strconv.Atoi(strings.Fields(string(b))[0]); err == nil {
				out = append(out, n)
			}
		}
	}
	return out
}

// exitAs ends the reaper as the command ended: with its exit status, or by
// the same signal, so that Run reports it unchanged.
func exitAs(ws unix.WaitStatus) int {
	if !ws.Signaled() {
		return ws.ExitStatus()
	}
	dieBy(ws.Signal())
	return 128 + int(ws.Signal()) // only if the signal did not end us
}

// dieBy ends this process with sig, the kernel's default action and no core
// file, around the Go runtime: left to it, SIGABRT or SIGQUIT would print a
// goroutine dump into the command's stderr and exit 2, and a SIGSEGV sent
// with kill would not end the process at all.
func dieBy(sig unix.Signal) {
	_ = unix.Setrlimit(unix.RLIMIT_CORE, &unix.Rlimit{})
	// An all-zero struct sigaction, on every architecture: SIG_DFL, no
	// flags, no restorer, an empty mask. The kernel reads what it needs.
	var act [8]uint64
	_, _, _ = unix.RawSyscall6(unix.SYS_RT_SIGACTION, uintptr(sig), uintptr(unsafe.Pointer(&act)), 0, 8, 0, 0)
	set := uint64(1) << (uint(sig) - 1)
	_, _, _ = unix.RawSyscall6(unix.SYS_RT_SIGPROCMASK, unix.SIG_UNBLOCK, uintptr(unsafe.Pointer(&set)), 0, 8, 0, 0)
	_ = unix.Tgkill(unix.Getpid(), unix.Gettid(), sig)
	time.Sleep(time.Second) // delivery is immediate; this is never reached
}

// trustedConfinement is the reaper for a trusted command, when this
// program can serve as one (see initHooked); else nil, and the command runs
// in a process group of its own only.
func trustedConfinement(c *Cmd) (*confinement, error) {
	if !initHooked.Load() {
		return nil, nil
	}
	return reaperConfinement(c)
}
