package action

import "testing"

func TestInert(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, in, want string }{
		{"plain text stays", "b may be zero; check it first.", "b may be zero; check it first."},
		{"a user mention", "ping @alice about it", "ping `@alice` about it"},
		{"a team mention", "cc @org/security-team now", "cc `@org/security-team` now"},
		{"mention at the start", "@bob look", "`@bob` look"},
		{"an email is not a mention", "mail a@example.com", "mail a@example.com"},
		{"issue references", "see #12, o/r#3 and GH-9", "see `#12`, `o/r#3` and `GH-9`"},
		{"html is escaped", `<b onclick=x>bold</b> & <details>`, "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;details&gt;"},
		{"images go", `![pixel](https://evil.example/p.png) and <img src=x onerror=alert(1)>`, "(image) and (image)"},
		{"html comments go", "ok <!-- @everyone hidden --> done", "ok done"},
		{"invisible characters go", "a\u202eb\u200bc", "abc"},
		{"newlines cannot start blocks", "line\n# Heading\n- item\n| a | b |", "line # Heading - item | a | b |"},
		{"code spans are kept verbatim", "use `x <= @y #1` here", "use `x <= @y #1` here"},
		{"double-backtick spans", "``a ` @b`` then @c", "``a ` @b`` then `@c`"},
		{"an unclosed backtick is literal", "a ` @b", "a \\` `@b`"},
		{"a mention inside a word is not one", "foo@bar", "foo@bar"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
		{"empty", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Inert(tt.in); got != tt.want {
				t.Errorf("Inert(%q)\n got %q\nwant %q", tt.in, got, tt.want)
			}
		})
	}
}
