package action

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Workflow commands are lines the runner reads from the step's stdout. The
// helpers escape what they write (see escapeData and escapeProperty) so a
// message quoting a model's or a contributor's text cannot end its line
// and issue a command of its own.

// AddMask asks the runner to replace value with *** in the rest of the log.
// The log is masked line by line, so a multi-line value is masked one
// non-blank line at a time rather than as a whole.
func AddMask(w io.Writer, value string) error {
	var b strings.Builder
	for _, line := range strings.Split(normalizeNewlines(value), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		b.WriteString("::add-mask::" + escapeData(line) + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Error writes an error annotation. file and line place it on a file of the
// pull request; pass "" and 0 for none. title may be "".
func Error(w io.Writer, title, msg, file string, line int) error {
	return annotate(w, "error", title, msg, file, line)
}

// Warning writes a warning annotation; see Error.
func Warning(w io.Writer, title, msg, file string, line int) error {
	return annotate(w, "warning", title, msg, file, line)
}

// Notice writes a notice annotation; see Error.
func Notice(w io.Writer, title, msg, file string, line int) error {
	return annotate(w, "notice", title, msg, file, line)
}

// Group starts a collapsible group of log lines titled title; EndGroup
// ends it.
func Group(w io.Writer, title string) error {
	_, err := io.WriteString(w, "::group::"+escapeData(title)+"\n")
	return err
}

// EndGroup ends the group Group started.
func EndGroup(w io.Writer) error {
	_, err := io.WriteString(w, "::endgroup::\n")
	return err
}

func annotate(w io.Writer, kind, title, msg, file string, line int) error {
	var props []string
	if file != "" {
		props = append(props, "file="+escapeProperty(file))
		if line > 0 {
			props = append(props, "line="+strconv.Itoa(line))
		}
	}
	if title != "" {
		props = append(props, "title="+escapeProperty(title))
	}
	cmd := "::" + kind
	if len(props) > 0 {
		cmd += " " + strings.Join(props, ",")
	}
	_, err := fmt.Fprintf(w, "%s::%s\n", cmd, escapeData(msg))
	return err
}

// escapeData escapes a command's message as @actions/core does.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a command property's value as @actions/core does.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
