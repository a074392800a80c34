//go:build windows

package sandbox

import (
	"errors"
	"fmt"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Job object limits for every command on Windows. The job is the Windows
// counterpart of the process group: everything the command starts is in it
// (no breakaway is allowed) and dies with it.
const (
	jobProcesses = 256     // processes alive at once in the job
	jobMemory    = 4 << 30 // bytes of committed memory, the whole job together
)

// job is a Job Object holding one command and everything it starts.
type job struct{ h windows.Handle }

// newJob creates a job that kills its processes when its last handle closes
// (so they die with git-agent, too), caps their number and their memory, and
// ends a crashing process at once instead of leaving it on an error dialog.
func newJob(processes uint32, memory uint64) (*job, error) {
	h, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return nil, fmt.Errorf("create job object: %w", err)
	}
	if max := uint64(^uintptr(0)); memory > max {
		memory = max
	}
	var info windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
	info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE |
		windows.JOB_OBJECT_LIMIT_ACTIVE_PROCESS | windows.JOB_OBJECT_LIMIT_JOB_MEMORY |
		windows.JOB_OBJECT_LIMIT_DIE_ON_UNHANDLED_EXCEPTION
	info.BasicLimitInformation.ActiveProcessLimit = processes
	info.JobMemoryLimit = uintptr(memory)
	if _, err := windows.SetInformationJobObject(h, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		_ = windows.CloseHandle(h)
		return nil, fmt.Errorf("set job object limits: %w", err)
	}
	return &job{h: h}, nil
}

// startInJob puts the suspended process pid in a new job, then lets it run.
// The caller still holds its own handle to the process, so pid cannot have
// been reused. On error the process has not run a single instruction of the
// command, and the caller must kill it.
func startInJob(pid int) (*job, error) {
	proc, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(pid))
	if err != nil {
		return nil, fmt.Errorf("open process %d: %w", pid, err)
	}
	defer windows.CloseHandle(proc)
	j, err := newJob(jobProcesses, jobMemory)
	if err != nil {
		return nil, err
	}
	if err := windows.AssignProcessToJobObject(j.h, proc); err != nil {
		j.terminate()
		return nil, fmt.Errorf("assign process to job object: %w", err)
	}
	if err := resumeProcess(uint32(pid)); err != nil {
		j.terminate()
		return nil, err
	}
	return j, nil
}

// terminate kills every process left in the job and releases it.
func (j *job) terminate() {
	_ = windows.TerminateJobObject(j.h, 1)
	_ = windows.CloseHandle(j.h)
}

// resumeProcess resumes the threads of a process created suspended. The
// primary thread's handle is closed by os.StartProcess, so the threads are
// found in a snapshot of the system's threads.
func resumeProcess(pid uint32) error {
	snap, err := windows.CreateToolhelp32Snapshot(windows.TH32CS_SNAPTHREAD, 0)
	if err != nil {
		return fmt.Errorf("snapshot threads: %w", err)
	}
	defer windows.CloseHandle(snap)
	te := windows.ThreadEntry32{Size: uint32(unsafe.Sizeof(windows.ThreadEntry32{}))}
	resumed := 0
	for err = windows.Thread32First(snap, &te); err == nil; err = windows.Thread32Next(snap, &te) {
		if te.OwnerProcessID != pid {
			continue
		}
		th, err := windows.OpenThread(windows.THREAD_SUSPEND_RESUME, false, te.ThreadID)
		if err != nil {
			return fmt.Errorf("open thread %d of process %d: %w", te.ThreadID, pid, err)
		}
		_, err = windows.ResumeThread(th)
		_ = windows.CloseHandle(th)
		if err != nil {
			return fmt.Errorf("resume thread %d of process %d: %w", te.ThreadID, pid, err)
		}
		resumed++
	}
	if !errors.Is(err, windows.ERROR_NO_MORE_FILES) {
		return fmt.Errorf("list threads: %w", err)
	}
	if resumed == 0 {
		return fmt.Errorf("process %d has no thread to resume", pid)
	}
	return nil
}
