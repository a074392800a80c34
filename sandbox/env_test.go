package sandbox

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestScrubEnv(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		environ     []string
		extra       []string
		wantKept    []string
		wantRemoved []string
	}{
		{name: "empty"},
		{
			name:     "ordinary variables kept in order",
			environ:  []string{"PATH=/bin", "HOME=/root", "LANG=C.UTF-8", "TERM=xterm"},
			wantKept: []string{"PATH=/bin", "HOME=/root", "LANG=C.UTF-8", "TERM=xterm"},
		},
		{
			name: "patterns anywhere in the name, any case",
			environ: []string{
				"AWS_SECRET_ACCESS_KEY=x", "my_api_key=x", "NPM_TOKEN=x", "DB_PASSWORD=x",
				"GOOGLE_APPLICATION_CREDENTIALS=/x.json", "client_Secret=x", "USER=me",
			},
			wantKept:    []string{"USER=me"},
			wantRemoved: []string{"AWS_SECRET_ACCESS_KEY", "my_api_key", "NPM_TOKEN", "DB_PASSWORD", "GOOGLE_APPLICATION_CREDENTIALS", "client_Secret"},
		},
		{
			name:        "fixed names",
			environ:     []string{"OPENAI_API_KEY=sk", "ANTHROPIC_API_KEY=sk", "GIT_AGENT_AUDIT_KEY=k", "GITHUB_TOKEN=t", "GH_TOKEN=t"},
			wantRemoved: []string{"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GIT_AGENT_AUDIT_KEY", "GITHUB_TOKEN", "GH_TOKEN"},
		},
		{
			name:        "extra names are exact",
			environ:     []string{"DATABASE_URL=postgres://u:p@h/db", "DATABASE_URL_RO=x", "SENTRY_DSN=x"},
			extra:       []string{"DATABASE_URL", "SENTRY_DSN"},
			wantKept:    []string{"DATABASE_URL_RO=x"},
			wantRemoved: []string{"DATABASE_URL", "SENTRY_DSN"},
		},
		{
			name:        "value does not matter, name reported once",
			environ:     []string{"GH_TOKEN=a", "NOTE=my token is here", "GH_TOKEN=b", "EMPTY_TOKEN="},
			wantKept:    []string{"NOTE=my token is here"},
			wantRemoved: []string{"GH_TOKEN", "EMPTY_TOKEN"},
		},
		{
			name:     "malformed and windows entries",
			environ:  []string{"NOEQUALS", "=C:=C:\\x", "SECRETLESS"},
			wantKept: []string{"NOEQUALS", "=C:=C:\\x"}, wantRemoved: []string{"SECRETLESS"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			kept, removed := ScrubEnv(tt.environ, tt.extra...)
			if diff := cmp.Diff(tt.wantKept, kept, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("kept mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantRemoved, removed, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("removed mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestBaseEnv(t *testing.T) {
	t.Parallel()
	defaults := []string{"GIT_TERMINAL_PROMPT=0", "PAGER=cat", "GIT_PAGER=cat", "NO_COLOR=1"}
	tests := []struct {
		name    string
		environ []string
		want    []string
	}{
		{
			name: "empty gets every default",
			want: append([]string{"PATH=" + DefaultPath}, append(defaults, "TERM=dumb")...),
		},
		{
			name:    "kept values, forced values, secrets dropped",
			environ: []string{"HOME=/root", "PATH=/opt/bin", "PAGER=less", "GITHUB_TOKEN=t", "TERM=xterm", "GIT_TERMINAL_PROMPT=1"},
			want:    []string{"HOME=/root", "PATH=/opt/bin", "PAGER=cat", "TERM=xterm", "GIT_TERMINAL_PROMPT=0", "GIT_PAGER=cat", "NO_COLOR=1"},
		},
		{
			name:    "empty PATH and duplicates: the last entry wins, as in exec",
			environ: []string{"PATH=/a", "A=1", "PATH=", "A=2"},
			want:    append([]string{"PATH=" + DefaultPath, "A=2"}, append(defaults, "TERM=dumb")...),
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, BaseEnv(tt.environ)); diff != "" {
				t.Errorf("BaseEnv mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAllowSecrets(t *testing.T) {
	t.Parallel()
	environ := []string{"PATH=/bin", "NPM_TOKEN=n", "OPENAI_API_KEY=o", "AWS_SECRET_ACCESS_KEY=a"}
	base := BaseEnv(environ)
	tests := []struct {
		name  string
		allow []string
		want  []string // secret-looking names present afterwards
	}{
		{"nothing allowed", nil, nil},
		{"allowed by name", []string{"NPM_TOKEN"}, []string{"NPM_TOKEN"}},
		{"provider keys never", []string{"OPENAI_API_KEY", "NPM_TOKEN"}, []string{"NPM_TOKEN"}},
		{"absent name", []string{"NOPE_TOKEN"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, kv := range AllowSecrets(base, environ, tc.allow) {
				if n := envName(kv); looksSecret(n) {
					got = append(got, n)
				}
			}
			if len(got) != len(tc.want) || (len(got) > 0 && got[0] != tc.want[0]) {
				t.Errorf("secret names = %v, want %v", got, tc.want)
			}
		})
	}
}
