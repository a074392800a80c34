package action

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestInputEnv(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, input, want string }{
		{"plain", "mode", "INPUT_MODE"},
		{"hyphens are kept", "trigger-phrase", "INPUT_TRIGGER-PHRASE"},
		{"spaces become underscores", "my input", "INPUT_MY_INPUT"},
		{"already upper", "API-KEY", "INPUT_API-KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := InputEnv(tt.input); got != tt.want {
				t.Errorf("InputEnv(%q) = %q, want %q", tt.input, got, tt.want)
			}
		})
	}
}

func defaults() Inputs {
	return Inputs{
		Mode: "review", Profile: "workspace-write", TriggerPhrase: "/agent",
		MaxTurns: 30, Timeout: 30 * time.Minute, FailOn: "error",
	}
}

func TestReadInputs(t *testing.T) {
	t.Parallel()
	with := func(f func(*Inputs)) Inputs { in := defaults(); f(&in); return in }
	tests := []struct {
		name    string
		env     map[string]string
		want    Inputs
		wantErr []string // names of the inputs the error must report
	}{
		{name: "defaults", env: nil, want: defaults()},
		{
			name: "everything set",
			env: map[string]string{
				"INPUT_MODE": "fix", "INPUT_PROMPT": "  add a test\n", "INPUT_PROVIDER": "anthropic",
				"INPUT_MODEL": "claude-sonnet", "INPUT_BASE-URL": "https://llm.example.com/v1",
				"INPUT_API-KEY": "sk-test", "INPUT_GITHUB-TOKEN": "ghs_test", "INPUT_PROFILE": "read-only",
				"INPUT_TRIGGER-PHRASE": "@agent", "INPUT_ALLOWED-BOTS": "dependabot[bot],\n renovate[bot]\n",
				"INPUT_MAX-TURNS": "12", "INPUT_TIMEOUT": "1h30m", "INPUT_SBOM": "yes", "INPUT_BENCH": "TRUE",
				"INPUT_FAIL-ON": "warning",
			},
			want: Inputs{
				Mode: "fix", Prompt: "add a test", Provider: "anthropic", Model: "claude-sonnet",
				BaseURL: "https://llm.example.com/v1", APIKey: "sk-test", GitHubToken: "ghs_test",
				Profile: "read-only", TriggerPhrase: "@agent", AllowedBots: []string{"dependabot[bot]", "renovate[bot]"},
				MaxTurns: 12, Timeout: 90 * time.Minute, SBOM: true, Bench: true, FailOn: "warning",
			},
		},
		{name: "underscore names are not read", env: map[string]string{"INPUT_MAX_TURNS": "5", "INPUT_FAIL_ON": "never"}, want: defaults()},
		{name: "timeout in minutes", env: map[string]string{"INPUT_TIMEOUT": "45"}, want: with(func(in *Inputs) { in.Timeout = 45 * time.Minute })},
		{name: "mode is case-insensitive", env: map[string]string{"INPUT_MODE": "Auto"}, want: with(func(in *Inputs) { in.Mode = "auto" })},
		{name: "booleans", env: map[string]string{"INPUT_SBOM": "1", "INPUT_BENCH": "No"}, want: with(func(in *Inputs) { in.SBOM = true })},
		{name: "blank is default", env: map[string]string{"INPUT_MODE": "  ", "INPUT_MAX-TURNS": "\n"}, want: defaults()},
		{name: "bad mode", env: map[string]string{"INPUT_MODE": "merge"}, wantErr: []string{"mode"}},
		{name: "bad fail-on", env: map[string]string{"INPUT_FAIL-ON": "critical"}, wantErr: []string{"fail-on"}},
		{name: "zero max-turns", env: map[string]string{"INPUT_MAX-TURNS": "0"}, wantErr: []string{"max-turns"}},
		{name: "word max-turns", env: map[string]string{"INPUT_MAX-TURNS": "thirty"}, wantErr: []string{"max-turns"}},
		{name: "negative timeout", env: map[string]string{"INPUT_TIMEOUT": "-5m"}, wantErr: []string{"timeout"}},
		{name: "zero timeout", env: map[string]string{"INPUT_TIMEOUT": "0"}, wantErr: []string{"timeout"}},
		{name: "junk timeout", env: map[string]string{"INPUT_TIMEOUT": "soon"}, wantErr: []string{"timeout"}},
		{name: "bad boolean", env: map[string]string{"INPUT_SBOM": "maybe"}, wantErr: []string{"sbom"}},
		{name: "wildcard bot", env: map[string]string{"INPUT_ALLOWED-BOTS": "dependabot[bot], *"}, wantErr: []string{"allowed-bots"}},
		{name: "glob bot", env: map[string]string{"INPUT_ALLOWED-BOTS": "*[bot]"}, wantErr: []string{"allowed-bots"}},
		{name: "question mark bot", env: map[string]string{"INPUT_ALLOWED-BOTS": "renovate?bot"}, wantErr: []string{"allowed-bots"}},
		{name: "not a login", env: map[string]string{"INPUT_ALLOWED-BOTS": "evil bot"}, wantErr: []string{"allowed-bots"}},
		{name: "multi-line trigger", env: map[string]string{"INPUT_TRIGGER-PHRASE": "/a\ngent"}, wantErr: []string{"trigger-phrase"}},
		{name: "bad base-url", env: map[string]string{"INPUT_BASE-URL": "file:///etc/passwd"}, wantErr: []string{"base-url"}},
		{
			name:    "every error is reported",
			env:     map[string]string{"INPUT_MODE": "x", "INPUT_FAIL-ON": "y", "INPUT_MAX-TURNS": "-1", "INPUT_BENCH": "z"},
			wantErr: []string{"mode", "fail-on", "max-turns", "bench"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ReadInputs(env(tt.env))
			if len(tt.wantErr) > 0 {
				if err == nil {
					t.Fatalf("ReadInputs() = %+v, want an error naming %v", got, tt.wantErr)
				}
				var names []string
				for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
					var ie *InputError
					if !errors.As(e, &ie) {
						t.Fatalf("error %v is not an *InputError", e)
					}
					if ie.Want == "" || !strings.Contains(ie.Want, "set") && !strings.Contains(ie.Want, "list") {
						t.Errorf("error %q does not say what to set", e)
					}
					names = append(names, ie.Name)
				}
				if diff := cmp.Diff(tt.wantErr, names); diff != "" {
					t.Errorf("inputs named by the error (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadInputs: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ReadInputs (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInputErrorMessage(t *testing.T) {
	t.Parallel()
	_, err := ReadInputs(env(map[string]string{"INPUT_MAX-TURNS": "lots"}))
	want := `input max-turns: "lots" is not valid: set max-turns to a positive whole number, e.g. 30`
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestBotAllowed(t *testing.T) {
	t.Parallel()
	in := Inputs{AllowedBots: []string{"dependabot[bot]", "Renovate[bot]"}}
	tests := []struct {
		name  string
		login string
		want  bool
	}{
		{"listed", "dependabot[bot]", true},
		{"case differs", "renovate[BOT]", true},
		{"prefix only", "dependabot", false},
		{"other bot", "github-actions[bot]", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := in.BotAllowed(tt.login); got != tt.want {
				t.Errorf("BotAllowed(%q) = %v, want %v", tt.login, got, tt.want)
			}
		})
	}
}

func TestSecrets(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   Inputs
		want []string
	}{
		{"none", Inputs{}, nil},
		{"both", Inputs{APIKey: "k", GitHubToken: "t"}, []string{"k", "t"}},
		{"token only", Inputs{GitHubToken: "t"}, []string{"t"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.in.Secrets()); diff != "" {
				t.Errorf("Secrets (-want +got):\n%s", diff)
			}
		})
	}
}
