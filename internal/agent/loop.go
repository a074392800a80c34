package agent

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/git-agent/git-agent/internal/audit"
	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/policy"
	"github.com/git-agent/git-agent/internal/telemetry"
	"github.com/git-agent/git-agent/internal/tool"
)

// Options configures an Agent. Provider, Tools, ToolEnv and Policy are required.
type Options struct {
	SessionID       string
	Info            SessionInfo
	Provider        model.Provider
	Model           string
	Instructions    string
	Tools           *tool.Registry
	ToolEnv         *tool.Env
	Policy          *policy.Policy
	MaxTurns        int // 0 means 50
	ContextWindow   int // tokens; 0 means 128000
	MaxOutputTokens int
	// Emit receives every event; it is called with a lock held, one event at a time.
	Emit    func(Event)
	Rollout *Rollout
	Now     func() time.Time
	// Finish, if set, runs after the last turn and before session.completed,
	// whatever the outcome (the CLI commits the worktree there).
	Finish func(*Outcome) *ResultInfo
	// Audit, if set, receives every decision and effect for the audit log.
	// It fails closed: a tool call whose decision cannot be recorded is not
	// run, and a session whose start cannot be recorded does not start.
	Audit func(audit.Entry) error
	// AuditContent puts prompts, outputs and messages into the audit log;
	// by default only their digests and sizes go there.
	AuditContent bool
	// AuditInfo, if set, says where the audit log is and its chain head
	// (for session.completed).
	AuditInfo func() *AuditInfo
	// Telemetry receives spans and metrics; nil is a no-op.
	Telemetry *telemetry.Telemetry
	// Log receives diagnostics; nil discards them.
	Log *slog.Logger
}

// Outcome is how a Run ended.
type Outcome struct {
	Status       string
	FinalMessage string
	Usage        model.Usage
	Turns        int
	Err          error
	Result       *ResultInfo
}

// Agent runs turns for one session. It is not safe for concurrent Runs.
type Agent struct {
	opts  Options
	items []model.Item
	usage model.Usage
	turns int

	emitMu  sync.Mutex
	seq     int
	nextID  int
	started bool

	loop loopDetector
	// trim tightens context trimming after the provider said the prompt is too long.
	trim int
}

// New returns an agent.
func New(opts Options) *Agent {
	if opts.MaxTurns <= 0 {
		opts.MaxTurns = 50
	}
	if opts.ContextWindow <= 0 {
		opts.ContextWindow = 128000
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Log == nil {
		opts.Log = slog.New(slog.DiscardHandler)
	}
	return &Agent{opts: opts}
}

// Restore loads a previous conversation (resume).
func (a *Agent) Restore(items []model.Item, turns int, usage model.Usage) {
	a.items = append([]model.Item(nil), items...)
	a.turns = turns
	a.usage = usage
}

// Items returns the conversation so far.
func (a *Agent) Items() []model.Item { return a.items }

func (a *Agent) emit(ev Event) {
	a.emitMu.Lock()
	defer a.emitMu.Unlock()
	a.seq++
	ev.Seq = a.seq
	ev.Time = a.opts.Now().UTC()
	ev.SessionID = a.opts.SessionID
	if a.opts.Emit != nil {
		a.opts.Emit(ev)
	}
}

func (a *Agent) newItemID() string {
	a.emitMu.Lock()
	defer a.emitMu.Unlock()
	a.nextID++
	return fmt.Sprintf("item_%d", a.nextID)
}

func (a *Agent) record(rec Record) {
	if a.opts.Rollout == nil {
		return
	}
	if err := a.opts.Rollout.Append(rec); err != nil {
		a.emit(Event{Type: EventError, Error: &ErrorInfo{Kind: "session", Message: err.Error()}})
	}
}

func (a *Agent) addItem(it model.Item) {
	a.items = append(a.items, it)
	a.record(Record{Kind: "item", Item: &it})
}

// Run sends prompt as a user message and drives turns until the model stops,
// the turn limit is hit, a loop is detected, or ctx ends.
func (a *Agent) Run(ctx context.Context, prompt string) *Outcome {
	start := a.opts.Now()
	info := a.opts.Info
	ctx, span := a.opts.Telemetry.Start(ctx, "session", telemetry.String("session.id", a.opts.SessionID),
		telemetry.String("provider", info.Provider), telemetry.String("model", a.opts.Model),
		telemetry.String("profile", info.Profile), telemetry.Bool("resumed", info.Resumed))
	defer span.End()
	metrics := a.opts.Telemetry.Metrics()
	metrics.TaskStarted(telemetry.String("profile", info.Profile))
	if !a.started {
		a.started = true
		if a.opts.AuditInfo != nil {
			if ai := a.opts.AuditInfo(); ai != nil {
				info.Audit = &AuditInfo{Log: ai.Log}
			}
		}
		a.emit(Event{Type: EventSessionStarted, Session: &info})
	}
	a.opts.Log.Info("session started", "session", a.opts.SessionID, "provider", info.Provider, "model", a.opts.Model,
		"profile", info.Profile, "approval", info.Approval, "workspace", info.Workspace, "resumed", info.Resumed)
	det := map[string]any{"provider": info.Provider, "model": a.opts.Model, "approval": info.Approval,
		"workspace": info.Workspace, "resumed": info.Resumed}
	if len(info.Instruction) > 0 {
		det["instruction_files"] = info.Instruction
	}
	a.content(det, "prompt", prompt)

	var out *Outcome
	if err := a.audit(audit.Entry{Operation: OpSessionStart, Target: info.Workspace, Decision: "started", Details: det}); err != nil {
		out = &Outcome{Status: SessionFailed, Err: fmt.Errorf("the audit log cannot record this session, so it does not start: %w (fix the log's directory or pass --audit-log FILE)", err)}
		a.emit(Event{Type: EventError, Error: &ErrorInfo{Kind: "audit", Message: out.Err.Error()}})
	} else {
		a.addItem(model.Item{Type: model.ItemMessage, Role: model.RoleUser, Text: prompt})
		out = a.loopTurns(ctx)
	}
	out.Usage = a.usage
	out.Turns = a.turns
	if a.opts.Finish != nil {
		out.Result = a.opts.Finish(out)
	}
	a.auditEnd(out)
	ev := Event{Type: EventSessionCompleted, Status: out.Status, FinalMessage: out.FinalMessage, Usage: &out.Usage, Turns: out.Turns, Result: out.Result}
	if a.opts.AuditInfo != nil {
		ev.Audit = a.opts.AuditInfo()
	}
	rec := Record{Kind: "status", Status: out.Status, FinalMessage: out.FinalMessage}
	if out.Err != nil {
		ev.Error = errorInfo(out.Err)
		rec.Error = out.Err.Error()
		span.SetError(out.Err)
		metrics.Error(ev.Error.Kind)
	}
	span.SetAttrs(telemetry.String("status", out.Status), telemetry.Int("turns", out.Turns),
		telemetry.Int("tokens.input", out.Usage.InputTokens), telemetry.Int("tokens.output", out.Usage.OutputTokens))
	metrics.TaskFinished(a.opts.Now().Sub(start), out.Status)
	a.opts.Log.Info("session ended", "session", a.opts.SessionID, "status", out.Status, "turns", out.Turns,
		"input_tokens", out.Usage.InputTokens, "output_tokens", out.Usage.OutputTokens)
	a.emit(ev)
	a.record(rec)
	return out
}

// auditEnd records how the session ended.
func (a *Agent) auditEnd(out *Outcome) {
	det := map[string]any{"turns": out.Turns, "input_tokens": out.Usage.InputTokens, "output_tokens": out.Usage.OutputTokens}
	if out.FinalMessage != "" {
		a.content(det, "final_message", out.FinalMessage)
	}
	if r := out.Result; r != nil {
		for k, v := range map[string]string{"branch": r.Branch, "commit": r.Commit, "note": r.Note} {
			if v != "" {
				det[k] = v
			}
		}
	}
	reason := ""
	if out.Err != nil {
		reason = out.Err.Error()
	}
	a.auditNote(audit.Entry{Operation: OpSessionEnd, Decision: out.Status, Reason: reason, Details: det})
}

func (a *Agent) loopTurns(ctx context.Context) *Outcome {
	startTurns := a.turns
	for {
		if a.turns-startTurns >= a.opts.MaxTurns {
			return &Outcome{Status: SessionMaxTurns, Err: fmt.Errorf("stopped after %d turns (--max-turns); resume the session to continue", a.opts.MaxTurns)}
		}
		if err := ctx.Err(); err != nil {
			return &Outcome{Status: SessionInterrupted, Err: err}
		}
		a.turns++
		turn := a.turns
		out, done := a.turn(ctx, turn)
		if done {
			return out
		}
	}
}

// turn runs one model turn and its tool calls; done says the session ends
// with out.
func (a *Agent) turn(ctx context.Context, turn int) (out *Outcome, done bool) {
	ctx, span := a.opts.Telemetry.Start(ctx, "turn", telemetry.Int("turn", turn))
	defer span.End()
	a.emit(Event{Type: EventTurnStarted, Turn: turn})
	resp, err := a.callModel(ctx, turn)
	if err != nil {
		span.SetError(err)
		if ctx.Err() != nil {
			return &Outcome{Status: SessionInterrupted, Err: ctx.Err()}, true
		}
		a.emit(Event{Type: EventError, Turn: turn, Error: errorInfo(err)})
		return &Outcome{Status: SessionFailed, Err: err}, true
	}
	a.usage.Add(resp.Usage)
	usage := resp.Usage
	a.record(Record{Kind: "turn", Turn: turn, Usage: &usage})
	calls := resp.ToolCalls()
	for _, call := range calls {
		output, stop := a.runCall(ctx, turn, call)
		a.addItem(output)
		if ctx.Err() != nil {
			a.emit(Event{Type: EventTurnCompleted, Turn: turn, Usage: &usage})
			return &Outcome{Status: SessionInterrupted, Err: ctx.Err()}, true
		}
		if stop != "" {
			a.emit(Event{Type: EventTurnCompleted, Turn: turn, Usage: &usage})
			return &Outcome{Status: SessionLoop, Err: errors.New(stop)}, true
		}
	}
	a.emit(Event{Type: EventTurnCompleted, Turn: turn, Usage: &usage})
	if len(calls) == 0 {
		return &Outcome{Status: SessionCompleted, FinalMessage: resp.Text()}, true
	}
	return nil, false
}

// callModel streams one model response, emitting deltas, and records its
// items. A context-length error triggers one retry with tighter trimming.
func (a *Agent) callModel(ctx context.Context, turn int) (*model.Response, error) {
	ctx, span := a.opts.Telemetry.Start(ctx, "model.request", telemetry.String("model", a.opts.Model))
	defer span.End()
	began := a.opts.Now()
	for attempt := 0; ; attempt++ {
		req := &model.Request{
			Model:           a.opts.Model,
			Instructions:    a.opts.Instructions,
			Input:           trimContext(a.items, a.opts.ContextWindow, a.trim, len(a.opts.Instructions)),
			Tools:           a.opts.Tools.Specs(),
			MaxOutputTokens: a.opts.MaxOutputTokens,
		}
		st := &streamState{a: a, turn: turn}
		resp, err := a.opts.Provider.Stream(ctx, req, st.sink)
		if err != nil {
			st.abort()
			if me, ok := model.AsError(err); ok && me.Kind == model.ErrContextLength && attempt == 0 {
				a.opts.Log.Warn("context too long; retrying with tighter trimming", "turn", turn)
				a.trim++
				continue
			}
			span.SetError(err)
			a.opts.Log.Warn("model request failed", "turn", turn, "error", err)
			return nil, err
		}
		u := resp.Usage
		span.SetAttrs(telemetry.Int("tokens.input", u.InputTokens), telemetry.Int("tokens.output", u.OutputTokens),
			telemetry.Int("tool_calls", len(resp.ToolCalls())))
		a.opts.Telemetry.Metrics().Tokens(int64(u.InputTokens), int64(u.OutputTokens), a.opts.Model)
		a.opts.Log.Debug("model response", "turn", turn, "input_tokens", u.InputTokens, "output_tokens", u.OutputTokens,
			"tool_calls", len(resp.ToolCalls()), "duration", a.opts.Now().Sub(began))
		st.finish(resp)
		for _, it := range resp.Items {
			a.addItem(it)
		}
		return resp, nil
	}
}

// streamState turns provider deltas into item events.
type streamState struct {
	a    *Agent
	turn int
	// open text and reasoning items, by type
	textID, reasoningID string
	text, reasoning     strings.Builder
}

func (s *streamState) sink(ev model.Event) {
	switch ev.Type {
	case model.EventTextDelta:
		s.textID = s.delta(s.textID, ItemAgentMessage, &s.text, ev.Delta)
	case model.EventReasoningDelta:
		s.reasoningID = s.delta(s.reasoningID, ItemReasoning, &s.reasoning, ev.Delta)
	case model.EventRetry:
		msg := "retrying model request"
		if ev.Err != nil {
			msg = fmt.Sprintf("attempt %d failed, retrying: %v", ev.Attempt, ev.Err)
		}
		s.a.emit(Event{Type: EventError, Turn: s.turn, Error: &ErrorInfo{Kind: "retry", Message: msg}})
	}
}

func (s *streamState) delta(id, typ string, b *strings.Builder, d string) string {
	if id == "" {
		id = s.a.newItemID()
		s.a.emit(Event{Type: EventItemStarted, Turn: s.turn, Item: &EventItem{ID: id, Type: typ, Status: StatusInProgress}})
	}
	b.WriteString(d)
	s.a.emit(Event{Type: EventItemUpdated, Turn: s.turn, Item: &EventItem{ID: id, Type: typ, Delta: d}})
	return id
}

// finish completes the streamed items with the authoritative final text.
func (s *streamState) finish(resp *model.Response) {
	var text, reasoning []string
	for _, it := range resp.Items {
		switch {
		case it.Type == model.ItemMessage && it.Role == model.RoleAssistant:
			text = append(text, it.Text)
		case it.Type == model.ItemReasoning:
			reasoning = append(reasoning, it.Text)
		}
	}
	s.complete(&s.reasoningID, ItemReasoning, strings.Join(reasoning, "\n"))
	s.complete(&s.textID, ItemAgentMessage, strings.Join(text, "\n"))
}

func (s *streamState) complete(id *string, typ, text string) {
	if *id == "" && text == "" {
		return
	}
	if *id == "" {
		*id = s.a.newItemID()
		s.a.emit(Event{Type: EventItemStarted, Turn: s.turn, Item: &EventItem{ID: *id, Type: typ, Status: StatusInProgress}})
	}
	s.a.emit(Event{Type: EventItemCompleted, Turn: s.turn, Item: &EventItem{ID: *id, Type: typ, Status: StatusCompleted, Text: text}})
}

// abort closes items left open by a failed stream.
func (s *streamState) abort() {
	for _, p := range []struct {
		id  string
		typ string
		b   *strings.Builder
	}{{s.reasoningID, ItemReasoning, &s.reasoning}, {s.textID, ItemAgentMessage, &s.text}} {
		if p.id != "" {
			s.a.emit(Event{Type: EventItemCompleted, Turn: s.turn, Item: &EventItem{ID: p.id, Type: p.typ, Status: StatusFailed, Text: p.b.String()}})
		}
	}
}

func errorInfo(err error) *ErrorInfo {
	kind := "internal"
	switch {
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		kind = "interrupted"
	default:
		if me, ok := model.AsError(err); ok {
			kind = "model_" + string(me.Kind)
		}
	}
	return &ErrorInfo{Kind: kind, Message: err.Error()}
}
