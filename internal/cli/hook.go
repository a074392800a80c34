package cli

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/git-agent/git-agent/review"
	"github.com/spf13/cobra"
)

const (
	hookMarker   = "# git-agent hook" // a line of every hook script we write
	hookChainExt = ".pre-git-agent"   // where a hook that was there before ours is kept
)

// HookOptions are the inputs of `git agent hook install|uninstall|run`.
type HookOptions struct {
	F      *Factory
	Action string // "install", "uninstall" or "run"
	Stage  string // "pre-commit" or "pre-push"
	Dir    string
	Force  bool
	// ModelReview adds the configured model's review (hook run
	// --model-review): time-boxed to hookModelTimeout, warn-only, and it
	// fails open when the model cannot be reached.
	ModelReview bool
	// Executable is the binary the hook script runs (os.Executable).
	Executable func() (string, error)
	// Environ is the environment git runs with (os.Environ).
	Environ func() []string
}

// NewCmdHook builds `git agent hook`. runF replaces the behaviour in tests.
func NewCmdHook(f *Factory, runF func(*HookOptions) error) *cobra.Command {
	opts := &HookOptions{F: f, Executable: os.Executable, Environ: os.Environ}
	cmd := &cobra.Command{
		Use:   "hook <install|uninstall|run>",
		Short: "Review every commit or push with a git hook",
		Long: `Install a git hook that reviews what is about to be committed (or pushed)
with git-agent's fast deterministic checks: secrets, conflict markers, large or
binary files. Findings of severity error block the commit; warnings are shown
and let it through. Bypass the hook once with 'git commit --no-verify'.

install finds the hooks directory as git does (core.hooksPath, worktrees). A
hook already there that is not git-agent's is kept as <hook>.pre-git-agent and
runs first; uninstall puts it back.`,
		Example: `  git agent hook install
  git agent hook install --stage pre-push
  git agent hook uninstall
  git agent hook run            # what the hook runs: review the staged changes`,
	}
	sub := func(action, short string, args cobra.PositionalArgs) *cobra.Command {
		c := &cobra.Command{
			Use:   action + " [--stage pre-commit|pre-push] [-C DIR]",
			Short: short,
			Args:  args,
			RunE: func(c *cobra.Command, _ []string) error {
				opts.Action = action
				if opts.Stage != "pre-commit" && opts.Stage != "pre-push" {
					return usageErrorf("unknown --stage %q: use pre-commit or pre-push", opts.Stage)
				}
				if runF != nil {
					return runF(opts)
				}
				return hookRun(opts)
			},
		}
		c.Flags().StringVar(&opts.Stage, "stage", "pre-commit", "the git hook: pre-commit or pre-push")
		c.Flags().StringVarP(&opts.Dir, "cd", "C", "", "the repository (default: the current directory)")
		return c
	}
	install := sub("install", "Install the hook (keeping an existing one, which runs first)", cobra.NoArgs)
	install.Flags().BoolVar(&opts.ModelReview, "model-review", false, "the hook also asks the configured model (warn-only, 30 s at most, skipped when unreachable)")
	install.Flags().BoolVar(&opts.Force, "force", false, "install into a core.hooksPath outside this repository, which other repositories may share")
	// git passes the pre-push hook the remote's name and URL; they are not needed.
	run := sub("run", "Review the staged changes (pre-commit) or unpushed commits (pre-push)", cobra.ArbitraryArgs)
	run.Flags().BoolVar(&opts.ModelReview, "model-review", false, "also ask the configured model (warn-only, 30 s at most, skipped when unreachable)")
	cmd.AddCommand(install,
		sub("uninstall", "Remove the hook and restore the one it replaced", cobra.NoArgs),
		run)
	return cmd
}

func hookRun(opts *HookOptions) error {
	dir := opts.Dir
	if dir == "" || !filepath.IsAbs(dir) {
		wd, err := opts.F.Getwd()
		if err != nil {
			return err
		}
		dir = filepath.Join(wd, dir)
	}
	if opts.Action == "run" {
		return hookReview(opts, dir)
	}
	hooks, err := hooksDir(opts, dir, opts.Action == "install" && !opts.Force)
	if err != nil {
		return err
	}
	path := filepath.Join(hooks, opts.Stage)
	if opts.Action == "install" {
		return hookInstall(opts, path, path+hookChainExt)
	}
	return hookUninstall(opts, path, path+hookChainExt)
}

// hookInstall writes our hook at path; a hook there that is not ours moves
// to kept and runs first.
func hookInstall(opts *HookOptions, path, kept string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("install hook: %w", err)
	}
	exe, err := opts.Executable()
	if err != nil || exe == "" {
		exe = "git-agent"
	}
	script := hookScript(opts.Stage, exe, opts.ModelReview)
	exists, cur, ours := readHook(path)
	chained := false
	switch {
	case ours && cur == script:
		fmt.Fprintf(opts.F.IO.ErrOut, "git-agent %s hook already installed at %s\n", opts.Stage, path)
		return nil
	case exists && !ours:
		if _, err := os.Lstat(kept); err == nil {
			return fmt.Errorf("install hook: %s is not git-agent's, and %s (a hook kept by an earlier install) is in the way; merge or remove one of them and install again", path, kept)
		}
		if err := os.Rename(path, kept); err != nil {
			return fmt.Errorf("install hook: keep the existing hook: %w", err)
		}
		chained = true
	}
	if err := writeFileAtomic(path, []byte(script), 0o755); err != nil {
		if chained {
			os.Rename(kept, path)
		}
		return fmt.Errorf("install hook: %w", err)
	}
	fmt.Fprintf(opts.F.IO.ErrOut, "installed the git-agent %s hook at %s\n", opts.Stage, path)
	if chained {
		fmt.Fprintf(opts.F.IO.ErrOut, "the hook that was there is now %s and runs first\n", kept)
	}
	return nil
}

func hookUninstall(opts *HookOptions, path, kept string) error {
	exists, _, ours := readHook(path)
	switch {
	case !exists:
		fmt.Fprintf(opts.F.IO.ErrOut, "no %s hook at %s: nothing to uninstall\n", opts.Stage, path)
		return nil
	case !ours:
		return fmt.Errorf("uninstall hook: %s was not installed by git-agent (it lacks the %q line); not removing it", path, hookMarker)
	}
	if _, err := os.Lstat(kept); err == nil {
		if err := os.Rename(kept, path); err != nil {
			return fmt.Errorf("uninstall hook: restore %s: %w", kept, err)
		}
		fmt.Fprintf(opts.F.IO.ErrOut, "removed the git-agent %s hook and restored the one it replaced\n", opts.Stage)
		return nil
	}
	if err := os.Remove(path); err != nil {
		return fmt.Errorf("uninstall hook: %w", err)
	}
	fmt.Fprintf(opts.F.IO.ErrOut, "removed the git-agent %s hook at %s\n", opts.Stage, path)
	return nil
}

// hookModelTimeout bounds the optional model review in a hook: a commit
// must not wait long on a slow model.
const hookModelTimeout = 30 * time.Second

// hookReview is what the hook runs. It must stay fast: one git diff and the
// in-process checks.
func hookReview(opts *HookOptions, dir string) error {
	what, args := "commit", []string{"--cached"}
	if opts.Stage == "pre-push" {
		what = "push"
		base, err := pushBase(opts, dir)
		if err != nil {
			return err
		}
		if base == "" {
			fmt.Fprintln(opts.F.IO.ErrOut, "git-agent: no upstream branch and no origin/HEAD to compare with; skipping the pre-push review")
			return nil
		}
		args = []string{base, "HEAD"}
	}
	// Fixed prefixes and no relative paths, whatever diff.* config says, so
	// that the parser sees the format it expects.
	diffArgs := append([]string{"diff", "--no-ext-diff", "--no-textconv", "--no-color", "-U3",
		"--src-prefix=a/", "--dst-prefix=b/", "--no-relative"}, args...)
	out, err := hookGit(opts, dir, true, diffArgs...)
	if err != nil {
		return fmt.Errorf("review %s: %w", what, err)
	}
	files, err := review.ParseDiff(strings.NewReader(out))
	var findings []review.Finding
	if err == nil {
		findings, err = review.Check(files, reviewOptions(opts.F, dir))
	}
	if err != nil {
		return fmt.Errorf("review %s: %w", what, err)
	}
	if opts.ModelReview {
		for _, mf := range modelReviewWithin(&ReviewOptions{F: opts.F}, dir, files, hookModelTimeout) {
			if mf.Severity == review.SeverityError {
				mf.Severity = review.SeverityWarning // the model advises; only the deterministic checks block
			}
			findings = append(findings, mf)
		}
		review.Sort(findings)
	}
	if len(findings) == 0 {
		return nil
	}
	if err := review.WriteText(opts.F.IO.ErrOut, findings); err != nil {
		return err
	}
	if errs, _, _ := review.Summary(findings); errs > 0 {
		fmt.Fprintf(opts.F.IO.ErrOut, "%s blocked by git-agent: fix the findings above, or bypass once with `git %s --no-verify`\n", what, what)
		return &ExitError{Code: ExitFailed}
	}
	return nil
}

// pushBase is where the commits about to be pushed start: the merge base
// with the upstream branch, else with origin/HEAD, else "" (unknown).
func pushBase(opts *HookOptions, dir string) (string, error) {
	for _, ref := range []string{"@{upstream}", "origin/HEAD"} {
		if _, err := hookGit(opts, dir, true, "rev-parse", "--verify", "-q", ref+"^{commit}"); err != nil {
			continue
		}
		base, err := hookGit(opts, dir, true, "merge-base", ref, "HEAD")
		if err != nil {
			return "", fmt.Errorf("review push: %w", err)
		}
		return strings.TrimSpace(base), nil
	}
	return "", nil
}

// hooksDir is the directory git runs dir's hooks from. With inside set, a
// core.hooksPath outside the repository (shared by others) is refused.
func hooksDir(opts *HookOptions, dir string, inside bool) (string, error) {
	// rev-parse resolves a relative core.hooksPath from the top level, as git
	// does when it runs hooks; in a linked worktree, hooks are the main one's.
	out, err := hookGit(opts, dir, false, "rev-parse", "--path-format=absolute",
		"--show-toplevel", "--git-path", "hooks", "--git-common-dir")
	if err != nil {
		return "", fmt.Errorf("find hooks directory: %w", err)
	}
	paths := strings.Split(strings.TrimSpace(out), "\n")
	if len(paths) != 3 {
		return "", fmt.Errorf("find hooks directory: unexpected git rev-parse output %q", out)
	}
	top, hooks, common := paths[0], paths[1], paths[2]
	if st, err := os.Stat(hooks); err == nil && !st.IsDir() {
		return "", fmt.Errorf("hooks directory %s is not a directory (core.hooksPath): hooks are off in this repository", hooks)
	}
	if inside && !within(hooks, top) && !within(hooks, common) {
		return "", usageErrorf("the hooks directory %s (core.hooksPath) is outside this repository and may be shared by others; pass --force to install there anyway", hooks)
	}
	return hooks, nil
}

func within(path, dir string) bool {
	resolve := func(p string) string {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return r
		}
		return filepath.Clean(p)
	}
	rel, err := filepath.Rel(resolve(dir), resolve(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// hookScript runs the hook kept by install, if any, then git-agent; the
// binary's absolute path survives a PATH without it (GUI git clients).
func hookScript(stage, exe string, modelReview bool) string {
	extra := ""
	if modelReview {
		extra = " --model-review"
	}
	return `#!/bin/sh
` + hookMarker + `
# Installed by 'git agent hook install'; remove it with 'git agent hook uninstall'.
prev="$(dirname -- "$0")/` + stage + hookChainExt + `"
if [ -x "$prev" ]; then
	"$prev" "$@" || exit $?
fi
agent=` + shellQuote(exe) + `
[ -x "$agent" ] || agent=git-agent
exec "$agent" hook run --stage ` + stage + extra + ` -- "$@"
`
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// readHook reports whether path exists, its content, and whether we wrote it.
func readHook(path string) (exists bool, content string, ours bool) {
	if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
		return false, "", false
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return true, "", false
	}
	lines := strings.SplitN(string(b), "\n", 4)
	for i := 0; i < len(lines) && i < 3; i++ {
		if lines[i] == hookMarker {
			return true, string(b), true
		}
	}
	return true, string(b), false
}

func writeFileAtomic(path string, b []byte, mode os.FileMode) error {
	if st, err := os.Stat(path); err == nil && !st.Mode().IsRegular() {
		if st.IsDir() {
			return fmt.Errorf("%s is a directory", path)
		}
		// A device or a pipe (-o /dev/null, /dev/stdout): write into it.
		// Renaming a file over it would replace it — /dev/null itself, as root.
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		_, err = f.Write(b)
		return errors.Join(err, f.Close())
	}
	// Through a symlink, replace its target and keep the link.
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	_, err = tmp.Write(b)
	err = errors.Join(err, tmp.Chmod(mode), tmp.Close())
	if err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// hookGit runs git in dir with fsmonitor and pager off; hardened also turns
// hooks off, for the commands that read the change under review.
func hookGit(opts *HookOptions, dir string, hardened bool, args ...string) (string, error) {
	base := []string{"-c", "core.fsmonitor=false", "--no-pager"}
	if hardened {
		base = append([]string{"-c", "core.hooksPath=/dev/null"}, base...)
	}
	cmd := exec.CommandContext(opts.F.Context, "git", append(base, args...)...)
	cmd.Dir = dir
	cmd.Env = append(opts.Environ(), "GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		return out.String(), fmt.Errorf("git %s: %v: %s", args[0], err, strings.TrimSpace(errOut.String()))
	}
	return out.String(), nil
}
