package github

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/git-agent/git-agent/review"
)

// SummaryMarker is the hidden text that identifies git-agent's sticky summary
// comment among a pull request's issue comments.
const SummaryMarker = "<!-- git-agent-summary -->"

// markerEscaper keeps a rule or path from ending the HTML comment early or
// spilling onto another line; "%" goes first so the escaping is reversible.
var markerEscaper = strings.NewReplacer("%", "%25", "--", "-%2D", ">", "%3E", "\n", "%0A", "\r", "%0D", " ", "%20")

// findingMarker is the hidden per-finding identity a rerun looks for.
func findingMarker(f review.Finding) string {
	return fmt.Sprintf("<!-- git-agent:%s:%s:%d -->", markerEscaper.Replace(f.Rule), markerEscaper.Replace(f.Path), f.Line)
}

var markerRE = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`<!-- git-agent:\S+ -->`) })

// markersIn returns the per-finding markers in a comment or review body.
func markersIn(body string) []string { return markerRE().FindAllString(body, -1) }

// clean keeps finding text from opening HTML comments (which could forge or
// hide markers) or breaking out of a one-line list item.
func clean(s string) string {
	s = strings.ReplaceAll(s, "<!--", "&lt;!--")
	return strings.Join(strings.Fields(s), " ")
}

func location(f review.Finding) string {
	if end := f.LastLine(); end > f.Line {
		return fmt.Sprintf("%s:%d-%d", f.Path, f.Line, end)
	}
	return fmt.Sprintf("%s:%d", f.Path, f.Line)
}

// commentBody renders an inline comment, with a suggestion block GitHub
// offers to apply when the finding carries a concrete fix.
func commentBody(f review.Finding) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** (`%s`): %s\n", f.Severity, f.Rule, clean(f.Message))
	if f.Suggestion != "" {
		fence := "```"
		for strings.Contains(f.Suggestion, fence) {
			fence += "`"
		}
		s := f.Suggestion
		if !strings.HasSuffix(s, "\n") {
			s += "\n"
		}
		fmt.Fprintf(&b, "\n%ssuggestion\n%s%s\n", fence, s, fence)
	}
	fmt.Fprintf(&b, "\n%s", findingMarker(f))
	return b.String()
}

// listItem renders a finding that is not an inline comment.
func listItem(f review.Finding) string {
	return fmt.Sprintf("- `%s` — %s (%s, `%s`) %s\n", location(f), clean(f.Message), f.Severity, f.Rule, findingMarker(f))
}

// section is a titled list of findings in a review body.
type section struct {
	title    string
	findings []review.Finding
}

// reviewBody is the review's top-level text: a header, the findings that are
// not inline comments, and the hidden review marker.
func reviewBody(marker string, inline int, sections ...section) string {
	total := inline
	for _, s := range sections {
		total += len(s.findings)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**git-agent** found %d %s", total, plural(total, "problem", "problems"))
	if inline > 0 {
		fmt.Fprintf(&b, "; %d %s inline", inline, plural(inline, "is", "are"))
	}
	b.WriteString(".\n")
	for _, s := range sections {
		if len(s.findings) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s\n\n", s.title)
		for _, f := range s.findings {
			b.WriteString(listItem(f))
		}
	}
	fmt.Fprintf(&b, "\n<!-- %s -->\n", marker)
	return b.String()
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

var severityRank = map[review.Severity]int{review.SeverityError: 0, review.SeverityWarning: 1, review.SeverityInfo: 2}

// sortFindings puts the most severe first, so they win the inline slots.
func sortFindings(fs []review.Finding) {
	slices.SortStableFunc(fs, func(a, b review.Finding) int {
		ra, oka := severityRank[a.Severity]
		rb, okb := severityRank[b.Severity]
		if !oka {
			ra = len(severityRank)
		}
		if !okb {
			rb = len(severityRank)
		}
		return cmp.Or(cmp.Compare(ra, rb), cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line))
	})
}
