package agent

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// tree writes files under dir; a value starting with "->" makes a symlink to
// the rest (relative to the link's directory, or absolute with $DIR), and
// "/" makes a directory.
func tree(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case strings.HasPrefix(content, "->"):
			err = os.Symlink(strings.ReplaceAll(content[2:], "$DIR", dir), path)
		case content == "/":
			err = os.MkdirAll(path, 0o755)
		default:
			err = os.WriteFile(path, []byte(content), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func TestLoadAgentsMD(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		files           map[string]string
		user, repo, cwd string // relative to the temp dir; "" passes ""
		maxBytes        int
		wantText        string
		wantFiles       []string
	}{
		{
			name: "root to leaf",
			files: map[string]string{
				"user.md": "be brief\n", "r/AGENTS.md": "root\n", "r/a/AGENTS.md": "mid", "r/a/b/AGENTS.md": "leaf\n",
				"r/x/AGENTS.md": "sibling, not on the path\n", "r/a/b/c/AGENTS.md": "below cwd\n",
			},
			user: "user.md", repo: "r", cwd: "r/a/b", maxBytes: 1000,
			wantText: "# AGENTS.md from $DIR/user.md\n\nbe brief\n\n# AGENTS.md from AGENTS.md\n\nroot\n\n" +
				"# AGENTS.md from a/AGENTS.md\n\nmid\n\n# AGENTS.md from a/b/AGENTS.md\n\nleaf\n",
			wantFiles: []string{"user.md", "r/AGENTS.md", "r/a/AGENTS.md", "r/a/b/AGENTS.md"},
		},
		{
			name:  "missing user file and gaps",
			files: map[string]string{"r/a/b/AGENTS.md": "leaf\n", "r/a/AGENTS.md": "  \n\n"},
			user:  "nope.md", repo: "r", cwd: "r/a/b", maxBytes: 1000,
			wantText:  "# AGENTS.md from a/b/AGENTS.md\n\nleaf\n",
			wantFiles: []string{"r/a/b/AGENTS.md"},
		},
		{
			name:  "override replaces",
			files: map[string]string{"r/AGENTS.md": "committed\n", "r/AGENTS.override.md": "local\n"},
			repo:  "r", cwd: "r", maxBytes: 1000,
			wantText:  "# AGENTS.md from AGENTS.override.md\n\nlocal\n",
			wantFiles: []string{"r/AGENTS.override.md"},
		},
		{
			name:  "cwd outside repo",
			files: map[string]string{"r/AGENTS.md": "repo\n", "elsewhere/AGENTS.md": "here\n"},
			repo:  "r", cwd: "elsewhere", maxBytes: 1000,
			wantText:  "# AGENTS.md from $DIR/elsewhere/AGENTS.md\n\nhere\n",
			wantFiles: []string{"elsewhere/AGENTS.md"},
		},
		{
			name:  "no repo",
			files: map[string]string{"d/AGENTS.md": "here\n"},
			cwd:   "d", maxBytes: 1000,
			wantText:  "# AGENTS.md from $DIR/d/AGENTS.md\n\nhere\n",
			wantFiles: []string{"d/AGENTS.md"},
		},
		{
			name:  "cwd through a symlink is still inside",
			files: map[string]string{"r/AGENTS.md": "root\n", "r/a/AGENTS.md": "a\n", "link": "->r/a"},
			repo:  "r", cwd: "link", maxBytes: 1000,
			wantText:  "# AGENTS.md from AGENTS.md\n\nroot\n\n# AGENTS.md from a/AGENTS.md\n\na\n",
			wantFiles: []string{"r/AGENTS.md", "r/a/AGENTS.md"},
		},
		{
			name: "symlinks outside skipped, inside kept",
			files: map[string]string{
				"secret.md": "outside\n", "r/AGENTS.md": "->$DIR/secret.md",
				"r/shared.md": "shared\n", "r/a/AGENTS.md": "->../shared.md",
				"r/a/b/AGENTS.override.md": "->../../../secret.md", "r/a/b/AGENTS.md": "fallback\n",
				"r/a/b/c/AGENTS.md": "->missing.md",
			},
			repo: "r", cwd: "r/a/b/c", maxBytes: 1000,
			wantText:  "# AGENTS.md from a/AGENTS.md\n\nshared\n\n# AGENTS.md from a/b/AGENTS.md\n\nfallback\n",
			wantFiles: []string{"r/a/AGENTS.md", "r/a/b/AGENTS.md"},
		},
		{
			name:  "directory named AGENTS.md skipped",
			files: map[string]string{"r/AGENTS.md": "/"},
			repo:  "r", cwd: "r", maxBytes: 1000,
			wantText:  "",
			wantFiles: nil,
		},
		{
			name:  "disabled",
			files: map[string]string{"r/AGENTS.md": "root\n"},
			repo:  "r", cwd: "r", maxBytes: 0,
			wantText: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			tree(t, dir, tt.files)
			abs := func(p string) string {
				if p == "" {
					return ""
				}
				return filepath.Join(dir, p)
			}
			text, files, err := LoadAgentsMD(abs(tt.user), abs(tt.repo), abs(tt.cwd), tt.maxBytes)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantText, strings.ReplaceAll(text, dir, "$DIR")); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
			var wantFiles []string
			for _, f := range tt.wantFiles {
				wantFiles = append(wantFiles, abs(f))
			}
			if diff := cmp.Diff(wantFiles, files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadAgentsMDUserLabel checks the ~ label; it sets HOME, so it is not
// parallel.
func TestLoadAgentsMDUserLabel(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	tree(t, home, map[string]string{".config/git-agent/AGENTS.md": "mine\n"})
	text, _, err := LoadAgentsMD(filepath.Join(home, ".config/git-agent/AGENTS.md"), "", "", 100)
	if err != nil {
		t.Fatal(err)
	}
	if want := "# AGENTS.md from ~/.config/git-agent/AGENTS.md\n\nmine\n"; text != want {
		t.Errorf("got %q, want %q", text, want)
	}
}

func TestLoadAgentsMDCap(t *testing.T) {
	t.Parallel()
	root := strings.Repeat("x", 100) + "\n"
	tests := []struct {
		name      string
		files     map[string]string
		maxBytes  int
		wantText  string
		wantFiles []string
	}{
		{
			name:      "fits exactly",
			files:     map[string]string{"AGENTS.md": "0123456789abcdefghij\n", "a/AGENTS.md": "leaf\n"},
			maxBytes:  85,
			wantText:  "# AGENTS.md from AGENTS.md\n\n0123456789abcdefghij\n\n# AGENTS.md from a/AGENTS.md\n\nleaf\n",
			wantFiles: []string{"AGENTS.md", "a/AGENTS.md"},
		},
		{
			name:      "one byte over drops the root",
			files:     map[string]string{"AGENTS.md": "0123456789abcdefghij\n", "a/AGENTS.md": "leaf\n"},
			maxBytes:  84,
			wantText:  "[truncated: 21 bytes omitted]\n\n# AGENTS.md from a/AGENTS.md\n\nleaf\n",
			wantFiles: []string{"a/AGENTS.md"},
		},
		{
			name:     "leaf whole, root cut",
			files:    map[string]string{"AGENTS.md": root, "a/AGENTS.md": "leaf\n"},
			maxBytes: 120,
			wantText: "# AGENTS.md from AGENTS.md\n\n" + strings.Repeat("x", 23) + "\n[truncated: 78 bytes omitted]\n" +
				"\n# AGENTS.md from a/AGENTS.md\n\nleaf\n",
			wantFiles: []string{"AGENTS.md", "a/AGENTS.md"},
		},
		{
			name:      "leaf alone too big",
			files:     map[string]string{"AGENTS.md": "0123456789abcdefghij\n", "a/AGENTS.md": strings.Repeat("y", 200) + "\n"},
			maxBytes:  100,
			wantText:  "# AGENTS.md from a/AGENTS.md\n\n" + strings.Repeat("y", 37) + "\n[truncated: 185 bytes omitted]\n",
			wantFiles: []string{"a/AGENTS.md"},
		},
		{
			name:     "too small for the marker",
			files:    map[string]string{"AGENTS.md": root, "a": "/"},
			maxBytes: 10,
			wantText: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			dir, err := filepath.EvalSymlinks(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			tree(t, dir, tt.files)
			text, files, err := LoadAgentsMD("", dir, filepath.Join(dir, "a"), tt.maxBytes)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.wantText, text); diff != "" {
				t.Errorf("text (-want +got):\n%s", diff)
			}
			if len(text) > tt.maxBytes {
				t.Errorf("len(text) = %d, over the cap %d", len(text), tt.maxBytes)
			}
			var wantFiles []string
			for _, f := range tt.wantFiles {
				wantFiles = append(wantFiles, filepath.Join(dir, f))
			}
			if diff := cmp.Diff(wantFiles, files); diff != "" {
				t.Errorf("files (-want +got):\n%s", diff)
			}
		})
	}
}

// TestLoadAgentsMDCapBounds sweeps every cap: the text never exceeds it, stays
// valid UTF-8, and the leaf file is whole whenever it fits beside the marker.
func TestLoadAgentsMDCapBounds(t *testing.T) {
	t.Parallel()
	docs := []agentsDoc{
		{path: "u", label: "~/u", body: "user rules\n"},
		{path: "r", label: "AGENTS.md", body: strings.Repeat("é", 40) + "\n"},
		{path: "l", label: "a/AGENTS.md", body: "leaf line\nsecond\n"},
	}
	full, n := capAgentsDocs(docs, 1<<20)
	if n != len(docs) {
		t.Fatalf("uncapped kept %d docs, want %d", n, len(docs))
	}
	leaf := "# AGENTS.md from a/AGENTS.md\n\nleaf line\nsecond\n"
	for maxBytes := 1; maxBytes <= len(full)+2; maxBytes++ {
		text, n := capAgentsDocs(docs, maxBytes)
		switch {
		case len(text) > maxBytes:
			t.Fatalf("max %d: len %d", maxBytes, len(text))
		case !utf8.ValidString(text):
			t.Fatalf("max %d: invalid UTF-8 %q", maxBytes, text)
		case maxBytes >= len(full) && text != full:
			t.Fatalf("max %d: truncated although everything fits", maxBytes)
		case maxBytes >= len(leaf)+40 && !strings.HasSuffix(text, "\n\n"+leaf):
			t.Fatalf("max %d: leaf not kept whole: %q", maxBytes, text)
		case text != "" && n == 0 && !strings.HasPrefix(text, "[truncated: "):
			t.Fatalf("max %d: no docs counted for %q", maxBytes, text)
		}
	}
}

func TestLoadAgentsMDFIFO(t *testing.T) {
	t.Parallel()
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	// mkfifo(1) rather than syscall.Mkfifo keeps this file building on Windows.
	if out, err := exec.Command("mkfifo", filepath.Join(dir, "AGENTS.md")).CombinedOutput(); err != nil {
		t.Skipf("mkfifo: %v %s", err, out)
	}
	// Opening the FIFO would block forever; it must be skipped unopened.
	text, files, err := LoadAgentsMD("", dir, dir, 100)
	if err != nil || text != "" || files != nil {
		t.Errorf("got %q, %q, %v; want nothing", text, files, err)
	}
}
