package cli

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-agent/git-agent/review"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestReviewFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    ReviewOptions
		wantErr string
	}{
		{"defaults", nil, ReviewOptions{FailOn: "error"}, ""},
		{"all flags", []string{"--base", "origin/dev", "--sarif", "-C", "/tmp", "--fail-on", "warning"},
			ReviewOptions{Base: "origin/dev", SARIF: true, Dir: "/tmp", FailOn: "warning"}, ""},
		{"staged json", []string{"--staged", "--json", "--fail-on", "none"}, ReviewOptions{Staged: true, JSON: true, FailOn: "none"}, ""},
		{"base and staged", []string{"--base", "x", "--staged"}, ReviewOptions{}, "--base and --staged cannot be used together"},
		{"json and sarif", []string{"--json", "--sarif"}, ReviewOptions{}, "--json and --sarif cannot be used together"},
		{"bad fail-on", []string{"--fail-on", "info"}, ReviewOptions{}, `--fail-on "info": want error, warning or none`},
		{"pr with staged", []string{"--pr", "7", "--staged"}, ReviewOptions{}, "drop --base and --staged"},
		{"post without pr", []string{"--post"}, ReviewOptions{}, "--post needs --pr N"},
		{"no arguments", []string{"main"}, ReviewOptions{}, "unknown command"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _, _ := testFactory("")
			got, err := parseFlags(t, f, NewCmdReview, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(ReviewOptions{}, "F")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// gitRepo makes a repository with one commit on branch and returns its path.
func gitRepo(t *testing.T, branch string) string {
	t.Helper()
	dir := t.TempDir()
	git(t, dir, "init", "-q", "-b", branch)
	os.WriteFile(filepath.Join(dir, "README.md"), []byte("hello\n"), 0o644)
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "initial")
	return dir
}

func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestReviewRun(t *testing.T) {
	t.Parallel()
	leak := "key = \"AKIAIOSFODNN7EXAMPLE\"\n"
	tests := []struct {
		name     string
		branch   string
		setup    func(t *testing.T, dir string)
		opts     ReviewOptions
		wantCode int
		want     []string // rules, in order
	}{
		{"staged secret", "main", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "a.env"), []byte(leak), 0o644)
			git(t, dir, "add", "a.env")
		}, ReviewOptions{Staged: true, JSON: true, FailOn: "error"}, ExitFailed, []string{"secret/aws-access-key"}},
		{"unstaged change is not staged", "main", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "README.md"), []byte(leak), 0o644)
		}, ReviewOptions{Staged: true, JSON: true, FailOn: "error"}, 0, nil},
		{"branch against master", "master", func(t *testing.T, dir string) {
			git(t, dir, "checkout", "-q", "-b", "topic")
			os.WriteFile(filepath.Join(dir, "c.txt"), []byte("<<<<<<< HEAD\n"), 0o644)
			git(t, dir, "add", "c.txt")
			git(t, dir, "commit", "-q", "-m", "topic")
		}, ReviewOptions{JSON: true, FailOn: "error"}, ExitFailed, []string{"conflict-marker"}},
		{"origin/HEAD wins", "main", func(t *testing.T, dir string) {
			git(t, dir, "update-ref", "refs/remotes/origin/trunk", "HEAD")
			git(t, dir, "symbolic-ref", "refs/remotes/origin/HEAD", "refs/remotes/origin/trunk")
			// Committed on main: only a diff against origin/trunk sees it.
			os.WriteFile(filepath.Join(dir, "k.pem"), []byte("-----BEGIN PRIVATE KEY-----\n"), 0o644)
			git(t, dir, "add", "k.pem")
			git(t, dir, "commit", "-q", "-m", "key")
		}, ReviewOptions{JSON: true, FailOn: "error"}, ExitFailed, []string{"secret/private-key"}},
		{"fail-on none", "main", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "README.md"), []byte(leak), 0o644)
		}, ReviewOptions{Base: "HEAD", JSON: true, FailOn: "none"}, 0, []string{"secret/aws-access-key"}},
		{"warning passes by default", "main", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "x.bin"), []byte{0, 1, 2, 0}, 0o644)
			git(t, dir, "add", "x.bin")
		}, ReviewOptions{Staged: true, JSON: true, FailOn: "error"}, 0, []string{"binary-file"}},
		{"warning fails with fail-on warning", "main", func(t *testing.T, dir string) {
			os.WriteFile(filepath.Join(dir, "x.bin"), []byte{0, 1, 2, 0}, 0o644)
			git(t, dir, "add", "x.bin")
		}, ReviewOptions{Staged: true, JSON: true, FailOn: "warning"}, ExitFailed, []string{"binary-file"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := gitRepo(t, tc.branch)
			tc.setup(t, dir)
			f, out, _ := testFactory("")
			opts := tc.opts
			opts.F, opts.Dir = f, dir
			if code := ExitCode(reviewRun(&opts)); code != tc.wantCode {
				t.Errorf("exit code %d, want %d; stdout:\n%s", code, tc.wantCode, out)
			}
			var findings []review.Finding
			if err := json.Unmarshal(out.Bytes(), &findings); err != nil {
				t.Fatalf("stdout is not a JSON array: %v\n%s", err, out)
			}
			var rules []string
			for _, fd := range findings {
				rules = append(rules, fd.Rule)
			}
			if diff := cmp.Diff(tc.want, rules); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReviewRunErrors(t *testing.T) {
	t.Parallel()
	noDefault := gitRepo(t, "trunk")
	tests := []struct {
		name    string
		dir     string
		opts    ReviewOptions
		wantErr string
	}{
		{"not a repository", t.TempDir(), ReviewOptions{Staged: true}, "is not in a git repository"},
		{"no default branch", noDefault, ReviewOptions{}, "no default branch"},
		{"unknown base", noDefault, ReviewOptions{Base: "nope"}, "find the merge base of HEAD and nope"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _, _ := testFactory("")
			opts := tc.opts
			opts.F, opts.Dir, opts.FailOn = f, tc.dir, "error"
			err := reviewRun(&opts)
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) || ExitCode(err) != ExitUsage {
				t.Fatalf("err = %v (exit %d), want usage error %q", err, ExitCode(err), tc.wantErr)
			}
		})
	}
}
