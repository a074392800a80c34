package agent

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/git-agent/git-agent/internal/audit"
	"github.com/git-agent/git-agent/internal/policy"
	"github.com/git-agent/git-agent/internal/tool"
	"github.com/git-agent/git-agent/sandbox/egress"
)

// Audit operations the agent records. The CLI records the others (branch
// and commit creation, sandbox refusals, API writes).
const (
	OpSessionStart = "session.start"
	OpToolCall     = "tool.call"
	OpExec         = "exec"
	OpFileWrite    = "file.write"
	OpEgress       = "egress"
	OpSessionEnd   = "session.end"
)

// audit sends e to the audit hook; nil when there is none.
func (a *Agent) audit(e audit.Entry) error {
	if a.opts.Audit == nil {
		return nil
	}
	return a.opts.Audit(e)
}

// auditNote records an entry whose loss must not stop the session (it
// reports the failure as an error event instead).
func (a *Agent) auditNote(e audit.Entry) {
	if err := a.audit(e); err != nil {
		a.emit(Event{Type: EventError, Error: &ErrorInfo{Kind: "audit", Message: err.Error()}})
	}
}

// content returns text for the audit log: its digest and size, and the
// text itself only with --audit-content.
func (a *Agent) content(d map[string]any, key, text string) {
	d[key+"_sha256"] = digest(text)
	d[key+"_bytes"] = len(text)
	if a.opts.AuditContent {
		d[key] = text
	}
}

func digest(s string) string { return audit.Digest([]byte(s)) }

// decisionOf names a policy verdict in the audit log: allowed and denied by
// rule or mode, approved and rejected by a person.
func decisionOf(v policy.Verdict) string {
	switch {
	case v.Decision == policy.Allow && v.ByUser:
		return "approved"
	case v.Decision == policy.Allow:
		return "allowed"
	case v.ByUser:
		return "rejected"
	}
	return "denied"
}

// callTarget names what a call acts on without its content: the command
// of a shell call, the files of a patch, the path or pattern otherwise.
func callTarget(name string, args json.RawMessage, summary string) string {
	if name != "apply_patch" {
		return summary
	}
	var p struct{ Patch, Input string }
	_ = json.Unmarshal(args, &p)
	text := p.Patch + p.Input
	var files []string
	for _, line := range strings.Split(text, "\n") {
		for _, h := range []string{"*** Add File: ", "*** Update File: ", "*** Delete File: ", "*** Move to: "} {
			if rest, ok := strings.CutPrefix(strings.TrimSpace(line), strings.TrimSpace(h)); ok {
				files = append(files, strings.TrimSpace(rest))
			}
		}
	}
	return "apply_patch " + strings.Join(files, " ")
}

// auditResult records what an executed call did: the command's end, or the
// files a patch wrote (by hash, never by content).
func (a *Agent) auditResult(callID string, res tool.Result) {
	switch d := res.Detail.(type) {
	case tool.ShellDetail:
		decision, reason := ExecOutcome(d.TimedOut, d.Signal, d.ExitCode)
		det := map[string]any{"call_id": callID, "exit_code": d.ExitCode, "duration_ms": d.DurationMS, "truncated": d.Truncated}
		a.content(det, "stdout", d.Stdout)
		a.content(det, "stderr", d.Stderr)
		a.auditNote(audit.Entry{Operation: OpExec, Target: strings.Join(d.Command, " "), Decision: decision, Reason: reason, Details: det})
	case tool.ApplyPatchDetail:
		for _, f := range d.Files {
			det := map[string]any{"call_id": callID, "op": f.Op, "added": f.Added, "removed": f.Removed}
			if f.SHA256 != "" {
				det["sha256"], det["size"] = f.SHA256, f.Size
			}
			if f.MoveTo != "" {
				det["move_to"] = f.MoveTo
			}
			a.auditNote(audit.Entry{Operation: OpFileWrite, Target: f.Path, Decision: "ok", Details: det})
		}
	}
}

// egressHook records each egress-proxy decision of a call's command.
func (a *Agent) egressHook(callID string) func(egress.Decision) {
	return func(d egress.Decision) {
		if !d.Allowed {
			a.opts.Telemetry.Metrics().SandboxDenial("egress")
		}
		e := EgressEntry(d)
		e.Details["call_id"] = callID
		a.auditNote(e)
	}
}

// EgressEntry is the audit entry of one egress-proxy decision.
func EgressEntry(d egress.Decision) audit.Entry {
	decision := "denied"
	if d.Allowed {
		decision = "allowed"
	}
	return audit.Entry{Operation: OpEgress, Target: fmt.Sprintf("%s:%d", d.Host, d.Port), Decision: decision,
		Reason: d.Reason, Details: map[string]any{"method": d.Method}}
}

// ExecOutcome names how a command ended in the audit log: ok, failed (a
// non-zero exit) or killed (its timeout or a signal), with the reason.
func ExecOutcome(timedOut bool, signal string, exitCode int) (decision, reason string) {
	switch {
	case timedOut:
		return "killed", "timed out"
	case signal != "":
		return "killed", "killed by " + signal
	case exitCode != 0:
		return "failed", "exit code " + strconv.Itoa(exitCode)
	}
	return "ok", ""
}
