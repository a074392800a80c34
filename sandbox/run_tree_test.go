//go:build linux

package sandbox

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// readPid waits for the command under test to write a pid to file.
func readPid(t *testing.T, file string) int {
	t.Helper()
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		b, err := os.ReadFile(file)
		if err != nil || !strings.HasSuffix(string(b), "\n") {
			continue
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			t.Fatalf("pid file: %v", err)
		}
		return pid
	}
	t.Fatalf("no pid in %s", file)
	return 0
}

// gone reports whether pid has died within a short poll. A zombie counts as
// dead: once killed, an orphan waits for whoever adopted it to reap it.
func gone(pid int) bool {
	for deadline := time.Now().Add(2 * time.Second); time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			return true
		}
		stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
		if err != nil {
			return true
		}
		// The state follows the parenthesised command name.
		if f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:])); len(f) > 0 && f[0] == "Z" {
			return true
		}
	}
	return false
}

func killAfterTest(t *testing.T, pid int) {
	t.Cleanup(func() { _ = syscall.Kill(pid, syscall.SIGKILL) })
}

func TestRunProcessTree(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		script  string // writes the pid of a background child to $1
		timeout time.Duration
		cancel  time.Duration // cancel ctx after this long
		want    outcome
		wantErr error
		within  time.Duration
	}{
		{name: "timeout kills the tree", script: `sleep 30 & echo $! > "$1"; sleep 30`, timeout: 300 * time.Millisecond,
			want: outcome{ExitCode: ExitTimeout, Signal: "SIGKILL"}, within: 5 * time.Second},
		{name: "cancel kills the tree", script: `sleep 30 & echo $! > "$1"; sleep 30`, cancel: 300 * time.Millisecond,
			want: outcome{ExitCode: 137, Signal: "SIGKILL"}, wantErr: context.Canceled, within: 5 * time.Second},
		{name: "background child after exit", script: `sleep 30 & echo $! > "$1"; echo started`,
			want: outcome{Stdout: "started\n"}, within: 5 * time.Second},
		{name: "background child holding stdout", script: `(sleep 30; echo late) & echo $! > "$1"`,
			want: outcome{}, within: 5 * time.Second},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := trusted(t)
			pidfile := filepath.Join(p.Workspace, "pid")
			ctx := t.Context()
			if tt.cancel > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				time.AfterFunc(tt.cancel, cancel)
			}
			start := time.Now()
			res, err := Run(ctx, p, &Cmd{Args: []string{"sh", "-c", tt.script, "sh", pidfile}, Dir: p.Workspace, Env: testEnv, Timeout: tt.timeout})
			elapsed := time.Since(start)
			pid := readPid(t, pidfile)
			killAfterTest(t, pid)
			t.Logf("Run returned after %v (measured %v)", elapsed.Round(time.Millisecond), res.Duration.Round(time.Millisecond))
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Run error = %v, want %v", err, tt.wantErr)
			}
			if got := outcomeOf(res); got != tt.want {
				t.Errorf("Run = %+v, want %+v", got, tt.want)
			}
			if res.TimedOut != (tt.timeout > 0) || res.Canceled != (tt.cancel > 0) {
				t.Errorf("TimedOut, Canceled = %v, %v", res.TimedOut, res.Canceled)
			}
			if elapsed > tt.within {
				t.Errorf("Run took %v, want under %v", elapsed, tt.within)
			}
			if !gone(pid) {
				t.Errorf("background child %d outlived Run", pid)
			}
		})
	}
}

// A process that leaves the group (setsid) escapes a process-group kill,
// but not the reaper of a trusted command: it dies when the command ends,
// and Run returns at once with what was written before, not after the
// drain grace.
func TestRunEscapedChildIsKilled(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		script  string
		timeout time.Duration
		want    outcome
	}{
		{name: "the command exits", script: `setsid sh -c 'echo $$ > "$1"; exec sleep 30' sh "$1" & while [ ! -s "$1" ]; do sleep 0.01; done; echo hi`,
			want: outcome{Stdout: "hi\n"}},
		{name: "a double fork", script: `(setsid sh -c '(echo $$ > "$1"; exec sleep 30) &' sh "$1" &) ; while [ ! -s "$1" ]; do sleep 0.01; done; echo hi`,
			want: outcome{Stdout: "hi\n"}},
		{name: "the command times out", script: `setsid sh -c 'echo $$ > "$1"; exec sleep 30' sh "$1" & echo hi; sleep 30`,
			timeout: 500 * time.Millisecond, want: outcome{Stdout: "hi\n", ExitCode: ExitTimeout, Signal: "SIGKILL"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := trusted(t)
			pidfile := filepath.Join(p.Workspace, "pid")
			start := time.Now()
			res, err := Run(t.Context(), p, &Cmd{Args: []string{"sh", "-c", tt.script, "sh", pidfile},
				Dir: p.Workspace, Env: testEnv, Timeout: tt.timeout})
			elapsed := time.Since(start)
			pid := readPid(t, pidfile)
			killAfterTest(t, pid)
			t.Logf("Run returned after %v", elapsed.Round(time.Millisecond))
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if got := outcomeOf(res); got != tt.want {
				t.Errorf("Run = %+v, want %+v", got, tt.want)
			}
			if !gone(pid) {
				t.Errorf("the escaped child %d outlived Run", pid)
			}
			if elapsed > tt.timeout+drainGrace {
				t.Errorf("Run took %v: it waited for the drain instead of the reaper", elapsed)
			}
		})
	}
}

// TestTrustedExitStatus: the reaper reports the command's exit code and
// the signal that killed it unchanged, and passes stdin through.
func TestTrustedExitStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		args  []string
		stdin string
		want  outcome
	}{
		{"exit code", []string{"sh", "-c", "exit 3"}, "", outcome{ExitCode: 3}},
		{"killed by a signal", []string{"sh", "-c", "kill -TERM $$"}, "", outcome{ExitCode: 143, Signal: "SIGTERM"}},
		// Signals the Go runtime would turn into a goroutine dump or ignore.
		{"aborted", []string{"sh", "-c", "kill -ABRT $$"}, "", outcome{ExitCode: 134, Signal: "SIGABRT"}},
		{"quit", []string{"sh", "-c", "kill -QUIT $$"}, "", outcome{ExitCode: 131, Signal: "SIGQUIT"}},
		{"segfault", []string{"sh", "-c", "kill -SEGV $$"}, "", outcome{ExitCode: 139, Signal: "SIGSEGV"}},
		{"killed", []string{"sh", "-c", "kill -KILL $$"}, "", outcome{ExitCode: 137, Signal: "SIGKILL"}},
		{"stdin", []string{"cat"}, "piped\n", outcome{Stdout: "piped\n"}},
		{"not a program", []string{"./garbage"}, "", outcome{ExitCode: 126, Stderr: "git-agent: ./garbage: exec format error\n"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := trusted(t)
			if err := os.WriteFile(filepath.Join(p.Workspace, "garbage"), []byte("\x00\x01 not a program\n"), 0o755); err != nil {
				t.Fatal(err)
			}
			c := &Cmd{Args: tt.args, Dir: p.Workspace, Env: testEnv}
			if tt.stdin != "" {
				c.Stdin = strings.NewReader(tt.stdin)
			}
			res, err := Run(t.Context(), p, c)
			if err != nil {
				t.Fatal(err)
			}
			if got := outcomeOf(res); got != tt.want {
				t.Errorf("Run = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestTrustedWithoutInitHook: a program whose main never asks IsInit
// cannot serve as a reaper (a copy of it would run its own main), so its
// trusted commands run without one, in a process group. Not parallel: it
// changes what the whole test binary says about itself.
func TestTrustedWithoutInitHook(t *testing.T) {
	initHooked.Store(false)
	defer initHooked.Store(true)
	if conf, err := trustedConfinement(&Cmd{Args: []string{"true"}}); conf != nil || err != nil {
		t.Fatalf("trustedConfinement without the hook = %v, %v; want none", conf, err)
	}
	p := trusted(t)
	res, err := Run(t.Context(), p, &Cmd{Args: []string{"sh", "-c", "echo $PPID; exit 4"}, Dir: p.Workspace, Env: testEnv})
	if err != nil || res.ExitCode != 4 {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	if ppid := strings.TrimSpace(string(res.Stdout)); ppid != strconv.Itoa(os.Getpid()) {
		t.Errorf("the command's parent is %s, want this process (%d): a reaper ran", ppid, os.Getpid())
	}
}
