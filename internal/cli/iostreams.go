// Package cli implements the git-agent command line: one file per verb, a
// Factory carrying injected dependencies, IOStreams for all output, and the
// single table of exit codes.
//
// cli is the only package that knows about flags, terminals and exit codes;
// nothing below it writes to os.Stdout or calls os.Exit.
package cli

import (
	"io"
	"os"

	"golang.org/x/term"
)

// IOStreams are the standard streams of a command. Results go to Out,
// progress and diagnostics to ErrOut.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	inTTY, outTTY, errTTY bool
}

// System returns the process's streams.
func System() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr,
		inTTY: isTerminal(os.Stdin), outTTY: isTerminal(os.Stdout), errTTY: isTerminal(os.Stderr)}
}

// Test returns streams over the given buffers, none of them a terminal.
func Test(in io.Reader, out, errOut io.Writer) *IOStreams {
	return &IOStreams{In: in, Out: out, ErrOut: errOut}
}

// SetTTY overrides terminal detection (tests).
func (s *IOStreams) SetTTY(in, out, errOut bool) { s.inTTY, s.outTTY, s.errTTY = in, out, errOut }

// IsStdinTTY reports whether In is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.inTTY }

// IsStderrTTY reports whether ErrOut is a terminal (live status lines).
func (s *IOStreams) IsStderrTTY() bool { return s.errTTY }

// IsStdoutTTY reports whether Out is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.outTTY }

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }
