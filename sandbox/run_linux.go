package sandbox

import (
	"errors"
	"os/exec"
	"syscall"

	"golang.org/x/sys/unix"
)

// sysProcAttr puts the command in its own process group, so it and its
// children can be killed together, and has the kernel kill it if git-agent
// dies. (Pdeathsig fires when the forking OS thread exits; the Go runtime does
// not retire threads that were not locked, so in practice this means the
// process.)
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}

// waitExit waits for the command to exit, kills what is left of its process
// group, then reaps it. Waiting with WNOWAIT first keeps the leader a zombie
// while the group is killed, so the group id cannot have been reused.
func waitExit(cmd *exec.Cmd, g *group) error {
	var info unix.Siginfo
	for {
		err := unix.Waitid(unix.P_PID, cmd.Process.Pid, &info, unix.WEXITED|unix.WNOWAIT, nil)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	g.final()
	return cmd.Wait()
}
