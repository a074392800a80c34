package sandbox

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/sys/unix"
)

// The filter is checked twice: by running the program in a small BPF
// interpreter against every rule's edge cases (exact, and independent of the
// kernel), and by loading it in a child process and making the real syscalls.

// seccompInput is a struct seccomp_data without the instruction pointer.
type seccompInput struct {
	arch uint32
	nr   uint32
	args [6]uint64
}

// runSeccomp interprets prog the way the kernel does for the few instructions
// the filter may use; anything else is an error.
func runSeccomp(prog []unix.SockFilter, in seccompInput) (uint32, error) {
	data := make([]byte, 64)
	binary.LittleEndian.PutUint32(data[0:], in.nr)
	binary.LittleEndian.PutUint32(data[4:], in.arch)
	for i, a := range in.args {
		binary.LittleEndian.PutUint64(data[16+8*i:], a)
	}
	var acc uint32
	for pc := 0; pc < len(prog); pc++ {
		ins := prog[pc]
		switch ins.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			if ins.K%4 != 0 || ins.K >= 64 {
				return 0, fmt.Errorf("pc %d: load at offset %d", pc, ins.K)
			}
			acc = binary.LittleEndian.Uint32(data[ins.K:])
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			taken := acc == ins.K
			if ins.Code&unix.BPF_JSET != 0 {
				taken = acc&ins.K != 0
			}
			if taken {
				pc += int(ins.Jt)
			} else {
				pc += int(ins.Jf)
			}
		case unix.BPF_RET | unix.BPF_K:
			return ins.K, nil
		default:
			return 0, fmt.Errorf("pc %d: unexpected opcode %#x", pc, ins.Code)
		}
	}
	return 0, errors.New("fell off the end of the program")
}

func actionName(a uint32) string {
	switch a & unix.SECCOMP_RET_ACTION_FULL {
	case unix.SECCOMP_RET_ALLOW:
		return "ALLOW"
	case unix.SECCOMP_RET_KILL_PROCESS:
		return "KILL"
	case unix.SECCOMP_RET_ERRNO:
		return unix.ErrnoName(unix.Errno(a & unix.SECCOMP_RET_DATA))
	}
	return fmt.Sprintf("%#x", a)
}

func TestSeccompFilterRules(t *testing.T) {
	t.Parallel()
	arch, err := nativeSeccompArch(runtime.GOARCH)
	if err != nil {
		t.Skip(err)
	}
	type tc struct {
		name    string
		goarch  string // only on this arch
		network bool
		unix    bool
		in      seccompInput
		want    string
	}
	sys := func(nr uint32, args ...uint64) seccompInput {
		in := seccompInput{arch: arch.audit, nr: nr}
		copy(in.args[:], args)
		return in
	}
	const hi = 1 << 32 // a set high half of a 64-bit argument
	tests := []tc{
		{name: "read", in: sys(unix.SYS_READ), want: "ALLOW"},
		{name: "execve", in: sys(unix.SYS_EXECVE), want: "ALLOW"},
		{name: "foreign arch", in: seccompInput{arch: unix.AUDIT_ARCH_I386, nr: unix.SYS_READ}, want: "KILL"},
		{name: "x32 read", goarch: "amd64", in: sys(unix.SYS_READ | x32SyscallBit), want: "KILL"},
		{name: "nr -1", goarch: "amd64", in: sys(0xffffffff), want: "KILL"},
		{name: "iopl", goarch: "amd64", in: sys(172), want: "EPERM"},
		{name: "ioperm", goarch: "amd64", in: sys(173), want: "EPERM"},
		{name: "kexec_file_load", goarch: "amd64", in: sys(320), want: "EPERM"},
		{name: "kexec_file_load", goarch: "arm64", in: sys(294), want: "EPERM"},
		{name: "clone3", in: sys(unix.SYS_CLONE3), want: "ENOSYS"},
		{name: "clone fork", in: sys(unix.SYS_CLONE, uint64(unix.SIGCHLD)), want: "ALLOW"},
		{name: "clone thread", in: sys(unix.SYS_CLONE, unix.CLONE_VM|unix.CLONE_FS|unix.CLONE_FILES|unix.CLONE_SIGHAND|unix.CLONE_THREAD|unix.CLONE_SYSVSEM), want: "ALLOW"},
		{name: "clone high half ignored by the kernel", in: sys(unix.SYS_CLONE, hi|uint64(unix.SIGCHLD)), want: "ALLOW"},
		{name: "clone newuser with high half", in: sys(unix.SYS_CLONE, hi|unix.CLONE_NEWUSER), want: "EPERM"},
		{name: "personality linux", in: sys(unix.SYS_PERSONALITY, 0), want: "ALLOW"},
		{name: "personality query", in: sys(unix.SYS_PERSONALITY, 0xffffffff), want: "ALLOW"},
		{name: "personality no randomize", in: sys(unix.SYS_PERSONALITY, 0x0040000), want: "EPERM"},
		{name: "personality addr limit 32bit", in: sys(unix.SYS_PERSONALITY, 0x0800000), want: "EPERM"},
		{name: "personality linux32", in: sys(unix.SYS_PERSONALITY, 0x0008), want: "EPERM"},
		{name: "personality high half", in: sys(unix.SYS_PERSONALITY, hi), want: "EPERM"},
		{name: "personality -1 as 64 bits", in: sys(unix.SYS_PERSONALITY, 1<<64-1), want: "EPERM"},
		{name: "ioctl TIOCSTI", in: sys(unix.SYS_IOCTL, 0, unix.TIOCSTI), want: "EPERM"},
		{name: "ioctl TIOCSTI high half", in: sys(unix.SYS_IOCTL, 0, hi|unix.TIOCSTI), want: "EPERM"},
		{name: "ioctl TIOCLINUX", in: sys(unix.SYS_IOCTL, 0, unix.TIOCLINUX), want: "EPERM"},
		{name: "ioctl TIOCGWINSZ", in: sys(unix.SYS_IOCTL, unix.TIOCSTI, unix.TIOCGWINSZ), want: "ALLOW"},
		{name: "socket unix", in: sys(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM), want: "EPERM"},
		{name: "socket unix allowed", unix: true, in: sys(unix.SYS_SOCKET, unix.AF_UNIX, unix.SOCK_STREAM), want: "ALLOW"},
		{name: "socket unix high half", in: sys(unix.SYS_SOCKET, hi|unix.AF_UNIX), want: "EAFNOSUPPORT"},
		{name: "socket inet offline", in: sys(unix.SYS_SOCKET, unix.AF_INET), want: "EAFNOSUPPORT"},
		{name: "socket inet6 offline", in: sys(unix.SYS_SOCKET, unix.AF_INET6), want: "EAFNOSUPPORT"},
		{name: "socket inet network", network: true, in: sys(unix.SYS_SOCKET, unix.AF_INET), want: "ALLOW"},
		{name: "socket inet6 network", network: true, in: sys(unix.SYS_SOCKET, unix.AF_INET6), want: "ALLOW"},
		{name: "socket packet network", network: true, in: sys(unix.SYS_SOCKET, unix.AF_PACKET), want: "EAFNOSUPPORT"},
		{name: "socket vsock", in: sys(unix.SYS_SOCKET, unix.AF_VSOCK), want: "EAFNOSUPPORT"},
		{name: "socket alg", in: sys(unix.SYS_SOCKET, unix.AF_ALG), want: "EAFNOSUPPORT"},
		{name: "netlink route", in: sys(unix.SYS_SOCKET, unix.AF_NETLINK, unix.SOCK_RAW, unix.NETLINK_ROUTE), want: "ALLOW"},
		{name: "netlink route high half", in: sys(unix.SYS_SOCKET, unix.AF_NETLINK, unix.SOCK_RAW, hi), want: "EPROTONOSUPPORT"},
		{name: "netlink audit", in: sys(unix.SYS_SOCKET, unix.AF_NETLINK, unix.SOCK_RAW, unix.NETLINK_AUDIT), want: "EPROTONOSUPPORT"},
		{name: "socketpair unix", in: sys(unix.SYS_SOCKETPAIR, unix.AF_UNIX), want: "ALLOW"},
		{name: "socketpair inet offline", in: sys(unix.SYS_SOCKETPAIR, unix.AF_INET), want: "EAFNOSUPPORT"},
	}
	// Written out again rather than taken from deniedSyscalls, so that a rule
	// dropped there fails here.
	for _, nr := range []uint32{unix.SYS_PTRACE, unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV, unix.SYS_PIDFD_GETFD,
		unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER, unix.SYS_BPF, unix.SYS_PERF_EVENT_OPEN,
		unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY, unix.SYS_KEYCTL, unix.SYS_UNSHARE, unix.SYS_SETNS,
		unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT, unix.SYS_CHROOT, unix.SYS_FSOPEN, unix.SYS_FSCONFIG,
		unix.SYS_FSMOUNT, unix.SYS_FSPICK, unix.SYS_MOVE_MOUNT, unix.SYS_OPEN_TREE, unix.SYS_MOUNT_SETATTR, unix.SYS_OPEN_TREE_ATTR,
		unix.SYS_KEXEC_LOAD, unix.SYS_INIT_MODULE, unix.SYS_FINIT_MODULE, unix.SYS_DELETE_MODULE,
		unix.SYS_REBOOT, unix.SYS_SWAPON, unix.SYS_SWAPOFF, unix.SYS_ACCT, unix.SYS_QUOTACTL, unix.SYS_QUOTACTL_FD,
		unix.SYS_USERFAULTFD, unix.SYS_NAME_TO_HANDLE_AT, unix.SYS_OPEN_BY_HANDLE_AT, unix.SYS_LOOKUP_DCOOKIE, unix.SYS_SYSLOG,
		unix.SYS_SETTIMEOFDAY, unix.SYS_CLOCK_SETTIME, unix.SYS_CLOCK_ADJTIME, unix.SYS_ADJTIMEX, unix.SYS_VHANGUP} {
		tests = append(tests, tc{name: fmt.Sprintf("denied nr %d", nr), network: true, in: sys(nr), want: "EPERM"})
	}
	for _, flag := range []uint64{unix.CLONE_NEWNS, unix.CLONE_NEWUTS, unix.CLONE_NEWIPC, unix.CLONE_NEWUSER,
		unix.CLONE_NEWPID, unix.CLONE_NEWNET, unix.CLONE_NEWCGROUP, unix.CLONE_NEWTIME} {
		tests = append(tests, tc{name: fmt.Sprintf("clone %#x", flag), in: sys(unix.SYS_CLONE, flag|uint64(unix.SIGCHLD)), want: "EPERM"})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.goarch != "" && tt.goarch != runtime.GOARCH {
				t.Skip(tt.goarch + " only")
			}
			prog, err := buildSeccompFilter(seccompOptions{Network: tt.network, UnixSockets: tt.unix})
			if err != nil {
				t.Fatal(err)
			}
			action, err := runSeccomp(prog, tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, actionName(action)); diff != "" {
				t.Errorf("action (-want +got):\n%s", diff)
			}
		})
	}
}

func TestSeccompArch(t *testing.T) {
	t.Parallel()
	if _, err := nativeSeccompArch("riscv64"); err == nil {
		t.Error("nativeSeccompArch(riscv64): no error, want unsupported")
	}
	prog, err := buildSeccompFilter(seccompOptions{Network: true})
	if err != nil {
		t.Skip(err)
	}
	if len(prog) > unix.BPF_MAXINSNS {
		t.Errorf("filter has %d instructions, the kernel takes %d", len(prog), unix.BPF_MAXINSNS)
	}
	t.Logf("filter, %d instructions:\n%s", len(prog), disassemble(prog))
}

// disassemble renders prog one instruction a line, for review with -v.
func disassemble(prog []unix.SockFilter) string {
	var b strings.Builder
	for pc, ins := range prog {
		fmt.Fprintf(&b, "%3d  ", pc)
		switch ins.Code {
		case unix.BPF_LD | unix.BPF_W | unix.BPF_ABS:
			fmt.Fprintf(&b, "ld  [%d]\n", ins.K)
		case unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K:
			fmt.Fprintf(&b, "jeq %#x  true:%d false:%d\n", ins.K, pc+1+int(ins.Jt), pc+1+int(ins.Jf))
		case unix.BPF_JMP | unix.BPF_JSET | unix.BPF_K:
			fmt.Fprintf(&b, "jset %#x true:%d false:%d\n", ins.K, pc+1+int(ins.Jt), pc+1+int(ins.Jf))
		case unix.BPF_RET | unix.BPF_K:
			fmt.Fprintf(&b, "ret %s\n", actionName(ins.K))
		default:
			fmt.Fprintf(&b, "%#v\n", ins)
		}
	}
	return b.String()
}

func TestSeccompInstallValidates(t *testing.T) {
	t.Parallel()
	if err := installSeccomp(nil); err == nil {
		t.Error("installSeccomp(nil): no error")
	}
}

// seccompHelperEnv selects, in the re-executed test binary, the operation
// TestSeccompHelper runs and the filter it runs it under: "op,mode".
const seccompHelperEnv = "GIT_AGENT_SECCOMP_HELPER"

const addrNoRandomize = 0x0040000 // personality flag, missing from x/sys

// seccompOps are the operations the helper can try. Each returns the errno it
// met, or nil. The unfiltered control must not be destructive: it runs as root.
var seccompOps = map[string]func() error{
	// Go's child calls ptrace(PTRACE_TRACEME) before exec; unfiltered, this
	// thread traces /bin/true through its exec stop and lets it go.
	"ptrace_traceme": func() error {
		cmd := exec.Command("/bin/true")
		cmd.SysProcAttr = &syscall.SysProcAttr{Ptrace: true}
		if err := cmd.Start(); err != nil {
			return err
		}
		var ws unix.WaitStatus
		if _, err := unix.Wait4(cmd.Process.Pid, &ws, 0, nil); err != nil {
			return err
		}
		if err := unix.PtraceDetach(cmd.Process.Pid); err != nil {
			return err
		}
		return cmd.Wait()
	},
	// unshare runs in Go's single-threaded child, where it succeeds unfiltered.
	"unshare_newuser":   func() error { return runTrue(&syscall.SysProcAttr{Unshareflags: unix.CLONE_NEWUSER}) },
	"clone_newnet_exec": func() error { return runTrue(&syscall.SysProcAttr{Cloneflags: unix.CLONE_NEWNET}) },
	// CLONE_THREAD without CLONE_SIGHAND is EINVAL before anything is created.
	"clone_newnet_raw": func() error {
		return errnoOf(syscall.RawSyscall(unix.SYS_CLONE, unix.CLONE_NEWNET|unix.CLONE_THREAD, 0, 0))
	},
	"clone3": func() error { return errnoOf(syscall.RawSyscall(unix.SYS_CLONE3, 0, 0, 0)) },
	"mount": func() error {
		return unix.Mount("none", "/nonexistent-git-agent-seccomp", "tmpfs", 0, "")
	},
	"bpf":            func() error { return errnoOf(syscall.RawSyscall(unix.SYS_BPF, 0xffff, 0, 0)) },
	"io_uring_setup": func() error { return errnoOf(syscall.RawSyscall(unix.SYS_IO_URING_SETUP, 1, 0, 0)) },
	"keyctl":         func() error { return errnoOf(syscall.RawSyscall(unix.SYS_KEYCTL, 0xffff, 0, 0)) },
	"personality_no_randomize": func() error {
		return errnoOf(syscall.RawSyscall(unix.SYS_PERSONALITY, addrNoRandomize, 0, 0))
	},
	"personality_query": func() error { return errnoOf(syscall.RawSyscall(unix.SYS_PERSONALITY, 0xffffffff, 0, 0)) },
	"ioctl_tiocsti":     func() error { return ptyIoctl(unix.TIOCSTI) },
	"ioctl_tioclinux":   func() error { return ptyIoctl(unix.TIOCLINUX) },
	"ioctl_tiocgwinsz":  func() error { return ptyIoctl(unix.TIOCGWINSZ) },
	"socket_unix":       func() error { return socket(unix.AF_UNIX, unix.SOCK_STREAM, 0) },
	"socket_inet":       func() error { return socket(unix.AF_INET, unix.SOCK_STREAM, 0) },
	"socket_packet":     func() error { return socket(unix.AF_PACKET, unix.SOCK_DGRAM, 0) },
	"netlink_route":     func() error { return socket(unix.AF_NETLINK, unix.SOCK_RAW, unix.NETLINK_ROUTE) },
	"netlink_audit":     func() error { return socket(unix.AF_NETLINK, unix.SOCK_RAW, unix.NETLINK_AUDIT) },
	"socketpair_unix":   func() error { return socketpair(unix.AF_UNIX) },
	"socketpair_inet":   func() error { return socketpair(unix.AF_INET) },
	"fork_exec":         func() error { return runTrue(nil) },
	"x32_getpid":        func() error { return errnoOf(syscall.RawSyscall(unix.SYS_GETPID|x32SyscallBit, 0, 0, 0)) },
}

func errnoOf(_, _ uintptr, errno syscall.Errno) error {
	if errno != 0 {
		return errno
	}
	return nil
}

func runTrue(attr *syscall.SysProcAttr) error {
	cmd := exec.Command("/bin/true")
	cmd.SysProcAttr = attr
	return cmd.Run()
}

func ptyIoctl(req uint) error {
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fmt.Errorf("open /dev/ptmx: %v", err) // not an errno result: fails the test
	}
	defer unix.Close(fd)
	var buf [8]byte // TIOCSTI reads a byte, TIOCLINUX a subcode (0: invalid), TIOCGWINSZ writes 8
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), uintptr(req), uintptr(unsafe.Pointer(&buf)))
	return errnoOf(0, 0, errno)
}

func socket(domain, typ, proto int) error {
	fd, err := unix.Socket(domain, typ|unix.SOCK_CLOEXEC, proto)
	if err == nil {
		unix.Close(fd)
	}
	return err
}

func socketpair(domain int) error {
	fds, err := unix.Socketpair(domain, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err == nil {
		unix.Close(fds[0])
		unix.Close(fds[1])
	}
	return err
}

// TestSeccompHelper is the child side of TestSeccompSyscalls.
func TestSeccompHelper(t *testing.T) {
	spec := os.Getenv(seccompHelperEnv)
	if spec == "" {
		t.Skip("runs only as a child of TestSeccompSyscalls")
	}
	op, mode, _ := strings.Cut(spec, ",")
	fmt.Printf("seccomp-result: %s\n", seccompHelper(op, mode))
	os.Exit(0)
}

func seccompHelper(op, mode string) string {
	runtime.LockOSThread() // the filter and no_new_privs are per thread
	// A SIGSYS kill would dump core; a non-dumpable process does not.
	if err := unix.Prctl(unix.PR_SET_DUMPABLE, 0, 0, 0, 0); err != nil {
		return "prctl dumpable: " + err.Error()
	}
	if mode == "no-nnp" {
		if nnp, _ := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0); nnp != 0 {
			return "no_new_privs already set by the parent"
		}
		prog, err := buildSeccompFilter(seccompOptions{})
		if err != nil {
			return err.Error()
		}
		if err := installSeccomp(prog); err != nil {
			return "refused: " + err.Error()
		}
		return "installed"
	}
	if mode != "unfiltered" {
		if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
			return "prctl no_new_privs: " + err.Error()
		}
		prog, err := buildSeccompFilter(seccompOptions{Network: mode == "network"})
		if err == nil {
			err = installSeccomp(prog)
		}
		if err != nil {
			return err.Error()
		}
	}
	f, ok := seccompOps[op]
	if !ok {
		return "unknown op " + op
	}
	var errno syscall.Errno
	switch err := f(); {
	case err == nil:
		return "OK"
	case errors.As(err, &errno):
		return unix.ErrnoName(errno)
	default:
		return "error: " + err.Error()
	}
}

// runSeccompHelper runs op in a child under mode and returns its result, or
// the signal that killed it.
func runSeccompHelper(t *testing.T, op, mode string) string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestSeccompHelper$")
	// atexit_sleep_ms: the race runtime otherwise idles a second at exit.
	cmd.Env = append(os.Environ(), seccompHelperEnv+"="+op+","+mode, "GORACE="+os.Getenv("GORACE")+" atexit_sleep_ms=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return unix.SignalName(ws.Signal())
		}
	}
	if err != nil {
		t.Fatalf("helper %s,%s: %v\n%s", op, mode, err, stderr.Bytes())
	}
	_, result, ok := strings.Cut(string(out), "seccomp-result: ")
	if !ok {
		t.Fatalf("helper %s,%s printed no result:\n%s\n%s", op, mode, out, stderr.Bytes())
	}
	return strings.TrimSpace(result)
}

func TestSeccompSyscalls(t *testing.T) {
	t.Parallel()
	if os.Geteuid() != 0 {
		t.Skip("the unfiltered controls need root: as a user they would be refused by permissions, not seccomp")
	}
	if _, err := buildSeccompFilter(seccompOptions{}); err != nil {
		t.Skip(err)
	}
	tests := []struct {
		name    string
		op      string
		network bool
		amd64   bool
		want    string // under the filter; the unfiltered result must differ
	}{
		{name: "ptrace traceme", op: "ptrace_traceme", want: "EPERM"},
		{name: "unshare newuser", op: "unshare_newuser", want: "EPERM"},
		{name: "clone newnet exec", op: "clone_newnet_exec", want: "EPERM"},
		{name: "clone newnet raw", op: "clone_newnet_raw", want: "EPERM"},
		{name: "clone3", op: "clone3", want: "ENOSYS"},
		{name: "mount", op: "mount", want: "EPERM"},
		{name: "bpf", op: "bpf", want: "EPERM"},
		{name: "io_uring_setup", op: "io_uring_setup", want: "EPERM"},
		{name: "keyctl", op: "keyctl", want: "EPERM"},
		{name: "personality no randomize", op: "personality_no_randomize", want: "EPERM"},
		{name: "personality query", op: "personality_query", want: "OK"},
		{name: "ioctl TIOCSTI", op: "ioctl_tiocsti", want: "EPERM"},
		{name: "ioctl TIOCLINUX", op: "ioctl_tioclinux", want: "EPERM"},
		{name: "ioctl TIOCGWINSZ", op: "ioctl_tiocgwinsz", want: "OK"},
		{name: "socket packet", op: "socket_packet", network: true, want: "EAFNOSUPPORT"},
		{name: "socket inet offline", op: "socket_inet", want: "EAFNOSUPPORT"},
		{name: "socket inet network", op: "socket_inet", network: true, want: "OK"},
		{name: "socket unix", op: "socket_unix", want: "EPERM"},
		{name: "socketpair unix", op: "socketpair_unix", want: "OK"},
		{name: "socketpair inet offline", op: "socketpair_inet", want: "EAFNOSUPPORT"},
		{name: "netlink route", op: "netlink_route", want: "OK"},
		{name: "netlink audit", op: "netlink_audit", want: "EPROTONOSUPPORT"},
		{name: "fork exec", op: "fork_exec", want: "OK"},
		{name: "x32 syscall", op: "x32_getpid", amd64: true, want: "SIGSYS"},
		{name: "no_new_privs required", op: "none", want: "refused"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if tt.amd64 && runtime.GOARCH != "amd64" {
				t.Skip("x86-64 only")
			}
			mode := map[bool]string{false: "offline", true: "network"}[tt.network]
			if tt.want == "refused" {
				mode = "no-nnp"
			}
			got := runSeccompHelper(t, tt.op, mode)
			if tt.want == "refused" {
				got, _, _ = strings.Cut(got, ":")
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("under the filter (-want +got):\n%s", diff)
			}
			if tt.want == "OK" || tt.want == "refused" {
				return
			}
			// The control: without the filter the kernel must answer otherwise,
			// or the result above proves nothing about seccomp.
			if unfiltered := runSeccompHelper(t, tt.op, "unfiltered"); unfiltered == tt.want || strings.HasPrefix(unfiltered, "error") {
				t.Errorf("without the filter: %s, want a different outcome than %s", unfiltered, tt.want)
			} else {
				t.Logf("without the filter: %s", unfiltered)
			}
		})
	}
}
