package tool

import (
	"fmt"
	"strings"
)

// HeadTail shortens s to at most maxLines lines (plus a marker line) by
// keeping the first and last halves, so the model sees both how a command
// started and how it ended. It returns s unchanged, and 0, if s fits or
// maxLines is not positive; otherwise the shortened text and the number of
// lines omitted. A final newline does not count as starting a line.
func HeadTail(s string, maxLines int) (string, int) {
	if maxLines <= 0 {
		return s, 0
	}
	body, nl := strings.CutSuffix(s, "\n")
	lines := strings.Split(body, "\n")
	total := len(lines)
	if total <= maxLines {
		return s, 0
	}
	head := (maxLines + 1) / 2
	tail := maxLines - head
	omitted := total - head - tail
	var b strings.Builder
	for _, l := range lines[:head] {
		b.WriteString(l)
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "[... omitted %d of %d lines ...]", omitted, total)
	for _, l := range lines[total-tail:] {
		b.WriteByte('\n')
		b.WriteString(l)
	}
	if nl {
		b.WriteByte('\n')
	}
	return b.String(), omitted
}
