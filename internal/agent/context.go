package agent

import (
	"fmt"
	"strings"

	"github.com/git-agent/git-agent/internal/model"
)

// Context budget: the conversation may use this share of the window; the
// rest is left for the instructions' growth and the model's answer.
const (
	contextShare  = 0.7
	keepRecent    = 6   // items at the end never trimmed
	trimHeadLines = 20  // lines kept of a trimmed tool output
	bytesPerToken = 4   // rough estimate, deliberately pessimistic for code
	minTrimBytes  = 512 // outputs smaller than this are left alone
)

// estimateTokens approximates the prompt size of items.
func estimateTokens(items []model.Item, extraBytes int) int {
	n := extraBytes
	for _, it := range items {
		n += len(it.Text) + len(it.Arguments) + len(it.Output) + len(it.Name) + 16
	}
	return n / bytesPerToken
}

// trimContext returns the items to send: the conversation itself, or, when it
// would not fit, a copy in which old tool outputs (oldest first) are cut to
// their first lines. level > 0 tightens the budget (after a context-length
// error). The session rollout always keeps the full items.
func trimContext(items []model.Item, window, level, extraBytes int) []model.Item {
	budget := int(float64(window) * contextShare)
	for i := 0; i < level; i++ {
		budget /= 2
	}
	if estimateTokens(items, extraBytes) <= budget {
		return items
	}
	out := append([]model.Item(nil), items...)
	keep := keepRecent
	if level > 0 {
		keep = 0 // the provider refused the prompt: recent output must shrink too
	}
	for i := 0; i < len(out)-keep; i++ {
		it := &out[i]
		if it.Type != model.ItemFunctionOutput || len(it.Output) < minTrimBytes {
			continue
		}
		it.Output = trimOutput(it.Output)
		if estimateTokens(out, extraBytes) <= budget {
			break
		}
	}
	return out
}

func trimOutput(s string) string {
	lines := strings.SplitAfter(s, "\n")
	if len(lines) > trimHeadLines {
		lines = lines[:trimHeadLines]
	}
	head := strings.Join(lines, "")
	if len(head) > 2048 {
		head = head[:2048]
	}
	return fmt.Sprintf("%s\n[... older tool output trimmed to fit the context window: %d of %d bytes omitted ...]", head, len(s)-len(head), len(s))
}
