package sandbox

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var testEnv = []string{"PATH=" + DefaultPath}

func trusted(t *testing.T) Profile {
	t.Helper()
	return Profile{Mode: Trusted, Workspace: t.TempDir()}
}

func TestSandboxRefusesUnavailableProfiles(t *testing.T) {
	t.Parallel()
	for _, m := range append(append([]Mode{}, Modes...), "", "bogus") {
		if m == Trusted || (guarantees[m] != "" && Available(m) == nil) {
			continue // enforceable here: the escape suite covers it
		}
		t.Run(string(m), func(t *testing.T) {
			t.Parallel()
			ws := t.TempDir()
			marker := filepath.Join(ws, "marker")
			res, err := Run(t.Context(), Profile{Mode: m, Workspace: ws},
				&Cmd{Args: []string{"touch", marker}, Dir: ws, Env: testEnv})
			if !errors.Is(err, ErrProfileUnavailable) {
				t.Fatalf("Run error = %v, want ErrProfileUnavailable", err)
			}
			if res != nil {
				t.Errorf("Run result = %+v, want nil", res)
			}
			if _, err := os.Stat(marker); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("marker file: stat error %v: the command ran", err)
			}
			if _, known := guarantees[m]; known && !strings.Contains(err.Error(), "--profile trusted") {
				t.Errorf("error %q does not say how to proceed", err)
			}
			if perr := Available(m); perr == nil || perr.Error() != err.Error() {
				t.Errorf("Available(%q) = %v, want the error Run gave", m, perr)
			}
		})
	}
	if err := Available(Trusted); err != nil {
		t.Errorf("Available(trusted) = %v", err)
	}
}

// outcome is the part of a Result that does not vary between runs.
type outcome struct {
	ExitCode       int
	Stdout, Stderr string
	Signal         string
	Truncated      bool
}

func outcomeOf(r *Result) outcome {
	return outcome{r.ExitCode, string(r.Stdout), string(r.Stderr), r.Signal, r.Truncated}
}

func TestRunExitCodes(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	plain := filepath.Join(ws, "plain")
	if err := os.WriteFile(plain, []byte("echo hi\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		args   []string
		env    []string
		nilEnv bool
		stdin  string
		want   outcome
	}{
		{name: "success", args: []string{"true"}, want: outcome{}},
		{name: "failure", args: []string{"false"}, want: outcome{ExitCode: 1}},
		{name: "exit code", args: []string{"sh", "-c", "exit 3"}, want: outcome{ExitCode: 3}},
		{name: "both streams", args: []string{"sh", "-c", "echo out; echo err >&2"}, want: outcome{Stdout: "out\n", Stderr: "err\n"}},
		{name: "stdin", args: []string{"cat"}, stdin: "in\n", want: outcome{Stdout: "in\n"}},
		{name: "no stdin reads null device", args: []string{"cat"}, want: outcome{}},
		{name: "working directory", args: []string{"pwd"}, want: outcome{Stdout: ws + "\n"}},
		{name: "environment", args: []string{"sh", "-c", `echo "$FOO"`}, env: append([]string{"FOO=bar"}, testEnv...), want: outcome{Stdout: "bar\n"}},
		{name: "nil env is empty", args: []string{"/usr/bin/env"}, nilEnv: true, want: outcome{}},
		{name: "not found", args: []string{"no-such-command-xyz", "arg"},
			want: outcome{ExitCode: 127, Stderr: "git-agent: no-such-command-xyz: command not found\n"}},
		{name: "missing path", args: []string{"./missing"},
			want: outcome{ExitCode: 127, Stderr: "git-agent: ./missing: no such file or directory\n"}},
		{name: "not executable", args: []string{"./plain"},
			want: outcome{ExitCode: 126, Stderr: "git-agent: ./plain: permission denied\n"}},
		{name: "directory", args: []string{ws},
			want: outcome{ExitCode: 126, Stderr: "git-agent: " + ws + ": is a directory\n"}},
		{name: "killed", args: []string{"sh", "-c", "kill -KILL $$"}, want: outcome{ExitCode: 137, Signal: "SIGKILL"}},
		{name: "terminated", args: []string{"sh", "-c", "echo partial; kill -TERM $$"}, want: outcome{ExitCode: 143, Stdout: "partial\n", Signal: "SIGTERM"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c := &Cmd{Args: tt.args, Dir: ws, Env: testEnv}
			if tt.env != nil || tt.nilEnv {
				c.Env = tt.env
			}
			if tt.stdin != "" {
				c.Stdin = strings.NewReader(tt.stdin)
			}
			res, err := Run(t.Context(), Profile{Mode: Trusted, Workspace: ws}, c)
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			if diff := cmp.Diff(tt.want, outcomeOf(res)); diff != "" {
				t.Errorf("Run result mismatch (-want +got):\n%s", diff)
			}
			if res.Duration <= 0 {
				t.Errorf("Duration = %v, want > 0", res.Duration)
			}
		})
	}
}

func TestRunValidation(t *testing.T) {
	t.Parallel()
	ws := t.TempDir()
	file := filepath.Join(ws, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	marker := filepath.Join(ws, "marker")
	touch := []string{"touch", marker}
	tests := []struct {
		name string
		p    Profile
		c    *Cmd
	}{
		{name: "nil command", p: Profile{Mode: Trusted, Workspace: ws}},
		{name: "no args", p: Profile{Mode: Trusted, Workspace: ws}, c: &Cmd{Dir: ws}},
		{name: "empty argv0", p: Profile{Mode: Trusted, Workspace: ws}, c: &Cmd{Args: []string{""}, Dir: ws}},
		{name: "relative workspace", p: Profile{Mode: Trusted, Workspace: "ws"}, c: &Cmd{Args: touch, Dir: ws}},
		{name: "relative dir", p: Profile{Mode: Trusted, Workspace: ws}, c: &Cmd{Args: touch, Dir: "."}},
		{name: "missing dir", p: Profile{Mode: Trusted, Workspace: ws}, c: &Cmd{Args: touch, Dir: filepath.Join(ws, "nope")}},
		{name: "dir is a file", p: Profile{Mode: Trusted, Workspace: ws}, c: &Cmd{Args: touch, Dir: file}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := Run(t.Context(), tt.p, tt.c)
			if err == nil || res != nil {
				t.Fatalf("Run = %+v, %v; want nil and an error", res, err)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Fatal("the command ran")
			}
		})
	}
}

func TestRunOutputCap(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		script    string
		max       int
		wantOut   int
		wantErr   int
		truncated bool
	}{
		{name: "stdout over", script: "head -c 5000 /dev/zero", max: 1000, wantOut: 1000, truncated: true},
		{name: "stderr over", script: "head -c 5000 /dev/zero >&2", max: 1000, wantErr: 1000, truncated: true},
		{name: "exact fit", script: "head -c 1000 /dev/zero", max: 1000, wantOut: 1000},
		{name: "default cap", script: "head -c 1048577 /dev/zero", wantOut: 1 << 20, truncated: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := trusted(t)
			res, err := Run(t.Context(), p, &Cmd{Args: []string{"sh", "-c", tt.script}, Dir: p.Workspace, Env: testEnv, MaxOutput: tt.max})
			if err != nil {
				t.Fatalf("Run: %v", err)
			}
			got := []any{len(res.Stdout), len(res.Stderr), res.Truncated}
			if diff := cmp.Diff([]any{tt.wantOut, tt.wantErr, tt.truncated}, got); diff != "" {
				t.Errorf("len(Stdout), len(Stderr), Truncated mismatch (-want +got):\n%s", diff)
			}
			if total := res.StdoutBytes + res.StderrBytes; total <= int64(tt.max) && tt.truncated {
				t.Errorf("byte counts %d+%d do not exceed the cap", res.StdoutBytes, res.StderrBytes)
			}
		})
	}
}

type failWriter struct{ n int }

func (w *failWriter) Write(p []byte) (int, error) {
	w.n++
	return 0, errors.New("broken")
}

func TestRunTee(t *testing.T) {
	t.Parallel()
	p := trusted(t)
	var out, both bytes.Buffer
	res, err := Run(t.Context(), p, &Cmd{
		Args: []string{"sh", "-c", "head -c 3000 /dev/zero | tr '\\0' a; echo; echo err >&2"},
		Dir:  p.Workspace, Env: testEnv, MaxOutput: 100,
		Stdout: &out, Stderr: &both,
	})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if out.Len() != 3001 || len(res.Stdout) != 100 || res.StdoutBytes != 3001 {
		t.Errorf("tee got %d bytes, captured %d of %d; want 3001, 100 of 3001", out.Len(), len(res.Stdout), res.StdoutBytes)
	}
	if both.String() != "err\n" {
		t.Errorf("stderr tee = %q", both.String())
	}

	// A failing tee must not break the command or the capture.
	fw := &failWriter{}
	res, err = Run(t.Context(), p, &Cmd{Args: []string{"sh", "-c", "echo a; sleep 0.05; echo b"}, Dir: p.Workspace, Env: testEnv, Stdout: fw})
	if err != nil || res.ExitCode != 0 || string(res.Stdout) != "a\nb\n" || fw.n != 1 {
		t.Errorf("with failing tee: %v, exit %d, stdout %q, %d writes; want exit 0, \"a\\nb\\n\", 1 write", err, res.ExitCode, res.Stdout, fw.n)
	}
}

func TestRunCanceledBeforeStart(t *testing.T) {
	t.Parallel()
	p := trusted(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	marker := filepath.Join(p.Workspace, "marker")
	if _, err := Run(ctx, p, &Cmd{Args: []string{"touch", marker}, Dir: p.Workspace, Env: testEnv}); !errors.Is(err, context.Canceled) {
		t.Errorf("Run error = %v, want context.Canceled", err)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command ran")
	}
}

// A Stdin that never ends must not keep Run waiting once the command exits.
func TestRunBlockedStdinDoesNotHang(t *testing.T) {
	t.Parallel()
	p := trusted(t)
	pr, pw := io.Pipe()
	t.Cleanup(func() { _ = pw.Close() })
	start := time.Now()
	res, err := Run(t.Context(), p, &Cmd{Args: []string{"true"}, Dir: p.Workspace, Env: testEnv, Stdin: pr})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	if d := time.Since(start); d > drainGrace+time.Second {
		t.Errorf("Run took %v, want about %v", d, drainGrace)
	}
}
