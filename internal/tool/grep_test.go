package tool

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestGrep(t *testing.T) {
	t.Parallel()
	ws, outside := newTestWorkspace(t)
	files := map[string]string{
		".gitignore":            "*.log\nbuild/\n",
		"a.go":                  "package a\n// TODO: one\nfunc A() {}\n",
		"a/b.go":                "package b\n\n// todo two\n",
		"a/c.ts":                "// TODO ts\r\n",
		"a/d.tsx":               "// TODO tsx\n",
		"a/.gitignore":          "gen.go\n",
		"a/gen.go":              "// TODO generated\n",
		"debug.log":             "TODO in a log\n",
		"build/out.go":          "// TODO built\n",
		".git/config":           "TODO in git\n",
		"bin.dat":               "TODO\x00binary\n",
		"long.txt":              strings.Repeat("x", 600) + "TODO\n",
		"many/m.txt":            strings.Repeat("hit\n", 5),
		"a.txt":                 "a\n",
		"outside-link-target/x": "",
	}
	for name, s := range files {
		writeTestFile(t, filepath.Join(ws, filepath.FromSlash(name)), s)
	}
	writeTestFile(t, filepath.Join(outside, "secret"), "TODO secret\n")
	mkSymlink(t, outside, filepath.Join(ws, "out"))
	mkSymlink(t, filepath.Join(outside, "secret"), filepath.Join(ws, "secret-link"))

	tests := []struct {
		name    string
		args    string
		want    string
		wantErr bool
		detail  *GrepDetail
	}{
		{
			name: "respects gitignore, skips .git, binary and symlinks, sorted",
			args: `{"pattern": "TODO"}`,
			want: "a.go:2:// TODO: one\n" +
				"a/c.ts:1:// TODO ts\n" +
				"a/d.tsx:1:// TODO tsx\n" +
				"long.txt:1:" + strings.Repeat("x", 500) + "…\n",
		},
		{
			name: "ignore case and include with braces",
			args: `{"pattern": "todo", "ignore_case": true, "include": "*.{go,ts}"}`,
			want: "a.go:2:// TODO: one\na/b.go:3:// todo two\na/c.ts:1:// TODO ts\n",
		},
		{
			name: "anchors work per line, also with CRLF",
			args: `{"pattern": "TODO ts$"}`,
			want: "a/c.ts:1:// TODO ts\n",
		},
		{
			name: "line anchor in a subdirectory",
			args: `{"pattern": "^package", "path": "a"}`,
			want: "a/b.go:1:package b\n",
		},
		{
			name: "single file",
			args: `{"pattern": "func", "path": "a.go"}`,
			want: "a.go:3:func A() {}\n",
		},
		{
			name:   "truncated",
			args:   `{"pattern": "hit", "path": "many", "max_results": 2}`,
			want:   "many/m.txt:1:hit\nmany/m.txt:2:hit\n5 matches (truncated at 2); narrow the pattern, path or include, or raise max_results\n",
			detail: &GrepDetail{Pattern: "hit", Path: "many", Matches: 5, Shown: 2, Files: 1},
		},
		{
			name: "no matches",
			args: `{"pattern": "zzz", "path": "a"}`,
			want: "No matches in a (4 files searched).",
		},
		{name: "bad regexp", args: `{"pattern": "(?<=x)y"}`, wantErr: true, want: "grep: invalid pattern (Go RE2 syntax; no lookarounds or backreferences): error parsing regexp: invalid named capture: `(?<=x)y`"},
		{name: "bad glob", args: `{"pattern": "x", "include": "[a"}`, wantErr: true, want: `grep: invalid include glob "[a": syntax error in pattern`},
		{name: "missing pattern", args: `{"path": "a"}`, wantErr: true, want: `grep: "pattern" is required; expected ` + grepUsage},
		{name: "wrong type", args: `{"pattern": "x", "ignore_case": "yes"}`, wantErr: true, want: `grep: invalid arguments: "ignore_case" must be a boolean, got string; expected ` + grepUsage},
		{name: "outside", args: `{"pattern": "x", "path": "out"}`, wantErr: true, want: `grep: path "out" leads through a symlink to ` + outside + `, outside the workspace: path must be inside the workspace`},
		{name: "absolute outside", args: fmt.Sprintf(`{"pattern": "x", "path": %q}`, outside), wantErr: true, want: fmt.Sprintf(`grep: path %q is outside the workspace %s: path must be inside the workspace`, outside, ws)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runTool(t, NewGrep(), ws, tt.args)
			if res.IsError != tt.wantErr {
				t.Errorf("IsError = %v, want %v", res.IsError, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, res.Output); diff != "" {
				t.Errorf("output (-want +got):\n%s", diff)
			}
			if tt.detail != nil {
				if diff := cmp.Diff(*tt.detail, res.Detail); diff != "" {
					t.Errorf("detail (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestGrepRootGitignoreFromSubdir(t *testing.T) {
	t.Parallel()
	ws, _ := newTestWorkspace(t)
	writeTestFile(t, filepath.Join(ws, ".gitignore"), "secret.txt\n")
	writeTestFile(t, filepath.Join(ws, ".git", "info", "exclude"), "*.bak\n")
	writeTestFile(t, filepath.Join(ws, "sub", "secret.txt"), "needle\n")
	writeTestFile(t, filepath.Join(ws, "sub", "x.bak"), "needle\n")
	writeTestFile(t, filepath.Join(ws, "sub", "ok.txt"), "needle\n")
	res := runTool(t, NewGrep(), ws, `{"pattern": "needle", "path": "sub"}`)
	if want := "sub/ok.txt:1:needle\n"; res.Output != want {
		t.Errorf("output = %q, want %q", res.Output, want)
	}
}

func TestExpandBraces(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     []string
	}{
		{name: "none", in: "*.go", want: []string{"*.go"}},
		{name: "one", in: "*.{ts,tsx}", want: []string{"*.ts", "*.tsx"}},
		{name: "two", in: "{a,b}.{c,d}", want: []string{"a.c", "a.d", "b.c", "b.d"}},
		{name: "unclosed", in: "*.{ts", want: []string{"*.{ts"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, expandBraces(tt.in)); diff != "" {
				t.Errorf("expandBraces(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}
