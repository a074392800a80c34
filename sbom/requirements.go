package sbom

import (
	"fmt"
	"path/filepath"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// pyRequirement is one requirement line of requirements.txt.
type pyRequirement struct {
	Name       string
	Version    string // the pinned version; "" when not pinned
	Constraint string // the specifier as written, for unpinned ones
	Hashes     []cdx.Hash
	Line       int
}

// parseRequirements reads pip's requirements format. It returns the
// requirements, notes about lines it skipped (nested -r/-c files, editable
// installs, URLs and paths: none of them pins a release), and a ParseError
// for a line that is not a requirement at all.
func parseRequirements(file string, data []byte) ([]pyRequirement, []string, error) {
	var reqs []pyRequirement
	var notes []string
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		n := i + 1
		line := strings.TrimRight(lines[i], "\r")
		for strings.HasSuffix(line, "\\") && i+1 < len(lines) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + strings.TrimRight(lines[i], "\r")
		}
		line = strings.TrimSpace(stripComment(line))
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "-") {
			opt, arg, _ := strings.Cut(strings.Replace(line, "=", " ", 1), " ")
			switch opt {
			case "-r", "--requirement", "-c", "--constraint":
				notes = append(notes, fmt.Sprintf("%s:%d: skipped %s %s: nested requirement files are not read (list them in the SBOM run separately)", file, n, opt, strings.TrimSpace(arg)))
			case "-e", "--editable":
				notes = append(notes, fmt.Sprintf("%s:%d: skipped editable requirement %s: it pins no released version", file, n, strings.TrimSpace(arg)))
			}
			continue // other options (index URLs, --pre, …) do not name packages
		}
		if isURLRequirement(line) {
			notes = append(notes, fmt.Sprintf("%s:%d: skipped %s: a URL or path pins no released version", file, n, firstField(line)))
			continue
		}
		r, err := parseRequirementLine(line)
		if err != nil {
			return nil, notes, &ParseError{File: file, Line: n, Err: err}
		}
		r.Line = n
		reqs = append(reqs, r)
	}
	return reqs, notes, nil
}

// stripComment cuts a # that starts the line or follows whitespace.
func stripComment(line string) string {
	for i := 0; i < len(line); i++ {
		if line[i] == '#' && (i == 0 || line[i-1] == ' ' || line[i-1] == '\t') {
			return line[:i]
		}
	}
	return line
}

func isURLRequirement(line string) bool {
	spec, _, _ := strings.Cut(line, ";")
	return strings.Contains(spec, "://") || strings.Contains(spec, " @ ") || strings.HasPrefix(line, ".") ||
		strings.HasPrefix(line, "/") || strings.HasPrefix(line, "git+") || strings.HasPrefix(line, "file:")
}

func firstField(s string) string {
	if f := strings.Fields(s); len(f) > 0 {
		return f[0]
	}
	return s
}

// parseRequirementLine parses "name[extras] specifiers ; markers --hash=…".
func parseRequirementLine(line string) (pyRequirement, error) {
	var r pyRequirement
	// Per-requirement options come after the specifier and markers.
	spec := line
	if i := strings.Index(line, " --"); i >= 0 {
		spec = line[:i]
		opts := strings.Fields(strings.ReplaceAll(line[i:], "=", " "))
		for j := 0; j < len(opts); j++ {
			if opts[j] == "--hash" && j+1 < len(opts) {
				j++
				if h, ok := hexHash(opts[j]); ok {
					r.Hashes = append(r.Hashes, h)
				}
			}
		}
	}
	spec, _, _ = strings.Cut(spec, ";")
	spec = strings.TrimSpace(spec)
	end := 0
	for end < len(spec) && isNameByte(spec[end], end == 0) {
		end++
	}
	if end == 0 {
		return r, fmt.Errorf("%q is not a requirement (want name==version)", line)
	}
	r.Name = spec[:end]
	rest := strings.TrimSpace(spec[end:])
	if strings.HasPrefix(rest, "[") {
		end := strings.Index(rest, "]")
		if end < 0 {
			return r, fmt.Errorf("unclosed [ in %q", line)
		}
		rest = strings.TrimSpace(rest[end+1:])
	}
	rest = strings.TrimSpace(strings.TrimSuffix(strings.TrimPrefix(rest, "("), ")"))
	if rest == "" {
		return r, nil
	}
	r.Constraint = rest
	clauses := strings.Split(rest, ",")
	for _, c := range clauses {
		op, v := splitSpecifier(strings.TrimSpace(c))
		if op == "" || v == "" {
			return r, fmt.Errorf("%q is not a version specifier", strings.TrimSpace(c))
		}
		if len(clauses) == 1 && (op == "===" || op == "==" && !strings.Contains(v, "*")) {
			r.Version, r.Constraint = v, ""
		}
	}
	return r, nil
}

func isNameByte(c byte, first bool) bool {
	alnum := 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
	return alnum || !first && (c == '-' || c == '_' || c == '.')
}

// splitSpecifier splits "==1.0" into its operator and version.
func splitSpecifier(c string) (string, string) {
	for _, op := range []string{"===", "==", "!=", "<=", ">=", "~=", "<", ">"} {
		if v, ok := strings.CutPrefix(c, op); ok {
			return op, strings.TrimSpace(v)
		}
	}
	return "", ""
}

// requirements reads dir/requirements.txt: pinned lines become versioned
// components, unpinned ones components without a version, marked.
func (b *builder) requirements(dir string) error {
	file := filepath.Join(dir, "requirements.txt")
	data, err := readFile(file)
	if err != nil {
		return err
	}
	reqs, notes, err := parseRequirements(file, data)
	if err != nil {
		return err
	}
	b.warnings = append(b.warnings, notes...)
	site := sitePackages(dir)
	for _, r := range reqs {
		p := pypiPURL(r.Name, r.Version)
		c := cdx.Component{BOMRef: p, Type: cdx.ComponentTypeLibrary, Name: normalizePyPI(r.Name), Version: r.Version, PackageURL: p}
		if len(r.Hashes) > 0 {
			h := r.Hashes
			c.Hashes = &h
		}
		addProp(&c, PropSource, "requirements.txt")
		if r.Version == "" {
			addProp(&c, PropPinned, "false")
			if r.Constraint != "" {
				addProp(&c, PropConstraint, r.Constraint)
			}
		}
		b.pyLicense(&c, site)
		b.rootDeps[b.add(c).BOMRef] = true
	}
	return nil
}
