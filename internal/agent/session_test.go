package agent

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-agent/git-agent/internal/audit"
	"github.com/git-agent/git-agent/internal/model"
)

func TestStoreResolveAndList(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	s := &Store{Dir: t.TempDir(), Now: func() time.Time { now = now.Add(time.Minute); return now }}
	for _, id := range []string{"aaa111", "aab222", "bbb333"} {
		r, err := s.Create(Meta{ID: id, Prompt: "task " + id})
		if err != nil {
			t.Fatal(err)
		}
		r.Close()
		// Last goes by modification time; make it unambiguous.
		if err := os.Chtimes(r.Path, now, now); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		in, want, wantErr string
	}{
		{"aaa111", "aaa111", ""},
		{"bb", "bbb333", ""},
		{"aa", "", "ambiguous"},
		{"zzz", "", "no such session"},
		{"../x", "", "no such session"},
	}
	for _, tc := range tests {
		got, err := s.Resolve(tc.in)
		if got != tc.want || (tc.wantErr == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.wantErr)) {
			t.Errorf("Resolve(%q) = %q, %v; want %q, %q", tc.in, got, err, tc.want, tc.wantErr)
		}
	}
	list, err := s.List()
	if err != nil || len(list) != 3 || list[0].ID != "bbb333" {
		t.Fatalf("List = %+v, %v", list, err)
	}
	if last, _ := s.Last(); last != "bbb333" {
		t.Errorf("Last = %q", last)
	}
}

func TestLoadToleratesTornTailButNotCorruption(t *testing.T) {
	t.Parallel()
	s := &Store{Dir: t.TempDir()}
	r, err := s.Create(Meta{ID: "t1"})
	if err != nil {
		t.Fatal(err)
	}
	r.Append(Record{Kind: "item", Item: &model.Item{Type: model.ItemMessage, Role: model.RoleUser, Text: "hi"}})
	r.Close()
	path := filepath.Join(s.Dir, "t1.jsonl")
	good, _ := os.ReadFile(path)

	os.WriteFile(path, append(append([]byte{}, good...), `{"kind":"item","item":{"ty`...), 0o600)
	l, err := s.Load("t1")
	if err != nil || !l.Torn || len(l.Items) != 1 {
		t.Fatalf("torn tail: %+v, %v", l, err)
	}

	lines := strings.SplitAfter(string(good), "\n")
	corrupt := lines[0] + "{not json}\n" + lines[1]
	os.WriteFile(path, []byte(corrupt), 0o600)
	if _, err := s.Load("t1"); err == nil || !strings.Contains(err.Error(), "line 2 is corrupt") {
		t.Fatalf("corrupt middle line: err = %v", err)
	}
	if _, err := s.Load("missing"); !errors.Is(err, ErrNoSession) {
		t.Errorf("missing: %v", err)
	}
}

// TestStoreSanitizes: rollouts are sanitized like the audit log, and the
// paths a resume needs come back expanded.
func TestStoreSanitizes(t *testing.T) {
	t.Parallel()
	home := "/home/alice"
	san := audit.NewSanitizer(audit.SanitizerOptions{Home: home, User: "alice", Secrets: []string{"hunter2hunter2"}})
	s := &Store{Dir: t.TempDir(), Sanitize: san.JSON, Home: home}
	r, err := s.Create(Meta{ID: "abc", Workspace: home + "/src/proj", Repo: home + "/src/proj", Prompt: "use hunter2hunter2 as alice"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Append(Record{Kind: "item", Item: &model.Item{Type: model.ItemMessage, Role: model.RoleUser, Text: "cat /home/alice/.netrc"}}); err != nil {
		t.Fatal(err)
	}
	r.Close()
	raw, err := os.ReadFile(r.Path)
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"/home/alice", "hunter2hunter2", "alice"} {
		if strings.Contains(string(raw), leak) {
			t.Errorf("rollout holds %q:\n%s", leak, raw)
		}
	}
	l, err := s.Load("abc")
	if err != nil {
		t.Fatal(err)
	}
	if l.Meta.Workspace != home+"/src/proj" || l.Meta.Repo != home+"/src/proj" {
		t.Errorf("loaded workspace %q, repo %q: want them under %s again", l.Meta.Workspace, l.Meta.Repo, home)
	}
	if l.Items[0].Text != "cat ~/.netrc" || l.Meta.Prompt != "use [REDACTED] as [USER]" {
		t.Errorf("loaded item %q, prompt %q", l.Items[0].Text, l.Meta.Prompt)
	}
}
