package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/git-agent/git-agent/internal/agent"
	"github.com/git-agent/git-agent/internal/tool"
)

// jsonRenderer writes each event as one line of JSON on stdout.
type jsonRenderer struct {
	enc *json.Encoder
	err error
}

func newJSONRenderer(w io.Writer) *jsonRenderer {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return &jsonRenderer{enc: enc}
}

func (r *jsonRenderer) event(ev agent.Event) {
	if r.err == nil {
		r.err = r.enc.Encode(ev)
	}
}

// humanRenderer shows progress on stderr (with a live status line on a
// terminal) and prints the final message on stdout.
type humanRenderer struct {
	out, errOut io.Writer
	status      *statusLine

	mu       sync.Mutex
	pending  string // last agent message, printed to stderr if more tool calls follow
	cmdStart map[string]time.Time
}

func newHumanRenderer(io *IOStreams, now func() time.Time) *humanRenderer {
	r := &humanRenderer{out: io.Out, errOut: io.ErrOut, cmdStart: map[string]time.Time{}}
	if io.IsStderrTTY() {
		r.status = newStatusLine(io.ErrOut, now)
	}
	return r
}

func (r *humanRenderer) printf(format string, a ...any) {
	if r.status != nil {
		r.status.clear()
	}
	fmt.Fprintf(r.errOut, format, a...)
}

func (r *humanRenderer) setStatus(s string) {
	if r.status != nil {
		r.status.set(s)
	}
}

func (r *humanRenderer) flushPending() {
	if r.pending != "" {
		r.printf("%s\n", indent(strings.TrimSpace(r.pending), "  │ "))
		r.pending = ""
	}
}

func (r *humanRenderer) event(ev agent.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch ev.Type {
	case agent.EventSessionStarted:
		s := ev.Session
		r.printf("git-agent · session %s · %s/%s · profile %s · approval %s\n  workspace %s\n", ev.SessionID, s.Provider, s.Model, s.Profile, s.Approval, s.Workspace)
		if len(s.Instruction) > 0 {
			r.printf("  instructions %s\n", strings.Join(s.Instruction, ", "))
		}
	case agent.EventTurnStarted:
		r.setStatus(fmt.Sprintf("waiting for the model (turn %d)", ev.Turn))
	case agent.EventItemUpdated:
		if ev.Item.Type == agent.ItemAgentMessage || ev.Item.Type == agent.ItemReasoning {
			r.setStatus(fmt.Sprintf("the model is writing (turn %d)", ev.Turn))
		}
	case agent.EventItemStarted:
		r.itemStarted(ev.Item)
	case agent.EventItemCompleted:
		r.itemCompleted(ev.Item)
	case agent.EventError:
		if ev.Error.Kind == "retry" {
			r.printf("  ! %s\n", ev.Error.Message)
		}
	case agent.EventSessionCompleted:
		if r.status != nil {
			r.status.stop()
		}
		r.pending = ""
		usage := ""
		if ev.Usage != nil {
			usage = fmt.Sprintf(" · %d tokens in, %d out", ev.Usage.InputTokens, ev.Usage.OutputTokens)
		}
		r.printf("%s after %d turn(s)%s\n", ev.Status, ev.Turns, usage)
		if ev.Error != nil {
			r.printf("error: %s\n", ev.Error.Message)
		}
		if res := ev.Result; res != nil {
			switch {
			case res.Commit != "" && res.Branch != "":
				r.printf("committed %s on branch %s\n  apply with: git agent apply %s   (or --squash, --patch; undo: git agent undo %s)\n",
					short(res.Commit), res.Branch, ev.SessionID, ev.SessionID)
			case res.Commit != "":
				r.printf("committed %s\n", short(res.Commit))
			}
			if res.Note != "" {
				r.printf("note: %s\n", res.Note)
			}
			if res.Worktree != "" {
				r.printf("worktree kept at %s\n", res.Worktree)
			}
		}
		if ev.FinalMessage != "" {
			fmt.Fprintln(r.out, strings.TrimRight(ev.FinalMessage, "\n"))
		}
	}
}

func (r *humanRenderer) itemStarted(it *agent.EventItem) {
	switch it.Type {
	case agent.ItemCommandExecution, agent.ItemFileChange, agent.ItemToolCall, agent.ItemPlan:
		r.flushPending()
		r.cmdStart[it.ID] = time.Now()
		if it.Decision != "" && it.Decision != "allow" {
			return // shown on completion as denied
		}
		if it.Type == agent.ItemCommandExecution {
			cmd := commandLine(it.Arguments)
			r.printf("  $ %s\n", cmd)
			r.setStatus("running " + clipLine(cmd, 60))
		}
	}
}

func (r *humanRenderer) itemCompleted(it *agent.EventItem) {
	switch it.Type {
	case agent.ItemAgentMessage:
		r.pending = it.Text
		return
	case agent.ItemReasoning:
		if t := strings.TrimSpace(it.Text); t != "" {
			r.printf("  thinking: %s\n", clipLine(firstLine(t), 100))
		}
		return
	}
	elapsed := ""
	if t, ok := r.cmdStart[it.ID]; ok {
		elapsed = fmt.Sprintf(" · %s", time.Since(t).Round(time.Millisecond))
		delete(r.cmdStart, it.ID)
	}
	if it.Status == agent.StatusDenied {
		r.printf("  ✗ %s denied: %s\n", it.Tool, it.Reason)
		return
	}
	switch it.Type {
	case agent.ItemCommandExecution:
		if d, ok := it.Detail.(tool.ShellDetail); ok {
			r.printf("    exit %d%s\n", d.ExitCode, elapsed)
			n := 3 // a glimpse of success, more of a failure
			if d.ExitCode != 0 || d.TimedOut {
				n = 8
			}
			if out := strings.TrimSpace(d.Stdout + d.Stderr); out != "" {
				r.printf("%s\n", indent(tailLines(out, n), "    │ "))
			}
		} else {
			r.printf("    %s%s\n", firstLine(it.Output), elapsed)
		}
	case agent.ItemFileChange:
		d, ok := it.Detail.(tool.ApplyPatchDetail)
		if !ok || it.Status != agent.StatusCompleted {
			r.printf("  ! apply_patch failed: %s\n", clipLine(it.Output, 200))
			break
		}
		for _, f := range d.Files {
			name := f.Path
			if f.MoveTo != "" {
				name += " -> " + f.MoveTo
			}
			r.printf("  ✎ %s %s (+%d -%d)\n", opLetter(f.Op), name, f.Added, f.Removed)
		}
	case agent.ItemPlan:
		r.printf("  plan:\n%s\n", renderPlan(it.Detail))
	default:
		mark := "·"
		if it.Status == agent.StatusFailed {
			mark = "!"
		}
		r.printf("  %s %s %s\n", mark, it.Tool, clipLine(argSummary(it.Arguments), 80))
	}
	r.setStatus("waiting for the model")
}

func opLetter(op string) string {
	switch op {
	case "add":
		return "A"
	case "delete":
		return "D"
	}
	return "M"
}

// commandLine renders shell arguments for display.
func commandLine(args string) string {
	var a struct {
		Command json.RawMessage `json:"command"`
		Script  string          `json:"script"`
	}
	if json.Unmarshal([]byte(args), &a) != nil {
		return args
	}
	var argv []string
	if json.Unmarshal(a.Command, &argv) == nil {
		return strings.Join(argv, " ")
	}
	var s string
	if json.Unmarshal(a.Command, &s) == nil {
		return s
	}
	return a.Script
}

func argSummary(args string) string {
	var m map[string]any
	if json.Unmarshal([]byte(args), &m) != nil {
		return args
	}
	for _, k := range []string{"path", "pattern"} {
		if v, ok := m[k].(string); ok {
			return v
		}
	}
	return args
}

func renderPlan(detail any) string {
	b, err := json.Marshal(detail)
	if err != nil {
		return ""
	}
	var p struct {
		Plan []struct{ Step, Status string } `json:"plan"`
	}
	if json.Unmarshal(b, &p) != nil {
		return ""
	}
	var lines []string
	for _, s := range p.Plan {
		mark := "[ ]"
		switch s.Status {
		case "completed":
			mark = "[x]"
		case "in_progress":
			mark = "[>]"
		}
		lines = append(lines, "    "+mark+" "+s.Step)
	}
	return strings.Join(lines, "\n")
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func clipLine(s string, n int) string {
	s = firstLine(s)
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

func tailLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

func short(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
