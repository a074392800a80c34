//go:build windows

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"syscall"

	"golang.org/x/sys/windows"
)

// On Windows every command, trusted included, runs in a Job Object (see
// job_windows.go): created suspended, put in the job, then resumed, so
// nothing it starts escapes the job, and the job is killed when the command
// exits, times out or is canceled. The confining profiles need filesystem
// and network confinement the job cannot give, so they are refused.

const windowsUnavailable = "filesystem confinement on Windows needs AppContainer, which this build does not implement"

func platformUnavailable(m Mode) string { return windowsUnavailable }

func confine(p Profile, c *Cmd) (*confinement, error) {
	return nil, errors.New(platformUnavailable(p.Mode))
}

// Diagnose describes what this machine supports for confinement.
func Diagnose() []string {
	out := []string{fmt.Sprintf("confinement: job object for trusted commands (killed as a tree, at most %d processes and %d GiB together)",
		jobProcesses, jobMemory>>30)}
	if j, err := newJob(jobProcesses, jobMemory); err != nil {
		out = append(out, "job object: FAILED: "+err.Error())
	} else {
		j.terminate()
		out = append(out, "job object: ok")
	}
	return append(out, "offline, read-only, net-read-only, workspace-write: refused ("+windowsUnavailable+")")
}

// IsInit reports whether this process is a sandbox init (Linux only).
func IsInit() bool { return false }

// InitMain is the sandbox init's main (Linux only).
func InitMain() int { return 125 }

// lookPath finds name with exec.LookPath (PATHEXT rules), in git-agent's
// own PATH. Not found is reported as a shell would (exit 127).
func lookPath(name, dir string, env []string) (string, error) {
	p, err := exec.LookPath(name)
	if errors.Is(err, exec.ErrNotFound) {
		return "", errNotFound
	}
	return p, err
}

// sysProcAttr creates the command suspended, so that waitExit can put it in
// its job before it runs, and in a new console process group, so a Ctrl+C
// meant for git-agent does not reach it: git-agent ends it through ctx.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{CreationFlags: windows.CREATE_SUSPENDED | windows.CREATE_NEW_PROCESS_GROUP}
}

func exitStatus(ps *os.ProcessState) (int, string) { return ps.ExitCode(), "" }

// killGroup ends the command's own process; waitExit, woken by its exit,
// then terminates the job with everything the command started.
func killGroup(p *os.Process) { _ = p.Kill() }

// waitExit puts the suspended command in its job, resumes it, waits for it,
// then terminates the job, killing what is left of the tree, as the process
// group is killed on Unix. If the job cannot be set up the command is killed
// before it ran, and the error is returned without a ProcessState, so Run
// reports it rather than an exit status.
func waitExit(cmd *exec.Cmd, g *group) error {
	j, err := startInJob(cmd.Process.Pid)
	if err != nil {
		_ = cmd.Process.Kill()
		g.final()
		return fmt.Errorf("run in a job object: %w", err)
	}
	err = cmd.Wait()
	j.terminate()
	g.final()
	return err
}
