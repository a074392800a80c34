//go:build !unix

package bench

import (
	"os"
	"os/exec"
)

// peakRSS is not reported here (getrusage is unix-only).
func peakRSS(*os.ProcessState) int64 { return -1 }

func selfPeakRSS() int64 { return -1 }

// stop kills a measured child: there is no SIGTERM to ask it with.
func stop(cmd *exec.Cmd) error { return cmd.Process.Kill() }
