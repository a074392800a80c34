package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/git-agent/git-agent/internal/agent"
	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/tool"
	"github.com/git-agent/git-agent/sandbox"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/spf13/cobra"
)

func testFactory(stdin string) (*Factory, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	f := &Factory{
		IO:      Test(strings.NewReader(stdin), &out, &errOut),
		Getenv:  func(string) string { return "" },
		Now:     func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) },
		Getwd:   func() (string, error) { return "/", nil },
		Context: context.Background(),
	}
	return f, &out, &errOut
}

func TestRunFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		stdin   string
		want    RunOptions
		changed map[string]string
		wantErr string
	}{
		{"prompt joined", []string{"fix", "the", "bug"}, "", RunOptions{Prompt: "fix the bug"}, map[string]string{}, ""},
		{"prompt from stdin", []string{"-"}, "  from stdin\n", RunOptions{Prompt: "from stdin"}, map[string]string{}, ""},
		{"flags recorded as config keys", []string{"--provider", "anthropic", "--max-turns", "3", "--profile", "trusted", "--json", "go"}, "",
			RunOptions{Prompt: "go", Flags: sessionFlags{Provider: "anthropic", MaxTurns: 3, Profile: "trusted", JSON: true}},
			map[string]string{"provider": "anthropic", "max_turns": "3", "profile": "trusted"}, ""},
		{"base url and shell timeout", []string{"--base-url", "http://x/v1", "--shell-timeout", "30s", "-C", "/tmp", "go"}, "",
			RunOptions{Prompt: "go", Flags: sessionFlags{BaseURL: "http://x/v1", ShellTimeout: 30 * time.Second, Dir: "/tmp"}},
			map[string]string{"base_url": "http://x/v1", "shell_timeout": "30s"}, ""},
		{"no prompt", nil, "", RunOptions{}, nil, "no task given"},
		{"empty stdin", []string{"-"}, "  ", RunOptions{}, nil, "no task given"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _, _ := testFactory(tc.stdin)
			got, err := parseFlags(t, f, NewCmdRun, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) || ExitCode(err) != ExitUsage {
					t.Fatalf("err = %v (exit %d), want %q and exit 2", err, ExitCode(err), tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(RunOptions{}, "F"), cmp.AllowUnexported(sessionFlags{}),
				cmpopts.IgnoreFields(sessionFlags{}, "changed")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.changed, got.Flags.changed); diff != "" {
				t.Errorf("changed (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResumeFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name             string
		args             []string
		wantID, wantText string
		wantLast         bool
	}{
		{"id and prompt", []string{"abc", "more", "work"}, "abc", "more work", false},
		{"last", []string{"--last", "more"}, "", "more", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _, _ := testFactory("")
			got, err := parseFlags(t, f, NewCmdResume, tc.args)
			if err != nil {
				t.Fatal(err)
			}
			if got.ID != tc.wantID || got.Prompt != tc.wantText || got.Last != tc.wantLast {
				t.Errorf("got id %q prompt %q last %v", got.ID, got.Prompt, got.Last)
			}
		})
	}
}

func TestExitCode(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		err  error
		want int
	}{
		{"nil", nil, ExitOK},
		{"usage", usageErrorf("bad"), ExitUsage},
		{"canceled", fmt.Errorf("run: %w", context.Canceled), ExitInterrupted},
		{"sandbox", fmt.Errorf("x: %w", sandbox.ErrProfileUnavailable), ExitSandbox},
		{"missing key", &model.Error{Kind: model.ErrConfig}, ExitUsage},
		{"auth", &model.Error{Kind: model.ErrAuth}, ExitProvider},
		{"transport", fmt.Errorf("wrapped: %w", &model.Error{Kind: model.ErrTransport}), ExitProvider},
		{"explicit", &ExitError{Code: 7}, 7},
		{"other", errors.New("boom"), ExitFailed},
	}
	for _, tc := range tests {
		if got := ExitCode(tc.err); got != tc.want {
			t.Errorf("%s: ExitCode = %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestNewProvider(t *testing.T) {
	t.Parallel()
	env := func(kv ...string) func(string) string {
		m := map[string]string{}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	tests := []struct {
		name      string
		spec      providerSpec
		wantName  string
		wantModel string
		wantURL   string
		wantErr   string
	}{
		{"openai needs a key", providerSpec{Name: "openai", Getenv: env()}, "", "", "", "set OPENAI_API_KEY"},
		{"openai with key", providerSpec{Name: "openai", Getenv: env("OPENAI_API_KEY", "k")}, "openai", "gpt-5", "https://api.openai.com/v1", ""},
		{"custom base url needs no key", providerSpec{Name: "openai-chat", BaseURL: "http://127.0.0.1:8000/v1", Getenv: env()}, "openai-chat", "gpt-5", "http://127.0.0.1:8000/v1", ""},
		{"anthropic needs a key", providerSpec{Name: "anthropic", Getenv: env()}, "", "", "", "set ANTHROPIC_API_KEY"},
		{"ollama defaults", providerSpec{Name: "ollama", Model: "llama3", Getenv: env()}, "ollama", "llama3", "http://localhost:11434/v1", ""},
		{"bad url", providerSpec{Name: "openai", BaseURL: "localhost:80", Getenv: env("OPENAI_API_KEY", "k")}, "", "", "", "not an http(s) URL"},
		{"replay needs a cassette", providerSpec{Name: "replay", Getenv: env()}, "", "", "", "pass --cassette FILE"},
		{"unknown", providerSpec{Name: "gemini", Getenv: env()}, "", "", "", `unknown provider "gemini"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p, s, err := newProvider(tc.spec)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if p.Name() != tc.wantName || s.Model != tc.wantModel || s.BaseURL != tc.wantURL {
				t.Errorf("got %s %s %s", p.Name(), s.Model, s.BaseURL)
			}
		})
	}
}

func TestHumanRenderer(t *testing.T) {
	t.Parallel()
	f, out, errOut := testFactory("")
	r := newHumanRenderer(f.IO, f.Now)
	evs := []agent.Event{
		{Type: agent.EventSessionStarted, SessionID: "s1", Session: &agent.SessionInfo{Provider: "openai", Model: "m", Profile: "trusted", Approval: "never", Workspace: "/w"}},
		{Type: agent.EventItemCompleted, Item: &agent.EventItem{ID: "1", Type: agent.ItemAgentMessage, Text: "Looking around."}},
		{Type: agent.EventItemStarted, Item: &agent.EventItem{ID: "2", Type: agent.ItemCommandExecution, Tool: "shell", Arguments: `{"command":["go","test"]}`, Decision: "allow"}},
		{Type: agent.EventItemCompleted, Item: &agent.EventItem{ID: "2", Type: agent.ItemCommandExecution, Tool: "shell", Status: agent.StatusFailed,
			Detail: tool.ShellDetail{ExitCode: 1, Stdout: "--- FAIL: TestX\nFAIL\n"}}},
		{Type: agent.EventItemStarted, Item: &agent.EventItem{ID: "3", Type: agent.ItemFileChange, Tool: "apply_patch", Decision: "allow"}},
		{Type: agent.EventItemCompleted, Item: &agent.EventItem{ID: "3", Type: agent.ItemFileChange, Tool: "apply_patch", Status: agent.StatusCompleted,
			Detail: tool.ApplyPatchDetail{Files: []tool.PatchedFile{{Op: "update", Path: "x.go", Added: 1, Removed: 1}}}}},
		{Type: agent.EventItemStarted, Item: &agent.EventItem{ID: "4", Type: agent.ItemCommandExecution, Tool: "shell", Decision: "forbid"}},
		{Type: agent.EventItemCompleted, Item: &agent.EventItem{ID: "4", Type: agent.ItemCommandExecution, Tool: "shell", Status: agent.StatusDenied, Reason: "needs approval"}},
		{Type: agent.EventItemCompleted, Item: &agent.EventItem{ID: "5", Type: agent.ItemAgentMessage, Text: "All fixed."}},
		{Type: agent.EventSessionCompleted, Status: agent.SessionCompleted, Turns: 3, FinalMessage: "All fixed.", Usage: &model.Usage{InputTokens: 100, OutputTokens: 20}},
	}
	for _, e := range evs {
		r.event(e)
	}
	if got := out.String(); got != "All fixed.\n" {
		t.Errorf("stdout = %q, want only the final message", got)
	}
	for _, want := range []string{
		"git-agent · session s1 · openai/m · profile trusted",
		"  │ Looking around.\n",
		"  $ go test\n",
		"    │ --- FAIL: TestX\n    │ FAIL\n",
		"  ✎ M x.go (+1 -1)\n",
		"  ✗ shell denied: needs approval\n",
		"completed after 3 turn(s) · 100 tokens in, 20 out\n",
	} {
		if !strings.Contains(errOut.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut.String())
		}
	}
	if strings.Contains(errOut.String(), "All fixed.") {
		t.Errorf("final message also printed on stderr:\n%s", errOut.String())
	}
}

// parseFlags runs the command newCmd builds with args as the command tree
// would (flag errors are usage errors), capturing the options its runF
// receives instead of running it.
func parseFlags[O any](t *testing.T, f *Factory, newCmd func(*Factory, func(*O) error) *cobra.Command, args []string) (*O, error) {
	t.Helper()
	var got *O
	cmd := newCmd(f, func(o *O) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{Err: err} })
	return got, cmd.Execute()
}
