package agent

import (
	"encoding/json"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/git-agent/git-agent/internal/model"
)

// TestEventFieldsAreDocumented keeps docs/events.md and the Event types in
// step: every JSON field an event can carry must be named in the document.
func TestEventFieldsAreDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	full := Event{
		Type: EventSessionCompleted, Seq: 1, Time: time.Now(), SessionID: "s", Turn: 1,
		Session: &SessionInfo{Provider: "p", Model: "m", Profile: "x", Approval: "a", Workspace: "w", Resumed: true,
			Rollout: "r", Recorded: true, Instruction: []string{"AGENTS.md"}},
		Item: &EventItem{ID: "i", Type: "t", Status: "s", Text: "t", Delta: "d", Tool: "t", CallID: "c", Arguments: "{}",
			Output: "o", OutputDelta: "o", Decision: "d", Reason: "r", Detail: 1},
		Usage:  &model.Usage{InputTokens: 1, CachedInputTokens: 1, OutputTokens: 1, ReasoningTokens: 1},
		Status: "s", FinalMessage: "f", Turns: 1, Error: &ErrorInfo{Kind: "k", Message: "m"},
		Result: &ResultInfo{Branch: "b", Commit: "c", Worktree: "w", Note: "n"},
	}
	b, err := json.Marshal(full)
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	var walk func(v any)
	walk = func(v any) {
		if m, ok := v.(map[string]any); ok {
			for k, sub := range m {
				keys = append(keys, k)
				walk(sub)
			}
		}
	}
	var v any
	json.Unmarshal(b, &v)
	walk(v)
	sort.Strings(keys)
	for _, k := range keys {
		if !regexp.MustCompile("`" + regexp.QuoteMeta(k) + "`|\"" + regexp.QuoteMeta(k) + "\"").Match(doc) {
			t.Errorf("event field %q is not documented in docs/events.md", k)
		}
	}
	for _, typ := range []string{EventSessionStarted, EventTurnStarted, EventItemStarted, EventItemUpdated, EventItemCompleted,
		EventTurnCompleted, EventSessionCompleted, EventError, ItemAgentMessage, ItemReasoning, ItemCommandExecution,
		ItemFileChange, ItemPlan, ItemToolCall, SessionCompleted, SessionFailed, SessionMaxTurns, SessionLoop, SessionInterrupted} {
		if !strings.Contains(string(doc), "`"+typ+"`") {
			t.Errorf("%q is not documented in docs/events.md", typ)
		}
	}
}
