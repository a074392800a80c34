package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-agent/git-agent/internal/audit"
)

// writeLog appends one entry per operation for two sessions.
func writeLog(t *testing.T, path string) {
	t.Helper()
	l, err := audit.Open(audit.Options{Path: path, Agent: "git-agent/test"})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, e := range []audit.Entry{
		{Session: "aaa111", Operation: "session.start", Decision: "started"},
		{Session: "aaa111", Operation: "tool.call", Target: "shell rm -rf /", Decision: "denied", Reason: "deletes the filesystem", Rule: "rule:rm -rf /"},
		{Session: "bbb222", Operation: "session.start", Decision: "started"},
		{Session: "aaa111", Operation: "session.end", Decision: "completed"},
	} {
		if _, err := l.Append(e); err != nil {
			t.Fatal(err)
		}
	}
}

func TestAuditCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		args     []string
		tamper   func(t *testing.T, path string)
		code     int
		out, err string // substrings
		notOut   string
	}{
		{name: "verify intact", args: []string{"audit", "verify"}, code: ExitOK, out: "audit log intact: 4 entries in 1 file(s), chain head "},
		{name: "verify tampered", args: []string{"audit", "verify"}, code: ExitFailed, err: "audit log TAMPERED: entry 2 (audit.jsonl line 2)",
			tamper: func(t *testing.T, path string) {
				data, _ := os.ReadFile(path)
				os.WriteFile(path, []byte(strings.Replace(string(data), `"denied"`, `"allowed"`, 1)), 0o600)
			}},
		{name: "show table", args: []string{"audit", "show"}, code: ExitOK, out: "tool.call      denied     shell rm -rf /  deletes the filesystem"},
		{name: "show one session", args: []string{"audit", "show", "--session", "bbb"}, code: ExitOK, out: "bbb222", notOut: "aaa111"},
		{name: "show json", args: []string{"audit", "show", "--json", "--session", "aaa"}, code: ExitOK, out: `"rule":"rule:rm -rf /"`, notOut: "bbb222"},
		{name: "no log yet", args: []string{"audit", "verify", "--audit-log", "/nonexistent/audit.jsonl"}, code: ExitUsage, err: "no audit log at /nonexistent/audit.jsonl yet"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			state := t.TempDir()
			path := filepath.Join(state, "git-agent", "audit", "audit.jsonl")
			writeLog(t, path)
			if tc.tamper != nil {
				tc.tamper(t, path)
			}
			f, out, errOut := testFactory("")
			f.Getwd = func() (string, error) { return state, nil }
			f.Getenv = func(k string) string {
				if k == "XDG_STATE_HOME" {
					return state
				}
				return ""
			}
			code := Execute(f, tc.args)
			if code != tc.code {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if !strings.Contains(out.String(), tc.out) {
				t.Errorf("stdout %q lacks %q", out, tc.out)
			}
			if !strings.Contains(errOut.String(), tc.err) {
				t.Errorf("stderr %q lacks %q", errOut, tc.err)
			}
			if tc.notOut != "" && strings.Contains(out.String(), tc.notOut) {
				t.Errorf("stdout %q holds %q", out, tc.notOut)
			}
		})
	}
}
