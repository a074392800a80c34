package sandbox

// Limits bound what one confined command may consume. Zero fields take the
// defaults below; the wall time is Cmd.Timeout and the output cap Cmd.MaxOutput.
type Limits struct {
	Processes int   `json:"processes"`  // processes and threads in the command's PID namespace
	Memory    int64 `json:"memory"`     // bytes of data segment (RLIMIT_DATA)
	FileSize  int64 `json:"file_size"`  // bytes in one written file (RLIMIT_FSIZE)
	OpenFiles int   `json:"open_files"` // file descriptors (RLIMIT_NOFILE)
}

// Default limits, documented in docs/security-profiles.md.
const (
	DefaultProcesses = 1024
	DefaultMemory    = 8 << 30
	DefaultFileSize  = 1 << 30
	DefaultOpenFiles = 4096
)

func defaultLimits(l Limits) Limits {
	if l.Processes <= 0 {
		l.Processes = DefaultProcesses
	}
	if l.Memory <= 0 {
		l.Memory = DefaultMemory
	}
	if l.FileSize <= 0 {
		l.FileSize = DefaultFileSize
	}
	if l.OpenFiles <= 0 {
		l.OpenFiles = DefaultOpenFiles
	}
	return l
}
