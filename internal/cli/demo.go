package cli

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"github.com/git-agent/git-agent/gitops"
	"github.com/git-agent/git-agent/sandbox"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/git-agent/git-agent/internal/model/replay"
	"github.com/spf13/cobra"
)

// The demo project is stored with a .txt suffix so that the Go tool does not
// treat it as part of this module; the suffix is dropped when it is written.
//
//go:embed demo/project demo/cassette.json
var demoFS embed.FS

// DemoOptions are the inputs of `git agent demo`.
type DemoOptions struct {
	F     *Factory
	Dir   string
	Flags sessionFlags
}

// NewCmdDemo builds `git agent demo`.
func NewCmdDemo(f *Factory, runF func(*DemoOptions) error) *cobra.Command {
	opts := &DemoOptions{F: f}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Watch the agent fix a failing test (recorded model, no API key needed)",
		Long: `Create a small Go project with a failing test in a new temporary git repository
and run a real session on it. The model's turns are replayed from a recording
embedded in git-agent; everything else is real: the tools read the files, the
test runs, the patch is applied, and the session is recorded like any other.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Flags.collect(cmd)
			if runF != nil {
				return runF(opts)
			}
			return demoRun(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Dir, "dir", "", "create the demo repository here (must not exist) instead of a temporary directory")
	cmd.Flags().BoolVar(&opts.Flags.JSON, "json", false, "print events as JSON lines on stdout (see docs/events.md)")
	return cmd
}

func demoRun(opts *DemoOptions) error {
	f := opts.F
	dir, err := createDemoRepo(f.Context, opts.Dir)
	if err != nil {
		return err
	}
	data, err := demoFS.ReadFile("demo/cassette.json")
	if err != nil {
		return err
	}
	cassette, err := replay.Parse(data)
	if err != nil {
		return fmt.Errorf("embedded demo cassette: %w", err)
	}
	banner := `git-agent demo — the model's turns are REPLAYED from a recording embedded in git-agent.
Everything else is real: files are read, the test runs, the patch is applied,
and every command runs confined by the workspace-write profile. The first
go test compiles the standard library into the sandbox's own cache (the host's
is off limits), which can take a minute.
  repository ` + dir
	if _, err := exec.LookPath("go"); err != nil {
		banner += "\n  note: `go` is not on PATH, so the demo's test commands will fail"
	}
	flags := opts.Flags
	flags.Dir = dir
	flags.changed = map[string]string{"profile": "workspace-write", "approval": "never"}
	if flags.JSON {
		fmt.Fprintln(f.IO.ErrOut, strings.SplitN(banner, "\n", 2)[0])
	}
	res, err := runSession(f.Context, f, sessionSpec{
		Flags:        flags,
		Prompt:       "The tests in this repository fail. Find the bug, fix it, and show that the tests pass.",
		Provider:     replay.NewPlayer(cassette),
		ProviderName: "replay",
		ModelName:    "demo-cassette (recorded)",
		Recorded:     true,
		Banner:       banner,
	})
	if err != nil {
		return reportStartError(f, flags.JSON, err)
	}
	// The demo's repository is throwaway; so is the build cache its
	// confined commands filled.
	if repo, err := gitops.Open(f.Context, dir); err == nil {
		if c := sandbox.CacheDir(repo.Root); c != "" {
			os.RemoveAll(c)
		}
	}
	if !flags.JSON {
		if r := res.Outcome.Result; r != nil && r.Branch != "" {
			diff, _ := hardenedGit(f.Context, dir, "diff", "--no-ext-diff", "--stat", "--patch", "main..."+r.Branch)
			fmt.Fprintf(f.IO.ErrOut, "\nThe agent's change, committed on %s (your checkout in %s is untouched):\n%s", r.Branch, dir, diff)
		}
		fmt.Fprintf(f.IO.ErrOut, "\nTry it on your own code: export OPENAI_API_KEY=… (or ANTHROPIC_API_KEY, or --provider ollama)\n  git agent run \"your task\"\nRemove the demo repository with: rm -rf %s\n", dir)
	}
	return outcomeError(f, res, flags.JSON)
}

// createDemoRepo writes the embedded project into a new git repository.
func createDemoRepo(ctx context.Context, dir string) (string, error) {
	if dir == "" {
		d, err := os.MkdirTemp("", "git-agent-demo-")
		if err != nil {
			return "", fmt.Errorf("create demo directory: %w", err)
		}
		dir = d
	} else {
		if _, err := os.Stat(dir); err == nil {
			return "", usageErrorf("--dir %s already exists; pass a new path", dir)
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return "", fmt.Errorf("create demo directory: %w", err)
		}
	}
	root := "demo/project"
	err := fs.WalkDir(demoFS, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := demoFS.ReadFile(p)
		if err != nil {
			return err
		}
		rel := strings.TrimSuffix(strings.TrimPrefix(p, root+"/"), ".txt")
		dst := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, data, 0o644)
	})
	if err != nil {
		return "", fmt.Errorf("write demo project: %w", err)
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "-A"},
		{"-c", "user.name=git-agent demo", "-c", "user.email=demo@git-agent.invalid", "commit", "-q", "--no-verify", "-m", "calc: initial version"},
	} {
		if out, err := hardenedGit(ctx, dir, args...); err != nil {
			return "", fmt.Errorf("set up demo repository: git %s: %v: %s", args[0], err, strings.TrimSpace(out))
		}
	}
	return filepath.EvalSymlinks(dir)
}

// hardenedGit runs git with git-agent's hardening (gitops.Git): no hook,
// fsmonitor, pager, filter or external diff of the repository runs.
func hardenedGit(ctx context.Context, dir string, args ...string) (string, error) {
	out, err := (&gitops.Git{Dir: dir}).Run(ctx, args...)
	var ge *gitops.GitError
	if errors.As(err, &ge) {
		return out + ge.Stderr, err
	}
	return out, err
}
