package audit

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"sync"
	"testing"
)

// checkChain verifies the log at path and checks it holds seqs 1..want.
func checkChain(t *testing.T, path string, want int) {
	t.Helper()
	files, err := Files(path)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := Verify(files, nil)
	if err != nil {
		t.Fatal(err)
	}
	checkReport(t, rep, "", 0, 0, "", want, "")
	entries, err := Read(files)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != want {
		t.Fatalf("Read %d entries, want %d", len(entries), want)
	}
	for i, e := range entries {
		if e.Seq != int64(i+1) {
			t.Fatalf("entry %d has seq %d", i+1, e.Seq)
		}
	}
}

func TestConcurrentLogs(t *testing.T) {
	t.Parallel()
	const writers, each = 2, 200
	tests := []struct {
		name     string
		maxBytes int64
	}{
		{name: "one file"},
		{name: "rotating", maxBytes: 8 << 10},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "audit.jsonl")
			var wg sync.WaitGroup
			errs := make(chan error, writers)
			for w := range writers {
				// Separate Logs, as separate processes would have: only the
				// file lock keeps them apart.
				l, err := Open(Options{Path: path, MaxBytes: tc.maxBytes})
				if err != nil {
					t.Fatal(err)
				}
				defer l.Close()
				wg.Go(func() {
					for i := range each {
						if _, err := l.Append(Entry{Operation: "tool.call", Target: fmt.Sprintf("w%d/%d", w, i)}); err != nil {
							errs <- err
							return
						}
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				t.Fatal(err)
			}
			checkChain(t, path, writers*each)
		})
	}
}

// helperEnv names the log a re-executed test binary appends to.
const helperEnv = "GIT_AGENT_AUDIT_TEST_LOG"

func TestConcurrentProcesses(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("re-executes the test binary")
	}
	const procs, each = 2, 200
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	cmds := make([]*exec.Cmd, procs)
	for i := range cmds {
		cmd := exec.Command(os.Args[0], "-test.run=^TestAppendHelperProcess$", "-test.count=1")
		cmd.Env = append(os.Environ(), helperEnv+"="+path, helperEnv+"_N="+strconv.Itoa(each))
		cmds[i] = cmd
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("helper process: %v", err)
		}
	}
	checkChain(t, path, procs*each)
}

// TestAppendHelperProcess is the child of TestConcurrentProcesses.
func TestAppendHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("only run by TestConcurrentProcesses")
	}
	n, err := strconv.Atoi(os.Getenv(helperEnv + "_N"))
	if err != nil {
		t.Fatal(err)
	}
	l, err := Open(Options{Path: path, MaxBytes: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for i := range n {
		if _, err := l.Append(Entry{Operation: "exec", Target: fmt.Sprintf("pid %d #%d", os.Getpid(), i)}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestPermissions(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("no unix modes")
	}
	tests := []struct {
		name     string
		existing fs.FileMode // mode of a log file that exists before Open; 0 for none
	}{
		{name: "new log"},
		{name: "existing world-readable log", existing: 0o644},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := t.TempDir()
			dir := filepath.Join(root, "state", "git-agent", "audit")
			path := filepath.Join(dir, "audit.jsonl")
			if tc.existing != 0 {
				if err := os.MkdirAll(dir, 0o700); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, nil, tc.existing); err != nil {
					t.Fatal(err)
				}
				if err := os.Chmod(path, tc.existing); err != nil {
					t.Fatal(err)
				}
			}
			writeLog(t, Options{Path: path, MaxBytes: 1000}, 10)
			for _, d := range []string{filepath.Join(root, "state"), filepath.Join(root, "state", "git-agent"), dir} {
				checkMode(t, d, fs.ModeDir|0o700)
			}
			files, err := Files(path)
			if err != nil {
				t.Fatal(err)
			}
			if len(files) < 2 {
				t.Errorf("expected rotation, got %q", files)
			}
			for _, f := range append(files, path+".lock") {
				checkMode(t, f, 0o600)
			}
		})
	}
}

func checkMode(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != want {
		t.Errorf("%s has mode %v, want %v", path, fi.Mode(), want)
	}
}
