package sandbox

import (
	"context"
	"strings"
	"testing"
	"time"
)

// A fork bomb stops at the process limit instead of taking the machine, and
// a command sees no file descriptor but its own and stdio.
func TestConfinedLimitsAndDescriptors(t *testing.T) {
	if err := Available(ReadOnly); err != nil {
		t.Skip(err)
	}
	tests := []struct {
		name   string
		limits Limits
		script string
		check  func(t *testing.T, res *Result)
	}{
		{"process limit", Limits{Processes: 400}, `i=0; while [ $i -lt 2000 ]; do sleep 60 & i=$((i+1)); done; echo "started all $i"`,
			func(t *testing.T, res *Result) {
				if strings.Contains(string(res.Stdout), "started all 2000") {
					t.Errorf("2000 processes started under a limit of 400")
				}
				if !strings.Contains(string(res.Stderr), "fork") {
					t.Errorf("stderr %q does not mention the failed fork", res.Stderr)
				}
			}},
		{"file size limit", Limits{FileSize: 1 << 20}, `head -c 2097152 /dev/zero > $TMPDIR/big; echo "exit=$?"; wc -c < $TMPDIR/big`,
			func(t *testing.T, res *Result) {
				if !strings.Contains(string(res.Stdout), "1048576") {
					t.Errorf("stdout %q: want the file cut at 1 MiB", res.Stdout)
				}
			}},
		{"no leaked descriptors", Limits{}, `ls /proc/self/fd | tr '\n' ' '`,
			func(t *testing.T, res *Result) {
				if got := strings.TrimSpace(string(res.Stdout)); got != "0 1 2 3" { // 3 is ls's own directory
					t.Errorf("open descriptors = %q, want 0 1 2 3", got)
				}
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws := t.TempDir()
			res, err := Run(context.Background(), Profile{Mode: ReadOnly, Workspace: ws, Limits: tc.limits},
				&Cmd{Args: []string{"/bin/sh", "-c", tc.script}, Dir: ws, Env: []string{"PATH=" + DefaultPath}, Timeout: 60 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, res)
		})
	}
}

// Sessions of one repository share the build cache, whatever worktree they
// run in; other repositories get their own.
func TestCacheKeySharesTheCache(t *testing.T) {
	if err := Available(WorkspaceWrite); err != nil {
		t.Skip(err)
	}
	cacheOf := func(key string) string {
		ws := t.TempDir()
		res, err := Run(context.Background(), Profile{Mode: WorkspaceWrite, Workspace: ws, CacheKey: key},
			&Cmd{Args: []string{"/bin/sh", "-c", `echo "$XDG_CACHE_HOME"`}, Dir: ws, Env: []string{"PATH=" + DefaultPath}})
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(res.Stdout))
	}
	key := t.TempDir()
	a, b, other := cacheOf(key), cacheOf(key), cacheOf(t.TempDir())
	if a == "" || a != b || a == other || a != CacheDir(key) {
		t.Errorf("caches: %q %q %q, want the first two equal to CacheDir(key) = %q and the third different", a, b, other, CacheDir(key))
	}
}
