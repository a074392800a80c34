package action

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// ErrUnsafeOutput is returned, wrapped, for an output that could not be
// written without letting its value be read as more than one output.
var ErrUnsafeOutput = errors.New("unsafe output")

// MaxSummaryBytes is the most GitHub accepts in one step's summary.
const MaxSummaryBytes = 1 << 20

// Outputs writes the step's outputs and summary.
//
// Each output goes to GITHUB_OUTPUT as one "name<<DELIM\nvalue\nDELIM\n"
// record, DELIM being "ghadelimiter_" and 32 hex digits read from Rand
// afresh for every record, so a value (model text, say) cannot guess it to
// end its record early and forge another output. Records are built whole,
// appended in one write and synced; a record that fails part-way is cut
// off again, so the file never holds half of one. An Outputs is safe for
// concurrent use.
type Outputs struct {
	OutputPath  string    // GITHUB_OUTPUT; "" writes outputs to Local instead
	SummaryPath string    // GITHUB_STEP_SUMMARY; "" writes the summary to Local
	Local       io.Writer // outside Actions: where outputs and summary go
	Rand        io.Reader // delimiter source: crypto/rand.Reader in production

	mu sync.Mutex // one record at a time
}

// NewOutputs returns Outputs for the runner's files named by getenv
// (os.Getenv in production), writing to local (stdout) when they are
// unset, as when running the action on a laptop.
func NewOutputs(getenv func(string) string, local io.Writer) *Outputs {
	return &Outputs{
		OutputPath:  getenv("GITHUB_OUTPUT"),
		SummaryPath: getenv("GITHUB_STEP_SUMMARY"),
		Local:       local,
		Rand:        rand.Reader,
	}
}

// Set writes output name with value. Line endings in value become "\n",
// as the runner reads them. Set refuses, wrapping ErrUnsafeOutput and
// writing nothing, a name that is empty or has characters other than
// ASCII letters, digits, '-' and '_', a value that is not valid UTF-8, and
// a value that contains the record's delimiter.
//
// Without GITHUB_OUTPUT, Set prints "name=value" to Local, quoting value
// as a Go string when it has several lines, quotes or control characters.
func (o *Outputs) Set(name, value string) error {
	if !validOutputName(name) {
		return fmt.Errorf("set output %q: %w: want a name of ASCII letters, digits, '-' and '_'", name, ErrUnsafeOutput)
	}
	if !utf8.ValidString(value) {
		return fmt.Errorf("set output %s: %w: value is not valid UTF-8", name, ErrUnsafeOutput)
	}
	value = normalizeNewlines(value)
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.OutputPath == "" {
		if o.Local == nil {
			return fmt.Errorf("set output %s: GITHUB_OUTPUT is not set and there is nowhere else to write", name)
		}
		_, err := fmt.Fprintf(o.Local, "%s=%s\n", name, localValue(value))
		return err
	}
	delim, err := o.delimiter()
	if err != nil {
		return fmt.Errorf("set output %s: %w", name, err)
	}
	if strings.Contains(value, delim) {
		return fmt.Errorf("set output %s: %w: value contains the record delimiter", name, ErrUnsafeOutput)
	}
	record := name + "<<" + delim + "\n" + value + "\n" + delim + "\n"
	if err := appendRecord(o.OutputPath, record); err != nil {
		return fmt.Errorf("set output %s: %w", name, err)
	}
	return nil
}

// WriteSummary appends markdown (see Summary.Markdown) to the step
// summary in one write. Without GITHUB_STEP_SUMMARY it prints it to Local
// between marker lines.
func (o *Outputs) WriteSummary(markdown string) error {
	if !strings.HasSuffix(markdown, "\n") {
		markdown += "\n"
	}
	if len(markdown) > MaxSummaryBytes {
		return fmt.Errorf("write step summary: %d bytes is over GitHub's limit of %d: show fewer findings", len(markdown), MaxSummaryBytes)
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.SummaryPath == "" {
		if o.Local == nil {
			return errors.New("write step summary: GITHUB_STEP_SUMMARY is not set and there is nowhere else to write")
		}
		_, err := io.WriteString(o.Local, "----- step summary -----\n"+markdown+"----- end of step summary -----\n")
		return err
	}
	if err := appendRecord(o.SummaryPath, markdown); err != nil {
		return fmt.Errorf("write step summary: %w", err)
	}
	return nil
}

func (o *Outputs) delimiter() (string, error) {
	src := o.Rand
	if src == nil {
		src = rand.Reader
	}
	var b [16]byte
	if _, err := io.ReadFull(src, b[:]); err != nil {
		return "", fmt.Errorf("make delimiter: %w", err)
	}
	return "ghadelimiter_" + hex.EncodeToString(b[:]), nil
}

// appendRecord appends rec to the end of the file at path in one write
// and syncs it. If either fails, it truncates the file back to where it
// was. It writes at the end offset rather than opening with O_APPEND
// because Windows grants an O_APPEND handle neither the truncation nor,
// by its documentation, the flush; Outputs' mutex keeps its own writes
// from interleaving, and the runner does not write these files while a
// step runs.
func appendRecord(path, rec string) (err error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	end, err := f.Seek(0, io.SeekEnd)
	if err != nil {
		return err
	}
	if _, err = f.WriteAt([]byte(rec), end); err == nil {
		err = f.Sync()
	}
	if err != nil {
		if terr := f.Truncate(end); terr != nil {
			return fmt.Errorf("%w (and could not remove the partial record: %v)", err, terr)
		}
		return err
	}
	return nil
}

func validOutputName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !isAlpha(c) && !isDigit(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// localValue shows v on one unambiguous line.
func localValue(v string) string {
	if strings.ContainsAny(v, "\n\"") || strings.IndexFunc(v, func(r rune) bool { return !unicode.IsPrint(r) }) >= 0 {
		return strconv.Quote(v)
	}
	return v
}
