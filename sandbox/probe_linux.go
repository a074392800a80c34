package sandbox

import (
	"context"
	"fmt"
	"os"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// probeToken is what a probing init prints once every layer is in place.
const probeToken = "git-agent-sandbox-probe-ok"

// probeResult is what one trial run of the init found, once per process.
var probe struct {
	once sync.Once
	err  error
}

// platformUnavailable says why mode m cannot be enforced here, or "".
func platformUnavailable(m Mode) string {
	// Tests (and users checking their scripts) can make every confining
	// profile refused, as on a machine without the kernel features. It can
	// only ever refuse, never weaken anything.
	if why := os.Getenv("GIT_AGENT_REFUSE_SANDBOX"); why != "" {
		return "refused by GIT_AGENT_REFUSE_SANDBOX: " + why
	}
	if err := probeConfinement(); err != nil {
		return "this machine cannot confine commands: " + err.Error()
	}
	return ""
}

func prefetch() func() {
	go func() { _ = probeConfinement() }()
	return func() { _ = probeConfinement() }
}

// probeConfinement runs the sandbox init once with every layer and nothing
// to execute: if any layer cannot be set up (no user namespaces, no Landlock,
// no seccomp, a locked /proc), every confining profile is refused.
func probeConfinement() error {
	probe.once.Do(func() {
		if abi, err := landlockABI(); err != nil || abi < minLandlockABI {
			probe.err = fmt.Errorf("landlock ABI %d (need %d or newer; is the landlock LSM enabled in the kernel's lsm= list?)", abi, minLandlockABI)
			return
		}
		if _, err := buildSeccompFilter(seccompOptions{}); err != nil {
			probe.err = fmt.Errorf("seccomp: %w", err)
			return
		}
		dir, err := os.MkdirTemp("", "git-agent-probe-")
		if err != nil {
			probe.err = err
			return
		}
		defer os.RemoveAll(dir)
		p := Profile{Mode: WorkspaceWrite, Workspace: dir}
		c := &Cmd{Args: []string{"/bin/true"}, Dir: dir, Env: []string{}}
		conf, err := confineProbe(p, c)
		if err != nil {
			probe.err = err
			return
		}
		defer conf.cleanup()
		res, err := runCommand(context.Background(), c, conf)
		switch {
		case err != nil:
			probe.err = fmt.Errorf("start the sandbox: %w", err)
		case conf.setupError() != nil:
			probe.err = conf.setupError()
		case res.ExitCode != 0 || string(res.Stdout) != probeToken:
			probe.err = fmt.Errorf("the sandbox init did not answer (exit %d): %s (a program embedding git-agent must call sandbox.IsInit and sandbox.InitMain first in main)",
				res.ExitCode, strings.TrimSpace(string(res.Stderr)))
		}
	})
	return probe.err
}

// Diagnose lists what this machine offers for confinement.
func Diagnose() []string {
	var out []string
	var u unix.Utsname
	if unix.Uname(&u) == nil {
		out = append(out, "kernel: "+unix.ByteSliceToString(u.Release[:]))
	}
	if abi, err := landlockABI(); err == nil {
		out = append(out, fmt.Sprintf("landlock: ABI %d (need %d; signal and abstract-socket scoping from 6)", abi, minLandlockABI))
	} else {
		out = append(out, "landlock: unavailable: "+err.Error())
	}
	if b, err := os.ReadFile("/proc/sys/user/max_user_namespaces"); err == nil {
		out = append(out, "user namespaces: max "+strings.TrimSpace(string(b)))
	}
	if err := probeConfinement(); err != nil {
		out = append(out, "sandbox trial: FAILED: "+err.Error())
	} else {
		out = append(out, "sandbox trial: ok (user, mount, pid, net, ipc, uts namespaces; landlock; seccomp; no capabilities)")
	}
	return out
}
