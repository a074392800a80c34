package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/git-agent/git-agent/internal/agent"
	"github.com/git-agent/git-agent/internal/audit"
	"github.com/git-agent/git-agent/internal/config"
	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/replay"
	"github.com/git-agent/git-agent/internal/policy"
	"github.com/git-agent/git-agent/internal/tool"
	"github.com/git-agent/git-agent/sandbox"
)

// sessionSpec says how to start or continue a session.
type sessionSpec struct {
	Flags  sessionFlags
	Prompt string
	// Resume, if set, continues this session.
	Resume *agent.Loaded
	// Provider, if set, replaces the configured provider (the demo's replay).
	Provider     model.Provider
	ProviderName string
	ModelName    string
	// Recorded marks sessions whose model turns come from a cassette.
	Recorded bool
	// Banner is printed (stderr) before the session starts.
	Banner string
	// InstructionsFrom, if set, is the only directory AGENTS.md is read
	// from (its own AGENTS.md), instead of the task's worktree: the action's
	// fix runs on a pull request's head, whose AGENTS.md is the PR author's
	// text, not the repository's instructions.
	InstructionsFrom string
}

// sessionResult is where a finished session left its traces.
type sessionResult struct {
	ID      string
	Rollout string
	Outcome *agent.Outcome
}

// workdir resolves -C (or the current directory) to an absolute, symlink-free directory.
func workdir(f *Factory, dir string) (string, error) {
	if dir == "" {
		wd, err := f.Getwd()
		if err != nil {
			return "", fmt.Errorf("get working directory: %w", err)
		}
		dir = wd
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", usageErrorf("directory %s: %v", dir, err)
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", usageErrorf("directory %s does not exist", dir)
	}
	if st, err := os.Stat(real); err != nil || !st.IsDir() {
		return "", usageErrorf("%s is not a directory", dir)
	}
	return real, nil
}

// repoRoot finds the enclosing git repository's top directory, or "".
func repoRoot(dir string) string {
	for d := dir; ; {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		parent := filepath.Dir(d)
		if parent == d {
			return ""
		}
		d = parent
	}
}

// loadConfig resolves the layered configuration for dir.
func loadConfig(ctx context.Context, f *Factory, dir string, flags map[string]string) (*config.Loaded, string, error) {
	root := repoRoot(dir)
	opts := config.LoadOptions{RepoRoot: root, Getenv: f.Getenv, Flags: flags, UserFile: config.UserFile(f.Getenv, "config.toml")}
	l, err := config.Load(ctx, opts)
	if err != nil {
		return nil, root, &UsageError{Err: fmt.Errorf("configuration: %w", err)}
	}
	return l, root, nil
}

// runSession builds everything a session needs and runs it to the end.
func runSession(ctx context.Context, f *Factory, spec sessionSpec) (*sessionResult, error) {
	if spec.Flags.changed["profile"] != string(sandbox.Trusted) {
		// The sandbox trial (a confined child process) runs while the
		// configuration and the repository are read, not after.
		defer sandbox.Prefetch()()
	}
	dir := spec.Flags.Dir
	if spec.Resume != nil && dir == "" {
		dir = spec.Resume.Meta.Workspace
		if spec.Resume.Meta.Branch != "" && spec.Resume.Meta.Repo != "" {
			dir = spec.Resume.Meta.Repo // its worktree was removed; a new one is made on the branch
		}
	}
	ws, err := workdir(f, dir)
	if err != nil {
		return nil, err
	}
	flags := spec.Flags.changed
	if spec.Resume != nil {
		// A resumed session keeps its provider, model and profile unless a flag says otherwise.
		m := spec.Resume.Meta
		for k, v := range map[string]string{"provider": m.Provider, "model": m.Model, "profile": m.Profile, "approval": m.Approval, "base_url": m.BaseURL} {
			if _, set := flags[k]; !set && v != "" {
				flags[k] = v
			}
		}
	}
	loaded, root, err := loadConfig(ctx, f, ws, flags)
	if err != nil {
		return nil, err
	}
	for _, w := range loaded.Warnings {
		fmt.Fprintf(f.IO.ErrOut, "warning: %s\n", w)
	}
	cfg := loaded.Config

	mode, err := sandbox.ParseMode(cfg.Profile)
	if err != nil {
		return nil, &UsageError{Err: err}
	}
	stateDir := cfg.StateDir
	if stateDir == "" {
		stateDir = f.defaultStateDir()
	}
	alog, err := f.openAudit(stateDir)
	if err != nil {
		return nil, err
	}
	id := agent.NewID()
	resumeBranch := ""
	if spec.Resume != nil {
		id, resumeBranch = spec.Resume.Meta.ID, spec.Resume.Meta.Branch
	}
	rec := &recorder{log: alog, session: id, profile: string(mode)}
	if err := sandbox.Available(mode); err != nil {
		rec.note(f, audit.Entry{Operation: "sandbox.refused", Target: ws, Decision: "refused", Reason: err.Error()})
		return nil, err
	}
	tel, err := f.newTelemetry(ctx)
	if err != nil {
		return nil, err
	}
	f.Log.Debug("configuration", "profile", mode, "approval", cfg.Approval, "provider", cfg.Provider, "model", cfg.Model, "state_dir", stateDir)
	approval, err := policy.ParseMode(cfg.Approval)
	if err != nil {
		return nil, &UsageError{Err: err}
	}

	prov := spec.Provider
	pname, mname, baseURL := spec.ProviderName, spec.ModelName, ""
	if prov == nil {
		var ps providerSpec
		prov, ps, err = newProvider(providerSpec{Name: cfg.Provider, Model: cfg.Model, BaseURL: cfg.BaseURL,
			Cassette: spec.Flags.Cassette, Getenv: f.Getenv, Client: f.HTTPClient})
		if err != nil {
			return nil, err
		}
		pname, mname, baseURL = ps.Name, ps.Model, ps.BaseURL
		spec.Recorded = spec.Recorded || pname == "replay"
	}
	if spec.Flags.Record != "" {
		prov = replay.NewRecorder(prov, spec.Flags.Record, mname, f.Now())
	}

	store := &agent.Store{Dir: filepath.Join(stateDir, "sessions"), Now: f.Now, Sanitize: f.sanitizer().JSON, Home: f.home()}

	// The session's place: its own worktree and branch inside a repository.
	// A resumed session without a branch worked in place (outside a
	// repository, or with --in-place): it continues there.
	// The branch is named after the task, sanitized like every other record.
	place, err := prepareTask(ctx, f, ws, id, f.sanitizer().String(spec.Prompt), spec.Flags, resumeBranch, spec.Resume != nil && resumeBranch == "")
	if err != nil {
		return nil, err
	}
	ws = place.Workspace
	place.rec, place.clean = rec, f.sanitizer().String
	if place.Task != nil && resumeBranch == "" {
		rec.note(f, audit.Entry{Operation: "branch.create", Target: place.Task.Branch, Decision: "ok",
			Details: map[string]any{"worktree": place.Task.Worktree, "repo": place.Repo.Root, "base": spec.Flags.Base}})
	}
	started := false
	defer func() {
		if !started && place.Task != nil && resumeBranch == "" {
			_ = place.Task.Remove(context.WithoutCancel(ctx))
			_ = place.Repo.Undo(context.WithoutCancel(ctx), place.Task.Branch)
		}
	}()
	branch, repoDir := "", ""
	if place.Task != nil {
		branch, repoDir = place.Task.Branch, place.Repo.Root
	}
	agentsRoot, agentsLeaf := root, ws
	if place.Task != nil {
		agentsRoot = place.Task.Worktree
	}
	if spec.InstructionsFrom != "" {
		agentsRoot, agentsLeaf = spec.InstructionsFrom, spec.InstructionsFrom
	}
	// Build caches are shared by the sessions of one repository.
	cacheKey := ws
	if place.Repo != nil {
		cacheKey = place.Repo.Root
	}

	var rollout *agent.Rollout
	if spec.Resume != nil {
		rollout, err = store.Reopen(spec.Resume.Meta.ID)
		if err == nil {
			err = rollout.Append(agent.Record{Kind: "prompt", Prompt: spec.Prompt})
		}
	} else {
		rollout, err = store.Create(agent.Meta{ID: id, Created: f.Now().UTC(), Provider: pname, Model: mname,
			BaseURL: baseURL, Profile: string(mode), Approval: string(approval), Workspace: ws, Prompt: spec.Prompt, Version: Version(),
			Branch: branch, Repo: repoDir, PID: os.Getpid()})
	}
	if err != nil {
		return nil, fmt.Errorf("record session: %w (set state_dir in config or XDG_STATE_HOME to a writable directory)", err)
	}
	defer rollout.Close()

	agentsMD, files, err := agent.LoadAgentsMD(config.UserFile(f.Getenv, "AGENTS.md"), agentsRoot, agentsLeaf, cfg.AgentsMDMaxBytes)
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: AGENTS.md: %v\n", err)
	}

	var emit func(agent.Event)
	var human *humanRenderer
	if spec.Flags.JSON {
		emit = newJSONRenderer(f.IO.Out).event
	} else {
		human = newHumanRenderer(f.IO, f.Now)
		emit = human.event
		if spec.Banner != "" {
			fmt.Fprintln(f.IO.ErrOut, spec.Banner)
		}
	}

	var approver policy.Approver
	if approval != policy.Never && f.IO.IsStdinTTY() && f.IO.IsStderrTTY() && !spec.Flags.JSON {
		a := &ttyApprover{in: bufioReader(f.IO.In), out: f.IO.ErrOut}
		if human != nil && human.status != nil {
			a.hold = human.status.hold
		}
		approver = a
	}
	pol := policy.New(approval, policyRules(cfg.Rules), approver)

	shellTimeout := time.Duration(cfg.ShellTimeout)
	env := &tool.Env{
		Workspace: ws,
		Sandbox: sandbox.Profile{Mode: mode, Workspace: ws, ReadRoots: cfg.ReadRoots, WriteRoots: cfg.WriteRoots, AllowDomains: cfg.AllowDomains,
			OfflinePrograms: cfg.OfflinePrograms, CacheKey: cacheKey,
			Limits: sandbox.Limits{Processes: cfg.MaxProcesses, Memory: cfg.MaxMemory, FileSize: cfg.MaxFileSize}},
		ShellTimeout:    shellTimeout,
		MaxShellTimeout: time.Duration(cfg.MaxShellTimeout),
		Environ:         sandbox.AllowSecrets(sandbox.BaseEnv(os.Environ()), os.Environ(), cfg.EnvAllow),
	}
	instructions := agent.BuildInstructions(agent.Environment{Workspace: ws, Profile: string(mode), Approval: string(approval),
		Shell: "/bin/sh", Date: f.Now().Format("2006-01-02")}, agentsMD)

	a := agent.New(agent.Options{
		SessionID: rollout.ID,
		Info: agent.SessionInfo{Provider: pname, Model: mname, Profile: string(mode), Approval: string(approval),
			Workspace: ws, Resumed: spec.Resume != nil, Rollout: rollout.Path, Recorded: spec.Recorded, Instruction: files},
		Provider:        prov,
		Model:           mname,
		Instructions:    instructions,
		Tools:           defaultTools(),
		ToolEnv:         env,
		Policy:          pol,
		MaxTurns:        cfg.MaxTurns,
		ContextWindow:   cfg.ContextWindow,
		MaxOutputTokens: cfg.MaxOutputTokens,
		Emit:            emit,
		Rollout:         rollout,
		Now:             f.Now,
		Finish: func(out *agent.Outcome) *agent.ResultInfo {
			meta := agent.Meta{ID: rollout.ID, Provider: pname, Model: mname, Profile: string(mode)}
			return place.finish(ctx, out, meta, spec.Prompt, spec.Flags, alog.Head())
		},
		Audit:        rec.record,
		AuditContent: spec.Flags.AuditContent,
		AuditInfo:    func() *agent.AuditInfo { return &agent.AuditInfo{Log: alog.Path(), Head: alog.Head()} },
		Telemetry:    tel,
		Log:          f.Log,
	})
	if spec.Resume != nil {
		a.Restore(spec.Resume.Items, spec.Resume.Turns, spec.Resume.Usage)
	}
	started = true
	out := a.Run(ctx, spec.Prompt)
	if human != nil {
		fmt.Fprintf(f.IO.ErrOut, "session %s recorded in %s\n  continue with: git agent resume %s \"...\"\n", rollout.ID, rollout.Path, rollout.ID)
		if spec.Flags.Record != "" {
			fmt.Fprintf(f.IO.ErrOut, "  model turns recorded in %s\n", spec.Flags.Record)
		}
		fmt.Fprintf(f.IO.ErrOut, "  audit log: %s (chain head %s; check it with: git agent audit verify)\n", alog.Path(), short(alog.Head()))
	}
	return &sessionResult{ID: rollout.ID, Rollout: rollout.Path, Outcome: out}, nil
}

// outcomeError turns a finished session into the command's error (and so its exit code).
// The renderer has already shown the details.
func outcomeError(f *Factory, res *sessionResult, jsonMode bool) error {
	out := res.Outcome
	code := ExitOK
	switch out.Status {
	case agent.SessionCompleted:
		return nil
	case agent.SessionInterrupted:
		code = ExitInterrupted
	case agent.SessionFailed:
		code = ExitCode(out.Err)
		if code == ExitOK {
			code = ExitFailed
		}
	default:
		code = ExitFailed
	}
	if jsonMode && out.Err != nil {
		fmt.Fprintf(f.IO.ErrOut, "git-agent: %s\n", oneLine(out.Err.Error()))
	}
	return &ExitError{Code: code}
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func policyRules(rs []config.Rule) []policy.Rule {
	var out []policy.Rule
	for _, r := range rs {
		out = append(out, policy.Rule{Prefix: r.Prefix, Decision: policy.Decision(r.Decision), Reason: r.Reason})
	}
	return out
}

func defaultTools() *tool.Registry {
	return tool.NewRegistry(
		tool.NewShell(),
		tool.NewApplyPatch(),
		tool.NewReadFile(),
		tool.NewListDir(),
		tool.NewGrep(),
		tool.NewUpdatePlan(),
	)
}

var errNoPrompt = errors.New("no task given")
