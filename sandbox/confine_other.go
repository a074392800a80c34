//go:build !linux && !darwin && !windows

package sandbox

import "errors"

func platformUnavailable(m Mode) string {
	return "this build of git-agent cannot enforce it on this operating system"
}

func confine(p Profile, c *Cmd) (*confinement, error) {
	return nil, errors.New("no confinement on this operating system")
}

// Diagnose describes what this machine supports for confinement.
func Diagnose() []string { return []string{"confinement: not implemented on this operating system"} }

// IsInit reports whether this process is a sandbox init (Linux only).
func IsInit() bool { return false }

// InitMain is the sandbox init's main (Linux only).
func InitMain() int { return 125 }
