//go:build !unix && !windows

package sandbox

import (
	"os"
	"os/exec"
	"syscall"
)

// Without process groups only the command itself can be killed; children it
// started in the background may survive it. Confinement for these systems
// (job objects) comes with their sandbox profiles.

func lookPath(name, dir string, env []string) (string, error) {
	return exec.LookPath(name)
}

func sysProcAttr() *syscall.SysProcAttr { return nil }

func exitStatus(ps *os.ProcessState) (int, string) { return ps.ExitCode(), "" }

func killGroup(p *os.Process) { _ = p.Kill() }

func waitExit(cmd *exec.Cmd, g *group) error {
	err := cmd.Wait()
	g.final()
	return err
}
