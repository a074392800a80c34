package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-agent/git-agent/sandbox"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestMain lets this test binary serve as the sandbox init: confined
// commands re-execute os.Executable(), which under `go test` is this binary,
// and without this it would run the tests instead of setting up the sandbox.
func TestMain(m *testing.M) {
	if sandbox.IsInit() {
		os.Exit(sandbox.InitMain())
	}
	os.Exit(m.Run())
}

func TestSandboxFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    SandboxOptions
		wantErr string
	}{
		{"defaults", []string{"--", "ls", "-la"}, SandboxOptions{Profile: "read-only", Args: []string{"ls", "-la"}}, ""},
		{"flags end at the command", []string{"ls", "-la", "--profile", "x"},
			SandboxOptions{Profile: "read-only", Args: []string{"ls", "-la", "--profile", "x"}}, ""},
		{"all flags", []string{"--profile", "workspace-write", "-C", "/tmp", "--timeout", "30s", "--", "sh", "-c", "exit 3"},
			SandboxOptions{Profile: "workspace-write", Dir: "/tmp", Timeout: 30 * time.Second, Args: []string{"sh", "-c", "exit 3"}}, ""},
		{"allow-domain repeated", []string{"--profile", "net-read-only", "--allow-domain", "example.com", "--allow-domain", "go.dev:8443", "--", "curl", "https://go.dev"},
			SandboxOptions{Profile: "net-read-only", AllowDomains: []string{"example.com", "go.dev:8443"}, Args: []string{"curl", "https://go.dev"}}, ""},
		{"a program named check", []string{"--", "check"}, SandboxOptions{Profile: "read-only", Args: []string{"check"}}, ""},
		{"no command", nil, SandboxOptions{}, "no command given"},
		{"only a dash", []string{"--"}, SandboxOptions{}, "no command given"},
		{"unknown profile", []string{"--profile", "bogus", "--", "ls"}, SandboxOptions{}, `unknown profile "bogus"`},
		{"allow-domain needs a networked profile", []string{"--allow-domain", "example.com", "--", "curl", "https://example.com"}, SandboxOptions{},
			"--allow-domain needs --profile net-read-only or workspace-write (the read-only profile has no network)"},
		{"negative timeout", []string{"--timeout", "-1s", "--", "ls"}, SandboxOptions{}, "negative"},
		{"bad timeout", []string{"--timeout", "soon", "--", "ls"}, SandboxOptions{}, "invalid argument"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _, _ := testFactory("")
			got, err := parseFlags(t, f, NewCmdSandbox, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || ExitCode(err) != ExitUsage {
					t.Fatalf("err = %v (exit %d), want %q and exit 2", err, ExitCode(err), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(SandboxOptions{}, "F", "Environ")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// sandboxRunWith runs `git agent sandbox` with args through the whole
// command tree, in a temporary workspace.
func sandboxRunWith(t *testing.T, stdin string, environ []string, args ...string) (code int, stdout, stderr, ws string) {
	t.Helper()
	f, out, errOut := testFactory(stdin)
	ws, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	f.Getwd = func() (string, error) { return ws, nil }
	root := NewRootCmd(f)
	for _, c := range root.Commands() {
		if c.Name() == "sandbox" {
			root.RemoveCommand(c)
		}
	}
	root.AddCommand(NewCmdSandbox(f, func(o *SandboxOptions) error {
		o.Environ = func() []string { return environ }
		return sandboxRun(o)
	}))
	root.SetArgs(args)
	root.SetOut(out)
	root.SetErr(errOut)
	err = root.ExecuteContext(f.Context)
	return ExitCode(err), out.String(), errOut.String(), ws
}

func TestSandboxRun(t *testing.T) {
	t.Parallel()
	env := []string{"PATH=" + sandbox.DefaultPath, "OPENAI_API_KEY=sk-secret", "KEEP=kept"}
	tests := []struct {
		name       string
		stdin      string
		args       []string
		wantCode   int
		wantOut    string
		wantErrOut string
	}{
		{"exit status is the command's", "", []string{"sandbox", "--profile", "trusted", "--", "sh", "-c", "echo out; echo err >&2; exit 3"},
			3, "out\n", "err\n"},
		{"success", "", []string{"sandbox", "--profile", "trusted", "--", "true"}, 0, "", ""},
		{"stdin passes through", "hello\n", []string{"sandbox", "--profile", "trusted", "--", "cat"}, 0, "hello\n", ""},
		{"environment is scrubbed", "", []string{"sandbox", "--profile", "trusted", "--", "sh", "-c", `echo "[$OPENAI_API_KEY] [$KEEP]"`},
			0, "[] [kept]\n", ""},
		{"runs in the workspace", "", []string{"sandbox", "--profile", "trusted", "--", "pwd", "-P"}, 0, "$WS\n", ""},
		{"command not found", "", []string{"sandbox", "--profile", "trusted", "--", "no-such-program-xyz"},
			127, "", "git-agent: no-such-program-xyz: command not found\n"},
		{"timeout", "", []string{"sandbox", "--profile", "trusted", "--timeout", "50ms", "--", "sleep", "5"},
			sandbox.ExitTimeout, "", "git-agent: sleep: killed after the 50ms timeout\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut, ws := sandboxRunWith(t, tc.stdin, env, tc.args...)
			tc.wantOut = strings.ReplaceAll(tc.wantOut, "$WS", ws)
			if code != tc.wantCode || out != tc.wantOut || errOut != tc.wantErrOut {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr %q",
					code, out, errOut, tc.wantCode, tc.wantOut, tc.wantErrOut)
			}
		})
	}
}

func TestSandboxRunRefusedProfile(t *testing.T) {
	for _, m := range sandbox.Modes {
		if m == sandbox.Trusted {
			continue
		}
		t.Setenv("GIT_AGENT_REFUSE_SANDBOX", "simulated")
		t.Run(string(m), func(t *testing.T) {
			f, out, errOut := testFactory("")
			ws := t.TempDir()
			marker := ws + "/ran"
			err := sandboxRun(&SandboxOptions{F: f, Profile: string(m), Dir: ws, Args: []string{"touch", marker},
				Environ: func() []string { return []string{"PATH=" + sandbox.DefaultPath} }})
			if ExitCode(err) != ExitSandbox {
				t.Fatalf("exit %d (%v), want %d", ExitCode(err), err, ExitSandbox)
			}
			if !strings.Contains(errOut.String(), string(m)) || !strings.Contains(errOut.String(), "git agent sandbox check") || out.Len() != 0 {
				t.Errorf("stdout %q, stderr %q: want the reason and what to do on stderr", out, errOut)
			}
			if _, err := os.Stat(marker); err == nil {
				t.Errorf("the command ran under a refused profile")
			}
		})
	}
}

func TestSandboxRunBadDir(t *testing.T) {
	t.Parallel()
	f, _, _ := testFactory("")
	err := sandboxRun(&SandboxOptions{F: f, Profile: "trusted", Dir: "/nonexistent/dir", Args: []string{"true"},
		Environ: func() []string { return nil }})
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "does not exist") {
		t.Errorf("err = %v (exit %d), want a usage error naming the directory", err, ExitCode(err))
	}
}

func TestSandboxCheck(t *testing.T) {
	t.Parallel()
	f, out, _ := testFactory("")
	if code := Execute(f, []string{"sandbox", "check"}); code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	for _, m := range sandbox.Modes {
		want := "enforced"
		if err := sandbox.Available(m); err != nil {
			want = "refused: "
		} else if m == sandbox.Trusted {
			want = "available: no confinement"
		}
		found := false
		for _, line := range strings.Split(out.String(), "\n") {
			if f := strings.Fields(line); len(f) > 1 && f[0] == string(m) {
				found = strings.Contains(line, want)
			}
		}
		if !found {
			t.Errorf("no line %q ... %q in:\n%s", m, want, out)
		}
	}
}

func TestSandboxRunConfined(t *testing.T) {
	t.Parallel()
	if err := sandbox.Available(sandbox.ReadOnly); err != nil {
		t.Skipf("read-only is refused here: %v", err)
	}
	env := []string{"PATH=" + sandbox.DefaultPath}
	code, out, errOut, ws := sandboxRunWith(t, "", env, "sandbox", "--", "sh", "-c", "echo read; echo x > written")
	if code == 0 || out != "read\n" || !strings.Contains(errOut, "written") {
		t.Errorf("exit %d, stdout %q, stderr %q; want the write refused under the default read-only profile", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(ws, "written")); err == nil {
		t.Errorf("read-only let the command write the workspace")
	}
}
