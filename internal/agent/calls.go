package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/git-agent/git-agent/internal/audit"
	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/policy"
	"github.com/git-agent/git-agent/internal/telemetry"
	"github.com/git-agent/git-agent/internal/tool"
)

// itemTypeFor maps a tool name to the event item type.
func itemTypeFor(name string) string {
	switch name {
	case "shell":
		return ItemCommandExecution
	case "apply_patch":
		return ItemFileChange
	case "update_plan":
		return ItemPlan
	}
	return ItemToolCall
}

// runCall judges and executes one tool call and returns the output item for
// the model. A non-empty stop string ends the session (loop detected).
func (a *Agent) runCall(ctx context.Context, turn int, call model.Item) (model.Item, string) {
	ctx, span := a.opts.Telemetry.Start(ctx, "tool.call", telemetry.String("tool", call.Name), telemetry.String("call_id", call.CallID))
	defer span.End()
	id := a.newItemID()
	ev := &EventItem{ID: id, Type: itemTypeFor(call.Name), Tool: call.Name, CallID: call.CallID,
		Arguments: call.Arguments, Status: StatusInProgress}
	out := model.Item{Type: model.ItemFunctionOutput, CallID: call.CallID}

	finish := func(res tool.Result, status string) (model.Item, string) {
		span.SetAttrs(telemetry.String("status", status))
		if res.IsError {
			span.SetError(errors.New(clip(res.Output, 200)))
		}
		ev.Status = status
		ev.Output = res.Output
		ev.Detail = res.Detail
		a.emit(Event{Type: EventItemCompleted, Turn: turn, Item: ev})
		out.Output = res.Output
		out.IsError = res.IsError
		return out, a.loop.observe(call, res.IsError)
	}

	t, ok := a.opts.Tools.Get(call.Name)
	if !ok {
		a.emit(Event{Type: EventItemStarted, Turn: turn, Item: ev})
		return finish(tool.Errorf("unknown tool %q; available tools: %s", call.Name, strings.Join(a.opts.Tools.Names(), ", ")), StatusFailed)
	}
	args := json.RawMessage(call.Arguments)
	if len(bytes.TrimSpace(args)) == 0 {
		args = json.RawMessage("{}")
	}
	if !json.Valid(args) {
		a.emit(Event{Type: EventItemStarted, Turn: turn, Item: ev})
		return finish(tool.Errorf("the arguments of %s are not valid JSON; send a JSON object matching the tool's schema", call.Name), StatusFailed)
	}

	pc := policy.Call{Tool: call.Name, Risk: t.Risk(args), Command: commandOf(call.Name, args)}
	pc.Summary = call.Name + " " + summarize(call.Name, args, pc.Command)
	verdict, err := a.opts.Policy.Check(ctx, pc)
	if err != nil {
		verdict = policy.Verdict{Decision: policy.Forbid, Reason: "approval failed: " + err.Error()}
	}
	decision := decisionOf(verdict)
	det := map[string]any{"tool": call.Name, "call_id": call.CallID, "turn": turn}
	if argv := pc.Command; len(argv) > 0 && argv[len(argv)-1] == "\x00script;" {
		det["script"] = true
	}
	a.content(det, "arguments", call.Arguments)
	if err := a.audit(audit.Entry{Operation: OpToolCall, Target: callTarget(call.Name, args, pc.Summary), Decision: decision,
		Reason: verdict.Reason, Rule: verdict.Rule, Details: det}); err != nil && verdict.Decision == policy.Allow {
		// Fail closed: what the log cannot record does not happen.
		verdict = policy.Verdict{Decision: policy.Forbid, Reason: "the audit log cannot record this call: " + err.Error()}
		decision = "denied"
	}
	a.opts.Telemetry.Metrics().ToolCall(call.Name, decision)
	span.SetAttrs(telemetry.String("decision", decision))
	a.opts.Log.Debug("tool call", "tool", call.Name, "call_id", call.CallID, "decision", decision, "rule", verdict.Rule, "reason", verdict.Reason)
	ev.Decision = string(verdict.Decision)
	ev.Reason = verdict.Reason
	a.emit(Event{Type: EventItemStarted, Turn: turn, Item: ev})
	if verdict.Decision != policy.Allow {
		return finish(tool.Errorf("denied by policy: %s", verdict.Reason), StatusDenied)
	}

	env := *a.opts.ToolEnv
	env.Progress = func(callID, chunk string) {
		a.emit(Event{Type: EventItemUpdated, Turn: turn, Item: &EventItem{ID: id, Type: ev.Type, CallID: callID, OutputDelta: chunk}})
	}
	env.Egress = a.egressHook(call.CallID)
	env.Telemetry = a.opts.Telemetry
	res, err := t.Run(ctx, &env, call.CallID, args)
	if err == nil {
		a.auditResult(call.CallID, res)
	}
	if err != nil {
		if ctx.Err() != nil {
			res = tool.Errorf("interrupted: %v", ctx.Err())
		} else {
			res = tool.Errorf("%s failed: %v", call.Name, err)
		}
	}
	status := StatusCompleted
	if res.IsError {
		status = StatusFailed
	}
	return finish(res, status)
}

// commandOf extracts the argv of a shell call for policy rules. A script is
// split into words; knownSafe refuses anything with shell syntax anyway.
func commandOf(name string, args json.RawMessage) []string {
	if name != "shell" {
		return nil
	}
	var a struct {
		Command json.RawMessage `json:"command"`
		Script  string          `json:"script"`
	}
	if json.Unmarshal(args, &a) != nil {
		return []string{}
	}
	var argv []string
	if json.Unmarshal(a.Command, &argv) == nil && len(argv) > 0 {
		return argv
	}
	script := a.Script
	var s string
	if json.Unmarshal(a.Command, &s) == nil && s != "" {
		script = s
	}
	if w := strings.Fields(script); len(w) > 0 {
		// A script is judged as a script: its words for prefix rules, plus a
		// marker that keeps it off the read-only list.
		return append(w, "\x00script;")
	}
	return []string{}
}

func summarize(name string, args json.RawMessage, argv []string) string {
	if argv != nil {
		words := argv
		if n := len(words); n > 0 && words[n-1] == "\x00script;" {
			words = words[:n-1]
		}
		return clip(strings.Join(words, " "), 120)
	}
	var m map[string]any
	if json.Unmarshal(args, &m) == nil {
		if p, ok := m["path"].(string); ok {
			return p
		}
		if p, ok := m["pattern"].(string); ok {
			return p
		}
	}
	return clip(string(args), 120)
}

func clip(s string, n int) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// loopDetector stops a session that keeps making the same call.
type loopDetector struct {
	last    string
	repeats int
	fails   int
}

const (
	maxSameFailing = 3 // the same failing call this many times in a row
	maxSameCall    = 6 // the same call (even succeeding) this many times in a row
)

func (l *loopDetector) observe(call model.Item, failed bool) string {
	sig := call.Name + "\x00" + canonicalJSON(call.Arguments)
	if sig == l.last {
		l.repeats++
	} else {
		l.last, l.repeats, l.fails = sig, 1, 0
	}
	if failed {
		l.fails++
	} else {
		l.fails = 0
	}
	switch {
	case l.fails >= maxSameFailing:
		return fmt.Sprintf("loop detected: the model made the same failing %s call %d times in a row (%s); stopping. Rephrase the task or fix the cause, then `git agent resume`", call.Name, l.fails, clip(call.Arguments, 200))
	case l.repeats >= maxSameCall:
		return fmt.Sprintf("loop detected: the model made the same %s call %d times in a row (%s); stopping", call.Name, l.repeats, clip(call.Arguments, 200))
	}
	return ""
}

func canonicalJSON(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	b, _ := json.Marshal(v) // map keys come out sorted
	return string(b)
}
