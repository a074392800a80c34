package sandbox

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// This file generates macOS Seatbelt (SBPL) profiles. It has no build tag:
// the profiles are plain text, so they are checked on every system against
// golden files; run_darwin.go applies them with sandbox-exec.

// seatbeltMach are the Mach services every profile may look up: user and
// group lookups (getpwuid, used by git, ssh, id and most runtimes), group
// membership checks, libnotify (time zone and configuration change
// notifications in libc) and the system log.
var seatbeltMach = []string{
	"com.apple.system.opendirectoryd.libinfo",
	"com.apple.system.opendirectoryd.membership",
	"com.apple.system.notification_center",
	"com.apple.system.logger",
	"com.apple.logd",
}

// seatbeltNetMach are added under net-read-only: certificate trust
// evaluation, which TLS clients (curl, git, Go) need even through a proxy.
var seatbeltNetMach = []string{"com.apple.trustd", "com.apple.trustd.agent", "com.apple.SecurityServer"}

// seatbeltSystemRead are the trees programs and toolchains are read from.
// The user's home is deliberately absent.
var seatbeltSystemRead = []string{
	"/usr", "/bin", "/sbin", "/System", "/Library", "/opt/homebrew",
	"/private/etc", "/etc", "/private/var/db/timezone", "/private/var/select",
	"/Applications/Xcode.app", "/Library/Developer/CommandLineTools",
}

// seatbeltSystemFiles are single files and symlinks: the root directory's
// listing, the /tmp, /var and /etc symlinks, and the link xcrun follows to
// find the selected developer directory.
var seatbeltSystemFiles = []string{"/", "/tmp", "/var", "/private/var/db/xcode_select_link"}

// seatbeltDevices may be read; seatbeltDevWrite may also be written.
var (
	seatbeltDevices  = []string{"/dev/null", "/dev/zero", "/dev/random", "/dev/urandom", "/dev/dtracehelper"}
	seatbeltDevWrite = []string{"/dev/null", "/dev/zero", "/dev/dtracehelper"}
)

// seatbeltProfile returns the SBPL profile enforcing p, deny by default.
// tmpdir is the private temporary directory (writable except under offline,
// which writes nothing; "" for none). protected are paths that stay
// read-only under workspace-write (seatbeltProtected). proxyPort is the
// local egress proxy's port, required by net-read-only and ignored
// otherwise. Trusted has no profile: it returns "" and runs unwrapped.
//
// All paths must be absolute, clean and already resolved (Seatbelt matches
// the real path, so /tmp/x must be given as /private/tmp/x).
func seatbeltProfile(p Profile, tmpdir string, protected []string, proxyPort int) (string, error) {
	if p.Mode == Trusted {
		return "", nil
	}
	if _, ok := guarantees[p.Mode]; !ok {
		return "", fmt.Errorf("seatbelt profile: unknown profile %q", p.Mode)
	}
	if p.Mode == Offline {
		tmpdir = ""
	}
	if p.Mode == NetReadOnly && (proxyPort <= 0 || proxyPort > 65535) {
		return "", fmt.Errorf("seatbelt profile: net-read-only needs the egress proxy's port, got %d", proxyPort)
	}
	reads := append([]string{p.Workspace}, p.ReadRoots...)
	var writes []string
	if tmpdir != "" {
		writes = append(writes, tmpdir)
	}
	if p.Mode == WorkspaceWrite {
		writes = append(append([]string{p.Workspace}, writes...), p.WriteRoots...)
	}
	for _, list := range [][]string{reads, writes, protected} {
		for _, s := range list {
			if err := checkSeatbeltPath(s); err != nil {
				return "", err
			}
		}
	}

	b := &strings.Builder{}
	fmt.Fprintf(b, "(version 1)\n(deny default)\n")
	fmt.Fprintf(b, "\n; Programs run and fork; signals and process info stay inside this sandbox.\n")
	fmt.Fprintf(b, "(allow process-exec)\n(allow process-fork)\n")
	fmt.Fprintf(b, "(allow signal (target same-sandbox))\n(allow process-info* (target same-sandbox))\n")
	fmt.Fprintf(b, "(allow sysctl-read)\n(allow ipc-posix-sem)\n")
	mach := seatbeltMach
	if p.Mode == NetReadOnly {
		mach = append(slices.Clone(mach), seatbeltNetMach...)
	}
	sbplRule(b, "Mach services that common command-line tools need", "allow mach-lookup", "global-name", mach)
	sbplRule(b, "System files and toolchains", "allow file-read*", "subpath", seatbeltSystemRead)
	sbplRule(b, "", "allow file-read*", "literal", seatbeltSystemFiles)
	sbplRule(b, "Devices", "allow file-read*", "literal", seatbeltDevices)
	sbplRule(b, "", "allow file-write-data file-ioctl", "literal", seatbeltDevWrite)
	sbplRule(b, "", "allow file-read* file-write-data", "subpath", []string{"/dev/fd"})
	sbplRule(b, "Parents of granted paths can be looked up, not listed", "allow file-read-metadata", "literal", ancestors(append(slices.Clone(reads), writes...)))
	sbplRule(b, "The workspace and the granted read roots", "allow file-read*", "subpath", reads)
	if len(writes) > 0 {
		sbplRule(b, "Writable paths", "allow file-read* file-write*", "subpath", writes)
	}
	if p.Mode == WorkspaceWrite && len(protected) > 0 {
		sbplRule(b, "The git directory and git-agent's own files stay read-only (later rules win)", "deny file-write*", "subpath", protected)
	}
	if p.Mode == NetReadOnly {
		fmt.Fprintf(b, "\n; Network: only the local egress proxy.\n(allow network-outbound (remote tcp \"localhost:%d\"))\n", proxyPort)
	} else {
		fmt.Fprintf(b, "\n; Network: none (deny default).\n")
	}
	return b.String(), nil
}

// sbplRule writes "(action\n  (filter "v")...)" for each value, after an
// optional comment; nothing when there are no values.
func sbplRule(b *strings.Builder, comment, action, filter string, values []string) {
	if len(values) == 0 {
		return
	}
	if comment != "" {
		fmt.Fprintf(b, "\n; %s.\n", comment)
	}
	fmt.Fprintf(b, "(%s", action)
	for _, v := range values {
		fmt.Fprintf(b, "\n  (%s %s)", filter, sbplString(v))
	}
	b.WriteString(")\n")
}

// sbplString quotes s as an SBPL (Scheme) string literal.
func sbplString(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// checkSeatbeltPath rejects paths the profile cannot state exactly: relative
// or unclean ones (Seatbelt compares resolved paths literally) and control
// characters, which SBPL strings do not escape reliably.
func checkSeatbeltPath(s string) error {
	if !path.IsAbs(s) || path.Clean(s) != s {
		return fmt.Errorf("seatbelt profile: path %q is not absolute and clean", s)
	}
	if strings.ContainsFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("seatbelt profile: path %q contains a control character", s)
	}
	return nil
}

// ancestors returns the proper parent directories of paths, sorted, without
// "/" (listed among the system files).
func ancestors(paths []string) []string {
	var out []string
	for _, p := range paths {
		for d := path.Dir(p); d != "/" && d != "."; d = path.Dir(d) {
			out = append(out, d)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// seatbeltProtected are the paths inside ws that stay read-only under
// workspace-write: .git and .git-agent (whether or not they exist, so they
// cannot be created either), the real path of a symlinked .git, and, when
// .git is a file ("gitdir: PATH", linked worktrees and submodules), the
// gitdir it names and that gitdir's common directory, whose hooks and config
// git runs outside the sandbox. ws must be resolved already.
func seatbeltProtected(ws string) []string {
	dotgit := filepath.Join(ws, ".git")
	out := []string{dotgit, filepath.Join(ws, ".git-agent")}
	if real, err := filepath.EvalSymlinks(dotgit); err == nil && real != dotgit {
		out = append(out, real)
	}
	if gd, err := readGitdir(dotgit); err == nil {
		out = append(out, gd)
		if common, err := os.ReadFile(filepath.Join(gd, "commondir")); err == nil {
			out = append(out, resolveFrom(gd, strings.TrimSpace(string(common))))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// readGitdir reads the gitdir named by a .git file, resolved.
func readGitdir(gitFile string) (string, error) {
	fi, err := os.Lstat(gitFile)
	if err != nil {
		return "", err
	}
	if !fi.Mode().IsRegular() {
		return "", errors.New("not a .git file")
	}
	b, err := os.ReadFile(gitFile)
	if err != nil {
		return "", err
	}
	gd, ok := strings.CutPrefix(strings.TrimSpace(string(b)), "gitdir:")
	if !ok || strings.TrimSpace(gd) == "" {
		return "", fmt.Errorf("%s: no gitdir line", gitFile)
	}
	return resolveFrom(filepath.Dir(gitFile), strings.TrimSpace(gd)), nil
}

// resolveFrom makes p absolute relative to dir and resolves symlinks when it
// exists; a missing path is kept, cleaned, and is still denied.
func resolveFrom(dir, p string) string {
	if !filepath.IsAbs(p) {
		p = filepath.Join(dir, p)
	}
	if real, err := filepath.EvalSymlinks(p); err == nil {
		return real
	}
	return filepath.Clean(p)
}
