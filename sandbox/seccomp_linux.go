package sandbox

import (
	"errors"
	"fmt"
	"runtime"
	"slices"
	"unsafe"

	"golang.org/x/sys/unix"
)

// seccompOptions selects the variable parts of the seccomp filter.
type seccompOptions struct {
	// Network: the profile may open AF_INET/AF_INET6 sockets (the network
	// namespace still confines them).
	Network bool
	// UnixSockets: socket(AF_UNIX) is allowed (socketpair always is).
	UnixSockets bool
}

// The filter is hand-assembled classic BPF rather than built with a library:
// every instruction below is visible, the errno of each rule is ours to pick
// (EPERM, ENOSYS, EAFNOSUPPORT), and 64-bit arguments are compared the way the
// kernel reads them. Its shape keeps the kernel's per-syscall action cache
// (Linux 5.11+) effective: only the syscall number and arch are read before a
// rule matches, so every syscall no rule names is allowed without running BPF.

// Offsets into struct seccomp_data (include/uapi/linux/seccomp.h).
const (
	seccompDataNr   = 0
	seccompDataArch = 4
	seccompDataArgs = 16
)

// argLo and argHi address the halves of the 64-bit args[i]; the supported
// arches are little-endian, so the low half comes first.
func argLo(i uint32) uint32 { return seccompDataArgs + 8*i }
func argHi(i uint32) uint32 { return seccompDataArgs + 8*i + 4 }

const (
	retAllow = unix.SECCOMP_RET_ALLOW
	retKill  = unix.SECCOMP_RET_KILL_PROCESS
	// x32SyscallBit marks x32 ABI entry points, which report AUDIT_ARCH_X86_64
	// too and so must be told apart by number (arch/x86/include/uapi/asm/unistd.h).
	x32SyscallBit = 0x40000000
	// cloneNamespaces are the clone flags that create namespaces.
	cloneNamespaces = unix.CLONE_NEWNS | unix.CLONE_NEWUTS | unix.CLONE_NEWIPC | unix.CLONE_NEWUSER |
		unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWCGROUP | unix.CLONE_NEWTIME
	personalityQuery = 0xffffffff // personality(0xffffffff) reads the persona without changing it
)

func retErrno(e unix.Errno) uint32 { return unix.SECCOMP_RET_ERRNO | uint32(e)&unix.SECCOMP_RET_DATA }

var (
	retEPERM        = retErrno(unix.EPERM)
	retENOSYS       = retErrno(unix.ENOSYS)
	retEAFNOSUPPORT = retErrno(unix.EAFNOSUPPORT)
	// EPROTONOSUPPORT, as if the kernel lacked the netlink protocol, so tools
	// such as ss fall back to /proc instead of failing.
	retEPROTONOSUPPORT = retErrno(unix.EPROTONOSUPPORT)
)

// seccompArch is the one native ABI the filter admits.
type seccompArch struct {
	audit uint32 // AUDIT_ARCH_* the kernel reports in seccomp_data.arch
	x32   bool   // x32 entry points share audit and are rejected by number
	// deny lists syscalls by number that x/sys does not define on every
	// arch, so that this file still compiles (and refuses) there.
	deny []uint32
}

func nativeSeccompArch(goarch string) (seccompArch, error) {
	switch goarch {
	case "amd64":
		// arch/x86/entry/syscalls/syscall_64.tbl: iopl 172 and ioperm 173
		// give raw I/O port access; kexec_file_load 320 replaces the kernel.
		return seccompArch{audit: unix.AUDIT_ARCH_X86_64, x32: true, deny: []uint32{172, 173, 320}}, nil
	case "arm64":
		// include/uapi/asm-generic/unistd.h: kexec_file_load 294.
		return seccompArch{audit: unix.AUDIT_ARCH_AARCH64, deny: []uint32{294}}, nil
	}
	return seccompArch{}, fmt.Errorf("seccomp filter: architecture %s is not supported", goarch)
}

// deniedSyscalls fail with EPERM whatever their arguments.
var deniedSyscalls = []uint32{
	unix.SYS_PTRACE, unix.SYS_PROCESS_VM_READV, unix.SYS_PROCESS_VM_WRITEV, // read or steer other processes
	unix.SYS_PIDFD_GETFD,                                                         // steal another process's file descriptors
	unix.SYS_IO_URING_SETUP, unix.SYS_IO_URING_ENTER, unix.SYS_IO_URING_REGISTER, // large attack surface, and its ops bypass seccomp
	unix.SYS_BPF, unix.SYS_PERF_EVENT_OPEN, // kernel attack surface and side channels
	unix.SYS_ADD_KEY, unix.SYS_REQUEST_KEY, unix.SYS_KEYCTL, // keyrings are not namespaced: reach the user's secrets
	unix.SYS_UNSHARE, unix.SYS_SETNS, // new namespaces would reopen what the sandbox closed
	unix.SYS_MOUNT, unix.SYS_UMOUNT2, unix.SYS_PIVOT_ROOT, unix.SYS_CHROOT, // reshape or escape the prepared mount tree
	unix.SYS_FSOPEN, unix.SYS_FSCONFIG, unix.SYS_FSMOUNT, unix.SYS_FSPICK, // the new mount API, same reason
	unix.SYS_MOVE_MOUNT, unix.SYS_OPEN_TREE, unix.SYS_MOUNT_SETATTR, unix.SYS_OPEN_TREE_ATTR,
	unix.SYS_KEXEC_LOAD, unix.SYS_REBOOT, // replace or stop the kernel (kexec_file_load is per arch)
	unix.SYS_INIT_MODULE, unix.SYS_FINIT_MODULE, unix.SYS_DELETE_MODULE, // load code into the kernel
	unix.SYS_SWAPON, unix.SYS_SWAPOFF, unix.SYS_ACCT, // host-wide system state
	unix.SYS_QUOTACTL, unix.SYS_QUOTACTL_FD, // filesystem quotas are host-wide
	unix.SYS_USERFAULTFD,                                   // stalls kernel copies: a race-exploit primitive
	unix.SYS_NAME_TO_HANDLE_AT, unix.SYS_OPEN_BY_HANDLE_AT, // opens files by handle, around the mount tree
	unix.SYS_LOOKUP_DCOOKIE, unix.SYS_SYSLOG, // leak kernel paths and addresses
	unix.SYS_SETTIMEOFDAY, unix.SYS_CLOCK_SETTIME, unix.SYS_CLOCK_ADJTIME, unix.SYS_ADJTIMEX, // the clock is host-wide
	unix.SYS_VHANGUP, // hangs up the controlling terminal
}

// buildSeccompFilter returns the BPF program for opts.
func buildSeccompFilter(opts seccompOptions) ([]unix.SockFilter, error) {
	arch, err := nativeSeccompArch(runtime.GOARCH)
	if err != nil {
		return nil, err
	}
	var b bpfBlock
	b.load(seccompDataArch)
	b.ifNe(arch.audit, retKill) // a foreign ABI (i386 int 0x80, arm32 compat) has other syscall numbers
	b.load(seccompDataNr)
	if arch.x32 {
		b.ifSet(x32SyscallBit, retKill) // x32 numbers would slip past every rule below
	}
	for _, nr := range slices.Concat(deniedSyscalls, arch.deny) {
		b.ifEq(nr, retEPERM)
	}
	b.ifEq(unix.SYS_CLONE3, retENOSYS) // its flags sit in memory BPF cannot read; ENOSYS makes libc and Go fall back to clone

	var clone bpfBlock // legacy clone uses only the low 32 bits of flags, where every CLONE_NEW* lives
	clone.load(argLo(0))
	clone.ifSet(cloneNamespaces, retEPERM) // no new namespaces, as for unshare
	clone.ret(retAllow)
	b.onSyscall(unix.SYS_CLONE, clone)

	var pers bpfBlock // persona is an unsigned int; a set high half is refused rather than truncated
	pers.load(argHi(0))
	pers.ifNe(0, retEPERM)
	pers.load(argLo(0))
	pers.ifEq(0, retAllow)                // PER_LINUX, the default
	pers.ifEq(personalityQuery, retAllow) // read-only query
	pers.ret(retEPERM)                    // everything else, ADDR_NO_RANDOMIZE first: it weakens ASLR
	b.onSyscall(unix.SYS_PERSONALITY, pers)

	var ioctl bpfBlock // the request is an unsigned int: the kernel ignores the high half
	ioctl.load(argLo(1))
	ioctl.ifEq(unix.TIOCSTI, retEPERM)   // pushes input into a terminal another process reads
	ioctl.ifEq(unix.TIOCLINUX, retEPERM) // console selection paste does the same
	ioctl.ret(retAllow)
	b.onSyscall(unix.SYS_IOCTL, ioctl)

	// socket and socketpair(domain, type, protocol); domain and protocol are ints.
	// A unix socket made by socket() can connect to any listening socket on
	// the host by path (docker.sock, the D-Bus bus, ssh-agent): Landlock only
	// controls that from ABI 9. So only socketpair() may make unix sockets,
	// unless the options allow them.
	sockBlock := func(unixOK bool) bpfBlock {
		var sock bpfBlock
		sock.load(argHi(0))
		sock.ifNe(0, retEAFNOSUPPORT)
		sock.load(argLo(0))
		if unixOK {
			sock.ifEq(unix.AF_UNIX, retAllow) // local IPC between the command's own processes
		} else {
			sock.ifEq(unix.AF_UNIX, retEPERM)
		}
		if opts.Network {
			sock.ifEq(unix.AF_INET, retAllow) // the network namespace and egress proxy confine these
			sock.ifEq(unix.AF_INET6, retAllow)
		}
		sock.ifNe(unix.AF_NETLINK, retEAFNOSUPPORT) // raw packets, vsock, bluetooth, ...: not needed, all risk
		sock.load(argHi(2))
		sock.ifNe(0, retEPROTONOSUPPORT)
		sock.load(argLo(2))
		sock.ifEq(unix.NETLINK_ROUTE, retAllow) // listing interfaces and addresses
		sock.ret(retEPROTONOSUPPORT)            // audit, sock_diag, netfilter, uevents: none is needed
		return sock
	}
	b.onSyscall(unix.SYS_SOCKET, sockBlock(opts.UnixSockets))
	b.onSyscall(unix.SYS_SOCKETPAIR, sockBlock(true))

	b.ret(retAllow) // the other layers confine what is left
	return b.assemble()
}

// installSeccomp loads prog on the CALLING THREAD ONLY (no TSYNC: the caller
// locks the OS thread and execve's right after). It requires no_new_privs to
// be set already and returns a clear error otherwise.
func installSeccomp(prog []unix.SockFilter) error {
	if len(prog) == 0 || len(prog) > unix.BPF_MAXINSNS {
		return fmt.Errorf("install seccomp filter: program has %d instructions, want 1 to %d", len(prog), unix.BPF_MAXINSNS)
	}
	// Refuse even where CAP_SYS_ADMIN would let the kernel accept the
	// filter: without no_new_privs a setuid exec could shed it, and the bit
	// is per thread, so this also catches it being set on another thread.
	nnp, err := unix.PrctlRetInt(unix.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0)
	if err != nil {
		return fmt.Errorf("install seccomp filter: read no_new_privs: %w", err)
	}
	if nnp != 1 {
		return errors.New("install seccomp filter: no_new_privs is not set on this thread: call prctl(PR_SET_NO_NEW_PRIVS, 1) on the locked thread first")
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER, 0, uintptr(unsafe.Pointer(&fprog)))
	runtime.KeepAlive(prog)
	if errno != 0 {
		return fmt.Errorf("install seccomp filter: %w", errno)
	}
	return nil
}

// bpfBlock is straight-line BPF whose only branches are "if A <cond> K,
// return X" and nested per-syscall blocks, so every jump is forward and every
// path ends in a return. assemble places each distinct conditional return
// once, after the block's last instruction.
type bpfBlock struct {
	ins   []unix.SockFilter
	exits []bpfExit
	err   error
}

// bpfExit is a conditional jump at ins[at] waiting for its return.
type bpfExit struct {
	at     int
	action uint32
	onTrue bool // jump on a true condition (Jt) or a false one (Jf)
}

func (b *bpfBlock) load(offset uint32) {
	b.ins = append(b.ins, unix.SockFilter{Code: unix.BPF_LD | unix.BPF_W | unix.BPF_ABS, K: offset})
}

func (b *bpfBlock) ret(action uint32) {
	b.ins = append(b.ins, unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: action})
}

func (b *bpfBlock) ifEq(k, action uint32)  { b.exit(unix.BPF_JEQ, k, action, true) }
func (b *bpfBlock) ifNe(k, action uint32)  { b.exit(unix.BPF_JEQ, k, action, false) }
func (b *bpfBlock) ifSet(k, action uint32) { b.exit(unix.BPF_JSET, k, action, true) }

func (b *bpfBlock) exit(op uint16, k, action uint32, onTrue bool) {
	b.exits = append(b.exits, bpfExit{at: len(b.ins), action: action, onTrue: onTrue})
	b.ins = append(b.ins, unix.SockFilter{Code: unix.BPF_JMP | op | unix.BPF_K, K: k})
}

// onSyscall runs body when A holds syscall nr and skips it otherwise, leaving
// A unchanged for the rules after it.
func (b *bpfBlock) onSyscall(nr uint32, body bpfBlock) {
	prog, err := body.assemble()
	if err == nil && len(prog) > 0xff {
		err = fmt.Errorf("seccomp filter: rule for syscall %d has %d instructions, more than a jump can skip", nr, len(prog))
	}
	if err != nil {
		b.err = errors.Join(b.err, err)
		return
	}
	b.ins = append(b.ins, unix.SockFilter{Code: unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K, K: nr, Jf: uint8(len(prog))})
	b.ins = append(b.ins, prog...)
}

func (b *bpfBlock) assemble() ([]unix.SockFilter, error) {
	if b.err != nil {
		return nil, b.err
	}
	n := len(b.ins)
	if n == 0 || b.ins[n-1].Code != unix.BPF_RET|unix.BPF_K {
		return nil, errors.New("seccomp filter: a block must end with a return")
	}
	prog := slices.Clone(b.ins)
	target := map[uint32]int{prog[n-1].K: n - 1}
	for _, e := range b.exits {
		t, ok := target[e.action]
		if !ok {
			t = len(prog)
			target[e.action] = t
			prog = append(prog, unix.SockFilter{Code: unix.BPF_RET | unix.BPF_K, K: e.action})
		}
		off := t - e.at - 1
		if off > 0xff {
			return nil, fmt.Errorf("seccomp filter: jump of %d instructions is too long", off)
		}
		if e.onTrue {
			prog[e.at].Jt = uint8(off)
		} else {
			prog[e.at].Jf = uint8(off)
		}
	}
	return prog, nil
}
