package agent

import (
	"time"

	"github.com/git-agent/git-agent/internal/model"
)

// Event types. The JSON shape of every event is documented in docs/events.md
// and is a stable interface: add fields, never rename or remove them.
const (
	EventSessionStarted   = "session.started"
	EventTurnStarted      = "turn.started"
	EventItemStarted      = "item.started"
	EventItemUpdated      = "item.updated"
	EventItemCompleted    = "item.completed"
	EventTurnCompleted    = "turn.completed"
	EventSessionCompleted = "session.completed"
	EventError            = "error"
)

// Item types carried by item.* events.
const (
	ItemAgentMessage     = "agent_message"
	ItemReasoning        = "reasoning"
	ItemCommandExecution = "command_execution" // the shell tool
	ItemFileChange       = "file_change"       // the apply_patch tool
	ItemPlan             = "plan"              // the update_plan tool
	ItemToolCall         = "tool_call"         // any other tool
)

// Item statuses.
const (
	StatusInProgress = "in_progress"
	StatusCompleted  = "completed"
	StatusFailed     = "failed"
	StatusDenied     = "denied"
)

// Session statuses (session.completed and the rollout).
const (
	SessionCompleted   = "completed"
	SessionFailed      = "failed"
	SessionMaxTurns    = "max_turns"
	SessionLoop        = "loop_detected"
	SessionInterrupted = "interrupted"
)

// Event is one line of `git agent run --json`.
type Event struct {
	Type      string    `json:"type"`
	Seq       int       `json:"seq"`
	Time      time.Time `json:"time"`
	SessionID string    `json:"session_id"`
	Turn      int       `json:"turn,omitempty"`

	// session.started
	Session *SessionInfo `json:"session,omitempty"`
	// item.*
	Item *EventItem `json:"item,omitempty"`
	// turn.completed and session.completed
	Usage *model.Usage `json:"usage,omitempty"`
	// session.completed
	Status       string `json:"status,omitempty"`
	FinalMessage string `json:"final_message,omitempty"`
	Turns        int    `json:"turns,omitempty"`
	// error (and session.completed when failed)
	Error *ErrorInfo `json:"error,omitempty"`
	// session.completed: where the work landed
	Result *ResultInfo `json:"result,omitempty"`
	// session.completed: the audit log and its chain head after the session
	Audit *AuditInfo `json:"audit,omitempty"`
}

// AuditInfo says where a session's audit entries are: the log file and the
// hash of the chain's last entry (`git agent audit verify` checks it).
type AuditInfo struct {
	Log  string `json:"log"`
	Head string `json:"head,omitempty"`
}

// ResultInfo says where a session's changes are: the agent branch and the
// commit made on it, and the worktree if it was kept.
type ResultInfo struct {
	Branch   string `json:"branch,omitempty"`
	Commit   string `json:"commit,omitempty"`
	Worktree string `json:"worktree,omitempty"`
	Note     string `json:"note,omitempty"`
}

// SessionInfo describes a session in session.started.
type SessionInfo struct {
	Provider    string   `json:"provider"`
	Model       string   `json:"model"`
	Profile     string   `json:"profile"`
	Approval    string   `json:"approval"`
	Workspace   string   `json:"workspace"`
	Resumed     bool     `json:"resumed"`
	Rollout     string   `json:"rollout,omitempty"`
	Recorded    bool     `json:"recorded_model,omitempty"` // model turns come from a cassette
	Instruction []string `json:"instruction_files,omitempty"`
	// Audit is where the session's audit entries go (Head unset here).
	Audit *AuditInfo `json:"audit,omitempty"`
}

// EventItem is the payload of item.started / item.updated / item.completed.
type EventItem struct {
	ID     string `json:"id"`
	Type   string `json:"type"`
	Status string `json:"status,omitempty"`

	// agent_message, reasoning: Text is the whole text on completion; Delta
	// is the new piece on item.updated.
	Text  string `json:"text,omitempty"`
	Delta string `json:"delta,omitempty"`

	// tool calls
	Tool      string `json:"tool,omitempty"`
	CallID    string `json:"call_id,omitempty"`
	Arguments string `json:"arguments,omitempty"`
	// Output is what the model was shown; OutputDelta is live command output.
	Output      string `json:"output,omitempty"`
	OutputDelta string `json:"output_delta,omitempty"`
	// Decision and Reason say what the approval policy decided.
	Decision string `json:"decision,omitempty"`
	Reason   string `json:"reason,omitempty"`
	// Detail is the tool's structured result (full command output, exit code,
	// files changed, plan steps).
	Detail any `json:"detail,omitempty"`
}

// ErrorInfo describes a failure.
type ErrorInfo struct {
	Kind    string `json:"kind"`
	Message string `json:"message"`
}
