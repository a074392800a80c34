package gitops

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestMain points HOME and the global config at empty temp files so the
// host's git configuration cannot leak into the tests.
func TestMain(m *testing.M) {
	home, err := os.MkdirTemp("", "gitops-home-")
	if err != nil {
		panic(err)
	}
	global := filepath.Join(home, ".gitconfig")
	if err := os.WriteFile(global, []byte("[init]\n\tdefaultBranch = main\n"), 0o644); err != nil {
		panic(err)
	}
	os.Setenv("HOME", home)
	os.Setenv("GIT_CONFIG_GLOBAL", global)
	os.Setenv("GIT_CONFIG_NOSYSTEM", "1")
	code := m.Run()
	os.RemoveAll(home)
	os.Exit(code)
}

// gitT runs plain, unhardened git as a user would.
func gitT(t *testing.T, dir string, args ...string) string {
	t.Helper()
	s, err := gitErr(dir, args...)
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return s
}

func gitEnvT(t *testing.T, dir string, env []string, args ...string) string {
	t.Helper()
	s, err := gitEnv(dir, env, args...)
	if err != nil {
		t.Fatalf("git %v: %v", args, err)
	}
	return s
}

func gitErr(dir string, args ...string) (string, error) { return gitEnv(dir, nil, args...) }

func gitEnv(dir string, env []string, args ...string) (string, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(append(os.Environ(), env...),
		"GIT_AUTHOR_NAME=User", "GIT_AUTHOR_EMAIL=user@example.com",
		"GIT_COMMITTER_NAME=User", "GIT_COMMITTER_EMAIL=user@example.com")
	b, err := cmd.CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("%w: %s", err, b)
	}
	return strings.TrimSpace(string(b)), nil
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// newRepo makes a repository with one commit of a.txt, b.txt and .gitignore.
func newRepo(t *testing.T) *Repo {
	t.Helper()
	dir := t.TempDir()
	gitT(t, dir, "init", "-q")
	writeFile(t, filepath.Join(dir, "a.txt"), "a\n")
	writeFile(t, filepath.Join(dir, "b.txt"), "b\n")
	writeFile(t, filepath.Join(dir, ".gitignore"), "*.log\n")
	gitT(t, dir, "add", "-A")
	gitT(t, dir, "commit", "-q", "-m", "initial")
	r, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// userState is everything of the user's checkout that gitops must not change.
type userState struct {
	Files map[string]string // path -> mode and sha256 of contents
	Head  string
	Index string // sha256 of the index file bytes
	Stash string
	Refs  string // for-each-ref without refs/heads/agent/
}

func captureState(t *testing.T, r *Repo) userState {
	t.Helper()
	s := userState{Files: map[string]string{}}
	err := filepath.WalkDir(r.Root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if p == filepath.Join(r.Root, ".git") {
			return filepath.SkipDir
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		sum := info.Mode().String()
		if d.Type().IsRegular() {
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			h := sha256.Sum256(b)
			sum += " " + hex.EncodeToString(h[:])
		}
		s.Files[p] = sum
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	s.Head = gitT(t, r.Root, "rev-parse", "HEAD")
	if b, err := os.ReadFile(filepath.Join(r.GitDir, "index")); err == nil {
		h := sha256.Sum256(b)
		s.Index = hex.EncodeToString(h[:])
	}
	s.Stash = gitT(t, r.Root, "stash", "list")
	for _, l := range strings.Split(gitT(t, r.Root, "for-each-ref", "--format=%(refname) %(objectname)"), "\n") {
		if !strings.HasPrefix(l, "refs/heads/"+BranchPrefix) {
			s.Refs += l + "\n"
		}
	}
	return s
}

func assertUnchanged(t *testing.T, r *Repo, before userState, step string) {
	t.Helper()
	if d := cmp.Diff(before, captureState(t, r)); d != "" {
		t.Errorf("%s changed the user's checkout (-before +after):\n%s", step, d)
	}
}

// dirty gives the user a modified, a staged, an untracked and an ignored file.
func dirty(t *testing.T, r *Repo) {
	t.Helper()
	writeFile(t, filepath.Join(r.Root, "a.txt"), "a modified\n")
	writeFile(t, filepath.Join(r.Root, "b.txt"), "b staged\n")
	gitT(t, r.Root, "add", "b.txt")
	writeFile(t, filepath.Join(r.Root, "new.txt"), "untracked\n")
	writeFile(t, filepath.Join(r.Root, "debug.log"), "ignored\n")
}
