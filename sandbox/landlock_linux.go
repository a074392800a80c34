package sandbox

import (
	"errors"
	"fmt"
	"os"

	"unsafe"

	"golang.org/x/sys/unix"
)

// ll holds the Landlock constants and the three system calls, straight from
// x/sys: a library would add threads handling (psx) that the init does not
// need, since it restricts the one thread that calls execve.
var ll = struct {
	AccessFSExecute, AccessFSWriteFile, AccessFSReadFile, AccessFSReadDir, AccessFSRemoveDir,
	AccessFSRemoveFile, AccessFSMakeChar, AccessFSMakeDir, AccessFSMakeReg, AccessFSMakeSock,
	AccessFSMakeFifo, AccessFSMakeBlock, AccessFSMakeSym, AccessFSRefer, AccessFSTruncate,
	AccessFSIoctlDev, ScopeSignal, ScopeAbstractUnixSocket uint64
}{
	unix.LANDLOCK_ACCESS_FS_EXECUTE, unix.LANDLOCK_ACCESS_FS_WRITE_FILE, unix.LANDLOCK_ACCESS_FS_READ_FILE,
	unix.LANDLOCK_ACCESS_FS_READ_DIR, unix.LANDLOCK_ACCESS_FS_REMOVE_DIR, unix.LANDLOCK_ACCESS_FS_REMOVE_FILE,
	unix.LANDLOCK_ACCESS_FS_MAKE_CHAR, unix.LANDLOCK_ACCESS_FS_MAKE_DIR, unix.LANDLOCK_ACCESS_FS_MAKE_REG,
	unix.LANDLOCK_ACCESS_FS_MAKE_SOCK, unix.LANDLOCK_ACCESS_FS_MAKE_FIFO, unix.LANDLOCK_ACCESS_FS_MAKE_BLOCK,
	unix.LANDLOCK_ACCESS_FS_MAKE_SYM, unix.LANDLOCK_ACCESS_FS_REFER, unix.LANDLOCK_ACCESS_FS_TRUNCATE,
	unix.LANDLOCK_ACCESS_FS_IOCTL_DEV, unix.LANDLOCK_SCOPE_SIGNAL, unix.LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET,
}

// landlockABI returns the kernel's Landlock ABI version.
func landlockABI() (int, error) {
	v, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, 0, 0, unix.LANDLOCK_CREATE_RULESET_VERSION)
	if e != 0 {
		return 0, e
	}
	return int(v), nil
}

func landlockCreateRuleset(attr *unix.LandlockRulesetAttr) (int, error) {
	fd, _, e := unix.Syscall(unix.SYS_LANDLOCK_CREATE_RULESET, uintptr(unsafe.Pointer(attr)), unsafe.Sizeof(*attr), 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}

func landlockAddPath(rulesetFD int, attr *unix.LandlockPathBeneathAttr) error {
	_, _, e := unix.Syscall6(unix.SYS_LANDLOCK_ADD_RULE, uintptr(rulesetFD), unix.LANDLOCK_RULE_PATH_BENEATH, uintptr(unsafe.Pointer(attr)), 0, 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

func landlockRestrictSelf(rulesetFD int) error {
	_, _, e := unix.Syscall(unix.SYS_LANDLOCK_RESTRICT_SELF, uintptr(rulesetFD), 0, 0)
	if e != 0 {
		return e
	}
	return nil
}

// minLandlockABI is the oldest Landlock we accept: ABI 3 controls file
// truncation, without which "read-only" would not hold for O_TRUNC.
const minLandlockABI = 3

// fsRights is every filesystem right Landlock knows at abi: all of them are
// handled, so whatever no rule grants is denied.
func fsRights(abi int) uint64 {
	r := (ll.AccessFSExecute | ll.AccessFSWriteFile | ll.AccessFSReadFile | ll.AccessFSReadDir |
		ll.AccessFSRemoveDir | ll.AccessFSRemoveFile | ll.AccessFSMakeChar | ll.AccessFSMakeDir |
		ll.AccessFSMakeReg | ll.AccessFSMakeSock | ll.AccessFSMakeFifo | ll.AccessFSMakeBlock | ll.AccessFSMakeSym)
	if abi >= 2 {
		r |= ll.AccessFSRefer
	}
	if abi >= 3 {
		r |= ll.AccessFSTruncate
	}
	if abi >= 5 {
		r |= ll.AccessFSIoctlDev
	}
	return r
}

var (
	fileRead  = ll.AccessFSReadFile
	dirRead   = ll.AccessFSReadFile | ll.AccessFSReadDir
	fileWrite = ll.AccessFSWriteFile | ll.AccessFSTruncate
)

// applyLandlock restricts the calling thread (and what it executes) to the
// spec's paths. It is never best effort: an ABI below minLandlockABI or any
// rule the kernel rejects fails the setup.
func applyLandlock(s *initSpec) error {
	abi, err := landlockABI()
	if err != nil || abi < minLandlockABI {
		return fmt.Errorf("landlock ABI %d is too old or unavailable (need %d): %v", abi, minLandlockABI, err)
	}
	all := fsRights(abi)
	attr := unix.LandlockRulesetAttr{Handled_access_fs: all}
	if abi >= 6 {
		// Signals and abstract unix sockets stop at the sandbox's edge.
		attr.Scoped = ll.ScopeSignal | ll.ScopeAbstractUnixSocket
	}
	fd, err := landlockCreateRuleset(&attr)
	if err != nil {
		return fmt.Errorf("create ruleset: %w", err)
	}
	defer unix.Close(fd)

	exec := ll.AccessFSExecute
	if s.ExecFiles != nil {
		exec = 0 // offline: only the allowlist below may run
	}
	add := func(path string, dirRights, fileRights uint64) error {
		return addPath(fd, path, dirRights&all, fileRights&all)
	}
	for _, p := range s.ReadPaths {
		if err := add(p, dirRead|exec, fileRead|exec); err != nil {
			return err
		}
	}
	for _, p := range s.ExecFiles {
		if err := add(p, 0, fileRead|ll.AccessFSExecute); err != nil {
			return err
		}
	}
	ioctl := uint64(0)
	if abi >= 5 {
		ioctl = ll.AccessFSIoctlDev
	}
	for _, p := range s.DevFiles {
		if err := add(p, dirRead|fileWrite|ioctl, fileRead|fileWrite|ioctl); err != nil {
			return err
		}
	}
	// Writable trees: everything but creating device nodes.
	writeDir := all&^(ll.AccessFSMakeChar|ll.AccessFSMakeBlock|ll.AccessFSExecute) | exec
	writeFile := (fileRead | fileWrite | ioctl | exec) & all
	for _, p := range s.WritePaths {
		if err := add(p, writeDir, writeFile); err != nil {
			return err
		}
	}
	if err := landlockRestrictSelf(fd); err != nil {
		return fmt.Errorf("restrict self: %w", err)
	}
	return nil
}

// addPath grants rights beneath path: dirRights for a directory, fileRights
// for anything else. A path that does not exist grants nothing.
func addPath(rulesetFD int, path string, dirRights, fileRights uint64) error {
	if path == "" {
		return nil
	}
	f, err := os.OpenFile(path, unix.O_PATH|unix.O_CLOEXEC, 0)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil
		}
		return fmt.Errorf("open %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return err
	}
	rights := fileRights
	if fi.IsDir() {
		rights = dirRights
	}
	if rights == 0 {
		return nil
	}
	attr := unix.LandlockPathBeneathAttr{Allowed_access: rights, Parent_fd: int32(f.Fd())}
	if err := landlockAddPath(rulesetFD, &attr); err != nil {
		return fmt.Errorf("allow %s: %w", path, err)
	}
	return nil
}
