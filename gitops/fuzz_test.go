package gitops

import (
	"regexp"
	"strings"
	"testing"
)

var slugRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$`)

func FuzzSlug(f *testing.F) {
	for _, s := range []string{"Fix bug", "", "--x--", "ünï cödé", strings.Repeat("a-", 50)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, title string) {
		if s := Slug(title); !slugRE.MatchString(s) || strings.Contains(s, "--") {
			t.Errorf("Slug(%q) = %q, not a clean ref component", title, s)
		}
	})
}

// FuzzCommitMessage checks that whatever the model writes, the subject stays
// one line and the trailers stay the last paragraph.
func FuzzCommitMessage(f *testing.F) {
	f.Add("subject", "body\n\nKey: fake", "Agent-Model", "gpt\nEvil: 1")
	f.Fuzz(func(t *testing.T, subject, body, key, value string) {
		msg, err := commitMessage(subject, body, []Trailer{{key, value}})
		if err != nil {
			return
		}
		paras := strings.Split(strings.TrimSuffix(msg, "\n"), "\n\n")
		if strings.Contains(paras[0], "\n") {
			t.Errorf("subject spans lines: %q", paras[0])
		}
		last := paras[len(paras)-1]
		if want := key + ": " + strings.Join(strings.Fields(value), " "); last != want {
			t.Errorf("last paragraph = %q, want %q", last, want)
		}
		for _, tr := range parseTrailers(last) {
			if tr.Key != key {
				t.Errorf("parsed trailer key %q, want %q", tr.Key, key)
			}
		}
	})
}
