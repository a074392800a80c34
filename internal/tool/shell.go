package tool

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/git-agent/git-agent/internal/telemetry"
	"github.com/git-agent/git-agent/sandbox"
)

//go:embed shell.md
var shellDescription string

const (
	defaultShellTimeout    = 10 * time.Second
	defaultMaxShellTimeout = 10 * time.Minute
	defaultModelLines      = 256
)

// Shell is the "shell" tool: it runs one command in the workspace, through
// sandbox.Run under the session's profile.
type Shell struct{}

// NewShell returns the shell tool.
func NewShell() *Shell { return &Shell{} }

var _ Tool = NewShell()

// ShellDetail records a shell call for events and session logs.
type ShellDetail struct {
	Command    []string `json:"command"`
	Workdir    string   `json:"workdir"`
	ExitCode   int      `json:"exit_code"`
	Stdout     string   `json:"stdout"`
	Stderr     string   `json:"stderr"`
	TimedOut   bool     `json:"timed_out,omitempty"`
	Signal     string   `json:"signal,omitempty"` // the signal that killed the command
	Truncated  bool     `json:"truncated,omitempty"`
	DurationMS int64    `json:"duration_ms"`
}

func (Shell) Name() string        { return "shell" }
func (Shell) Description() string { return shellDescription }

// Risk is always high: any program can do anything the profile allows.
func (Shell) Risk(json.RawMessage) Risk { return RiskHigh }

func (Shell) Schema() json.RawMessage {
	return json.RawMessage(`{
  "type": "object",
  "properties": {
    "command": {
      "description": "The program and its arguments, e.g. [\"go\", \"test\", \"./...\"]; or a string run as a /bin/sh script.",
      "anyOf": [{"type": "array", "items": {"type": "string"}, "minItems": 1}, {"type": "string"}]
    },
    "script": {"type": "string", "description": "A /bin/sh script; an alternative to a string command."},
    "workdir": {"type": "string", "description": "Directory to run in, relative to the workspace root (default: the root)."},
    "timeout_ms": {"type": "integer", "minimum": 1, "description": "Time limit in milliseconds; the command is killed when it passes."}
  },
  "additionalProperties": false
}`)
}

// shellArgs is the arguments object as the model sends it.
type shellArgs struct {
	Command   json.RawMessage `json:"command"`
	Script    *string         `json:"script"`
	Workdir   string          `json:"workdir"`
	TimeoutMS float64         `json:"timeout_ms"` // models sometimes send 30000.0
}

// argv returns the command to run from the arguments, or an error for the model.
func (a *shellArgs) argv() ([]string, error) {
	cmd := bytes.TrimSpace(a.Command)
	if len(cmd) == 0 || string(cmd) == "null" {
		if a.Script == nil || strings.TrimSpace(*a.Script) == "" {
			return nil, errors.New(`give "command" (an argv array or a script string)`)
		}
		return []string{"/bin/sh", "-c", *a.Script}, nil
	}
	if a.Script != nil {
		return nil, errors.New(`give either "command" or "script", not both`)
	}
	var script string
	if json.Unmarshal(cmd, &script) == nil {
		if strings.TrimSpace(script) == "" {
			return nil, errors.New(`"command" is empty`)
		}
		return []string{"/bin/sh", "-c", script}, nil
	}
	var argv []string
	if err := json.Unmarshal(cmd, &argv); err != nil {
		return nil, errors.New(`"command" must be an array of strings or a string`)
	}
	if len(argv) == 0 || argv[0] == "" {
		return nil, errors.New(`"command" is empty: give the program to run first, e.g. ["ls", "-la"]`)
	}
	return argv, nil
}

func (Shell) Run(ctx context.Context, env *Env, callID string, args json.RawMessage) (Result, error) {
	var a shellArgs
	dec := json.NewDecoder(bytes.NewReader(args))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&a); err != nil {
		return Errorf("shell: invalid arguments: %v; expected {\"command\": [...] or \"...\", \"workdir\": \"...\", \"timeout_ms\": N}", err), nil
	}
	argv, err := a.argv()
	if err != nil {
		return Errorf("shell: %v", err), nil
	}
	dir, err := shellWorkdir(env.Workspace, a.Workdir)
	if err != nil {
		return Errorf("shell: %v", err), nil
	}
	if a.TimeoutMS < 0 {
		return Errorf("shell: timeout_ms must be positive"), nil
	}
	timeout, capNote := shellTimeout(env, time.Duration(a.TimeoutMS*float64(time.Millisecond)))

	profile := env.Sandbox
	if profile.Workspace == "" {
		profile.Workspace = env.Workspace
	}
	environ := env.Environ
	if environ == nil {
		environ = sandbox.BaseEnv(os.Environ())
	}
	c := &sandbox.Cmd{Args: argv, Dir: dir, Env: environ, Timeout: timeout, MaxOutput: env.MaxOutput, Egress: env.Egress}
	if env.Progress != nil {
		w := progressWriter{fn: env.Progress, callID: callID}
		c.Stdout, c.Stderr = w, w
	}
	res, err := runSpan(ctx, env, profile, c)
	switch {
	case errors.Is(err, sandbox.ErrProfileUnavailable):
		env.Telemetry.Metrics().SandboxDenial("profile")
		return Errorf("shell: no command can run in this session: %v. Do not retry; tell the user.", err), nil
	case err != nil && ctx.Err() != nil:
		if res == nil {
			return Result{}, err
		}
		return shellResult(env, res, argv, dir, timeout, capNote), err
	case err != nil:
		return Errorf("shell: %v", err), nil
	}
	return shellResult(env, res, argv, dir, timeout, capNote), nil
}

// runSpan runs c under profile inside a sandbox.exec span.
func runSpan(ctx context.Context, env *Env, profile sandbox.Profile, c *sandbox.Cmd) (*sandbox.Result, error) {
	ctx, span := env.Telemetry.Start(ctx, "sandbox.exec", telemetry.String("profile", string(profile.Mode)),
		telemetry.String("program", filepath.Base(c.Args[0])))
	defer span.End()
	res, err := sandbox.Run(ctx, profile, c)
	if err != nil {
		span.SetError(err)
	}
	if res != nil {
		span.SetAttrs(telemetry.Int("exit_code", res.ExitCode), telemetry.Int64("duration_ms", res.Duration.Milliseconds()),
			telemetry.Bool("timed_out", res.TimedOut))
		if res.Signal != "" {
			span.SetAttrs(telemetry.String("signal", res.Signal))
		}
	}
	return res, err
}

// shellTimeout picks the timeout of a call; note is set if the model asked
// for more than the session allows.
func shellTimeout(env *Env, asked time.Duration) (timeout time.Duration, note string) {
	timeout, limit := env.ShellTimeout, env.MaxShellTimeout
	if timeout <= 0 {
		timeout = defaultShellTimeout
	}
	if limit <= 0 {
		limit = defaultMaxShellTimeout
	}
	if asked > 0 {
		timeout = asked
	}
	if timeout > limit {
		if asked > 0 {
			note = fmt.Sprintf("note: timeout_ms asked for %v but the limit is %v; the command ran with %v", asked, limit, limit)
		}
		timeout = limit
	}
	return timeout, note
}

func shellResult(env *Env, res *sandbox.Result, argv []string, dir string, timeout time.Duration, capNote string) Result {
	var b strings.Builder
	switch {
	case res.TimedOut:
		fmt.Fprintf(&b, "timed out after %v (exit %d)\n", timeout, res.ExitCode)
	case res.Signal != "":
		fmt.Fprintf(&b, "exit code %d (killed by %s)\n", res.ExitCode, res.Signal)
	default:
		fmt.Fprintf(&b, "exit code %d\n", res.ExitCode)
	}
	fmt.Fprintf(&b, "duration: %v\n", res.Duration.Round(time.Millisecond))
	if capNote != "" {
		b.WriteString(capNote + "\n")
	}
	lines := env.ModelOutputLines
	if lines <= 0 {
		lines = defaultModelLines
	}
	labelled := len(res.Stderr) > 0
	shellStream(&b, "stdout", res.Stdout, res.StdoutBytes, lines, labelled)
	shellStream(&b, "stderr", res.Stderr, res.StderrBytes, lines, labelled)
	if len(res.Stdout) == 0 && len(res.Stderr) == 0 {
		b.WriteString("(no output)\n")
	}
	return Result{
		Output:  strings.TrimSuffix(b.String(), "\n"),
		IsError: res.ExitCode != 0,
		Detail: ShellDetail{
			Command: argv, Workdir: dir, ExitCode: res.ExitCode,
			Stdout: string(res.Stdout), Stderr: string(res.Stderr),
			TimedOut: res.TimedOut, Signal: res.Signal, Truncated: res.Truncated,
			DurationMS: res.Duration.Milliseconds(),
		},
	}
}

// shellStream writes one stream of output, shortened to maxLines, with a note
// if the sandbox kept only part of it.
func shellStream(b *strings.Builder, name string, out []byte, total int64, maxLines int, labelled bool) {
	if len(out) == 0 {
		return
	}
	if labelled {
		b.WriteString(name + ":\n")
	}
	text, _ := HeadTail(string(out), maxLines)
	b.WriteString(text)
	if !strings.HasSuffix(text, "\n") {
		b.WriteByte('\n')
	}
	if total > int64(len(out)) {
		fmt.Fprintf(b, "[%s truncated: only the first %d of %d bytes were kept]\n", name, len(out), total)
	}
}

// shellWorkdir confines the model's workdir to the workspace: no ".."
// components, and after resolving symlinks it must still be a directory inside
// the workspace. The resolved path is returned, so a symlink swapped later
// cannot redirect the command.
func shellWorkdir(workspace, dir string) (string, error) {
	if dir == "" {
		dir = "."
	}
	for _, part := range strings.Split(filepath.ToSlash(dir), "/") {
		if part == ".." {
			return "", fmt.Errorf("workdir %q contains \"..\": give a directory inside the workspace, relative to its root", dir)
		}
	}
	root, err := filepath.EvalSymlinks(workspace)
	if err != nil {
		return "", fmt.Errorf("resolve workspace: %w", err)
	}
	p := dir
	if !filepath.IsAbs(p) {
		p = filepath.Join(root, p)
	}
	resolved, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", fmt.Errorf("workdir %q: no such directory in the workspace", dir)
	}
	if rel, err := filepath.Rel(root, resolved); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("workdir %q is outside the workspace (it resolves to %s)", dir, resolved)
	}
	if fi, err := os.Stat(resolved); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("workdir %q is not a directory", dir)
	}
	return resolved, nil
}

// progressWriter forwards command output to Env.Progress as it arrives.
type progressWriter struct {
	fn     func(callID, chunk string)
	callID string
}

func (w progressWriter) Write(p []byte) (int, error) {
	w.fn(w.callID, string(p))
	return len(p), nil
}
