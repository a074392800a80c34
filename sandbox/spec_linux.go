package sandbox

import (
	"os"
	"path/filepath"
)

// initSpec is everything the sandbox init needs, sent over a pipe as JSON.
type initSpec struct {
	Mode Mode     `json:"mode"`
	Path string   `json:"path"` // the program, already found in PATH
	Args []string `json:"args"`
	Env  []string `json:"env"`
	Dir  string   `json:"dir"`
	// Landlock: ReadPaths may be read (and executed, unless ExecFiles is set),
	// WritePaths may be read and changed, DevFiles are devices opened read-write.
	ReadPaths  []string `json:"read_paths"`
	WritePaths []string `json:"write_paths"`
	DevFiles   []string `json:"dev_files"`
	// ExecFiles, when not nil, are the only programs that may be executed.
	ExecFiles []string `json:"exec_files,omitempty"`
	// ProtectRO are bind-mounted read-only inside writable paths (.git).
	ProtectRO []string `json:"protect_ro"`
	Limits    Limits   `json:"limits"`
	Network   bool     `json:"network"`
	// ProxyListen: bind ProxyAddr inside the namespace and hand the
	// listener to the parent over fd 5, which serves the egress proxy on it.
	ProxyListen bool `json:"proxy_listen,omitempty"`
	// Probe: set everything up, then exit 0 instead of running anything.
	Probe bool `json:"probe,omitempty"`
	// Reaper: confine nothing; run the command as the reaper of a trusted
	// command (see reaperConfinement).
	Reaper bool `json:"reaper,omitempty"`
	// Parent is git-agent's pid: a reaper whose parent is no longer that
	// process was orphaned before it could watch anything.
	Parent int `json:"parent,omitempty"`
}

// systemReadPaths are the directories programs need to run. The user's home
// is deliberately absent.
var systemReadPaths = []string{
	"/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/opt",
	"/proc", "/sys", "/dev", "/run/systemd/resolve", "/var/lib/ca-certificates", "/nix/store",
}

// devFiles are the device files commands may read and write.
var devFiles = []string{"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/ptmx", "/dev/pts", "/dev/shm"}

// OfflinePrograms is the default allowlist of the offline profile: programs
// that read and report, and cannot write or reach anything by themselves.
var OfflinePrograms = []string{
	"ls", "cat", "head", "tail", "wc", "grep", "egrep", "fgrep", "find", "sort", "uniq", "cut", "tr",
	"diff", "cmp", "file", "stat", "du", "pwd", "echo", "true", "false", "test", "[", "basename", "dirname",
	"realpath", "readlink", "sha256sum", "md5sum", "tree", "rg", "sh", "bash", "dash",
}

// specFor computes the confinement of c under p. tmp is the private
// temporary directory ("" when the profile has none).
func specFor(p Profile, c *Cmd, path string, env []string, tmp string) initSpec {
	s := initSpec{Mode: p.Mode, Path: path, Args: c.Args, Env: env, Dir: c.Dir, Limits: defaultLimits(p.Limits)}
	s.ReadPaths = append(append(append([]string{}, systemReadPaths...), p.Workspace), p.ReadRoots...)
	s.DevFiles = devFiles
	switch p.Mode {
	case WorkspaceWrite:
		s.WritePaths = append([]string{p.Workspace, tmp}, p.WriteRoots...)
		s.ProtectRO = protectedPaths(p.Workspace)
	case ReadOnly, NetReadOnly:
		s.WritePaths = []string{tmp}
	case Offline:
		progs := OfflinePrograms
		if len(p.OfflinePrograms) > 0 {
			progs = p.OfflinePrograms
		}
		s.ExecFiles = offlineExec(progs, env)
	}
	s.ProxyListen = needsProxy(p)
	return s
}

// proxyAddr is where the egress proxy listens inside a command's network
// namespace; the namespace is new, so the port is always free.
const (
	proxyAddr = "127.0.0.1:3128"
	proxyPort = 3128
)

// needsProxy reports whether commands under p reach the network through the
// egress proxy: always for net-read-only, and for workspace-write when
// domains are allowed.
func needsProxy(p Profile) bool {
	return p.Mode == NetReadOnly || (p.Mode == WorkspaceWrite && len(p.AllowDomains) > 0)
}

// protectedPaths are the paths inside a workspace that stay read-only even
// under workspace-write: the git directory (a .git directory, or a .git file
// and the gitdir it names) and git-agent's own configuration. Only existing
// paths can be protected by a mount.
func protectedPaths(ws string) []string {
	var out []string
	for _, name := range []string{".git", ".git-agent"} {
		p := filepath.Join(ws, name)
		fi, err := os.Lstat(p)
		if err != nil {
			continue
		}
		if fi.Mode()&os.ModeSymlink != 0 {
			// A symlinked .git: protect what it points to.
			real, err := filepath.EvalSymlinks(p)
			if err != nil {
				continue
			}
			if fi, err = os.Stat(real); err != nil {
				continue
			}
			p = real
		}
		out = append(out, p)
		if name == ".git" && fi.Mode().IsRegular() {
			// Only an existing gitdir can be mounted over.
			if gd, err := readGitdir(p); err == nil {
				if _, err := os.Stat(gd); err == nil {
					out = append(out, gd)
				}
			}
		}
	}
	return out
}

// offlineExec resolves the offline allowlist in the command's PATH, plus the
// dynamic loaders the programs need.
func offlineExec(progs, env []string) []string {
	out := []string{}
	for _, name := range progs {
		if p, err := lookPath(name, "/", env); err == nil {
			out = append(out, p)
		}
	}
	for _, ld := range []string{"/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1", "/lib/ld-musl-x86_64.so.1", "/lib/ld-musl-aarch64.so.1"} {
		if _, err := os.Stat(ld); err == nil {
			out = append(out, ld)
		}
	}
	return out
}
