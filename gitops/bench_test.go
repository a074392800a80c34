package gitops

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// BenchmarkTaskLifecycle is a session's whole git cost: open the repository,
// start the task (worktree and branch), commit one new file, remove the
// worktree. Each git invocation costs a few milliseconds, so this is what the
// scripted-task budget pays for working in a repository.
func BenchmarkTaskLifecycle(b *testing.B) {
	dir := b.TempDir()
	for _, args := range [][]string{{"init", "-q"}, {"commit", "-q", "--allow-empty", "-m", "initial"}} {
		if _, err := gitEnv(dir, nil, args...); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	i := 0
	for b.Loop() {
		i++
		r, err := Open(ctx, dir)
		if err != nil {
			b.Fatal(err)
		}
		task, err := r.StartTask(ctx, TaskOptions{SessionID: fmt.Sprintf("%08xbeef", i), Title: "bench"})
		if err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(task.Worktree, "out.txt"), []byte("ok\n"), 0o644); err != nil {
			b.Fatal(err)
		}
		if sha, err := task.Commit(ctx, "bench", "", nil); err != nil || sha == "" {
			b.Fatalf("commit %q: %v", sha, err)
		}
		if err := task.Remove(ctx); err != nil {
			b.Fatal(err)
		}
	}
}
