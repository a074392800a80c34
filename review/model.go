package review

import (
	"encoding/json"
	"fmt"
	"strings"
)

// ModelPrompt is the instruction for a model review: the model answers with
// a JSON array of findings anchored to new-side line numbers of the diff,
// which NumberedDiff shows it.
const ModelPrompt = `You review a code change. Report only real problems: bugs, security issues, data loss, broken error handling, misleading names. No style nits, no praise.

Answer with ONLY a JSON array (no prose, no code fence), each element:
{"path": "file as shown", "line": N, "end_line": N, "severity": "error"|"warning"|"info", "rule": "short-kebab-id", "message": "one or two sentences", "suggestion": "replacement text for lines line..end_line, only when the fix is concrete, else omit"}
"line" and "end_line" are the NEW-side line numbers shown in the left column; they must point at added (+) or context lines of the diff. Answer [] when there is nothing to report.`

// NumberedDiff renders files for a model: each hunk line prefixed with its
// new-side line number (blank for removed lines), so findings can be anchored.
func NumberedDiff(files []FileDiff, maxBytes int) string {
	var b strings.Builder
	for _, f := range files {
		if f.Binary || f.Deleted {
			continue
		}
		fmt.Fprintf(&b, "=== %s\n", f.NewPath)
		for _, h := range f.Hunks {
			fmt.Fprintf(&b, "@@ -%d,%d +%d,%d @@\n", h.OldStart, h.OldLines, h.NewStart, h.NewLines)
			for _, l := range h.Lines {
				if l.Kind == '-' {
					fmt.Fprintf(&b, "%6s %c%s\n", "", l.Kind, l.Text)
				} else {
					fmt.Fprintf(&b, "%6d %c%s\n", l.NewLine, l.Kind, l.Text)
				}
			}
		}
		if maxBytes > 0 && b.Len() > maxBytes {
			b.WriteString("[... diff truncated ...]\n")
			break
		}
	}
	return b.String()
}

// ParseModelFindings reads a model's answer to ModelPrompt. Findings whose
// anchor is not in the diff, or whose fields are unusable, are dropped and
// counted; rules get a "model/" prefix so they are never confused with the
// deterministic checks.
func ParseModelFindings(answer string, files []FileDiff) (kept []Finding, dropped int, err error) {
	text := strings.TrimSpace(answer)
	text = strings.TrimPrefix(strings.TrimPrefix(text, "```json"), "```")
	text = strings.TrimSuffix(strings.TrimSpace(text), "```")
	if i := strings.IndexByte(text, '['); i > 0 {
		text = text[i:]
	}
	if i := strings.LastIndexByte(text, ']'); i >= 0 {
		text = text[:i+1]
	}
	var raw []Finding
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, 0, fmt.Errorf("the model's review is not a JSON array of findings: %w", err)
	}
	anchors := NewAnchors(files)
	for _, f := range raw {
		switch f.Severity {
		case SeverityError, SeverityWarning, SeverityInfo:
		default:
			f.Severity = SeverityWarning
		}
		f.Message = strings.TrimSpace(f.Message)
		if f.Message == "" || !anchors.Contain(f) {
			dropped++
			continue
		}
		rule := strings.Trim(strings.ToLower(f.Rule), " /")
		if rule == "" {
			rule = "finding"
		}
		f.Rule = "model/" + rule
		kept = append(kept, f)
	}
	Sort(kept)
	return kept, dropped, nil
}
