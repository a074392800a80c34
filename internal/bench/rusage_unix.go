//go:build unix

package bench

import (
	"os"
	"os/exec"
	"runtime"
	"syscall"
)

// peakRSS is ru_maxrss of a waited-for process, in bytes: the peak of the
// process and of the children it waited for.
func peakRSS(ps *os.ProcessState) int64 {
	ru, ok := ps.SysUsage().(*syscall.Rusage)
	if !ok || ru == nil {
		return -1
	}
	return maxrss(ru)
}

// selfPeakRSS is this process's own ru_maxrss in bytes; -1 if unknown.
func selfPeakRSS() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return maxrss(&ru)
}

func maxrss(ru *syscall.Rusage) int64 {
	if runtime.GOOS == "darwin" || runtime.GOOS == "ios" {
		return int64(ru.Maxrss) // bytes there, KiB elsewhere
	}
	return int64(ru.Maxrss) * 1024
}

// stop asks a measured child to end as Ctrl-C would.
func stop(cmd *exec.Cmd) error { return cmd.Process.Signal(syscall.SIGTERM) }
