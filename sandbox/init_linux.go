package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// initHooked records that this program asked IsInit: its main takes the
// init path, so a re-executed copy of it can serve as a sandbox init or a
// reaper. A program that never asks (a test binary without the hook)
// would run its own main instead, so it gets no reaper.
var initHooked atomic.Bool

// IsInit reports whether this process was started by Run as a sandbox init.
// main must check it before anything else and then return InitMain().
func IsInit() bool {
	initHooked.Store(true)
	return len(os.Args) == 1 && os.Args[0] == initArg0 && len(os.Environ()) == 1 && os.Environ()[0] == initEnv
}

// InitMain sets up the confinement inside the new namespaces and then
// replaces itself with the command. Everything happens on one locked OS
// thread, which is the thread that calls execve: the restrictions that are
// per thread (capabilities, no_new_privs, Landlock, seccomp) are those the
// command inherits. A setup failure is written to fd 4 and ends the init with
// status 125 before the command runs.
func InitMain() int {
	runtime.LockOSThread()
	specFile := os.NewFile(3, "spec")
	errFile := os.NewFile(4, "setup-errors")
	unix.CloseOnExec(3)
	unix.CloseOnExec(4)
	spec, err := readSpec(specFile)
	if err == nil && spec.Reaper {
		return reaperMain(spec, errFile)
	}
	if err == nil {
		err = setup(spec)
	}
	if err != nil {
		fmt.Fprintf(errFile, "%v", err)
		return 125
	}
	if spec.Probe {
		// A positive token: an exit status of 0 alone could come from a
		// binary that is not a sandbox init at all.
		fmt.Print(probeToken)
		return 0
	}
	err = unix.Exec(spec.Path, spec.Args, spec.Env)
	// Exec only returns on failure; report it as a shell would.
	code := 126
	if errors.Is(err, unix.ENOENT) {
		code = 127
	}
	fmt.Fprintf(os.Stderr, "git-agent: %s: %v\n", spec.Args[0], err)
	return code
}

func readSpec(f *os.File) (*initSpec, error) {
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read spec: %w", err)
	}
	var s initSpec
	if err := json.Unmarshal(b, &s); err != nil {
		return nil, fmt.Errorf("decode spec: %w", err)
	}
	return &s, nil
}

// setup applies the layers in the only order that works: mounts and network
// while the namespace capabilities are still held, then limits, then the
// capability drop, no_new_privs, Landlock and seccomp last.
func setup(s *initSpec) error {
	steps := []struct {
		name string
		fn   func(*initSpec) error
	}{
		{"mounts", setupMounts},
		{"loopback", func(*initSpec) error { return loopbackUp() }},
		{"egress proxy listener", handOverProxyListener},
		{"limits", setLimits},
		{"working directory", func(s *initSpec) error { return unix.Chdir(s.Dir) }},
		{"capabilities", func(*initSpec) error { return dropCapabilities() }},
		{"no_new_privs", func(*initSpec) error { return unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) }},
		{"landlock", applyLandlock},
		{"seccomp", func(s *initSpec) error {
			// Inet sockets are allowed: the network namespace has only its
			// own loopback, so tests can serve and connect locally.
			prog, err := buildSeccompFilter(seccompOptions{Network: true})
			if err != nil {
				return err
			}
			return installSeccomp(prog)
		}},
		{"file descriptors", func(*initSpec) error { return unix.CloseRange(3, ^uint(0), unix.CLOSE_RANGE_CLOEXEC) }},
	}
	for _, st := range steps {
		if err := st.fn(s); err != nil {
			return fmt.Errorf("%s: %w", st.name, err)
		}
	}
	return nil
}

// setupMounts makes the mount tree private, mounts a /proc that shows only
// this PID namespace, and bind-mounts the protected paths read-only.
func setupMounts(s *initSpec) error {
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("make mounts private: %w", err)
	}
	if err := unix.Mount("proc", "/proc", "proc", unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, ""); err != nil {
		return fmt.Errorf("mount /proc for the new PID namespace: %w", err)
	}
	// Fewer processes than this cannot fork-bomb the machine; the kernel
	// (6.14+) keeps pid_max per PID namespace. Older kernels refuse the
	// write, and RLIMIT_NPROC is the remaining bound.
	_ = os.WriteFile("/proc/sys/kernel/pid_max", []byte(strconv.Itoa(max(s.Limits.Processes, 301))), 0)
	if err := maskSecrets(); err != nil {
		return err
	}
	for _, p := range s.ProtectRO {
		if err := bindReadOnly(p); err != nil {
			return fmt.Errorf("protect %s: %w", p, err)
		}
	}
	return nil
}

// secretPaths are root-only files in directories every profile may read.
// The command runs as uid 0 of its user namespace, which for a git-agent
// started by root is the host's root: file permissions would not stop it, so
// these are covered up in its mount namespace.
var secretPaths = []string{
	"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/sudoers", "/etc/sudoers.d",
	"/etc/ssh", "/etc/ssl/private", "/etc/security/opasswd", "/etc/NetworkManager/system-connections",
	"/etc/wireguard", "/etc/krb5.keytab", "/etc/machine-id",
}

// maskSecrets mounts an empty read-only tmpfs over each secret directory and
// /dev/null over each secret file.
func maskSecrets() error {
	for _, p := range secretPaths {
		fi, err := os.Lstat(p)
		if err != nil || fi.Mode()&os.ModeSymlink != 0 {
			continue
		}
		if fi.IsDir() {
			err = unix.Mount("tmpfs", p, "tmpfs", unix.MS_RDONLY|unix.MS_NOSUID|unix.MS_NODEV|unix.MS_NOEXEC, "size=0,mode=755")
		} else {
			err = unix.Mount("/dev/null", p, "", unix.MS_BIND, "")
		}
		if err != nil {
			return fmt.Errorf("mask %s: %w", p, err)
		}
	}
	return nil
}

// bindReadOnly mounts p over itself read-only. The remount must keep the
// flags the kernel locked on the inherited mount (nosuid, nodev, noexec...).
func bindReadOnly(p string) error {
	if err := unix.Mount(p, p, "", unix.MS_BIND|unix.MS_REC, ""); err != nil {
		return err
	}
	var st unix.Statfs_t
	if err := unix.Statfs(p, &st); err != nil {
		return err
	}
	flags := uintptr(unix.MS_BIND | unix.MS_REMOUNT | unix.MS_RDONLY)
	for _, f := range []struct{ st, ms uintptr }{
		{unix.ST_NOSUID, unix.MS_NOSUID}, {unix.ST_NODEV, unix.MS_NODEV}, {unix.ST_NOEXEC, unix.MS_NOEXEC},
		{unix.ST_NOATIME, unix.MS_NOATIME}, {unix.ST_NODIRATIME, unix.MS_NODIRATIME}, {unix.ST_RELATIME, unix.MS_RELATIME},
	} {
		if uintptr(st.Flags)&f.st != 0 {
			flags |= f.ms
		}
	}
	return unix.Mount("", p, "", flags, "")
}

// loopbackUp brings up lo, the only interface of the new network namespace.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	ifr.SetUint16(unix.IFF_UP | unix.IFF_LOOPBACK | unix.IFF_RUNNING)
	return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
}

// handOverProxyListener binds the proxy address in this network namespace
// and sends the listening socket to the parent over fd 5. The socket keeps
// its namespace: the parent accepts the command's connections on it and
// dials out from the host, applying the allowlist.
func handOverProxyListener(s *initSpec) error {
	if !s.ProxyListen {
		return nil
	}
	unix.CloseOnExec(5)
	defer unix.Close(5)
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return err
	}
	if err := unix.Bind(fd, &unix.SockaddrInet4{Port: proxyPort, Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		return fmt.Errorf("bind %s: %w", proxyAddr, err)
	}
	if err := unix.Listen(fd, 128); err != nil {
		return err
	}
	return unix.Sendmsg(5, []byte{1}, unix.UnixRights(fd), nil, 0)
}

func setLimits(s *initSpec) error {
	l := s.Limits
	for _, r := range []struct {
		res int
		val uint64
	}{
		{unix.RLIMIT_CORE, 0},
		{unix.RLIMIT_NPROC, uint64(l.Processes)},
		{unix.RLIMIT_DATA, uint64(l.Memory)},
		{unix.RLIMIT_FSIZE, uint64(l.FileSize)},
		{unix.RLIMIT_NOFILE, uint64(l.OpenFiles)},
	} {
		if err := unix.Setrlimit(r.res, &unix.Rlimit{Cur: r.val, Max: r.val}); err != nil {
			return fmt.Errorf("rlimit %d: %w", r.res, err)
		}
	}
	return nil
}

// dropCapabilities leaves the command no capability in any set, now or
// after execve, even though it runs as uid 0 of its user namespace.
func dropCapabilities() error {
	// From linux/securebits.h: uid 0 gains nothing at execve (NOROOT), no
	// capability fix-ups on uid changes, no keep-caps, no ambient raise; all locked.
	const (
		noroot, norootLocked             = 1 << 0, 1 << 1
		noSetuidFixup, noSetuidFixupLock = 1 << 2, 1 << 3
		keepCapsLocked                   = 1 << 5
		noAmbientRaise, noAmbientLocked  = 1 << 6, 1 << 7
	)
	bits := noroot | norootLocked | noSetuidFixup | noSetuidFixupLock | keepCapsLocked | noAmbientRaise | noAmbientLocked
	if err := unix.Prctl(unix.PR_SET_SECUREBITS, uintptr(bits), 0, 0, 0); err != nil {
		return fmt.Errorf("securebits: %w", err)
	}
	for c := 0; c <= 63; c++ {
		if err := unix.Prctl(unix.PR_CAPBSET_DROP, uintptr(c), 0, 0, 0); err != nil && !errors.Is(err, unix.EINVAL) {
			return fmt.Errorf("drop capability %d from the bounding set: %w", c, err)
		}
	}
	if err := unix.Prctl(unix.PR_CAP_AMBIENT, unix.PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0); err != nil {
		return fmt.Errorf("clear ambient capabilities: %w", err)
	}
	hdr := unix.CapUserHeader{Version: unix.LINUX_CAPABILITY_VERSION_3}
	var data [2]unix.CapUserData
	if err := unix.Capset(&hdr, &data[0]); err != nil {
		return fmt.Errorf("capset: %w", err)
	}
	return nil
}
