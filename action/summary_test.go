package action

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSummaryGolden(t *testing.T) {
	t.Parallel()
	findings := []Finding{
		{Severity: "error", File: "sandbox/linux.go", Line: 88, Rule: "secrets/aws-key", Message: "AWS access key committed"},
		{Severity: "warning", File: "cmd/a|b.go", Line: 3, Rule: "config/no-todo", Message: "pipe | in message\nand a newline"},
		{Severity: "warning", File: "docs/`x`.md", Rule: "style", Message: "![track](https://evil.example/p.png) <img src=x> [click](https://evil.example) <!-- hidden -->"},
		{Severity: "note", File: "README.md", Line: 1, Rule: "review/typo", Message: "*bold* _it_ `code` @alice #12 \u202eevil"},
	}
	for i := range 3 {
		findings = append(findings, Finding{Severity: "note", File: fmt.Sprintf("gen/f%d.go", i), Line: i + 1, Rule: "r", Message: "filler"})
	}
	s := Summary{
		Title:     "git agent review: 3 files",
		Findings:  findings,
		MaxRows:   5,
		Usage:     &Usage{InputTokens: 1234567, OutputTokens: 8910, Turns: 7, Duration: 3*time.Minute + 12*time.Second + 400*time.Millisecond},
		AuditHead: "sha256:9f2c1ab4",
		AuditLog:  ".git/agent/audit/2026-10-01.jsonl",
		Files: []File{
			{Label: "SBOM", Path: "/runner/_temp/git-agent.cdx.json", Detail: "23 components"},
			{Label: "benchmarks", Path: "/runner/_temp/a|b`.json"},
		},
		Figures: []Figure{
			{Name: "cold-start", Median: "4.52 ms", Range: "3.28…6.68 ms"},
			{Name: "binary|size <b>", Median: "14.17 MB"},
		},
		Links: []Link{
			{Text: "Workflow run", URL: "https://github.com/git-agent/git-agent/actions/runs/11223344556"},
			{Text: "Pull request #42", URL: "https://github.com/git-agent/git-agent/pull/42"},
			{Text: "javascript link", URL: "javascript:alert(1)"},
		},
	}
	golden(t, "summary.md", s.Markdown())
	golden(t, "summary_empty.md", Summary{}.Markdown())
}

func TestSummaryRows(t *testing.T) {
	t.Parallel()
	many := make([]Finding, 60)
	for i := range many {
		many[i] = Finding{Severity: "note", File: "f.go", Line: i + 1, Message: "m"}
	}
	tests := []struct {
		name     string
		findings []Finding
		maxRows  int
		rows     int
		more     string
	}{
		{"default cap", many, 0, DefaultMaxRows, "_…and 10 more not shown._"},
		{"custom cap", many, 10, 10, "_…and 50 more not shown._"},
		{"under cap", many[:3], 0, 3, ""},
		{"exactly cap", many[:5], 5, 5, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			md := Summary{Findings: tt.findings, MaxRows: tt.maxRows}.Markdown()
			rows := 0
			more := ""
			for _, line := range strings.Split(md, "\n") {
				if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| Severity") && !strings.HasPrefix(line, "| ---") {
					rows++
				}
				if strings.HasPrefix(line, "_…and") {
					more = line
				}
			}
			if rows != tt.rows || more != tt.more {
				t.Errorf("rows, more = %d, %q; want %d, %q", rows, more, tt.rows, tt.more)
			}
		})
	}
}

func TestMarkdownEscaping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		f    func(string) string
		in   string
		want string
	}{
		{"text plain", mdText, "hello world", "hello world"},
		{"text pipes and newlines", mdText, "a | b\r\nc\n\nd", `a \| b c d`},
		{"text html", mdText, "<b>x</b> & <!-- y -->", "&lt;b&gt;x&lt;/b&gt; &amp; &lt;\\!-- y --&gt;"},
		{"text image", mdText, "![a](https://x)", `\!\[a\]\(https://x\)`},
		{"text emphasis", mdText, "*a* _b_ `c` ~d~", "\\*a\\* \\_b\\_ \\`c\\` \\~d\\~"},
		{"text mention", mdText, "@team #1 $x$", `\@team \#1 \$x\$`},
		{"text backslash", mdText, `a\|b`, `a\\\|b`},
		{"text invisible", mdText, "a\u200bb\u202ec", "abc"},
		{"code plain", codeSpan, "a.go:12", "`a.go:12`"},
		{"code pipe", codeSpan, "a|b.go", "`a\\|b.go`"},
		{"code backticks", codeSpan, "a`b", "``a`b``"},
		{"code edge backtick", codeSpan, "`x", "`` `x ``"},
		{"code empty", codeSpan, "", ""},
		{"code newline", codeSpan, "a\nb", "`a b`"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, tt.f(tt.in)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestMdLink(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		link Link
		want string
	}{
		{"https", Link{"Run", "https://github.com/o/r/actions/runs/1"}, "[Run](<https://github.com/o/r/actions/runs/1>)"},
		{"no text", Link{"", "https://x.example/a"}, "[https://x.example/a](<https://x.example/a>)"},
		{"javascript", Link{"click", "javascript:alert(1)"}, "click"},
		{"relative", Link{"rel", "/o/r"}, "rel"},
		{"text escaped", Link{"[a](b)", "https://x.example"}, `[\[a\]\(b\)](<https://x.example>)`},
		{"angle in url", Link{"x", "https://x.example/a>b"}, "[x](<https://x.example/a%3Eb>)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := mdLink(tt.link); got != tt.want {
				t.Errorf("mdLink(%+v) = %q, want %q", tt.link, got, tt.want)
			}
		})
	}
}

func TestThousands(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		n    int64
		want string
	}{
		{"zero", 0, "0"},
		{"small", 999, "999"},
		{"thousand", 1000, "1,000"},
		{"million", 1234567, "1,234,567"},
		{"negative", -12345, "-12,345"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := thousands(tt.n); got != tt.want {
				t.Errorf("thousands(%d) = %q, want %q", tt.n, got, tt.want)
			}
		})
	}
}
