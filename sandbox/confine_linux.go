package sandbox

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// initArg0 and initEnv mark a process as the sandbox init (see InitMain).
const (
	initArg0 = "git-agent-sandbox-init"
	initEnv  = "_GIT_AGENT_SANDBOX_INIT=1"
)

// namespaces are created for every confined command: its own user (to hold
// the capabilities needed for setup, then drop them), mounts (read-only
// .git, a fresh /proc), PIDs (the command is PID 1: when it exits, everything
// it started dies), network (only its own loopback), IPC and hostname.
const namespaces = unix.CLONE_NEWUSER | unix.CLONE_NEWNS | unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWIPC | unix.CLONE_NEWUTS

// confine is called by Run after Available accepted p.Mode.
func confine(p Profile, c *Cmd) (*confinement, error) { return newConfinement(p, c, false) }

// confineProbe is a confinement that sets every layer up and exits 0 instead
// of running c.
func confineProbe(p Profile, c *Cmd) (*confinement, error) { return newConfinement(p, c, true) }

func newConfinement(p Profile, c *Cmd, probe bool) (*confinement, error) {
	// /proc/self/exe rather than a path: it still works when the binary on
	// disk was replaced (an upgrade) while a session runs.
	const self = "/proc/self/exe"
	var err error
	var tmp string
	if p.Mode != Offline {
		if tmp, err = os.MkdirTemp("", "git-agent-sbx-"); err != nil {
			return nil, fmt.Errorf("create the private temporary directory: %w", err)
		}
	}
	errR, errW, err := os.Pipe()
	if err != nil {
		os.RemoveAll(tmp)
		return nil, err
	}
	var specR *os.File
	conf := &confinement{}
	var px *proxyHandle
	if needsProxy(p) {
		if px, err = newProxyHandle(p.AllowDomains, c.Egress); err != nil {
			errR.Close()
			errW.Close()
			os.RemoveAll(tmp)
			return nil, err
		}
		conf.started = px.start
	}
	conf.cleanup = func() {
		errR.Close()
		errW.Close()
		if specR != nil {
			specR.Close()
		}
		if px != nil {
			px.stop()
		}
		if tmp != "" {
			os.RemoveAll(tmp)
		}
	}
	conf.setupError = func() error { return readSetupError(errR, errW, "sandbox") }
	conf.wrap = func(cmd *exec.Cmd, path string) error {
		var cache string
		// The probe's workspace is a temporary directory of its own: a
		// cache keyed by it would only ever be left behind, empty.
		if p.Mode == WorkspaceWrite && !probe {
			key := p.CacheKey
			if key == "" {
				key = p.Workspace
			}
			cache = sandboxCache(key)
		}
		env := confinedEnv(cmd.Env, tmp, cache)
		if px != nil {
			env = append(withoutProxyEnv(env), px.env()...)
		}
		spec := specFor(p, c, path, env, tmp)
		if cache != "" {
			spec.WritePaths = append(spec.WritePaths, cache)
		}
		spec.Probe = probe
		r, err := specPipe(spec)
		if err != nil {
			return err
		}
		specR = r
		cmd.Path = self
		cmd.Args = []string{initArg0}
		cmd.Env = []string{initEnv}
		cmd.ExtraFiles = []*os.File{specR, errW} // fds 3 and 4 in the init
		if px != nil {
			cmd.ExtraFiles = append(cmd.ExtraFiles, px.child) // fd 5
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{
			Setpgid:     true,
			Pdeathsig:   syscall.SIGKILL,
			Cloneflags:  namespaces,
			UidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getuid(), Size: 1}},
			GidMappings: []syscall.SysProcIDMap{{ContainerID: 0, HostID: os.Getgid(), Size: 1}},
			// setgroups stays denied, so the command cannot drop supplementary
			// groups to get around group-based denials.
			GidMappingsEnableSetgroups: false,
		}
		return nil
	}
	return conf, nil
}

// confinedEnv adapts the command's environment to the confinement: TMPDIR
// is the private temporary directory; XDG_CACHE_HOME and GOCACHE (where the
// Go build cache and many tools keep caches) are the workspace's sandbox
// cache, since the host's caches are neither readable (they are in the home
// directory, and hold the user's other projects) nor writable; and git does
// not read the unreadable ~/.gitconfig (which it would treat as fatal).
func confinedEnv(env []string, tmp, cache string) []string {
	out := make([]string, 0, len(env)+4)
	for _, kv := range env {
		switch {
		case strings.HasPrefix(kv, "TMPDIR="), strings.HasPrefix(kv, "XDG_CACHE_HOME="), strings.HasPrefix(kv, "GOCACHE="):
		default:
			out = append(out, kv)
		}
	}
	if tmp != "" {
		out = append(out, "TMPDIR="+tmp)
	}
	if cache == "" && tmp != "" {
		cache = filepath.Join(tmp, ".cache")
	}
	if cache != "" {
		out = append(out, "XDG_CACHE_HOME="+cache, "GOCACHE="+filepath.Join(cache, "go-build"))
	}
	if _, ok := lookupEnv(env, "GIT_CONFIG_GLOBAL"); !ok {
		out = append(out, "GIT_CONFIG_GLOBAL=/dev/null")
	}
	return out
}

// sandboxCache is the cache directory shared by the confined commands of one
// workspace (and only those: host builds never read it), so that, say, the
// Go build cache survives between commands. Anything a command plants there
// can only reach later commands of the same workspace, which it could
// already change. "" when it cannot be created.
func sandboxCache(key string) string {
	dir := CacheDir(key)
	if dir == "" || os.MkdirAll(dir, 0o700) != nil {
		return ""
	}
	return dir
}

// readSetupError reads what the init (the sandbox's, or a reaper, named by
// what) wrote on its setup-error pipe (its fd 4) before it ended: nil when
// nothing. errW is our copy of the write end, closed first so that EOF
// follows once the child's copies are gone with it.
func readSetupError(errR, errW *os.File, what string) error {
	errW.Close()
	b, _ := io.ReadAll(io.LimitReader(errR, 64<<10))
	if len(b) == 0 {
		return nil
	}
	return fmt.Errorf("%s setup failed: %s", what, strings.TrimSpace(string(b)))
}

// specPipe returns the read end of a pipe already holding spec, so the init
// can read it without the parent writing concurrently.
func specPipe(spec initSpec) (*os.File, error) {
	b, err := json.Marshal(spec)
	if err != nil {
		return nil, err
	}
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	defer w.Close()
	if n, err := unix.FcntlInt(w.Fd(), unix.F_SETPIPE_SZ, 1<<20); err != nil || n < len(b) {
		r.Close()
		return nil, fmt.Errorf("the command's arguments and environment are too large (%d bytes)", len(b))
	}
	if _, err := w.Write(b); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}
