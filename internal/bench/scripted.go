package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/git-agent/git-agent/internal/model/modeltest"
	"github.com/git-agent/git-agent/sandbox"
)

// TaskOptions configure PrepareTask.
type TaskOptions struct {
	Exe string
	// Dir holds the task's HOME (shared by the tasks prepared in it, as a
	// user's state is) and one fresh repository per task.
	Dir     string
	Environ []string // the environment children start from; see keptEnv
	Git     string   // "" means "git"
}

// Task is one prepared run of the scripted task: a fresh git repository
// with one commit and a model server that, on loopback, speaking the OpenAI
// Responses SSE protocol, asks for one shell call that writes a file, then
// answers. Run it once, then Close it.
type Task struct {
	srv  *modeltest.Server
	exe  string
	git  string
	repo string
	env  []string
}

// taskPrompt is the scripted task; the model's answers do not depend on it.
const taskPrompt = "write ok to out.txt"

// PrepareTask creates the repository and starts the model server. It fails
// with an error wrapping sandbox.ErrProfileUnavailable when this machine
// refuses workspace-write, the profile the task's command runs under.
func PrepareTask(ctx context.Context, o TaskOptions) (*Task, error) {
	if err := sandbox.Available(sandbox.WorkspaceWrite); err != nil {
		return nil, err
	}
	git := o.Git
	if git == "" {
		git = "git"
	}
	home := filepath.Join(o.Dir, "home")
	if err := os.MkdirAll(home, 0o700); err != nil {
		return nil, fmt.Errorf("prepare the task: %w", err)
	}
	repo, err := os.MkdirTemp(o.Dir, "repo-")
	if err != nil {
		return nil, fmt.Errorf("prepare the task: %w", err)
	}
	env := append(keptEnv(o.Environ),
		"HOME="+home,
		"XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"XDG_STATE_HOME="+filepath.Join(home, ".local", "state"),
		"XDG_CACHE_HOME="+filepath.Join(home, ".cache"),
		"XDG_DATA_HOME="+filepath.Join(home, ".local", "share"),
		"GIT_CONFIG_NOSYSTEM=1",
		"OPENAI_API_KEY=sk-bench",
	)
	if err := os.WriteFile(filepath.Join(repo, "README.md"), []byte("# bench\n"), 0o644); err != nil {
		return nil, fmt.Errorf("prepare the task: %w", err)
	}
	for _, args := range [][]string{
		{"init", "-q", "-b", "main"},
		{"add", "README.md"},
		{"-c", "user.name=bench", "-c", "user.email=bench@git-agent.invalid", "commit", "-q", "--no-verify", "-m", "init"},
	} {
		if err := runGit(ctx, git, repo, env, args...); err != nil {
			return nil, fmt.Errorf("prepare the task: %w", err)
		}
	}
	srv := modeltest.New(
		modeltest.Call("call_1", "shell", map[string]any{"command": "echo ok > out.txt"}),
		modeltest.Say("Wrote out.txt."))
	return &Task{srv: srv, exe: o.Exe, git: git, repo: repo, env: env}, nil
}

// Run runs `git-agent run` on the task in the task's repository: the whole
// process, with its worktree, agent branch and commit. It fails unless the
// process exits 0 having used both scripted turns and committed.
func (t *Task) Run(ctx context.Context) (Sample, error) {
	cmd := Command(ctx, t.exe, "run", "--base-url", t.srv.URL+"/v1", "-C", t.repo, taskPrompt)
	cmd.Env = t.env
	s, _, err := Measure(ctx, cmd)
	if err != nil {
		return Sample{}, err
	}
	if n := t.srv.Remaining(); n != 0 {
		return Sample{}, fmt.Errorf("scripted task: %d model turn(s) unused", n)
	}
	out, err := exec.CommandContext(ctx, t.git, "-C", t.repo, "for-each-ref", "--format=%(refname)", "refs/heads/agent/").Output()
	if err != nil {
		return Sample{}, fmt.Errorf("scripted task: list agent branches: %w", err)
	}
	if len(strings.Fields(string(out))) != 1 {
		return Sample{}, fmt.Errorf("scripted task: want one agent branch with the commit, have %q", out)
	}
	return s, nil
}

// Close stops the model server. The repository stays, in the caller's Dir.
func (t *Task) Close() { t.srv.Close() }

func runGit(ctx context.Context, git, dir string, env []string, args ...string) error {
	cmd := exec.CommandContext(ctx, git, args...)
	cmd.Dir = dir
	cmd.Env = env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("git %s: %w\n%s", strings.Join(args, " "), err, out)
	}
	return nil
}

// ScriptedTask is the wall time and peak RSS of the scripted task, each run
// in a fresh repository (created before the clock starts), after one
// unmeasured run. It is Skipped when this machine refuses workspace-write.
func ScriptedTask(ctx context.Context, o Options) (Figure, error) {
	if err := sandbox.Available(sandbox.WorkspaceWrite); err != nil {
		return Figure{Name: ScriptedTaskName, Unit: "ms", Skipped: true, Note: err.Error()}, nil
	}
	dir, err := os.MkdirTemp(o.TempDir, "git-agent-bench-task-")
	if err != nil {
		return Figure{}, fmt.Errorf("scripted task: %w", err)
	}
	defer os.RemoveAll(dir)
	to := TaskOptions{Exe: o.Exe, Dir: dir, Environ: o.Environ, Git: o.git()}
	var samples []Sample
	for i := range o.runs() + 1 {
		s, err := runTask(ctx, to)
		if err != nil {
			return Figure{}, err
		}
		if i > 0 {
			samples = append(samples, s)
		}
	}
	return TimedFigure(ScriptedTaskName, samples), nil
}

func runTask(ctx context.Context, o TaskOptions) (Sample, error) {
	t, err := PrepareTask(ctx, o)
	if err != nil {
		return Sample{}, err
	}
	defer t.Close()
	return t.Run(ctx)
}
