package action

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

func FuzzReadEventPayload(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "events", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures: %v", err)
	}
	events := []string{"pull_request", "issue_comment", "workflow_dispatch"}
	for i, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(uint8(i), data)
	}
	f.Add(uint8(0), []byte(`{"pull_request":{"head":{"repo":null}}}`))
	f.Add(uint8(2), []byte(`{"inputs":{"a":null,"b":true,"c":1e3}}`))
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		e := &Event{Name: events[int(which)%len(events)]}
		if err := parsePayload(e, data); err != nil {
			return
		}
		switch e.Kind {
		case KindPullRequest:
			pr := e.PullRequest
			if pr == nil || pr.Number <= 0 || !isSHA(pr.Head.SHA) || !isSHA(pr.Base.SHA) || pr.Base.Repo == "" || pr.Author.Login == "" {
				t.Fatalf("accepted an invalid pull request: %+v", pr)
			}
		case KindComment:
			c := e.Comment
			if c == nil || c.ID <= 0 || c.IssueNumber <= 0 || c.Author.Login == "" {
				t.Fatalf("accepted an invalid comment: %+v", c)
			}
		case KindDispatch:
			if e.Dispatch == nil || e.Dispatch.Inputs == nil {
				t.Fatal("dispatch without inputs map")
			}
		case KindUnsupported:
			if e.Reason == "" {
				t.Fatal("unsupported without a reason")
			}
		}
		_ = e.IsFork()
		_ = e.IsBot()
	})
}

func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"/agent review", "/agent fix add a test\r\nmore", "   /agent fix x", "    /agent review",
		"> /agent review", "```\n/agent review\n```", "/agentfoo", "\n\n/AGENT Help", "/agent\u00a0fix\u2028x",
	} {
		f.Add(s, "/agent")
	}
	f.Add("@bot fix it", "@bot")
	f.Fuzz(func(t *testing.T, body, trigger string) {
		cmd, ok := ParseCommand(body, trigger)
		if !ok {
			if cmd != (Command{}) {
				t.Fatalf("no command but %+v", cmd)
			}
			return
		}
		switch cmd.Verb {
		case VerbReview, VerbFix:
		case VerbHelp:
			if cmd.Task != "" {
				t.Fatalf("help with task %q", cmd.Task)
			}
		default:
			t.Fatalf("verb %q", cmd.Verb)
		}
		if strings.TrimSpace(cmd.Task) != cmd.Task || strings.Contains(cmd.Task, "\r") {
			t.Fatalf("task %q is not trimmed and normalised", cmd.Task)
		}
		first := ""
		for _, l := range strings.Split(normalizeNewlines(body), "\n") {
			if strings.TrimSpace(l) != "" {
				first = l
				break
			}
		}
		t2 := strings.TrimLeft(first, " ")
		if len(first)-len(t2) > 3 || len(t2) < len(trigger) || !strings.EqualFold(t2[:len(trigger)], trigger) {
			t.Fatalf("triggered on %q, whose first line %q does not start with %q", body, first, trigger)
		}
	})
}

func FuzzUntrusted(f *testing.F) {
	for _, s := range []string{
		"plain", "a\u200bb\u202e\U000E0041", "<!-- x -->y", "<!<!-- -->-- z", "<!-- open",
		`<img alt="x">`, `<div hidden><div></div>x</div>`, "![a](b)", "[//]: # (x)\ny", "a\r\nb\u2028c", "\xff\xfe",
	} {
		f.Add(s, 0)
		f.Add(s, 7)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		limit %= 1 << 16
		for name, got := range map[string]string{"Untrusted": Untrusted(s, limit), "UntrustedCode": UntrustedCode(s, limit)} {
			if !utf8.ValidString(got) {
				t.Fatalf("%s(%q) = %q: invalid UTF-8", name, s, got)
			}
			if limit > 0 && len(got) > limit {
				t.Fatalf("%s(%q, %d) is %d bytes", name, s, limit, len(got))
			}
			for _, r := range got {
				if Invisible(r) || r == '\u2028' || r == '\u2029' {
					t.Fatalf("%s(%q) = %q keeps %U", name, s, got, r)
				}
			}
		}
		if got := Untrusted(s, limit); strings.Contains(got, "<!--") {
			t.Fatalf("Untrusted(%q) = %q keeps a comment", s, got)
		}
	})
}

func FuzzFence(f *testing.F) {
	f.Add("body", "a ``` b\n````\n")
	f.Fuzz(func(t *testing.T, label, s string) {
		got := Fence(label, s)
		lines := strings.Split(got, "\n")
		if len(lines) < 4 || strings.Contains(lines[0], "`") {
			t.Fatalf("Fence(%q, %q) = %q", label, s, got)
		}
		fence := strings.TrimRight(lines[1], "abcdefghijklmnopqrstuvwxyz0123456789-")
		for i := 2; i < len(lines); i++ {
			if l := strings.TrimSpace(lines[i]); len(l) >= len(fence) && strings.Trim(l, "`") == "" {
				if i != len(lines)-2 {
					t.Fatalf("Fence(%q, %q): line %d closes the fence early", label, s, i)
				}
				return
			}
		}
		t.Fatalf("Fence(%q, %q) = %q is never closed", label, s, got)
	})
}

func FuzzOutputs(f *testing.F) {
	f.Add("result", "a\nb", []byte{0})
	f.Add("x", "ghadelimiter_00000000000000000000000000000000", []byte{0})
	f.Add("n<<EOF", "v", []byte{1})
	f.Add("r", "a\r\nb\rEOF\n", []byte{2})
	f.Fuzz(func(t *testing.T, name, value string, seed []byte) {
		path := filepath.Join(t.TempDir(), "output")
		rnd := bytes.NewReader(append(seed, make([]byte, 16)...)) // never short
		err := (&Outputs{OutputPath: path, Rand: rnd}).Set(name, value)
		data, rerr := os.ReadFile(path)
		if err != nil {
			if !errors.Is(err, ErrUnsafeOutput) {
				t.Fatalf("Set(%q, %q): %v", name, value, err)
			}
			if rerr == nil && len(data) > 0 {
				t.Fatalf("refused Set(%q, %q) wrote %q", name, value, data)
			}
			return
		}
		got, perr := parseOutputFile(string(data))
		if perr != nil {
			t.Fatalf("Set(%q, %q) wrote %q, which does not parse: %v", name, value, data, perr)
		}
		want := []output{{name, normalizeNewlines(value)}}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("Set(%q, %q) read back (-want +got):\n%s", name, value, diff)
		}
	})
}

// FuzzInert: whatever a model writes, the result is one line with no HTML
// comment and no raw tag outside code spans.
func FuzzInert(f *testing.F) {
	for _, s := range []string{"@alice #1 <b>x</b>", "``a ` @b`` @c", "<!-- x --> ![i](u)", "a\n# h", "`"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := Inert(s)
		if strings.ContainsAny(out, "\n\r") {
			t.Fatalf("Inert(%q) = %q has a line break", s, out)
		}
		if strings.Contains(out, "<!--") {
			t.Fatalf("Inert(%q) = %q has an HTML comment", s, out)
		}
		if !strings.Contains(out, "`") && strings.Contains(out, "<") {
			t.Fatalf("Inert(%q) = %q has a raw '<'", s, out)
		}
	})
}
