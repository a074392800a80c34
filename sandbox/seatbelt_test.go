package sandbox

import (
	"flag"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files (go test ./sandbox -run Seatbelt -update)")

func TestSeatbeltProfileGolden(t *testing.T) {
	t.Parallel()
	ws := "/Users/me/src/repo"
	tmp := "/private/var/folders/xy/T/git-agent-sbx-1"
	protected := []string{ws + "/.git", ws + "/.git-agent"}
	tests := []struct {
		name      string
		p         Profile
		proxyPort int
	}{
		{name: "offline", p: Profile{Mode: Offline, Workspace: ws}},
		{name: "read-only", p: Profile{Mode: ReadOnly, Workspace: ws}},
		{name: "net-read-only", p: Profile{Mode: NetReadOnly, Workspace: ws}, proxyPort: 18080},
		{name: "workspace-write", p: Profile{Mode: WorkspaceWrite, Workspace: ws}},
		{name: "workspace-write-roots", p: Profile{
			Mode: WorkspaceWrite, Workspace: ws,
			ReadRoots:  []string{"/Users/me/go/pkg/mod", "/opt/data"},
			WriteRoots: []string{"/Users/me/Library/Caches/go-build"},
		}},
		{name: "read-only-quoted", p: Profile{Mode: ReadOnly, Workspace: `/Users/me/we"ird\dir`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := seatbeltProfile(tt.p, tmp, protected, tt.proxyPort)
			if err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "seatbelt", tt.name+".sb")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./sandbox -run Seatbelt -update)", err)
			}
			if diff := cmp.Diff(string(want), got); diff != "" {
				t.Errorf("profile differs from %s (-want +got):\n%s", golden, diff)
			}
		})
	}
}

func TestSeatbeltProfileRules(t *testing.T) {
	t.Parallel()
	ws := "/Users/me/repo"
	tests := []struct {
		name    string
		p       Profile
		want    []string // substrings that must appear
		wantNot []string // substrings that must not
	}{
		{
			name:    "offline writes nothing, not even its tmpdir",
			p:       Profile{Mode: Offline, Workspace: ws},
			wantNot: []string{"file-write*", "network-outbound", "/tmp/t"},
		},
		{
			name:    "read-only writes only its tmpdir",
			p:       Profile{Mode: ReadOnly, Workspace: ws},
			want:    []string{"(allow file-read* file-write*\n  (subpath \"/tmp/t\"))"},
			wantNot: []string{"network-outbound", "deny file-write*"},
		},
		{
			name: "workspace-write denies .git after allowing the workspace",
			p:    Profile{Mode: WorkspaceWrite, Workspace: ws},
			want: []string{"(allow file-read* file-write*\n  (subpath \"/Users/me/repo\")\n  (subpath \"/tmp/t\"))\n" +
				"\n; The git directory and git-agent's own files stay read-only (later rules win).\n" +
				"(deny file-write*\n  (subpath \"/Users/me/repo/.git\"))"},
		},
		{
			name:    "home is not readable, only its path to the workspace",
			p:       Profile{Mode: ReadOnly, Workspace: ws},
			want:    []string{"(allow file-read-metadata\n  (literal \"/Users\")\n  (literal \"/Users/me\")\n  (literal \"/tmp\"))"},
			wantNot: []string{"(subpath \"/Users/me\")", "(subpath \"/Users\")"},
		},
		{
			name: "quote and backslash are escaped",
			p:    Profile{Mode: ReadOnly, Workspace: `/a"b\c`},
			want: []string{`(subpath "/a\"b\\c")`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := seatbeltProfile(tt.p, "/tmp/t", []string{ws + "/.git"}, 0)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range tt.want {
				if !strings.Contains(got, s) {
					t.Errorf("profile lacks %q:\n%s", s, got)
				}
			}
			for _, s := range tt.wantNot {
				if strings.Contains(got, s) {
					t.Errorf("profile has %q:\n%s", s, got)
				}
			}
		})
	}
}

func TestSeatbeltProfileErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		p         Profile
		tmpdir    string
		proxyPort int
		want      string
	}{
		{name: "unknown mode", p: Profile{Mode: "loose", Workspace: "/w"}, want: `unknown profile "loose"`},
		{name: "relative workspace", p: Profile{Mode: ReadOnly, Workspace: "w"}, want: "not absolute and clean"},
		{name: "unclean root", p: Profile{Mode: ReadOnly, Workspace: "/w", ReadRoots: []string{"/a/../etc"}}, want: "not absolute and clean"},
		{name: "newline", p: Profile{Mode: WorkspaceWrite, Workspace: "/w", WriteRoots: []string{"/a\n(allow default)"}}, want: "control character"},
		{name: "relative tmpdir", p: Profile{Mode: ReadOnly, Workspace: "/w"}, tmpdir: "t", want: "not absolute and clean"},
		{name: "net-read-only without proxy", p: Profile{Mode: NetReadOnly, Workspace: "/w"}, want: "egress proxy's port, got 0"},
		{name: "net-read-only bad port", p: Profile{Mode: NetReadOnly, Workspace: "/w"}, proxyPort: 70000, want: "got 70000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := seatbeltProfile(tt.p, tt.tmpdir, nil, tt.proxyPort)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

func TestSeatbeltTrustedHasNoProfile(t *testing.T) {
	t.Parallel()
	got, err := seatbeltProfile(Profile{Mode: Trusted, Workspace: "/w"}, "/t", nil, 0)
	if got != "" || err != nil {
		t.Errorf("seatbeltProfile(trusted) = %q, %v; want \"\", nil", got, err)
	}
}

func TestSeatbeltProtected(t *testing.T) {
	t.Parallel()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	mkdir := func(p string) string {
		t.Helper()
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write := func(p, s string) {
		t.Helper()
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// A main repository with a linked worktree, and a plain repository
	// whose .git is a symlink into the workspace.
	mainRepo := mkdir(filepath.Join(root, "main"))
	wtGitdir := mkdir(filepath.Join(mainRepo, ".git", "worktrees", "wt"))
	write(filepath.Join(wtGitdir, "commondir"), "../..\n")
	wt := mkdir(filepath.Join(root, "wt"))
	write(filepath.Join(wt, ".git"), "gitdir: ../main/.git/worktrees/wt\n")
	linked := mkdir(filepath.Join(root, "linked"))
	mkdir(filepath.Join(linked, "real-git"))
	if err := os.Symlink("real-git", filepath.Join(linked, ".git")); err != nil {
		t.Fatal(err)
	}
	bare := mkdir(filepath.Join(root, "none"))

	tests := []struct {
		name string
		ws   string
		want []string
	}{
		{name: "no repository yet", ws: bare, want: []string{bare + "/.git", bare + "/.git-agent"}},
		{name: "worktree: gitdir and common dir", ws: wt, want: []string{
			mainRepo + "/.git", wtGitdir, wt + "/.git", wt + "/.git-agent",
		}},
		{name: "symlinked .git", ws: linked, want: []string{linked + "/.git", linked + "/.git-agent", linked + "/real-git"}},
		{name: "main repository", ws: mainRepo, want: []string{mainRepo + "/.git", mainRepo + "/.git-agent"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, seatbeltProtected(tt.ws)); diff != "" {
				t.Errorf("seatbeltProtected(%s) (-want +got):\n%s", tt.ws, diff)
			}
		})
	}
}

// TestSeatbeltEnforced runs commands under the real profiles; macOS only.
func TestSeatbeltEnforced(t *testing.T) {
	t.Parallel()
	if runtime.GOOS != "darwin" {
		t.Skip("Seatbelt is macOS only")
	}
	if _, err := os.Stat("/usr/bin/sandbox-exec"); err != nil {
		t.Skip(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	port := strconv.Itoa(ln.Addr().(*net.TCPAddr).Port)
	tests := []struct {
		name   string
		mode   Mode
		script string
		want   int // exit code; -1: any failure
	}{
		{name: "workspace-write writes the workspace", mode: WorkspaceWrite, script: `echo x > f && cat f`, want: 0},
		{name: "workspace-write writes TMPDIR", mode: WorkspaceWrite, script: `echo x > "$TMPDIR/f"`, want: 0},
		{name: "workspace-write cannot write .git", mode: WorkspaceWrite, script: `echo x >> .git/config`, want: -1},
		{name: "workspace-write cannot write .git through a symlink", mode: WorkspaceWrite, script: `ln -s .git/config l && echo x >> l`, want: -1},
		{name: "workspace-write cannot write .git through a hard link", mode: WorkspaceWrite, script: `ln .git/config h && echo x >> h`, want: -1},
		{name: "workspace-write cannot create .git-agent", mode: WorkspaceWrite, script: `mkdir .git-agent`, want: -1},
		{name: "workspace-write cannot write elsewhere", mode: WorkspaceWrite, script: `echo x > "$OTHER/f"`, want: -1},
		{name: "read-only reads the workspace", mode: ReadOnly, script: `cat .git/config`, want: 0},
		{name: "read-only cannot write the workspace", mode: ReadOnly, script: `echo x > f`, want: -1},
		{name: "read-only writes TMPDIR", mode: ReadOnly, script: `echo x > "$TMPDIR/f"`, want: 0},
		{name: "other directories are unreadable", mode: ReadOnly, script: `cat "$OTHER/secret"`, want: -1},
		{name: "offline writes nothing", mode: Offline, script: `echo x > "${TMPDIR:-/tmp}/f"`, want: -1},
		{name: "no network", mode: WorkspaceWrite, script: `/usr/bin/nc -z -w 2 127.0.0.1 ` + port, want: -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			ws, other := t.TempDir(), t.TempDir()
			if err := os.MkdirAll(filepath.Join(ws, ".git"), 0o755); err != nil {
				t.Fatal(err)
			}
			for _, f := range []string{filepath.Join(ws, ".git", "config"), filepath.Join(other, "secret")} {
				if err := os.WriteFile(f, []byte("x\n"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			env := []string{"PATH=" + DefaultPath, "OTHER=" + other}
			res, err := Run(t.Context(), Profile{Mode: tt.mode, Workspace: ws},
				&Cmd{Args: []string{"/bin/sh", "-c", tt.script}, Dir: ws, Env: env, Timeout: 30 * time.Second})
			if err != nil {
				t.Fatal(err)
			}
			if got := res.ExitCode; (tt.want >= 0 && got != tt.want) || (tt.want < 0 && got == 0) {
				t.Errorf("exit %d, want %d (-1: any failure)\nstdout: %s\nstderr: %s", got, tt.want, res.Stdout, res.Stderr)
			}
		})
	}
}
