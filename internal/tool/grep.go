package tool

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

//go:embed grep.md
var grepDescription string

const (
	grepDefaultMax   = 200
	grepMaxFileBytes = 2 << 20
	grepMaxLineBytes = 500
)

// Grep is the "grep" tool: it searches file contents with a regular
// expression, skipping what .gitignore ignores.
type Grep struct{}

// NewGrep returns the grep tool.
func NewGrep() *Grep { return &Grep{} }

// GrepDetail records a grep call for events and session logs.
type GrepDetail struct {
	Pattern string `json:"pattern"`
	Path    string `json:"path"`
	Matches int    `json:"matches"` // all matches found
	Shown   int    `json:"shown"`
	Files   int    `json:"files_searched"`
}

func (*Grep) Name() string              { return "grep" }
func (*Grep) Description() string       { return grepDescription }
func (*Grep) Risk(json.RawMessage) Risk { return RiskLow }
func (*Grep) Schema() json.RawMessage   { return json.RawMessage(grepSchema) }

const grepUsage = `{"pattern": "func \\w+Handler", "path": "internal", "include": "*.go", "ignore_case": false, "max_results": 200} (only "pattern" is required)`

const grepSchema = `{
  "type": "object",
  "properties": {
    "pattern": {"type": "string", "description": "Regular expression (Go RE2 syntax), matched against each line."},
    "path": {"type": "string", "description": "File or directory to search, relative to the workspace root (default \".\")."},
    "include": {"type": "string", "description": "Only search files whose name matches this glob, e.g. \"*.go\" or \"*.{ts,tsx}\"."},
    "ignore_case": {"type": "boolean", "description": "Match case-insensitively."},
    "max_results": {"type": "integer", "minimum": 1, "description": "Maximum number of matching lines to show (default 200)."}
  },
  "required": ["pattern"],
  "additionalProperties": false
}`

type grepArgs struct {
	Pattern    string `json:"pattern"`
	Path       string `json:"path"`
	Include    string `json:"include"`
	IgnoreCase bool   `json:"ignore_case"`
	MaxResults intArg `json:"max_results"`
}

type grepMatch struct {
	path string
	line int
	text string
}

func (g *Grep) Run(ctx context.Context, env *Env, callID string, args json.RawMessage) (Result, error) {
	var a grepArgs
	if res, ok := decodeArgs(g.Name(), args, &a, grepUsage); !ok {
		return res, nil
	}
	if a.Pattern == "" {
		return Errorf(`grep: "pattern" is required; expected %s`, grepUsage), nil
	}
	if a.MaxResults < 0 {
		return Errorf(`grep: "max_results" must be positive; expected %s`, grepUsage), nil
	}
	expr := a.Pattern
	if a.IgnoreCase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return Errorf("grep: invalid pattern (Go RE2 syntax; no lookarounds or backreferences): %v", err), nil
	}
	s := searcher{ctx: ctx, ws: evalOrSelf(env.Workspace), re: re, max: int(a.MaxResults)}
	if s.max == 0 {
		s.max = grepDefaultMax
	}
	// A whole-file test with (?m) finds every file with a matching line
	// (and maybe more), so most files are rejected without splitting lines.
	// It is not used for CRLF files, where "$" would miss before "\r".
	if !strings.Contains(a.Pattern, `\A`) && !strings.Contains(a.Pattern, `\z`) {
		s.prefilter, _ = regexp.Compile("(?m)" + expr)
	}
	if a.Include != "" {
		for _, glob := range expandBraces(a.Include) {
			if _, err := path.Match(glob, ""); err != nil {
				return Errorf("grep: invalid include glob %q: %v", a.Include, err), nil
			}
			s.include = append(s.include, glob)
		}
	}
	if a.Path == "" {
		a.Path = "."
	}
	abs, err := Resolve(env.Workspace, a.Path)
	if err != nil {
		return Errorf("grep: %v", err), nil
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Errorf("grep: %s does not exist", a.Path), nil
	case err != nil:
		return Errorf("grep: %v", err), nil
	case fi.IsDir():
		err = s.walk(abs, s.ignoresAbove(abs))
	default:
		err = s.searchFile(abs, fi.Size())
	}
	if err != nil {
		return Result{}, err
	}
	return s.result(a.Pattern, Rel(env.Workspace, abs)), nil
}

type searcher struct {
	ctx       context.Context
	ws        string
	re        *regexp.Regexp
	prefilter *regexp.Regexp
	include   []string
	max       int
	matches   []grepMatch
	total     int
	files     int
}

func (s *searcher) result(pattern, rel string) Result {
	d := GrepDetail{Pattern: pattern, Path: rel, Matches: s.total, Shown: len(s.matches), Files: s.files}
	if s.total == 0 {
		return Result{Output: fmt.Sprintf("No matches in %s (%d files searched).", rel, s.files), Detail: d}
	}
	sort.Slice(s.matches, func(i, j int) bool {
		a, b := s.matches[i], s.matches[j]
		return a.path < b.path || a.path == b.path && a.line < b.line
	})
	var b strings.Builder
	for _, m := range s.matches {
		fmt.Fprintf(&b, "%s:%d:%s\n", m.path, m.line, m.text)
	}
	if s.total > len(s.matches) {
		fmt.Fprintf(&b, "%d matches (truncated at %d); narrow the pattern, path or include, or raise max_results\n", s.total, s.max)
	}
	return Result{Output: b.String(), Detail: d}
}

// ignoresAbove collects the ignore rules that apply to dir from the
// workspace root down: .git/info/exclude and every .gitignore on the way.
func (s *searcher) ignoresAbove(dir string) *gitignore {
	ws := s.ws
	g := (&gitignore{}).with("", readSmall(filepath.Join(ws, ".git", "info", "exclude")))
	rel := Rel(ws, dir)
	if rel == dir { // not inside: nothing to collect
		return g
	}
	base := ""
	for _, part := range append([]string{""}, strings.Split(rel, "/")...) {
		if part == "." {
			continue
		}
		base = path.Join(base, part)
		g = g.with(base, readSmall(filepath.Join(ws, filepath.FromSlash(base), ".gitignore")))
	}
	return g
}

// walk searches dir, whose own .gitignore is already in g.
func (s *searcher) walk(dir string, g *gitignore) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	entries, _ := os.ReadDir(dir) // unreadable directories are skipped
	for _, e := range entries {
		name := e.Name()
		abs := filepath.Join(dir, name)
		rel := Rel(s.ws, abs)
		switch {
		case name == ".git", e.Type()&fs.ModeSymlink != 0:
			// Symlinks are not followed: they may lead outside the workspace.
		case e.IsDir():
			if !g.match(rel, true) {
				if err := s.walk(abs, g.with(rel, readSmall(filepath.Join(abs, ".gitignore")))); err != nil {
					return err
				}
			}
		case e.Type().IsRegular():
			if g.match(rel, false) || !s.included(name) {
				continue
			}
			fi, err := e.Info()
			if err != nil {
				continue
			}
			if err := s.searchFile(abs, fi.Size()); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *searcher) included(name string) bool {
	if len(s.include) == 0 {
		return true
	}
	for _, glob := range s.include {
		if ok, _ := path.Match(glob, name); ok {
			return true
		}
	}
	return false
}

// searchFile records the matching lines of one file, skipping binary and
// large files.
func (s *searcher) searchFile(abs string, size int64) error {
	if err := s.ctx.Err(); err != nil {
		return err
	}
	if size > grepMaxFileBytes {
		return nil
	}
	data, err := os.ReadFile(abs)
	if err != nil || bytes.IndexByte(data[:min(len(data), binarySniffBytes)], 0) >= 0 {
		return nil
	}
	s.files++
	if s.prefilter != nil && bytes.IndexByte(data, '\r') < 0 && !s.prefilter.Match(data) {
		return nil
	}
	rel := Rel(s.ws, abs)
	for n := 1; len(data) > 0; n++ {
		line, rest, _ := bytes.Cut(data, []byte("\n"))
		data = rest
		line = bytes.TrimSuffix(line, []byte("\r"))
		if !s.re.Match(line) {
			continue
		}
		s.total++
		if len(s.matches) < s.max {
			text := string(line)
			if len(text) > grepMaxLineBytes {
				text = trimPartialRune(text[:grepMaxLineBytes]) + "…"
			}
			s.matches = append(s.matches, grepMatch{path: rel, line: n, text: text})
		}
	}
	return nil
}

// readSmall returns a small file's contents, or nil.
func readSmall(p string) []byte {
	fi, err := os.Stat(p)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() > 1<<20 {
		return nil
	}
	b, _ := os.ReadFile(p)
	return b
}

// expandBraces expands "*.{ts,tsx}" into "*.ts" and "*.tsx" (one level per
// brace pair, left to right), as shells and ripgrep globs do.
func expandBraces(glob string) []string {
	open := strings.IndexByte(glob, '{')
	if open < 0 {
		return []string{glob}
	}
	closing := strings.IndexByte(glob[open:], '}')
	if closing < 0 {
		return []string{glob}
	}
	closing += open
	var out []string
	for _, alt := range strings.Split(glob[open+1:closing], ",") {
		out = append(out, expandBraces(glob[:open]+alt+glob[closing+1:])...)
	}
	return out
}
