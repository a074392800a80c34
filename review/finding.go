// Package review finds problems in a diff: fast deterministic checks
// (secrets, conflict markers, large or binary files, configured rules) and
// the types a model review and the GitHub poster share. It reads diffs and
// writes reports; it never runs commands or talks to a network.
package review

// Severity ranks a finding. Only "error" blocks a commit in the hook.
type Severity string

const (
	SeverityError   Severity = "error"
	SeverityWarning Severity = "warning"
	SeverityInfo    Severity = "info"
)

// Finding is one problem, anchored to lines of the new side of the diff.
type Finding struct {
	Path       string   `json:"path"`
	Line       int      `json:"line"`               // first line, 1-based, in the new file
	EndLine    int      `json:"end_line,omitempty"` // last line; 0 means Line
	Severity   Severity `json:"severity"`
	Rule       string   `json:"rule"` // e.g. "secret/aws-access-key", "conflict-marker"
	Message    string   `json:"message"`
	Suggestion string   `json:"suggestion,omitempty"` // replacement text for the lines, when a fix is concrete
}

// FileDiff is one file of a unified diff (git diff output).
type FileDiff struct {
	OldPath, NewPath string // "" for /dev/null
	Added, Deleted   bool
	Binary           bool
	Hunks            []Hunk
}

// Hunk is one @@ section.
type Hunk struct {
	OldStart, OldLines, NewStart, NewLines int
	Lines                                  []Line
}

// Line is one line of a hunk. Kind is '+', '-' or ' '. OldLine and NewLine
// are 1-based line numbers on each side (0 where the line does not exist).
type Line struct {
	Kind             byte
	Text             string
	OldLine, NewLine int
}
