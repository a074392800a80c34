package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestHookFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    HookOptions
		wantErr string
	}{
		{"install defaults", []string{"install"}, HookOptions{Action: "install", Stage: "pre-commit"}, ""},
		{"install all flags", []string{"install", "--stage", "pre-push", "-C", "/src/repo", "--force"},
			HookOptions{Action: "install", Stage: "pre-push", Dir: "/src/repo", Force: true}, ""},
		{"uninstall", []string{"uninstall", "--stage", "pre-push"}, HookOptions{Action: "uninstall", Stage: "pre-push"}, ""},
		{"run takes git's hook arguments", []string{"run", "--stage", "pre-push", "--", "origin", "-odd"},
			HookOptions{Action: "run", Stage: "pre-push"}, ""},
		{"unknown stage", []string{"install", "--stage", "commit-msg"}, HookOptions{}, `unknown --stage "commit-msg"`},
		{"install takes no arguments", []string{"install", "extra"}, HookOptions{}, "unknown command"},
		{"uninstall has no --force", []string{"uninstall", "--force"}, HookOptions{}, "unknown flag: --force"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _, _ := testFactory("")
			got, err := parseFlags(t, f, NewCmdHook, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(HookOptions{}, "F", "Executable", "Environ")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// hookEnv is a git repository "repo" in a temporary directory, with git
// configuration isolated from the machine's, and a stand-in for git-agent
// that logs its arguments to $LOG and exits with $AGENT_EXIT.
type hookEnv struct {
	root, repo, agent, log string
	env                    []string
}

func newHookEnv(t *testing.T) *hookEnv {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	h := &hookEnv{root: root, repo: filepath.Join(root, "repo"), agent: filepath.Join(root, "agent"), log: filepath.Join(root, "log")}
	h.env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + root, "GIT_CONFIG_GLOBAL=" + filepath.Join(root, "gitconfig"),
		"GIT_CONFIG_NOSYSTEM=1", "LOG=" + h.log, "GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.invalid"}
	writeExec(t, h.agent, "#!/bin/sh\necho \"agent $*\" >> \"$LOG\"\nexit ${AGENT_EXIT:-0}\n")
	h.git(t, "init", "-q", "-b", "main", h.repo)
	return h
}

func writeExec(t *testing.T, path, script string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// git runs git in the repository and fails the test if it fails.
func (h *hookEnv) git(t *testing.T, args ...string) string {
	t.Helper()
	out, err := h.tryGit(nil, args...)
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return out
}

func (h *hookEnv) tryGit(extraEnv []string, args ...string) (string, error) {
	f, _, _ := testFactory("")
	o := &HookOptions{F: f, Environ: func() []string { return append(h.env, extraEnv...) }}
	dir := h.repo
	if _, err := os.Stat(dir); err != nil {
		dir = h.root
	}
	return hookGit(o, dir, false, args...)
}

// hook runs `git agent hook ARGS` in the repository.
func (h *hookEnv) hook(t *testing.T, args ...string) (stderr string, err error) {
	t.Helper()
	f, _, errOut := testFactory("")
	f.Getwd = func() (string, error) { return h.repo, nil }
	cmd := NewCmdHook(f, func(o *HookOptions) error {
		o.Executable = func() (string, error) { return h.agent, nil }
		o.Environ = func() []string { return h.env }
		return hookRun(o)
	})
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(errOut)
	err = cmd.Execute()
	return errOut.String(), err
}

func (h *hookEnv) readLog(t *testing.T) string {
	b, err := os.ReadFile(h.log)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	os.Remove(h.log)
	return string(b)
}

const foreignHook = "#!/bin/sh\necho prev >> \"$LOG\"\nexit ${PREV_EXIT:-0}\n"

func TestHookInstall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		setup    func(t *testing.T, h *hookEnv)
		args     []string
		wantErr  string
		wantHook string // relative to the repository
		wantLog  string // after a commit; "" skips the commit
	}{
		{"into .git/hooks", nil, []string{"install"}, "", ".git/hooks/pre-commit", "agent hook run --stage pre-commit --\n"},
		{"pre-push", nil, []string{"install", "--stage", "pre-push"}, "", ".git/hooks/pre-push", ""},
		{"into core.hooksPath in the repository", func(t *testing.T, h *hookEnv) { h.git(t, "config", "core.hooksPath", ".githooks") },
			[]string{"install"}, "", ".githooks/pre-commit", "agent hook run --stage pre-commit --\n"},
		{"a shared core.hooksPath needs --force", func(t *testing.T, h *hookEnv) { h.git(t, "config", "core.hooksPath", "../shared") },
			[]string{"install"}, "pass --force", "", ""},
		{"--force installs into a shared core.hooksPath", func(t *testing.T, h *hookEnv) { h.git(t, "config", "core.hooksPath", "../shared") },
			[]string{"install", "--force"}, "", "../shared/pre-commit", "agent hook run --stage pre-commit --\n"},
		{"hooks turned off", func(t *testing.T, h *hookEnv) { h.git(t, "config", "core.hooksPath", "/dev/null") },
			[]string{"install"}, "is not a directory", "", ""},
		{"from a subdirectory", func(t *testing.T, h *hookEnv) { os.MkdirAll(filepath.Join(h.repo, "sub"), 0o755) },
			[]string{"install", "-C", "sub"}, "", ".git/hooks/pre-commit", ""},
		{"from a linked worktree into the shared hooks", func(t *testing.T, h *hookEnv) {
			h.git(t, "-C", h.repo, "commit", "-q", "--allow-empty", "-m", "init")
			h.git(t, "-C", h.repo, "worktree", "add", "-q", "../wt")
		}, []string{"install", "-C", "../wt"}, "", ".git/hooks/pre-commit", ""},
		{"chains an existing hook", func(t *testing.T, h *hookEnv) {
			writeExec(t, filepath.Join(h.repo, ".git/hooks/pre-commit"), foreignHook)
		},
			[]string{"install"}, "", ".git/hooks/pre-commit", "prev\nagent hook run --stage pre-commit --\n"},
		{"never clobbers a kept hook", func(t *testing.T, h *hookEnv) {
			writeExec(t, filepath.Join(h.repo, ".git/hooks/pre-commit"), foreignHook)
			writeExec(t, filepath.Join(h.repo, ".git/hooks/pre-commit.pre-git-agent"), foreignHook)
		}, []string{"install"}, "is in the way", "", ""},
		{"not a repository", func(t *testing.T, h *hookEnv) { os.RemoveAll(filepath.Join(h.repo, ".git")) },
			[]string{"install"}, "not a git repository", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHookEnv(t)
			if tc.setup != nil {
				tc.setup(t, h)
			}
			stderr, err := h.hook(t, tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v\n%s", err, stderr)
			}
			path := filepath.Join(h.repo, tc.wantHook)
			st, err := os.Stat(path)
			if err != nil {
				t.Fatalf("no hook at %s: %v\n%s", tc.wantHook, err, stderr)
			}
			if st.Mode().Perm() != 0o755 {
				t.Errorf("mode %v, want 0755", st.Mode().Perm())
			}
			if _, _, ours := readHook(path); !ours {
				t.Errorf("%s lacks the %q marker", tc.wantHook, hookMarker)
			}
			if kept := path + hookChainExt; strings.Contains(tc.wantLog, "prev") {
				if b, err := os.ReadFile(kept); err != nil || string(b) != foreignHook {
					t.Errorf("kept hook %s = %q, %v; want the original", kept, b, err)
				}
			}
			if tc.wantLog != "" {
				h.git(t, "-C", h.repo, "commit", "-q", "--allow-empty", "-m", "x")
				if got := h.readLog(t); got != tc.wantLog {
					t.Errorf("hooks ran %q, want %q", got, tc.wantLog)
				}
			}
		})
	}
}

// TestHookChain checks the script git runs: the kept hook runs first and
// its failure blocks; the agent's failure blocks; a moved binary is found
// on PATH.
func TestHookChain(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		env        []string
		moveAgent  bool
		wantCommit bool
		wantLog    string
	}{
		{"both pass", nil, false, true, "prev\nagent hook run --stage pre-commit --\n"},
		{"the kept hook blocks", []string{"PREV_EXIT=3"}, false, false, "prev\n"},
		{"the agent blocks", []string{"AGENT_EXIT=1"}, false, false, "prev\nagent hook run --stage pre-commit --\n"},
		{"a moved binary is found on PATH", nil, true, true, "prev\nagent hook run --stage pre-commit --\n"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHookEnv(t)
			writeExec(t, filepath.Join(h.repo, ".git/hooks/pre-commit"), foreignHook)
			if _, err := h.hook(t, "install"); err != nil {
				t.Fatal(err)
			}
			if tc.moveAgent {
				bin := filepath.Join(h.root, "bin")
				os.Mkdir(bin, 0o755)
				if err := os.Rename(h.agent, filepath.Join(bin, "git-agent")); err != nil {
					t.Fatal(err)
				}
				h.env[0] = "PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH")
			}
			out, err := h.tryGit(tc.env, "commit", "-q", "--allow-empty", "-m", "x")
			if (err == nil) != tc.wantCommit {
				t.Errorf("commit err = %v, want success %v\n%s", err, tc.wantCommit, out)
			}
			if got := h.readLog(t); got != tc.wantLog {
				t.Errorf("hooks ran %q, want %q", got, tc.wantLog)
			}
		})
	}
}

func TestHookReinstallIsIdempotent(t *testing.T) {
	t.Parallel()
	h := newHookEnv(t)
	hook := filepath.Join(h.repo, ".git/hooks/pre-commit")
	writeExec(t, hook, foreignHook)
	for i := range 2 {
		if _, err := h.hook(t, "install"); err != nil {
			t.Fatalf("install %d: %v", i+1, err)
		}
	}
	stderr, err := h.hook(t, "install")
	if err != nil || !strings.Contains(stderr, "already installed") {
		t.Errorf("third install: %v, %q; want already installed", err, stderr)
	}
	if b, _ := os.ReadFile(hook + hookChainExt); string(b) != foreignHook {
		t.Errorf("kept hook = %q, want the original", b)
	}
	h.git(t, "-C", h.repo, "commit", "-q", "--allow-empty", "-m", "x")
	if got, want := h.readLog(t), "prev\nagent hook run --stage pre-commit --\n"; got != want {
		t.Errorf("hooks ran %q, want %q (each once)", got, want)
	}
}

func TestHookUninstall(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		foreign   bool // a hook not ours is there before
		install   bool
		wantErr   string
		wantHook  string // content afterwards; "" means none
		wantNotes string
	}{
		{"restores the chained hook", true, true, "", foreignHook, "restored"},
		{"removes ours", false, true, "", "", "removed the git-agent pre-commit hook"},
		{"refuses a hook that is not ours", true, false, "was not installed by git-agent", foreignHook, ""},
		{"nothing installed", false, false, "", "", "nothing to uninstall"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHookEnv(t)
			hook := filepath.Join(h.repo, ".git/hooks/pre-commit")
			if tc.foreign {
				writeExec(t, hook, foreignHook)
			}
			if tc.install {
				if _, err := h.hook(t, "install"); err != nil {
					t.Fatal(err)
				}
			}
			stderr, err := h.hook(t, "uninstall")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want %q", err, tc.wantErr)
				}
			} else if err != nil || !strings.Contains(stderr, tc.wantNotes) {
				t.Errorf("err = %v, stderr %q; want %q", err, stderr, tc.wantNotes)
			}
			b, _ := os.ReadFile(hook)
			if string(b) != tc.wantHook {
				t.Errorf("hook afterwards = %q, want %q", b, tc.wantHook)
			}
			if _, err := os.Lstat(hook + hookChainExt); err == nil {
				t.Errorf("%s is left behind", hookChainExt)
			}
		})
	}
}

func TestHookRunReview(t *testing.T) {
	t.Parallel()
	write := func(t *testing.T, h *hookEnv, name, content string) {
		if err := os.WriteFile(filepath.Join(h.repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	stage := func(name, content string) func(*testing.T, *hookEnv) {
		return func(t *testing.T, h *hookEnv) { write(t, h, name, content); h.git(t, "-C", h.repo, "add", name) }
	}
	pushed := func(t *testing.T, h *hookEnv) {
		h.git(t, "init", "-q", "--bare", filepath.Join(h.root, "origin.git"))
		h.git(t, "-C", h.repo, "remote", "add", "origin", "../origin.git")
		h.git(t, "-C", h.repo, "commit", "-q", "--allow-empty", "-m", "init")
		h.git(t, "-C", h.repo, "push", "-q", "-u", "origin", "main")
	}
	const secret = "aws_key = AKIAIOSFODNN7EXAMPLE\n"
	tests := []struct {
		name       string
		setup      func(*testing.T, *hookEnv)
		args       []string
		wantCode   int
		wantStderr []string // substrings; none means empty
	}{
		{"a staged secret blocks the commit", stage("key.txt", secret), []string{"run"}, ExitFailed,
			[]string{"key.txt:1: error secret/aws-access-key", "commit blocked by git-agent", "git commit --no-verify"}},
		{"a clean change passes quietly", stage("a.txt", "hello\n"), []string{"run"}, ExitOK, nil},
		{"only the staged change counts", func(t *testing.T, h *hookEnv) {
			stage("key.txt", "clean\n")(t, h)
			write(t, h, "key.txt", secret)
		}, []string{"run"}, ExitOK, nil},
		{"a warning passes", stage("conf.py", "password = \"Xq7#vR2!mZ9@kL4$\"\n"), []string{"run"}, ExitOK, []string{"warning secret/generic-assignment"}},
		{"pre-push without an upstream is skipped", nil, []string{"run", "--stage", "pre-push", "origin", "url"}, ExitOK,
			[]string{"skipping the pre-push review"}},
		{"pre-push reviews the commits the upstream lacks", func(t *testing.T, h *hookEnv) {
			pushed(t, h)
			stage("key.txt", secret)(t, h)
			h.git(t, "-C", h.repo, "commit", "-q", "--no-verify", "-m", "oops")
		}, []string{"run", "--stage", "pre-push"}, ExitFailed, []string{"secret/aws-access-key", "push blocked by git-agent", "git push --no-verify"}},
		{"pre-push with nothing new passes", pushed, []string{"run", "--stage", "pre-push"}, ExitOK, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHookEnv(t)
			if tc.setup != nil {
				tc.setup(t, h)
			}
			stderr, err := h.hook(t, tc.args...)
			if code := ExitCode(err); code != tc.wantCode {
				t.Fatalf("exit %d (%v), want %d\n%s", code, err, tc.wantCode, stderr)
			}
			if len(tc.wantStderr) == 0 && stderr != "" {
				t.Errorf("stderr = %q, want none", stderr)
			}
			for _, w := range tc.wantStderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
		})
	}
}
