package action

import (
	"bytes"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWorkflowCommands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		run  func(*bytes.Buffer) error
		want string
	}{
		{"mask", func(b *bytes.Buffer) error { return AddMask(b, "sk-secret") }, "::add-mask::sk-secret\n"},
		{"mask percent", func(b *bytes.Buffer) error { return AddMask(b, "a%0Ab") }, "::add-mask::a%250Ab\n"},
		{"mask multi-line", func(b *bytes.Buffer) error { return AddMask(b, "-----BEGIN KEY-----\r\nabc\n\n  \ndef\n") },
			"::add-mask::-----BEGIN KEY-----\n::add-mask::abc\n::add-mask::def\n"},
		{"mask empty", func(b *bytes.Buffer) error { return AddMask(b, "") }, ""},
		{"error plain", func(b *bytes.Buffer) error { return Error(b, "", "it broke", "", 0) }, "::error::it broke\n"},
		{"error with location", func(b *bytes.Buffer) error { return Error(b, "Secret", "found a key", "cmd/main.go", 12) },
			"::error file=cmd/main.go,line=12,title=Secret::found a key\n"},
		{"line without file is dropped", func(b *bytes.Buffer) error { return Error(b, "", "m", "", 3) }, "::error::m\n"},
		{"warning escapes message", func(b *bytes.Buffer) error {
			return Warning(b, "", "100% done\r\n::set-output name=x::owned", "", 0)
		}, "::warning::100%25 done%0D%0A::set-output name=x::owned\n"},
		{"notice escapes properties", func(b *bytes.Buffer) error {
			return Notice(b, "a,b: c\nd", "m", "dir,x/f:1.go", 2)
		}, "::notice file=dir%2Cx/f%3A1.go,line=2,title=a%2Cb%3A c%0Ad::m\n"},
		{"group", func(b *bytes.Buffer) error { return Group(b, "Review\n::endgroup::") }, "::group::Review%0A::endgroup::\n"},
		{"end group", func(b *bytes.Buffer) error { return EndGroup(b) }, "::endgroup::\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			if err := tt.run(&b); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tt.want, b.String()); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
		})
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("closed") }

func TestWorkflowCommandErrors(t *testing.T) {
	t.Parallel()
	w := failWriter{}
	for name, err := range map[string]error{
		"AddMask":  AddMask(w, "x"),
		"Error":    Error(w, "", "x", "", 0),
		"Group":    Group(w, "x"),
		"EndGroup": EndGroup(w),
	} {
		if err == nil {
			t.Errorf("%s on a failing writer returned nil", name)
		}
	}
}
