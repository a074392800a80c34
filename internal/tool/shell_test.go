package tool

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/git-agent/git-agent/sandbox"
)

// shellEnv returns an Env over a fresh workspace holding a directory "sub",
// a file "file", a symlink "in" to sub and a symlink "out" to a directory
// outside the workspace.
func shellEnv(t *testing.T) *Env {
	t.Helper()
	ws, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	outside := t.TempDir()
	for _, err := range []error{
		os.Mkdir(filepath.Join(ws, "sub"), 0o755),
		os.WriteFile(filepath.Join(ws, "file"), nil, 0o644),
		os.Symlink(filepath.Join(ws, "sub"), filepath.Join(ws, "in")),
		os.Symlink(outside, filepath.Join(ws, "out")),
	} {
		if err != nil {
			t.Fatal(err)
		}
	}
	return &Env{
		Workspace: ws,
		Sandbox:   sandbox.Profile{Mode: sandbox.Trusted, Workspace: ws},
		Environ:   []string{"PATH=" + sandbox.DefaultPath},
	}
}

var durationLine = regexp.MustCompile(`(?m)^duration: \S+$`)

func TestShell(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    string
		setup   func(*Env)
		want    string // Output, with the workspace written as WS and the duration as D
		prefix  bool   // want is only the start of Output
		wantErr bool
	}{
		{name: "argv", args: `{"command": ["echo", "hello", "world"]}`, want: "exit code 0\nduration: D\nhello world"},
		{name: "argv is not a script", args: `{"command": ["echo", "$HOME;", "x"]}`, want: "exit code 0\nduration: D\n$HOME; x"},
		{name: "script", args: `{"command": "echo out; echo err >&2; exit 3"}`, wantErr: true,
			want: "exit code 3\nduration: D\nstdout:\nout\nstderr:\nerr"},
		{name: "script field", args: `{"script": "pwd"}`, want: "exit code 0\nduration: D\nWS"},
		{name: "no output", args: `{"command": ["true"]}`, want: "exit code 0\nduration: D\n(no output)"},
		{name: "nonzero exit", args: `{"command": ["false"]}`, wantErr: true, want: "exit code 1\nduration: D\n(no output)"},
		{name: "not found", args: `{"command": ["no-such-command-xyz"]}`, wantErr: true,
			want: "exit code 127\nduration: D\nstderr:\ngit-agent: no-such-command-xyz: command not found"},
		{name: "signal", args: `{"command": "kill -KILL $$"}`, wantErr: true, want: "exit code 137 (killed by SIGKILL)\nduration: D\n(no output)"},
		{name: "workdir relative", args: `{"command": ["pwd"], "workdir": "sub"}`, want: "exit code 0\nduration: D\nWS/sub"},
		{name: "workdir absolute", args: `{"command": ["pwd"], "workdir": "WS/sub"}`, want: "exit code 0\nduration: D\nWS/sub"},
		{name: "workdir symlink inside", args: `{"command": ["pwd"], "workdir": "in"}`, want: "exit code 0\nduration: D\nWS/sub"},
		{name: "workdir dotdot", args: `{"command": ["pwd"], "workdir": "sub/../.."}`, wantErr: true,
			want: `shell: workdir "sub/../.." contains "..": give a directory inside the workspace, relative to its root`},
		{name: "workdir dotdot inside", args: `{"command": ["pwd"], "workdir": "sub/.."}`, wantErr: true,
			want: `shell: workdir "sub/.." contains "..": give a directory inside the workspace, relative to its root`},
		{name: "workdir outside", args: `{"command": ["pwd"], "workdir": "/tmp"}`, wantErr: true,
			want: `shell: workdir "/tmp" is outside the workspace (it resolves to /tmp)`},
		{name: "workdir symlink outside", args: `{"command": ["pwd"], "workdir": "out"}`, prefix: true, wantErr: true, want: `shell: workdir "out" is outside the workspace`},
		{name: "workdir file", args: `{"command": ["pwd"], "workdir": "file"}`, wantErr: true, want: `shell: workdir "file" is not a directory`},
		{name: "workdir missing", args: `{"command": ["pwd"], "workdir": "nope"}`, wantErr: true, want: `shell: workdir "nope": no such directory in the workspace`},
		{name: "timeout", args: `{"command": ["sleep", "5"], "timeout_ms": 200}`, wantErr: true,
			want: "timed out after 200ms (exit 124)\nduration: D\n(no output)"},
		{name: "default timeout from env", args: `{"command": "echo begun; sleep 5"}`, setup: func(e *Env) { e.ShellTimeout = 200 * time.Millisecond },
			wantErr: true, want: "timed out after 200ms (exit 124)\nduration: D\nbegun"},
		{name: "timeout capped", args: `{"command": ["sleep", "5"], "timeout_ms": 60000.0}`, setup: func(e *Env) { e.MaxShellTimeout = 300 * time.Millisecond },
			wantErr: true, want: "timed out after 300ms (exit 124)\nduration: D\nnote: timeout_ms asked for 1m0s but the limit is 300ms; the command ran with 300ms\n(no output)"},
		{name: "head and tail", args: `{"command": ["seq", "1", "10"]}`, setup: func(e *Env) { e.ModelOutputLines = 4 },
			want: "exit code 0\nduration: D\n1\n2\n[... omitted 6 of 10 lines ...]\n9\n10"},
		{name: "each stream shortened", args: `{"command": "seq 1 5; seq 6 10 >&2"}`, setup: func(e *Env) { e.ModelOutputLines = 2 },
			want: "exit code 0\nduration: D\nstdout:\n1\n[... omitted 3 of 5 lines ...]\n5\nstderr:\n6\n[... omitted 3 of 5 lines ...]\n10"},
		{name: "byte truncation", args: `{"command": "seq 1 1000"}`, setup: func(e *Env) { e.MaxOutput = 10 },
			want: "exit code 0\nduration: D\n1\n2\n3\n4\n5\n[stdout truncated: only the first 10 of 3893 bytes were kept]"},
		{name: "profile refused", args: `{"command": ["touch", "WS/marker"]}`, setup: func(e *Env) { e.Sandbox.Mode = sandbox.NetReadOnly },
			prefix: true, wantErr: true, want: "shell: no command can run in this session: sandbox profile unavailable: the net-read-only profile"},
		{name: "workspace from env", args: `{"command": ["pwd"]}`, setup: func(e *Env) { e.Sandbox.Workspace = "" }, want: "exit code 0\nduration: D\nWS"},
		{name: "both command and script", args: `{"command": ["ls"], "script": "ls"}`, wantErr: true, want: `shell: give either "command" or "script", not both`},
		{name: "empty argv", args: `{"command": []}`, wantErr: true, want: `shell: "command" is empty: give the program to run first, e.g. ["ls", "-la"]`},
		{name: "empty script", args: `{"command": "  "}`, wantErr: true, want: `shell: "command" is empty`},
		{name: "no command", args: `{}`, wantErr: true, want: `shell: give "command" (an argv array or a script string)`},
		{name: "wrong type", args: `{"command": 3}`, wantErr: true, want: `shell: "command" must be an array of strings or a string`},
		{name: "unknown field", args: `{"command": ["ls"], "cwd": "sub"}`, prefix: true, wantErr: true, want: `shell: invalid arguments: json: unknown field "cwd"`},
		{name: "negative timeout", args: `{"command": ["ls"], "timeout_ms": -1}`, wantErr: true, want: `shell: timeout_ms must be positive`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := shellEnv(t)
			if tt.setup != nil {
				tt.setup(env)
			}
			args := strings.ReplaceAll(tt.args, "WS", env.Workspace)
			res, err := (Shell{}).Run(t.Context(), env, "call-1", json.RawMessage(args))
			if err != nil {
				t.Fatalf("Run error: %v", err)
			}
			got := strings.ReplaceAll(durationLine.ReplaceAllString(res.Output, "duration: D"), env.Workspace, "WS")
			if res.IsError != tt.wantErr {
				t.Errorf("IsError = %v, want %v; output:\n%s", res.IsError, tt.wantErr, got)
			}
			if tt.prefix && !strings.HasPrefix(got, tt.want) || !tt.prefix && got != tt.want {
				t.Errorf("Output mismatch (-want +got):\n%s", cmp.Diff(tt.want, got))
			}
			if _, err := os.Stat(filepath.Join(env.Workspace, "marker")); err == nil {
				t.Error("a refused command ran")
			}
		})
	}
}

func TestShellDetail(t *testing.T) {
	t.Parallel()
	env := shellEnv(t)
	env.MaxOutput = 4
	res, err := (Shell{}).Run(t.Context(), env, "c", json.RawMessage(`{"command": "printf 'abcdef'; echo e >&2; exit 2", "workdir": "sub"}`))
	if err != nil {
		t.Fatal(err)
	}
	want := ShellDetail{
		Command: []string{"/bin/sh", "-c", "printf 'abcdef'; echo e >&2; exit 2"}, Workdir: filepath.Join(env.Workspace, "sub"),
		ExitCode: 2, Stdout: "abcd", Stderr: "e\n", Truncated: true,
	}
	if diff := cmp.Diff(want, res.Detail, cmpopts.IgnoreFields(ShellDetail{}, "DurationMS")); diff != "" {
		t.Errorf("Detail mismatch (-want +got):\n%s", diff)
	}
	if _, err := json.Marshal(res); err != nil {
		t.Errorf("Result does not marshal: %v", err)
	}
	if (Shell{}).Risk(nil) != RiskHigh {
		t.Error("shell is not high risk")
	}
	if !json.Valid((Shell{}).Schema()) || (Shell{}).Description() == "" {
		t.Error("schema or description missing")
	}
}

func TestShellProgress(t *testing.T) {
	t.Parallel()
	env := shellEnv(t)
	var mu sync.Mutex
	var got strings.Builder
	env.Progress = func(callID, chunk string) {
		mu.Lock()
		defer mu.Unlock()
		if callID != "call-7" {
			t.Errorf("Progress callID = %q", callID)
		}
		got.WriteString(chunk)
	}
	env.ModelOutputLines = 2
	if _, err := (Shell{}).Run(t.Context(), env, "call-7", json.RawMessage(`{"command": "seq 1 5; sleep 0.05; echo done >&2"}`)); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if diff := cmp.Diff("1\n2\n3\n4\n5\ndone\n", got.String()); diff != "" {
		t.Errorf("Progress mismatch (-want +got):\n%s", diff) // the whole output, not the shortened one
	}
}

func TestShellCanceled(t *testing.T) {
	t.Parallel()
	env := shellEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(200*time.Millisecond, cancel)
	start := time.Now()
	_, err := (Shell{}).Run(ctx, env, "c", json.RawMessage(`{"command": ["sleep", "5"]}`))
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Run error = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("cancel took %v", d)
	}
}

// Not parallel: it sets a variable in the test process's environment.
func TestShellDefaultEnvironIsScrubbed(t *testing.T) {
	t.Setenv("GIT_AGENT_TEST_TOKEN", "leaked")
	env := shellEnv(t)
	env.Environ = nil
	res, err := (Shell{}).Run(t.Context(), env, "c", json.RawMessage(`{"command": "echo \"[$GIT_AGENT_TEST_TOKEN] $GIT_PAGER $GIT_TERMINAL_PROMPT\""}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Detail.(ShellDetail).Stdout; got != "[] cat 0\n" {
		t.Errorf("stdout = %q, want %q", got, "[] cat 0\n")
	}
}
