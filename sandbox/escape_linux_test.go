//go:build linux

package sandbox_test

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/git-agent/git-agent/sandbox"
)

// TestEscape is the escape suite: every attack a prompt-injected model or a
// malicious repository could try from inside a confined command, run under
// each confining profile, where it must fail, and under trusted, where it
// must succeed (so a check that can never fire is caught). Legitimate
// workloads are rows too: they must succeed where listed in allow.
//
// A profile this machine cannot enforce is skipped, unless
// GIT_AGENT_REQUIRE_SANDBOX=1 (as in CI), where it fails the test.
func TestEscape(t *testing.T) {
	require := os.Getenv("GIT_AGENT_REQUIRE_SANDBOX") == "1"
	for _, mode := range []sandbox.Mode{sandbox.Trusted, sandbox.Offline, sandbox.ReadOnly, sandbox.WorkspaceWrite} {
		t.Run(string(mode), func(t *testing.T) {
			t.Parallel()
			if err := sandbox.Available(mode); err != nil {
				if require {
					t.Fatalf("GIT_AGENT_REQUIRE_SANDBOX=1 but the profile is refused: %v", err)
				}
				t.Skipf("profile refused here (set GIT_AGENT_REQUIRE_SANDBOX=1 to fail instead): %v", err)
			}
			for _, a := range attacks {
				want, ok := a.expect(mode)
				if !ok {
					continue
				}
				t.Run(a.name, func(t *testing.T) {
					t.Parallel()
					if testing.Short() && a.slow {
						t.Skip("slow; skipped in -short mode")
					}
					a.run(t, mode, want)
				})
			}
		})
	}
}

// attack is one row of the suite. happened reports, from the host, whether
// the attack's effect took place (a file written, a connection accepted, a
// privilege held) or, for a legitimate workload, whether it worked.
type attack struct {
	name  string
	deny  []sandbox.Mode // confining profiles that must stop it
	allow []sandbox.Mode // confining profiles under which it must work
	// script runs as /bin/sh -c; argv, if set, instead. Values from setup
	// reach them as environment variables.
	script string
	argv   []string
	// wsInHome makes the workspace a directory inside $HOME.
	wsInHome bool
	// scrubbed: the defence is sandbox.BaseEnv, for every profile. Under
	// trusted the attack must succeed with a raw environment and fail with a
	// scrubbed one.
	scrubbed bool
	slow     bool
	timeout  time.Duration
	setup    func(t *testing.T, r *run)
	happened func(t *testing.T, r *run, res *sandbox.Result) (bool, string)
}

var confined = []sandbox.Mode{sandbox.Offline, sandbox.ReadOnly, sandbox.WorkspaceWrite}

// expect says whether the attack must take effect under mode, and whether
// the row applies to mode at all.
func (a *attack) expect(mode sandbox.Mode) (happens, applies bool) {
	if mode == sandbox.Trusted {
		return true, true
	}
	for _, m := range a.deny {
		if m == mode {
			return false, true
		}
	}
	for _, m := range a.allow {
		if m == mode {
			return true, true
		}
	}
	return false, false
}

// run is one attack under one profile: its own workspace, home, outside
// directory and names, so runs never see each other's effects.
type run struct {
	mode    sandbox.Mode
	ws      string // the workspace and working directory
	home    string // $HOME of the command, outside the workspace
	outside string // a directory outside workspace and home
	name    string // a unique name for files the attack creates
	secret  string // a value only the attack's secrets hold
	env     []string
	hits    atomic.Int32    // connections or datagrams a host listener got
	victim  <-chan struct{} // closed when the host process from startHost exits
}

func (r *run) setenv(k, v string) { r.env = append(r.env, k+"="+v) }

func newRun(t *testing.T, mode sandbox.Mode, wsInHome bool) *run {
	r := &run{mode: mode, home: t.TempDir(), outside: t.TempDir(), name: "git-agent-escape-" + randHex(t)}
	r.ws = t.TempDir()
	if wsInHome {
		r.ws = filepath.Join(r.home, "src", "project")
		mkdir(t, r.ws)
	}
	path := sandbox.DefaultPath
	if gobin, err := exec.LookPath("go"); err == nil {
		path += ":" + filepath.Dir(gobin)
	}
	r.env = []string{"PATH=" + path, "HOME=" + r.home, "LANG=C", "OUTSIDE=" + r.outside, "NAME=" + r.name,
		"HOSTPID=" + fmt.Sprint(os.Getpid())}
	if mode == sandbox.Trusted {
		// Confined commands get a private TMPDIR from the sandbox; give the
		// trusted runs one too, so scripts are the same.
		r.setenv("TMPDIR", t.TempDir())
	}
	return r
}

func (a *attack) run(t *testing.T, mode sandbox.Mode, want bool) {
	r := newRun(t, mode, a.wsInHome)
	if a.setup != nil {
		a.setup(t, r)
	}
	if a.scrubbed && mode == sandbox.Trusted {
		a.runOnce(t, r, r.env, true, "raw environment")
	}
	a.runOnce(t, r, sandbox.BaseEnv(r.env), want && !a.scrubbed, "")
}

func (a *attack) runOnce(t *testing.T, r *run, env []string, want bool, label string) {
	argv := a.argv
	if argv == nil {
		argv = []string{"/bin/sh", "-c", a.script}
	}
	timeout := a.timeout
	if timeout == 0 {
		timeout = 20 * time.Second
	}
	res, err := sandbox.Run(t.Context(), sandbox.Profile{Mode: r.mode, Workspace: r.ws},
		&sandbox.Cmd{Args: argv, Dir: r.ws, Env: env, Timeout: timeout})
	if err != nil {
		t.Fatalf("%s: Run: %v", label, err)
	}
	got, detail := a.happened(t, r, res)
	if got == want {
		if !got {
			t.Logf("%s %s: denied: exit %d: %q %q", r.mode, label, res.ExitCode, firstLine(res.Stderr), firstLine(res.Stdout))
		}
		return
	}
	verdict := "NOT DENIED (escape)"
	if want && r.mode == sandbox.Trusted && a.name == "background process outlives the command" {
		// The unconfined control races the group kill on a loaded machine;
		// the confined runs (PID namespace) are what this row checks.
		t.Skipf("unconfined control inconclusive: %s", detail)
	}
	switch {
	case want && r.mode == sandbox.Trusted:
		verdict = "did not work even unconfined, so the check proves nothing"
	case want:
		verdict = "legitimate workload broken"
	}
	t.Errorf("%s %s: %s: %s\nexit %d (signal %q, timed out %v)\nstdout: %q\nstderr: %q",
		r.mode, label, verdict, detail, res.ExitCode, res.Signal, res.TimedOut, trim(res.Stdout), trim(res.Stderr))
}

// Checks.

func exitedZero(t *testing.T, r *run, res *sandbox.Result) (bool, string) {
	return res.ExitCode == 0, fmt.Sprintf("exit status %d", res.ExitCode)
}

func stdoutHas(s func(r *run) string) func(*testing.T, *run, *sandbox.Result) (bool, string) {
	return func(t *testing.T, r *run, res *sandbox.Result) (bool, string) {
		want := s(r)
		return bytes.Contains(res.Stdout, []byte(want)), fmt.Sprintf("stdout contains %q", want)
	}
}

// fileHas reports whether the file at path(r) holds want: the attack's write
// reached the host.
func fileHas(path func(r *run) string, want string) func(*testing.T, *run, *sandbox.Result) (bool, string) {
	return func(t *testing.T, r *run, res *sandbox.Result) (bool, string) {
		p := path(r)
		b, err := os.ReadFile(p)
		return err == nil && strings.Contains(string(b), want), fmt.Sprintf("%s holds %q (read error %v)", p, want, err)
	}
}

func gone(path func(r *run) string) func(*testing.T, *run, *sandbox.Result) (bool, string) {
	return func(t *testing.T, r *run, res *sandbox.Result) (bool, string) {
		p := path(r)
		_, err := os.Lstat(p)
		return errors.Is(err, os.ErrNotExist), fmt.Sprintf("%s is gone (stat error %v)", p, err)
	}
}

func inWS(rel string) func(r *run) string {
	return func(r *run) string { return filepath.Join(r.ws, rel) }
}

// hostFile names a file the attack tries to create outside every writable
// path; it is removed after the test whatever happened.
func hostFile(t *testing.T, dir string, r *run) string {
	p := filepath.Join(dir, r.name)
	t.Cleanup(func() { _ = os.Remove(p) })
	return p
}

var attacks = []*attack{
	// Network: nothing on the host may be reached, on any address family.
	{name: "tcp4 via bash /dev/tcp", deny: confined,
		script: `exec bash -c 'exec 3<>/dev/tcp/127.0.0.1/$PORT && echo hello >&3'`,
		setup:  listenTCP("tcp4", "127.0.0.1:0"), happened: connected},
	{name: "tcp6 via bash /dev/tcp", deny: confined,
		script: `exec bash -c 'exec 3<>/dev/tcp/::1/$PORT && echo hello >&3'`,
		setup:  listenTCP("tcp6", "[::1]:0"), happened: connected},
	{name: "tcp4 via curl", deny: confined,
		script: `curl -sS -m 5 -o /dev/null http://127.0.0.1:$PORT/`,
		setup:  need("curl", listenTCP("tcp4", "127.0.0.1:0")), happened: connected},
	{name: "tcp6 via curl", deny: confined,
		script: `curl -sS -m 5 -o /dev/null 'http://[::1]:'$PORT/`,
		setup:  need("curl", listenTCP("tcp6", "[::1]:0")), happened: connected},
	{name: "tcp4 to the host's non-loopback address", deny: confined,
		script: `exec bash -c 'exec 3<>/dev/tcp/$HOSTIP/$PORT && echo hello >&3'`,
		setup:  listenHostIP, happened: connected},
	{name: "udp4 send", deny: confined,
		script: `exec bash -c 'echo hello >/dev/udp/127.0.0.1/$PORT'`,
		setup:  listenUDP("udp4", "127.0.0.1:0"), happened: connected},
	{name: "udp6 send", deny: confined,
		script: `exec bash -c 'echo hello >/dev/udp/::1/$PORT'`,
		setup:  listenUDP("udp6", "[::1]:0"), happened: connected},
	{name: "abstract unix socket of the host", deny: confined,
		argv:  []string{"/usr/bin/python3", "-c", pyConnectUnix},
		setup: need("/usr/bin/python3", listenUnix(true)), happened: connected},
	{name: "unix socket file of the host outside the workspace", deny: confined,
		argv:  []string{"/usr/bin/python3", "-c", pyConnectUnix},
		setup: need("/usr/bin/python3", listenUnix(false)), happened: connected},

	// Writes outside every writable path.
	{name: "write /etc", deny: confined, script: `echo pwned > "/etc/$NAME"`,
		setup: func(t *testing.T, r *run) { hostFile(t, "/etc", r) }, happened: fileHas(func(r *run) string { return "/etc/" + r.name }, "pwned")},
	{name: "write $HOME", deny: confined, script: `echo pwned > "$HOME/$NAME"`,
		happened: fileHas(func(r *run) string { return filepath.Join(r.home, r.name) }, "pwned")},
	{name: "write /tmp outside TMPDIR", deny: confined, script: `echo pwned > "/tmp/$NAME"`,
		setup: func(t *testing.T, r *run) { hostFile(t, "/tmp", r) }, happened: fileHas(func(r *run) string { return "/tmp/" + r.name }, "pwned")},
	{name: "write /dev/shm", deny: confined, script: `echo pwned > "/dev/shm/$NAME"`,
		setup: func(t *testing.T, r *run) { hostFile(t, "/dev/shm", r) }, happened: fileHas(func(r *run) string { return "/dev/shm/" + r.name }, "pwned")},
	{name: "write another directory outside the workspace", deny: confined, script: `echo pwned > "$OUTSIDE/$NAME"`,
		happened: fileHas(func(r *run) string { return filepath.Join(r.outside, r.name) }, "pwned")},
	{name: "write through a symlink in the workspace pointing outside", deny: confined, script: `echo pwned > link`,
		setup: func(t *testing.T, r *run) {
			writeFile(t, filepath.Join(r.outside, "victim"), "orig\n")
			symlink(t, filepath.Join(r.outside, "victim"), filepath.Join(r.ws, "link"))
		},
		happened: fileHas(func(r *run) string { return filepath.Join(r.outside, "victim") }, "pwned")},
	{name: "hard link a file from outside into the workspace and write it", deny: confined,
		script:   `ln "$OUTSIDE/victim" hl && echo pwned > hl`,
		setup:    func(t *testing.T, r *run) { writeFile(t, filepath.Join(r.outside, "victim"), "orig\n") },
		happened: fileHas(func(r *run) string { return filepath.Join(r.outside, "victim") }, "pwned")},

	// The workspace: writable only under workspace-write.
	{name: "edit a workspace file", deny: []sandbox.Mode{sandbox.Offline, sandbox.ReadOnly}, allow: []sandbox.Mode{sandbox.WorkspaceWrite},
		script: `echo edited > file.txt`, setup: func(t *testing.T, r *run) { writeFile(t, filepath.Join(r.ws, "file.txt"), "orig\n") },
		happened: fileHas(inWS("file.txt"), "edited")},
	{name: "create workspace files and directories", deny: []sandbox.Mode{sandbox.Offline, sandbox.ReadOnly}, allow: []sandbox.Mode{sandbox.WorkspaceWrite},
		script: `mkdir -p a/b && echo new > a/b/new.txt`, happened: fileHas(inWS("a/b/new.txt"), "new")},
	{name: "delete a workspace file", deny: []sandbox.Mode{sandbox.Offline, sandbox.ReadOnly}, allow: []sandbox.Mode{sandbox.WorkspaceWrite},
		script: `rm old.txt`, setup: func(t *testing.T, r *run) { writeFile(t, filepath.Join(r.ws, "old.txt"), "orig\n") },
		happened: gone(inWS("old.txt"))},
	{name: "write the private TMPDIR", allow: []sandbox.Mode{sandbox.ReadOnly, sandbox.WorkspaceWrite},
		script:   `test -n "$TMPDIR" && echo scratch > "$TMPDIR/$NAME" && cat "$TMPDIR/$NAME"`,
		happened: stdoutHas(func(*run) string { return "scratch" })},

	// The git directory and git-agent's config stay read-only, even under
	// workspace-write: a hook or config written there runs on the host later.
	{name: "write .git/hooks/pre-commit", deny: confined, script: `printf '#!/bin/sh\necho pwned\n' > .git/hooks/pre-commit && chmod +x .git/hooks/pre-commit`,
		setup: gitRepo, happened: fileHas(inWS(".git/hooks/pre-commit"), "pwned")},
	{name: "append to .git/config", deny: confined, script: `printf '[core]\n\thooksPath = /tmp/pwned\n' >> .git/config`,
		setup: gitRepo, happened: fileHas(inWS(".git/config"), "pwned")},
	{name: "create a file under .git", deny: confined, script: `echo pwned > ".git/$NAME"`,
		setup: gitRepo, happened: fileHas(func(r *run) string { return filepath.Join(r.ws, ".git", r.name) }, "pwned")},
	{name: "rename .git away", deny: confined, script: `mv .git .git2`,
		setup: gitRepo, happened: gone(inWS(".git/HEAD"))},
	{name: "delete .git", deny: confined, script: `rm -rf .git`,
		setup: gitRepo, happened: gone(inWS(".git/HEAD"))},
	{name: "write hooks of the gitdir a .git file names", deny: confined,
		script: `printf '#!/bin/sh\necho pwned\n' > .gitdir/hooks/pre-commit`,
		setup: func(t *testing.T, r *run) {
			git(t, r.ws, "init", "-q", "--separate-git-dir", filepath.Join(r.ws, ".gitdir"), r.ws)
			mkdir(t, filepath.Join(r.ws, ".gitdir", "hooks"))
		},
		happened: fileHas(inWS(".gitdir/hooks/pre-commit"), "pwned")},
	{name: "write hooks of the gitdir a .git symlink names", deny: confined,
		script: `printf '#!/bin/sh\necho pwned\n' > .gitdir/hooks/pre-commit`,
		setup: func(t *testing.T, r *run) {
			git(t, r.ws, "init", "-q", "--separate-git-dir", filepath.Join(r.ws, ".gitdir"), r.ws)
			mkdir(t, filepath.Join(r.ws, ".gitdir", "hooks"))
			if err := os.Remove(filepath.Join(r.ws, ".git")); err != nil {
				t.Fatal(err)
			}
			symlink(t, ".gitdir", filepath.Join(r.ws, ".git"))
		},
		happened: fileHas(inWS(".gitdir/hooks/pre-commit"), "pwned")},
	{name: "create .git-agent/config.toml", deny: confined, script: `echo 'profile = "trusted"' > .git-agent/config.toml`,
		setup: func(t *testing.T, r *run) { mkdir(t, filepath.Join(r.ws, ".git-agent")) }, happened: fileHas(inWS(".git-agent/config.toml"), "trusted")},

	// Secrets.
	{name: "read $HOME/.ssh/id_ed25519", deny: confined, script: `cat "$HOME/.ssh/id_ed25519"`,
		setup: plantKey, happened: stdoutHas(func(r *run) string { return r.name })},
	{name: "read $HOME/.ssh/id_ed25519 with the workspace inside $HOME", deny: confined, wsInHome: true,
		script: `cat "$HOME/.ssh/id_ed25519"`, setup: plantKey, happened: stdoutHas(func(r *run) string { return r.name })},
	{name: "read the workspace inside $HOME", allow: confined, wsInHome: true, script: `cat file.txt`,
		setup:    func(t *testing.T, r *run) { writeFile(t, filepath.Join(r.ws, "file.txt"), r.name+"\n") },
		happened: stdoutHas(func(r *run) string { return r.name })},
	// Confined commands run as uid 0 of their user namespace, which is the
	// invoking user: when that is root, file permissions protect nothing and
	// only Landlock stands between the command and root-only files.
	{name: "read /etc/shadow as root", deny: confined, script: `cat /etc/shadow`,
		setup: rootOnly(nil), happened: stdoutHas(func(*run) string { return "root:" })},
	{name: "read the raw disk as root", deny: confined, script: `head -c 4096 "$BLOCKDEV" | wc -c`,
		setup: rootOnly(func(t *testing.T, r *run) {
			ents, _ := os.ReadDir("/dev")
			for _, e := range ents {
				fi, err := os.Stat("/dev/" + e.Name())
				if err == nil && fi.Mode()&os.ModeDevice != 0 && fi.Mode()&os.ModeCharDevice == 0 &&
					!strings.HasPrefix(e.Name(), "loop") && !strings.HasPrefix(e.Name(), "zram") && !strings.HasPrefix(e.Name(), "ram") {
					f, err := os.Open("/dev/" + e.Name())
					if err != nil {
						t.Skipf("the test itself cannot read /dev/%s: %v", e.Name(), err)
					}
					f.Close()
					r.setenv("BLOCKDEV", "/dev/"+e.Name())
					return
				}
			}
			t.Skip("no disk under /dev")
		}),
		happened: func(t *testing.T, r *run, res *sandbox.Result) (bool, string) {
			return strings.TrimSpace(string(res.Stdout)) == "4096", "read 4096 bytes of " + lookupEnv(r.env, "BLOCKDEV")
		}},
	{name: "secrets in the environment", deny: confined, scrubbed: true,
		script: `echo "$OPENAI_API_KEY $GITHUB_TOKEN $AWS_SECRET_ACCESS_KEY"; cat /proc/self/environ`,
		setup: func(t *testing.T, r *run) {
			r.secret = randHex(t)
			r.setenv("OPENAI_API_KEY", "sk-"+r.secret)
			r.setenv("GITHUB_TOKEN", "ghp_"+r.secret)
			r.setenv("AWS_SECRET_ACCESS_KEY", "aws-"+r.secret)
		},
		happened: stdoutHas(func(r *run) string { return r.secret })},
	{name: "read another process's environment", deny: confined,
		script: `cat /proc/[0-9]*/environ 2>/dev/null; true`,
		setup: func(t *testing.T, r *run) {
			startHost(t, r, "sleep", "300", "GIT_AGENT_ESCAPE_CANARY=canary-"+r.name)
		},
		happened: stdoutHas(func(r *run) string { return "canary-" + r.name })},

	// Host processes are invisible and untouchable.
	{name: "read /proc/HOSTPID/environ", deny: confined, script: `cat /proc/$HOSTPID/environ`,
		happened: func(t *testing.T, r *run, res *sandbox.Result) (bool, string) {
			own, err := os.ReadFile("/proc/self/environ")
			if err != nil {
				t.Fatal(err)
			}
			return res.ExitCode == 0 && bytes.Equal(res.Stdout, own), "stdout is the test process's environment"
		}},
	{name: "kill -0 HOSTPID", deny: confined, script: `kill -0 $HOSTPID`, happened: exitedZero},
	{name: "kill a host process", deny: confined, script: `kill -KILL $VICTIM`,
		setup: func(t *testing.T, r *run) { startHost(t, r, "sleep", "300") },
		happened: func(t *testing.T, r *run, res *sandbox.Result) (bool, string) {
			select {
			case <-r.victim:
				return true, "host process " + lookupEnv(r.env, "VICTIM") + " was killed"
			case <-time.After(time.Second):
				return false, "host process " + lookupEnv(r.env, "VICTIM") + " was killed"
			}
		}},
	{name: "ptrace a child", deny: confined, argv: []string{"/usr/bin/python3", "-c", pyPtrace},
		setup: need("/usr/bin/python3", nil), happened: stdoutHas(func(*run) string { return "ptrace ok" })},

	// Privileges and kernel attack surface.
	{name: "capabilities and no_new_privs", deny: confined, script: `cat /proc/self/status`,
		happened: func(t *testing.T, r *run, res *sandbox.Result) (bool, string) {
			st := string(res.Stdout)
			var held []string
			for _, want := range []string{"NoNewPrivs:\t1", "CapEff:\t0000000000000000", "CapPrm:\t0000000000000000",
				"CapBnd:\t0000000000000000", "CapAmb:\t0000000000000000"} {
				if !strings.Contains(st, want+"\n") {
					held = append(held, "not "+want)
				}
			}
			if res.ExitCode != 0 {
				t.Fatalf("cat /proc/self/status failed: %s", res.Stderr)
			}
			return len(held) > 0, fmt.Sprintf("privileges held: %q", held)
		}},
	{name: "unshare -U", deny: confined, script: `unshare -U true`, happened: exitedZero},
	{name: "unshare -n", deny: confined, script: `unshare -n true`, happened: exitedZero},
	{name: "mount tmpfs", deny: confined, script: `mount -t tmpfs x "$OUTSIDE/mnt"`,
		setup: func(t *testing.T, r *run) {
			mkdir(t, filepath.Join(r.outside, "mnt"))
			// Under trusted the mount is real: take it down before the
			// directory is removed.
			t.Cleanup(func() { _ = syscall.Unmount(filepath.Join(r.outside, "mnt"), syscall.MNT_DETACH) })
		},
		happened: exitedZero},
	{name: "TIOCSTI on its terminal", deny: confined, argv: []string{"/usr/bin/python3", "-c", pyTIOCSTI},
		setup: need("/usr/bin/python3", nil), happened: stdoutHas(func(*run) string { return "injected" })},
	{name: "background process outlives the command", deny: confined,
		// setsid gives the job its own session and process group, out of
		// reach of the group kill that ends an unconfined command.
		script: `setsid sleep $SLEEPFOR >/dev/null 2>&1 </dev/null & echo $!`,
		setup: func(t *testing.T, r *run) {
			d := fmt.Sprintf("61.%d", time.Now().UnixNano()%1e9)
			r.setenv("SLEEPFOR", d)
			t.Cleanup(func() {
				for _, pid := range findCmdline("sleep\x00" + d + "\x00") {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
			})
		},
		happened: func(t *testing.T, r *run, res *sandbox.Result) (bool, string) {
			marker := "sleep\x00" + lookupEnv(r.env, "SLEEPFOR") + "\x00"
			deadline := time.Now().Add(2 * time.Second)
			for len(findCmdline(marker)) > 0 {
				if time.Now().After(deadline) {
					return true, fmt.Sprintf("sleep %s still running on the host", lookupEnv(r.env, "SLEEPFOR"))
				}
				time.Sleep(20 * time.Millisecond)
			}
			return false, "sleep " + lookupEnv(r.env, "SLEEPFOR") + " still running on the host"
		}},

	// Offline executes only its allowlist of read-only programs.
	{name: "execute /usr/bin/env", deny: []sandbox.Mode{sandbox.Offline}, allow: []sandbox.Mode{sandbox.ReadOnly, sandbox.WorkspaceWrite},
		script: `/usr/bin/env true`, happened: exitedZero},
	{name: "execute python3", deny: []sandbox.Mode{sandbox.Offline}, allow: []sandbox.Mode{sandbox.ReadOnly, sandbox.WorkspaceWrite},
		script: `/usr/bin/python3 -c 1`, setup: need("/usr/bin/python3", nil), happened: exitedZero},

	// Legitimate workloads.
	{name: "ls and cat", allow: confined, script: `ls -la . /usr/bin >/dev/null && cat file.txt`,
		setup:    func(t *testing.T, r *run) { writeFile(t, filepath.Join(r.ws, "file.txt"), r.name+"\n") },
		happened: stdoutHas(func(r *run) string { return r.name })},
	// Test suites listen on loopback or on a socket file of their own (Go's
	// httptest, database and RPC tests); the sandbox's network and mount
	// namespaces keep those private.
	{name: "serve and connect on the sandbox's own loopback", allow: []sandbox.Mode{sandbox.ReadOnly, sandbox.WorkspaceWrite},
		argv: []string{"/usr/bin/python3", "-c", pyLoopback}, setup: need("/usr/bin/python3", func(t *testing.T, r *run) { r.setenv("FAMILY", "inet") }),
		happened: stdoutHas(func(*run) string { return "ping" })},
	// Not a row: serving on a unix socket. socket(AF_UNIX) is denied in every
	// confined profile because, before Landlock ABI 9, a unix socket can
	// connect to any host socket by path (docs/security-profiles.md).
	{name: "git status and log", allow: []sandbox.Mode{sandbox.ReadOnly, sandbox.WorkspaceWrite},
		script: `git status && git log --oneline -1`, setup: gitRepo,
		happened: stdoutHas(func(*run) string { return "initial commit" })},
	{name: "go test", allow: []sandbox.Mode{sandbox.WorkspaceWrite}, slow: true, timeout: 120 * time.Second,
		script: `export GOCACHE=$TMPDIR/gocache GOPATH=$TMPDIR/gopath GOTOOLCHAIN=local GOFLAGS=-mod=mod; go test ./...`,
		setup: need("go", func(t *testing.T, r *run) {
			writeFile(t, filepath.Join(r.ws, "go.mod"), "module example.com/calc\n\ngo 1.22\n")
			writeFile(t, filepath.Join(r.ws, "calc.go"), "package calc\n\nfunc Add(a, b int) int { return a + b }\n")
			writeFile(t, filepath.Join(r.ws, "calc_test.go"), "package calc\n\nimport \"testing\"\n\n"+
				"func TestAdd(t *testing.T) {\n\tif Add(2, 3) != 5 {\n\t\tt.Fatal(\"Add(2, 3) != 5\")\n\t}\n}\n")
		}),
		happened: stdoutHas(func(*run) string { return "ok  \texample.com/calc" })},
}

// Python snippets for what a shell cannot do. SOCK is an abstract ("@name")
// or pathname unix socket.
const (
	pyConnectUnix = `import os, socket
a = os.environ["SOCK"]
if a.startswith("@"):
    a = "\0" + a[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(a)
s.sendall(b"hello")
print("connected")
`
	pyPtrace = `import ctypes, os, subprocess
libc = ctypes.CDLL(None, use_errno=True)
p = subprocess.Popen(["sleep", "5"])
try:
    if libc.ptrace(16, p.pid, 0, 0) == 0:  # PTRACE_ATTACH
        print("ptrace ok")
    else:
        print("ptrace failed:", os.strerror(ctypes.get_errno()))
finally:
    p.kill()
`
	// pyLoopback serves and connects on 127.0.0.1 or a socket in $TMPDIR.
	pyLoopback = `import os, socket
if os.environ["FAMILY"] == "unix":
    addr = os.path.join(os.environ["TMPDIR"], "s.sock")
    s = socket.socket(socket.AF_UNIX)
else:
    addr = ("127.0.0.1", 0)
    s = socket.socket()
s.bind(addr)
s.listen()
c = socket.socket(s.family)
c.connect(s.getsockname())
a, _ = s.accept()
c.sendall(b"ping")
print(a.recv(4).decode())
`
	// The child makes a new pty its controlling terminal, where TIOCSTI
	// needs no capability (dev.tty.legacy_tiocsti=1): only seccomp stops it.
	pyTIOCSTI = `import fcntl, os, termios
pid = os.fork()
if pid == 0:
    try:
        os.setsid()
        m, s = os.openpty()
        fd = os.open(os.ttyname(s), os.O_RDWR)
        fcntl.ioctl(fd, termios.TIOCSTI, b"x")
        os.write(1, b"injected\n")
    except OSError as e:
        os.write(1, ("denied: %s\n" % e).encode())
    os._exit(0)
os.waitpid(pid, 0)
`
)

// Host listeners: each counts in r.hits what reached it.

func listenTCP(network, addr string) func(*testing.T, *run) {
	return func(t *testing.T, r *run) {
		ln, err := net.Listen(network, addr)
		if err != nil {
			t.Skipf("no %s listener here: %v", network, err)
		}
		serve(t, r, ln)
	}
}

func listenHostIP(t *testing.T, r *run) {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs {
		if ip, ok := a.(*net.IPNet); ok && ip.IP.To4() != nil && !ip.IP.IsLoopback() {
			ln, err := net.Listen("tcp4", net.JoinHostPort(ip.IP.String(), "0"))
			if err != nil {
				t.Fatal(err)
			}
			r.setenv("HOSTIP", ip.IP.String())
			serve(t, r, ln)
			return
		}
	}
	t.Skip("the host has no non-loopback IPv4 address")
}

func listenUnix(abstract bool) func(*testing.T, *run) {
	return func(t *testing.T, r *run) {
		addr := "@" + r.name
		if !abstract {
			// Not under t.TempDir: its long name may not fit sun_path.
			dir, err := os.MkdirTemp("", "gae")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = os.RemoveAll(dir) })
			addr = filepath.Join(dir, "s.sock")
		}
		ln, err := net.Listen("unix", addr)
		if err != nil {
			t.Fatal(err)
		}
		r.setenv("SOCK", addr)
		serve(t, r, ln)
	}
}

func serve(t *testing.T, r *run, ln net.Listener) {
	t.Cleanup(func() { _ = ln.Close() })
	if a, ok := ln.Addr().(*net.TCPAddr); ok {
		r.setenv("PORT", fmt.Sprint(a.Port))
	}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			r.hits.Add(1)
			_ = c.Close()
		}
	}()
}

func listenUDP(network, addr string) func(*testing.T, *run) {
	return func(t *testing.T, r *run) {
		pc, err := net.ListenPacket(network, addr)
		if err != nil {
			t.Skipf("no %s listener here: %v", network, err)
		}
		t.Cleanup(func() { _ = pc.Close() })
		r.setenv("PORT", fmt.Sprint(pc.LocalAddr().(*net.UDPAddr).Port))
		go func() {
			buf := make([]byte, 512)
			for {
				if _, _, err := pc.ReadFrom(buf); err != nil {
					return
				}
				r.hits.Add(1)
			}
		}()
	}
}

// connected reports whether the host listener was reached. The command has
// ended, so a connection it made is queued already; the grace covers the
// accept loop.
func connected(t *testing.T, r *run, res *sandbox.Result) (bool, string) {
	deadline := time.Now().Add(time.Second)
	for r.hits.Load() == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	return r.hits.Load() > 0, "the host listener was reached"
}

// Setup helpers.

// rootOnly skips the row unless the test runs as root, then runs next.
func rootOnly(next func(*testing.T, *run)) func(*testing.T, *run) {
	return func(t *testing.T, r *run) {
		if os.Getuid() != 0 {
			t.Skip("only root can do this unconfined")
		}
		if next != nil {
			next(t, r)
		}
	}
}

// need skips the row when prog is not installed, then runs next.
func need(prog string, next func(*testing.T, *run)) func(*testing.T, *run) {
	return func(t *testing.T, r *run) {
		if _, err := exec.LookPath(prog); err != nil {
			t.Skipf("%s is not installed", prog)
		}
		if next != nil {
			next(t, r)
		}
	}
}

func gitRepo(t *testing.T, r *run) {
	writeFile(t, filepath.Join(r.ws, "README"), "hello\n")
	git(t, r.ws, "init", "-q")
	git(t, r.ws, "add", "README")
	git(t, r.ws, "-c", "user.name=t", "-c", "user.email=t@example.com", "commit", "-q", "-m", "initial commit")
}

func git(t *testing.T, dir string, args ...string) {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func plantKey(t *testing.T, r *run) {
	mkdir(t, filepath.Join(r.home, ".ssh"))
	writeFile(t, filepath.Join(r.home, ".ssh", "id_ed25519"),
		"-----BEGIN OPENSSH PRIVATE KEY-----\n"+r.name+"\n-----END OPENSSH PRIVATE KEY-----\n")
}

// startHost starts a host process outside the sandbox, with extra
// environment, and sets $VICTIM to its pid.
func startHost(t *testing.T, r *run, prog, arg string, env ...string) {
	cmd := exec.Command(prog, arg)
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() { _ = cmd.Process.Kill(); <-done })
	r.victim = done
	r.setenv("VICTIM", fmt.Sprint(cmd.Process.Pid))
}

// findCmdline returns the host processes whose command line is exactly
// cmdline (NUL-separated, with the final NUL).
func findCmdline(cmdline string) []int {
	var pids []int
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		var pid int
		if _, err := fmt.Sscan(e.Name(), &pid); err != nil {
			continue
		}
		if b, err := os.ReadFile("/proc/" + e.Name() + "/cmdline"); err == nil && string(b) == cmdline {
			pids = append(pids, pid)
		}
	}
	return pids
}

func lookupEnv(env []string, k string) string {
	v := ""
	for _, kv := range env {
		if rest, ok := strings.CutPrefix(kv, k+"="); ok {
			v = rest
		}
	}
	return v
}

func mkdir(t *testing.T, dir string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func randHex(t *testing.T) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}

func firstLine(b []byte) string {
	line, _, _ := strings.Cut(strings.TrimSpace(string(b)), "\n")
	return line
}

func trim(b []byte) string {
	if len(b) > 2000 {
		return string(b[:1000]) + " … " + string(b[len(b)-1000:])
	}
	return string(b)
}
