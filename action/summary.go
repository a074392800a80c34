package action

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultMaxRows is how many findings a Summary lists when MaxRows is 0.
const DefaultMaxRows = 50

// Summary is the Markdown step summary of a run: build one, then pass
// Markdown() to Outputs.WriteSummary. Every field is optional. Text in
// it (finding messages above all) may come from a model or a contributor,
// so Markdown escapes it: it renders as plain text, never as links,
// images, HTML or extra table cells.
type Summary struct {
	Title     string // "git agent" when empty
	Findings  []Finding
	MaxRows   int    // findings listed before "and N more"; 0 means DefaultMaxRows
	Usage     *Usage // nil: no usage line
	AuditHead string // audit chain head hash
	AuditLog  string // audit log path
	// Files are what the run left for later steps to upload (the SBOM,
	// the benchmark results), each also an output.
	Files []File
	// Figures are benchmark results, one table row each.
	Figures []Figure
	Links   []Link
}

// File is a file the run wrote, with a short description ("42 components").
type File struct {
	Label, Path, Detail string
}

// Figure is one benchmark result, already formatted: "4.52 ms", "3.28…6.68 ms".
type Figure struct {
	Name, Median, Range string
}

// Finding is one row of the summary's findings table.
type Finding struct {
	Severity string // error, warning or note
	File     string
	Line     int // 0 when the finding is about the whole file
	Rule     string
	Message  string
}

// Usage is what a run consumed.
type Usage struct {
	InputTokens, OutputTokens int64
	Turns                     int
	Duration                  time.Duration
}

// Link is a titled http(s) link; others are shown as text only.
type Link struct {
	Text, URL string
}

// Markdown renders the summary.
func (s Summary) Markdown() string {
	var b strings.Builder
	title := s.Title
	if title == "" {
		title = "git agent"
	}
	b.WriteString("## " + mdText(title) + "\n\n")
	s.findings(&b)
	if u := s.Usage; u != nil {
		fmt.Fprintf(&b, "**Usage:** %s input tokens, %s output tokens, %s, %s\n\n",
			thousands(u.InputTokens), thousands(u.OutputTokens), plural(u.Turns, "turn"), u.Duration.Round(time.Second))
	}
	if s.AuditHead != "" || s.AuditLog != "" {
		var parts []string
		if s.AuditHead != "" {
			parts = append(parts, "chain head "+codeSpan(s.AuditHead))
		}
		if s.AuditLog != "" {
			parts = append(parts, "log "+codeSpan(s.AuditLog))
		}
		b.WriteString("**Audit:** " + strings.Join(parts, ", ") + "\n\n")
	}
	if len(s.Files) > 0 {
		var files []string
		for _, f := range s.Files {
			e := mdText(f.Label) + " " + codeSpan(f.Path)
			if f.Detail != "" {
				e += " (" + mdText(f.Detail) + ")"
			}
			files = append(files, e)
		}
		b.WriteString("**Files:** " + strings.Join(files, " · ") + "\n\n")
	}
	if len(s.Figures) > 0 {
		b.WriteString("| Benchmark | Median | Min…max |\n| --- | --- | --- |\n")
		for _, f := range s.Figures {
			rng := mdText(f.Range)
			if rng == "" {
				rng = "—"
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", mdText(f.Name), mdText(f.Median), rng)
		}
		b.WriteString("\n")
	}
	if len(s.Links) > 0 {
		var links []string
		for _, l := range s.Links {
			links = append(links, mdLink(l))
		}
		b.WriteString("**Links:** " + strings.Join(links, " · ") + "\n")
	}
	return strings.TrimRight(b.String(), "\n") + "\n"
}

func (s Summary) findings(b *strings.Builder) {
	if len(s.Findings) == 0 {
		b.WriteString("No findings.\n\n")
		return
	}
	counts := map[string]int{}
	var order []string
	for _, f := range s.Findings {
		sev := strings.ToLower(f.Severity)
		if counts[sev] == 0 {
			order = append(order, sev)
		}
		counts[sev]++
	}
	var parts []string
	for _, sev := range order {
		parts = append(parts, plural(counts[sev], mdText(sev)))
	}
	fmt.Fprintf(b, "**%s:** %s\n\n", plural(len(s.Findings), "finding"), strings.Join(parts, ", "))

	b.WriteString("| Severity | Location | Rule | Message |\n| --- | --- | --- | --- |\n")
	rows := s.MaxRows
	if rows <= 0 {
		rows = DefaultMaxRows
	}
	for i, f := range s.Findings {
		if i == rows {
			fmt.Fprintf(b, "\n_…and %d more not shown._\n", len(s.Findings)-rows)
			break
		}
		loc := f.File
		if f.Line > 0 {
			loc += ":" + strconv.Itoa(f.Line)
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", mdText(f.Severity), codeSpan(loc), mdText(f.Rule), mdText(f.Message))
	}
	b.WriteString("\n")
}

// mdText renders s as one line of plain Markdown text, safe in a table
// cell: invisible characters go, runs of whitespace (newlines included)
// become one space, and every character Markdown or HTML could act on is
// escaped.
func mdText(s string) string {
	s = oneLine(s)
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '\\', '`', '*', '_', '[', ']', '(', ')', '|', '!', '~', '#', '$', '@':
			b.WriteByte('\\')
			b.WriteRune(r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// codeSpan renders s as inline code on one line. Pipes are escaped even
// there, since GitHub splits table cells on them first.
func codeSpan(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	fence := strings.Repeat("`", longestRun(s, '`')+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// oneLine drops invisible characters from s and joins its words with
// single spaces.
func oneLine(s string) string {
	s = strings.Map(func(r rune) rune {
		if Invisible(r) {
			return -1
		}
		return r
	}, normalizeNewlines(strings.ToValidUTF8(s, "\uFFFD")))
	return strings.Join(strings.Fields(s), " ")
}

func mdLink(l Link) string {
	text := mdText(l.Text)
	u, err := url.Parse(l.URL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return text
	}
	dest := u.String()
	if strings.ContainsAny(dest, "<> \t\r\n") {
		return text
	}
	if text == "" {
		text = mdText(dest)
	}
	return "[" + text + "](<" + dest + ">)"
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

// thousands formats n with comma separators: 12,345.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	if neg {
		s = "-" + s
	}
	return s
}
