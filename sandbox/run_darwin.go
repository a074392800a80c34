//go:build darwin

package sandbox

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// sandboxExec applies a Seatbelt profile, then executes the command in the
// same process, so exit statuses, signals and the process group are the
// command's own. The absolute path keeps PATH from choosing it.
const sandboxExec = "/usr/bin/sandbox-exec"

// platformUnavailable says why m cannot be enforced on this Mac, or "".
func platformUnavailable(m Mode) string {
	if m == NetReadOnly {
		return "on macOS it needs git-agent's egress proxy, which this build does not have yet " +
			"(read-only and workspace-write confine commands with no network at all)"
	}
	if _, err := os.Stat(sandboxExec); err != nil {
		return fmt.Sprintf("macOS confinement needs %s (Seatbelt), which is not usable here: %v", sandboxExec, err)
	}
	return ""
}

// confine prepares one run of c under p's Seatbelt profile.
func confine(p Profile, c *Cmd) (*confinement, error) {
	if why := platformUnavailable(p.Mode); why != "" {
		return nil, errors.New(why)
	}
	rp, err := resolveProfile(p)
	if err != nil {
		return nil, err
	}
	var tmp string
	if p.Mode != Offline {
		if tmp, err = privateTemp(); err != nil {
			return nil, err
		}
	}
	cleanup := func() {
		if tmp != "" {
			_ = os.RemoveAll(tmp)
		}
	}
	profile, err := seatbeltProfile(rp, tmp, seatbeltProtected(rp.Workspace), 0)
	if err != nil {
		cleanup()
		return nil, err
	}
	return &confinement{
		wrap: func(cmd *exec.Cmd, path string) error {
			// sandbox-exec runs the program found outside the sandbox, by
			// its absolute path, so argv[0] becomes that path.
			cmd.Args = append([]string{sandboxExec, "-p", profile, "--", path}, cmd.Args[1:]...)
			cmd.Path = sandboxExec
			cmd.Env = seatbeltEnv(cmd.Env, tmp)
			return nil
		},
		// sandbox-exec reports its own failures (a profile it cannot
		// compile, a process already sandboxed) on stderr with exit 65 or
		// 71, after which nothing ran; they cannot be told apart from the
		// command's here. `git agent sandbox check` runs a trial.
		setupError: func() error { return nil },
		cleanup:    cleanup,
	}, nil
}

// resolveProfile returns p with its paths resolved, since Seatbelt matches
// real paths (/private/tmp, never /tmp). Roots that do not exist yet are kept
// as given, cleaned.
func resolveProfile(p Profile) (Profile, error) {
	ws, err := filepath.EvalSymlinks(p.Workspace)
	if err != nil {
		return p, fmt.Errorf("resolve the workspace: %w", err)
	}
	resolve := func(roots []string) []string {
		out := make([]string, 0, len(roots))
		for _, r := range roots {
			if filepath.IsAbs(r) { // a relative root is refused by seatbeltProfile
				r = resolveFrom("/", r)
			}
			out = append(out, r)
		}
		return out
	}
	p.Workspace = ws
	p.ReadRoots = resolve(p.ReadRoots)
	p.WriteRoots = resolve(p.WriteRoots)
	return p, nil
}

// privateTemp creates the command's private temporary directory, resolved.
func privateTemp() (string, error) {
	tmp, err := os.MkdirTemp("", "git-agent-sbx-")
	if err != nil {
		return "", fmt.Errorf("create the private temporary directory: %w", err)
	}
	real, err := filepath.EvalSymlinks(tmp)
	if err != nil {
		_ = os.RemoveAll(tmp)
		return "", fmt.Errorf("resolve the private temporary directory: %w", err)
	}
	return real, nil
}

// seatbeltEnv adapts the environment to the profile: temporary files and
// caches go to the private directory (the user's ~/Library/Caches, where Go
// keeps its build cache on macOS, is not writable), and git does not read the
// unreadable ~/.gitconfig, which it treats as fatal.
func seatbeltEnv(env []string, tmp string) []string {
	out := make([]string, 0, len(env)+4)
	for _, kv := range env {
		if !strings.HasPrefix(kv, "TMPDIR=") && !strings.HasPrefix(kv, "XDG_CACHE_HOME=") {
			out = append(out, kv)
		}
	}
	if tmp != "" {
		out = append(out, "TMPDIR="+tmp+"/", "XDG_CACHE_HOME="+filepath.Join(tmp, ".cache"))
		if _, ok := lookupEnv(env, "GOCACHE"); !ok {
			out = append(out, "GOCACHE="+filepath.Join(tmp, ".cache", "go-build"))
		}
	}
	if _, ok := lookupEnv(env, "GIT_CONFIG_GLOBAL"); !ok {
		out = append(out, "GIT_CONFIG_GLOBAL=/dev/null")
	}
	return out
}

// Diagnose describes what this machine supports for confinement.
func Diagnose() []string {
	out := []string{"confinement: Seatbelt through " + sandboxExec}
	if _, err := os.Stat(sandboxExec); err != nil {
		return append(out, "seatbelt: unavailable: "+err.Error())
	}
	if err := seatbeltTrial(); err != nil {
		out = append(out, "sandbox trial: FAILED: "+err.Error())
	} else {
		out = append(out, "sandbox trial: ok (read-only profile, /usr/bin/true)")
	}
	out = append(out,
		"net-read-only: refused (no egress proxy yet)",
		"limits: not enforced on macOS (no process or memory caps)")
	return out
}

// seatbeltTrial runs /usr/bin/true under a read-only profile of the
// temporary directory, which fails when sandbox-exec cannot apply profiles
// here (for instance when git-agent itself already runs sandboxed).
func seatbeltTrial() error {
	ws, err := filepath.EvalSymlinks(os.TempDir())
	if err != nil {
		return err
	}
	profile, err := seatbeltProfile(Profile{Mode: ReadOnly, Workspace: ws}, "", nil, 0)
	if err != nil {
		return err
	}
	out, err := exec.Command(sandboxExec, "-p", profile, "--", "/usr/bin/true").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

// IsInit reports whether this process is a sandbox init (Linux only).
func IsInit() bool { return false }

// InitMain is the sandbox init's main (Linux only).
func InitMain() int { return 125 }
