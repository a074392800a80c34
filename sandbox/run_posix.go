//go:build unix && !linux

package sandbox

import (
	"os/exec"
	"syscall"
)

// sysProcAttr puts the command in its own process group, so it and its
// children can be killed together.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// waitExit waits for the command, then kills what is left of its process
// group. Without waitid(WNOWAIT) the leader is reaped first; the group id is
// still held by any surviving member, which is the case that matters.
func waitExit(cmd *exec.Cmd, g *group) error {
	err := cmd.Wait()
	g.final()
	return err
}
