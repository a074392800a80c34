package tool

import "testing"

func TestGitignore(t *testing.T) {
	t.Parallel()
	type check struct {
		path  string
		dir   bool
		want  bool
		label string
	}
	tests := []struct {
		name   string
		files  map[string]string // base dir -> .gitignore contents, applied root first
		order  []string
		checks []check
	}{
		{
			name:  "comments, blanks, basename at any depth",
			files: map[string]string{"": "# build output\n\n*.o\n\\#keep\n"},
			checks: []check{
				{path: "a.o", want: true},
				{path: "x/y/b.o", want: true},
				{path: "a.go", want: false},
				{path: "# build output", want: false},
				{path: "#keep", want: true},
			},
		},
		{
			name:  "negation, last rule wins",
			files: map[string]string{"": "*.log\n!keep.log\n"},
			checks: []check{
				{path: "a.log", want: true},
				{path: "keep.log", want: false},
				{path: "d/keep.log", want: false},
			},
		},
		{
			name:  "dir-only",
			files: map[string]string{"": "build/\n"},
			checks: []check{
				{path: "build", dir: true, want: true},
				{path: "build", dir: false, want: false},
				{path: "src/build", dir: true, want: true},
				{path: "build/x.go", want: true, label: "inside an ignored dir"},
			},
		},
		{
			name:  "anchored",
			files: map[string]string{"": "/vendor\ndocs/*.md\n"},
			checks: []check{
				{path: "vendor", dir: true, want: true},
				{path: "lib/vendor", dir: true, want: false},
				{path: "docs/a.md", want: true},
				{path: "docs/x/a.md", want: false},
				{path: "x/docs/a.md", want: false},
			},
		},
		{
			name:  "wildcards and classes",
			files: map[string]string{"": "?.tmp\nfile[0-9].txt\nlog[!a].txt\n[[:upper:]]*.bak\nweird[\n"},
			checks: []check{
				{path: "a.tmp", want: true},
				{path: "ab.tmp", want: false},
				{path: "file3.txt", want: true},
				{path: "filex.txt", want: false},
				{path: "logb.txt", want: true},
				{path: "loga.txt", want: false},
				{path: "Old.bak", want: true},
				{path: "old.bak", want: false},
				{path: "weird[", want: true},
			},
		},
		{
			name:  "double star",
			files: map[string]string{"": "**/gen\nout/**\na/**/z\nfoo**bar\n"},
			checks: []check{
				{path: "gen", dir: true, want: true},
				{path: "x/y/gen", want: true},
				{path: "out/a/b.c", want: true},
				{path: "out", dir: true, want: false},
				{path: "a/z", want: true},
				{path: "a/b/c/z", want: true},
				{path: "b/a/z", want: false},
				{path: "fooXbar", want: true},
				{path: "foo/bar", want: false},
			},
		},
		{
			name:  "nested .gitignore applies below its dir and overrides the root",
			files: map[string]string{"": "*.gen\n", "sub": "!keep.gen\n/local\n"},
			order: []string{"", "sub"},
			checks: []check{
				{path: "x.gen", want: true},
				{path: "sub/keep.gen", want: false},
				{path: "keep.gen", want: true},
				{path: "sub/local", want: true},
				{path: "local", want: false},
				{path: "sub/deeper/local", want: false},
			},
		},
		{
			name:  "cannot re-include below an ignored dir",
			files: map[string]string{"": "logs/\n!logs/keep.txt\n"},
			checks: []check{
				{path: "logs/keep.txt", want: true},
			},
		},
		{
			name:  "trailing spaces and CRLF",
			files: map[string]string{"": "a.txt   \r\nb\\ \r\n   \r\n"},
			checks: []check{
				{path: "a.txt", want: true},
				{path: "b ", want: true},
				{path: "b", want: false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			order := tt.order
			if order == nil {
				order = []string{""}
			}
			var g *gitignore
			for _, base := range order {
				g = g.with(base, []byte(tt.files[base]))
			}
			for _, c := range tt.checks {
				if got := g.ignored(c.path, c.dir); got != c.want {
					t.Errorf("ignored(%q, dir=%v) = %v, want %v %s", c.path, c.dir, got, c.want, c.label)
				}
			}
		})
	}
}

func FuzzGitignore(f *testing.F) {
	for _, s := range []string{"*.o\n!keep.o\nbuild/\n", "/a/**/b\n[!x]?\n", "[[:alpha:]\n\\\n**\n", "a[\\]]b\n"} {
		f.Add(s, "a/b/c.o", true)
	}
	f.Fuzz(func(t *testing.T, rules, path string, dir bool) {
		g := (*gitignore)(nil).with("", []byte(rules)).with("a", []byte(rules))
		g.ignored(path, dir)
	})
}
