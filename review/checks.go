package review

import (
	"cmp"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
)

// Options configure Check.
type Options struct {
	Rules []Rule
	// MaxFileBytes is the most a file may add before it is reported as
	// large; 0 means 1 MiB.
	MaxFileBytes int64
}

// Rule is a check from configuration. A rule with Paths only forbids those
// paths; with Pattern only it matches added lines of every file; with both,
// the pattern applies to the files matching Paths. Its findings carry the
// rule id "config/NAME".
type Rule struct {
	Name     string
	Paths    []string // globs: "*.pem", "secrets/**", "config/prod.yaml"
	Pattern  string   // regexp matched against added lines
	Severity Severity // "" means error
	Message  string
}

// Rule ids of the built-in checks.
const (
	RuleConflictMarker = "conflict-marker"
	RuleLargeFile      = "large-file"
	RuleBinaryFile     = "binary-file"
)

// Check runs the deterministic checks on the added lines of files and
// returns the findings ordered by path, line and rule. It fails only on an
// invalid rule.
func Check(files []FileDiff, opts Options) ([]Finding, error) {
	rules, err := compileRules(opts.Rules)
	if err != nil {
		return nil, err
	}
	maxBytes := opts.MaxFileBytes
	if maxBytes <= 0 {
		maxBytes = 1 << 20
	}
	var out []Finding
	for i := range files {
		out = checkFile(out, &files[i], rules, maxBytes)
	}
	Sort(out)
	return slices.CompactFunc(out, func(a, b Finding) bool {
		return a.Path == b.Path && a.Line == b.Line && a.Rule == b.Rule
	}), nil
}

func checkFile(out []Finding, f *FileDiff, rules []compiledRule, maxBytes int64) []Finding {
	if f.Deleted || f.NewPath == "" {
		return out
	}
	p := f.NewPath
	var scoped []compiledRule
	for _, r := range rules {
		switch {
		case !r.matchesPath(p):
		case r.re == nil:
			out = append(out, Finding{Path: p, Line: 1, Severity: r.severity, Rule: r.id, Message: r.message})
		default:
			scoped = append(scoped, r)
		}
	}
	if f.Binary && f.Added {
		out = append(out, Finding{Path: p, Line: 1, Severity: SeverityWarning, Rule: RuleBinaryFile,
			Message: "binary file added; keep build outputs and large assets out of the repository, or use Git LFS"})
	}
	var added int64
	first, markers, separators := 0, 0, []int(nil)
	for _, h := range f.Hunks {
		for _, l := range h.Lines {
			if l.Kind != '+' {
				continue
			}
			added += int64(len(l.Text)) + 1
			if first == 0 {
				first = l.NewLine
			}
			out = checkSecrets(out, p, l.NewLine, l.Text)
			switch conflictMarker(l.Text) {
			case 1:
				markers++
				out = append(out, conflictFinding(p, l.NewLine))
			case 2:
				separators = append(separators, l.NewLine)
			}
			for _, r := range scoped {
				if r.re.MatchString(l.Text) {
					out = append(out, Finding{Path: p, Line: l.NewLine, Severity: r.severity, Rule: r.id, Message: r.message})
				}
			}
		}
	}
	// A bare "=======" is also a setext heading underline; report it only
	// next to a real marker.
	if markers > 0 {
		for _, n := range separators {
			out = append(out, conflictFinding(p, n))
		}
	}
	if added > maxBytes {
		out = append(out, Finding{Path: p, Line: max(first, 1), Severity: SeverityWarning, Rule: RuleLargeFile,
			Message: fmt.Sprintf("adds %d bytes (limit %d); large files slow every clone: use Git LFS or keep them out of the repository", added, maxBytes)})
	}
	return out
}

// conflictMarker returns 1 for <<<<<<<, ||||||| and >>>>>>> lines, 2 for
// a "=======" line and 0 otherwise.
func conflictMarker(s string) int {
	for _, m := range []string{"<<<<<<<", "|||||||", ">>>>>>>"} {
		if rest, ok := strings.CutPrefix(s, m); ok && (rest == "" || rest[0] == ' ') {
			return 1
		}
	}
	if s == "=======" {
		return 2
	}
	return 0
}

func conflictFinding(p string, line int) Finding {
	return Finding{Path: p, Line: line, Severity: SeverityError, Rule: RuleConflictMarker,
		Message: "merge conflict marker; resolve the conflict and remove the markers"}
}

// Sort orders findings by path, line, rule and message.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Message, b.Message))
	})
}

// Summary counts findings by severity.
func Summary(findings []Finding) (errors, warnings, infos int) {
	for _, f := range findings {
		switch f.Severity {
		case SeverityError:
			errors++
		case SeverityWarning:
			warnings++
		default:
			infos++
		}
	}
	return errors, warnings, infos
}

type compiledRule struct {
	id, message string
	severity    Severity
	paths       []string
	re          *regexp.Regexp
}

func compileRules(rules []Rule) ([]compiledRule, error) {
	out := make([]compiledRule, 0, len(rules))
	for _, r := range rules {
		if r.Name == "" {
			return nil, fmt.Errorf("review rule without a name")
		}
		c := compiledRule{id: "config/" + r.Name, severity: r.Severity, paths: r.Paths, message: r.Message}
		switch c.severity {
		case "":
			c.severity = SeverityError
		case SeverityError, SeverityWarning, SeverityInfo:
		default:
			return nil, fmt.Errorf("review rule %s: unknown severity %q (want error, warning or info)", r.Name, r.Severity)
		}
		if len(r.Paths) == 0 && r.Pattern == "" {
			return nil, fmt.Errorf("review rule %s: set paths, pattern or both", r.Name)
		}
		for _, g := range r.Paths {
			if _, err := path.Match(strings.ReplaceAll(g, "**", "*"), ""); err != nil {
				return nil, fmt.Errorf("review rule %s: path %q: %w", r.Name, g, err)
			}
		}
		if r.Pattern != "" {
			re, err := regexp.Compile(r.Pattern)
			if err != nil {
				return nil, fmt.Errorf("review rule %s: pattern: %w", r.Name, err)
			}
			c.re = re
		}
		if c.message == "" {
			if c.re == nil {
				c.message = "path is forbidden by rule " + r.Name
			} else {
				c.message = "line matches rule " + r.Name
			}
		}
		out = append(out, c)
	}
	return out, nil
}

func (r compiledRule) matchesPath(p string) bool {
	if len(r.paths) == 0 {
		return true
	}
	for _, g := range r.paths {
		if globMatch(g, p) {
			return true
		}
	}
	return false
}

// globMatch matches p against g in path.Match syntax, plus: a pattern
// without "/" matches the base name anywhere, and "dir/**" matches
// everything under dir.
func globMatch(g, p string) bool {
	if dir, ok := strings.CutSuffix(g, "/**"); ok {
		return p == dir || strings.HasPrefix(p, dir+"/") || globPrefix(dir, p)
	}
	if !strings.Contains(g, "/") {
		ok, _ := path.Match(g, path.Base(p))
		return ok
	}
	ok, _ := path.Match(g, p)
	return ok
}

// globPrefix reports whether some leading directories of p match g.
func globPrefix(g, p string) bool {
	for i := range len(p) {
		if p[i] == '/' {
			if ok, _ := path.Match(g, p[:i]); ok {
				return true
			}
		}
	}
	return false
}
