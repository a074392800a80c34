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

// A process that leaves the group (setsid) escapes the kill; Run must still
// return, after the drain grace, with what was written before.
func TestRunEscapedChildDoesNotHang(t *testing.T) {
	t.Parallel()
	p := trusted(t)
	pidfile := filepath.Join(p.Workspace, "pid")
	start := time.Now()
	res, err := Run(t.Context(), p, &Cmd{
		Args: []string{"sh", "-c", `setsid sh -c 'echo $$ > "$1"; exec sleep 30' sh "$1" & while [ ! -s "$1" ]; do sleep 0.01; done; echo hi`, "sh", pidfile},
		Dir:  p.Workspace, Env: testEnv,
	})
	elapsed := time.Since(start)
	killAfterTest(t, readPid(t, pidfile))
	t.Logf("Run returned after %v", elapsed.Round(time.Millisecond))
	if err != nil || res.ExitCode != 0 || string(res.Stdout) != "hi\n" {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	if elapsed > drainGrace+time.Second {
		t.Errorf("Run took %v, want about %v", elapsed, drainGrace)
	}
}
