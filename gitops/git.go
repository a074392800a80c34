// Package gitops is git-agent's git layer: it gives every task its own linked
// worktree and agent/* branch, commits the agent's work there, lists, applies
// and removes those branches, all without touching the user's checkout.
//
// It drives the git CLI (go-git has no linked worktrees) through Git, which
// hardens every invocation so that neither the repository's configuration nor
// files a model wrote can make git-agent execute a program. gitops never
// imports agent, model or tool code.
package gitops

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
)

// Git runs the git CLI in Dir with hardened configuration and environment.
//
// Repository config (.git/config, include.path, a model-edited worktree) can
// name programs that git runs on its own: hooks, core.fsmonitor, diff.external,
// textconv and diff.<x>.command drivers, clean/smudge/process filters, merge
// drivers, gpg.program, credential helpers, pagers and editors. Run disables
// each one with -c (which beats every config file) or a flag (--no-ext-diff,
// --no-textconv on diff, log, show and format-patch). Filter and merge drivers
// have no global switch, so Run first lists the driver names the config
// defines and blanks each of them (see driverOverrides).
type Git struct {
	Dir string
	Env []string // extra KEY=VALUE pairs, applied last

	// pin, if set, holds driver overrides already looked up for a sequence
	// of git-agent's own commands with nothing else running in between
	// (Task.committer): a model's command could define a new driver, so a
	// pinned runner must never outlive the sequence it was made for.
	pin *driverPin
}

// driverPin remembers one lookup of the config's filter and merge drivers.
type driverPin struct {
	done bool
	ov   []string
}

// GitError is a git command that ran and exited non-zero.
type GitError struct {
	Args     []string // the caller's arguments, without the hardening flags
	ExitCode int
	Stderr   string
}

func (e *GitError) Error() string {
	name := "git"
	for i, a := range e.Args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		name += " " + a
		if (a == "worktree" || a == "stash") && i+1 < len(e.Args) {
			name += " " + e.Args[i+1]
		}
		break
	}
	msg := fmt.Sprintf("%s: exit %d", name, e.ExitCode)
	if s := strings.TrimSpace(e.Stderr); s != "" {
		msg += ": " + s
	}
	return msg
}

// hardening is passed before the subcommand of every invocation.
var hardening = []string{
	"--no-pager",
	"-c", "core.hooksPath=/dev/null",
	"-c", "core.fsmonitor=false",
	"-c", "core.pager=cat",
	"-c", "core.editor=:",
	"-c", "sequence.editor=:",
	"-c", "core.attributesFile=/dev/null",
	"-c", "diff.external=",
	"-c", "credential.helper=",
	"-c", "protocol.ext.allow=never",
	"-c", "uploadpack.packObjectsHook=",
	"-c", "commit.gpgSign=false",
	"-c", "tag.gpgSign=false",
	"-c", "submodule.recurse=false",
	"-c", "gc.auto=0",
	"-c", "maintenance.auto=false",
}

// diffCommands may run an external diff or a textconv driver.
var diffCommands = map[string]bool{"diff": true, "log": true, "show": true, "format-patch": true}

// noDrivers lists subcommands that never read file contents through
// attributes, so Run skips the extra `git config` call for them.
var noDrivers = map[string]bool{
	"config": true, "rev-parse": true, "for-each-ref": true, "merge-base": true,
	"commit-tree": true, "log": true, "branch": true, "symbolic-ref": true,
}

// Run runs git with args and returns its stdout. A non-zero exit is a *GitError.
func (g *Git) Run(ctx context.Context, args ...string) (string, error) {
	return g.run(ctx, nil, args...)
}

func (g *Git) run(ctx context.Context, stdin []byte, args ...string) (string, error) {
	if len(args) == 0 {
		return "", errors.New("git: no arguments")
	}
	full := append([]string{}, hardening...)
	if !noDrivers[args[0]] {
		var ov []string
		if g.pin != nil && g.pin.done {
			ov = g.pin.ov
		} else {
			var err error
			if ov, err = g.driverOverrides(ctx); err != nil {
				return "", err
			}
			if g.pin != nil {
				g.pin.done, g.pin.ov = true, ov
			}
		}
		full = append(full, ov...)
	}
	full = append(full, args[0])
	if diffCommands[args[0]] {
		full = append(full, "--no-ext-diff", "--no-textconv")
	}
	full = append(full, args[1:]...)
	return g.exec(ctx, stdin, args, full)
}

// runPlain runs git with the hardening flags but without looking the
// config's drivers up: for a command that reads no file contents through
// attributes, or that brings its own overrides (see driverOverrides).
func (g *Git) runPlain(ctx context.Context, args ...string) (string, error) {
	return g.exec(ctx, nil, args, append(append([]string{}, hardening...), args...))
}

func (g *Git) exec(ctx context.Context, stdin []byte, args, full []string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", full...)
	cmd.Dir = g.Dir
	cmd.Env = g.environ()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ctx.Err() != nil {
		return "", fmt.Errorf("git %s: %w", args[0], ctx.Err())
	}
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return stdout.String(), &GitError{Args: args, ExitCode: exitErr.ExitCode(), Stderr: stderr.String()}
	}
	if err != nil {
		return "", fmt.Errorf("git %s: %w", args[0], err)
	}
	return stdout.String(), nil
}

// environ drops every inherited GIT_* variable (GIT_DIR, GIT_INDEX_FILE,
// GIT_EXTERNAL_DIFF, GIT_CONFIG_PARAMETERS... would redirect or arm git)
// except the user's choice of global config file. GIT_OPTIONAL_LOCKS=0 is set
// for every command: it only stops `git status`-style reads from rewriting
// the user's index, and writes take their required locks regardless.
func (g *Git) environ() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "GIT_") && !strings.HasPrefix(kv, "GIT_CONFIG_GLOBAL=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env,
		"GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat", "PAGER=cat", "GIT_EDITOR=:",
		"GIT_CONFIG_NOSYSTEM=1", "GIT_OPTIONAL_LOCKS=0", "LC_ALL=C")
	return append(env, g.Env...)
}

// driverOverrides blanks every filter and merge driver the config defines, so
// that a .gitattributes line naming one (filter=x, merge=x) runs nothing:
// an empty clean/smudge/process command is skipped by git, and a merge driver
// of "false" reports a conflict instead of running the configured program.
// Git 2.39 has no switch to ignore worktree .gitattributes (attr.tree is 2.42).
func (g *Git) driverOverrides(ctx context.Context) ([]string, error) {
	args := []string{"config", "--null", "--name-only", "--get-regexp", `^(filter|merge)\..+\.`}
	out, err := g.runPlain(ctx, args...)
	var ge *GitError
	if errors.As(err, &ge) && ge.ExitCode == 1 {
		return nil, nil // no such keys
	}
	if err != nil {
		return nil, fmt.Errorf("list config drivers: %w", err)
	}
	return overridesFor(strings.Split(out, "\x00")), nil
}

// overridesFor is the -c flags that blank every filter and merge driver
// among the config keys.
func overridesFor(keys []string) []string {
	var ov []string
	seen := map[string]bool{}
	for _, key := range keys {
		dot := strings.LastIndexByte(key, '.')
		if dot < 0 || seen[key[:dot]] {
			continue
		}
		section := key[:dot]
		seen[section] = true
		switch {
		case strings.HasPrefix(section, "filter."):
			ov = append(ov, "-c", section+".clean=", "-c", section+".smudge=",
				"-c", section+".process=", "-c", section+".required=false")
		case strings.HasPrefix(section, "merge."):
			ov = append(ov, "-c", section+".driver=false")
		}
	}
	return ov
}
