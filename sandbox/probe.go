package sandbox

import "fmt"

// guarantees says, for each confining profile, what it promises. The text is
// shown when the profile is refused, so the user knows what they would give
// up by choosing trusted instead.
var guarantees = map[Mode]string{
	Offline:        "commands run only allowlisted read-only programs, write nothing and reach no network",
	ReadOnly:       "commands write nothing outside a private temporary directory and reach no network",
	NetReadOnly:    "commands write nothing outside a private temporary directory and reach only the allowed domains, through the egress proxy",
	WorkspaceWrite: "commands write only inside the workspace and the granted write roots, and reach only the allowed domains, through the egress proxy",
}

// Available reports whether profile m can be enforced by this build on this
// machine: nil if it can, otherwise the error (wrapping ErrProfileUnavailable)
// that Run would return. Callers use it to refuse a profile before a session
// starts rather than at the first command.
func Available(m Mode) error {
	if m == Trusted {
		return nil
	}
	g, ok := guarantees[m]
	if !ok {
		return fmt.Errorf("%w: unknown profile %q: use one of offline, read-only, net-read-only, workspace-write, trusted", ErrProfileUnavailable, m)
	}
	// Refusing is the only honest answer when the platform cannot confine:
	// running unconfined while the user believes a profile holds would be
	// worse than not running at all.
	if why := platformUnavailable(m); why != "" {
		return fmt.Errorf("%w: the %s profile guarantees that %s, but %s; "+
			"run `git agent sandbox check` for details, or --profile trusted to run commands unconfined, knowingly", ErrProfileUnavailable, m, g, why)
	}
	return nil
}

// Prefetch starts, in the background, the trial run of the sandbox that
// Available needs for the confining profiles, so that it overlaps with
// whatever the caller does next (reading configuration, creating a
// worktree) instead of adding to it. Available then waits for it. It only
// ever runs the same check earlier; nothing is weakened or skipped. Call the
// returned wait before returning (defer it): the trial's child process and
// temporary directory must not be cut off by the program's exit.
func Prefetch() (wait func()) { return prefetch() }
