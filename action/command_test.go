package action

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseCommand(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		body    string
		trigger string // "/agent" when empty
		want    Command
		ok      bool
	}{
		{name: "review", body: "/agent review", want: Command{Verb: "review"}, ok: true},
		{name: "fix with task", body: "/agent fix add a test for Foo", want: Command{Verb: "fix", Task: "add a test for Foo"}, ok: true},
		{name: "fix task spans lines", body: "/agent fix add a test for Foo\n\nIt should cover the empty input.\n",
			want: Command{Verb: "fix", Task: "add a test for Foo\n\nIt should cover the empty input."}, ok: true},
		{name: "task on the next line", body: "/agent fix\nrename Bar to Baz", want: Command{Verb: "fix", Task: "rename Bar to Baz"}, ok: true},
		{name: "fix without task", body: "/agent fix", want: Command{Verb: "fix"}, ok: true},
		{name: "review with focus", body: "/agent review  focus on the sandbox", want: Command{Verb: "review", Task: "focus on the sandbox"}, ok: true},
		{name: "bare trigger is help", body: "/agent", want: Command{Verb: "help"}, ok: true},
		{name: "bare trigger with spaces", body: "/agent   \nthanks", want: Command{Verb: "help"}, ok: true},
		{name: "unknown verb is help", body: "/agent deploy prod", want: Command{Verb: "help"}, ok: true},
		{name: "help", body: "/agent help", want: Command{Verb: "help"}, ok: true},
		{name: "verb with punctuation is help", body: "/agent fix: the bug", want: Command{Verb: "help"}, ok: true},
		{name: "CRLF", body: "/agent fix one\r\ntwo\r\n", want: Command{Verb: "fix", Task: "one\ntwo"}, ok: true},
		{name: "lone CR", body: "/agent fix one\rtwo", want: Command{Verb: "fix", Task: "one\ntwo"}, ok: true},
		{name: "uppercase verb", body: "/agent REVIEW", want: Command{Verb: "review"}, ok: true},
		{name: "uppercase trigger", body: "/AGENT Fix it", want: Command{Verb: "fix", Task: "it"}, ok: true},
		{name: "tab after trigger", body: "/agent\tfix\tit", want: Command{Verb: "fix", Task: "it"}, ok: true},
		{name: "leading blank lines", body: "\n  \n\t\n/agent review", want: Command{Verb: "review"}, ok: true},
		{name: "three spaces of indent", body: "   /agent review", want: Command{Verb: "review"}, ok: true},
		{name: "four spaces is a code block", body: "    /agent review"},
		{name: "tab is a code block", body: "\t/agent review"},
		{name: "fenced code block", body: "```\n/agent review\n```"},
		{name: "tilde code block", body: "~~~\n/agent fix x\n~~~"},
		{name: "inline code", body: "`/agent review`"},
		{name: "quoted", body: "> /agent fix it\n\nthat is how you ask"},
		{name: "mid sentence", body: "please run /agent review"},
		{name: "second line", body: "LGTM\n/agent review"},
		{name: "no space after trigger", body: "/agentfoo review"},
		{name: "trigger prefix of word", body: "/agents review"},
		{name: "punctuation after trigger", body: "/agent: review"},
		{name: "zero-width space before", body: "\u200b/agent review"},
		{name: "html comment first", body: "<!-- x -->\n/agent review"},
		{name: "empty body", body: ""},
		{name: "blank body", body: " \n\r\n "},
		{name: "custom trigger", body: "@bot fix it", trigger: "@bot", want: Command{Verb: "fix", Task: "it"}, ok: true},
		{name: "custom trigger not default", body: "/agent fix it", trigger: "@bot"},
		{name: "multi-word trigger", body: "hey agent review", trigger: "hey agent", want: Command{Verb: "review"}, ok: true},
		{name: "short body", body: "/ag"},
		{name: "non-ASCII after trigger", body: "/agenté review"},
		{name: "unicode space after trigger", body: "/agent\u00a0review", want: Command{Verb: "review"}, ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			trigger := tt.trigger
			if trigger == "" {
				trigger = "/agent"
			}
			got, ok := ParseCommand(tt.body, trigger)
			if ok != tt.ok {
				t.Fatalf("ParseCommand(%q) ok = %v, want %v (got %+v)", tt.body, ok, tt.ok, got)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("ParseCommand(%q) (-want +got):\n%s", tt.body, diff)
			}
		})
	}
}

func TestParseCommandBadTrigger(t *testing.T) {
	t.Parallel()
	for _, trigger := range []string{"", " /agent", "/agent "} {
		if got, ok := ParseCommand("/agent review", trigger); ok {
			t.Errorf("ParseCommand with trigger %q = %+v, true; want no command", trigger, got)
		}
	}
}
