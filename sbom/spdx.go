package sbom

import (
	"errors"
	"fmt"
	"strings"
)

// licenseExpr is a parsed SPDX license expression: a leaf (License, with an
// optional Exception after WITH) or an AND/OR of Args.
type licenseExpr struct {
	Op        string // "AND", "OR", or "" for a leaf
	License   string
	Exception string
	Args      []*licenseExpr
}

// String renders the expression canonically: known ids in their SPDX case,
// operators upper case, parentheses only where precedence needs them.
func (e *licenseExpr) String() string {
	if e.Op == "" {
		s := canonicalID(e.License)
		if e.Exception != "" {
			s += " WITH " + e.Exception
		}
		return s
	}
	parts := make([]string, len(e.Args))
	for i, a := range e.Args {
		parts[i] = a.String()
		if a.Op == "OR" && e.Op == "AND" {
			parts[i] = "(" + parts[i] + ")"
		}
	}
	return strings.Join(parts, " "+e.Op+" ")
}

// parseLicenseExpr parses an SPDX license expression (SPDX 2.3 annex D):
// ids, "+", WITH, AND, OR and parentheses; operators in either case.
func parseLicenseExpr(s string) (*licenseExpr, error) {
	p := &exprParser{toks: tokenizeExpr(s)}
	if len(p.toks) == 0 {
		return nil, errors.New("empty license expression")
	}
	e, err := p.or()
	if err != nil {
		return nil, err
	}
	if p.i != len(p.toks) {
		return nil, fmt.Errorf("unexpected %q in license expression %q", p.toks[p.i], s)
	}
	return e, nil
}

func tokenizeExpr(s string) []string {
	var toks []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			toks = append(toks, cur.String())
			cur.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r == '(' || r == ')':
			flush()
			toks = append(toks, string(r))
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			flush()
		default:
			cur.WriteRune(r)
		}
	}
	flush()
	return toks
}

type exprParser struct {
	toks []string
	i    int
}

func (p *exprParser) peekOp(op string) bool {
	return p.i < len(p.toks) && strings.EqualFold(p.toks[p.i], op)
}

func (p *exprParser) or() (*licenseExpr, error) {
	return p.binary("OR", p.and)
}

func (p *exprParser) and() (*licenseExpr, error) {
	return p.binary("AND", p.term)
}

func (p *exprParser) binary(op string, next func() (*licenseExpr, error)) (*licenseExpr, error) {
	first, err := next()
	if err != nil {
		return nil, err
	}
	args := []*licenseExpr{first}
	for p.peekOp(op) {
		p.i++
		e, err := next()
		if err != nil {
			return nil, err
		}
		args = append(args, e)
	}
	if len(args) == 1 {
		return first, nil
	}
	return &licenseExpr{Op: op, Args: args}, nil
}

func (p *exprParser) term() (*licenseExpr, error) {
	if p.i >= len(p.toks) {
		return nil, errors.New("license expression ends early")
	}
	t := p.toks[p.i]
	p.i++
	if t == "(" {
		e, err := p.or()
		if err != nil {
			return nil, err
		}
		if p.i >= len(p.toks) || p.toks[p.i] != ")" {
			return nil, errors.New("missing ) in license expression")
		}
		p.i++
		return e, nil
	}
	if !isLicenseRef(t) {
		return nil, fmt.Errorf("%q is not a license identifier", t)
	}
	leaf := &licenseExpr{License: t}
	if p.peekOp("WITH") {
		p.i++
		if p.i >= len(p.toks) || !isLicenseRef(p.toks[p.i]) {
			return nil, errors.New("WITH needs an exception identifier")
		}
		leaf.Exception = p.toks[p.i]
		p.i++
	}
	return leaf, nil
}

// isLicenseRef reports whether t can be an SPDX id, LicenseRef-… or
// DocumentRef-…:LicenseRef-… (letters, digits, - and ., an optional
// trailing +), and is not an operator.
func isLicenseRef(t string) bool {
	switch strings.ToUpper(t) {
	case "AND", "OR", "WITH", "(", ")":
		return false
	}
	t = strings.TrimSuffix(t, "+")
	if t == "" {
		return false
	}
	for _, r := range t {
		ok := r == '-' || r == '.' || r == ':' || ('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// knownLicenses are the SPDX ids git-agent emits as license.id (each is in
// the SPDX list CycloneDX's schema enumerates); a declared license outside
// this list is kept as an SPDX expression instead, which the schema does not
// restrict. The classifier only produces ids from this list.
func knownLicenses() []string {
	return []string{
		"0BSD", "AFL-3.0", "AGPL-1.0-only", "AGPL-1.0-or-later", "AGPL-3.0", "AGPL-3.0-only", "AGPL-3.0-or-later",
		"Apache-1.1", "Apache-2.0", "Artistic-2.0", "BlueOak-1.0.0", "BSD-1-Clause", "BSD-2-Clause",
		"BSD-2-Clause-Patent", "BSD-3-Clause", "BSD-3-Clause-Clear", "BSD-4-Clause", "BSL-1.0", "CC-BY-3.0",
		"CC-BY-4.0", "CC-BY-SA-4.0", "CC0-1.0", "CDDL-1.0", "CDDL-1.1", "EPL-1.0", "EPL-2.0", "EUPL-1.2",
		"GPL-2.0", "GPL-2.0-only", "GPL-2.0-or-later", "GPL-3.0", "GPL-3.0-only", "GPL-3.0-or-later", "ISC",
		"LGPL-2.0", "LGPL-2.0-only", "LGPL-2.0-or-later", "LGPL-2.1", "LGPL-2.1-only", "LGPL-2.1-or-later", "LGPL-3.0",
		"LGPL-3.0-only", "LGPL-3.0-or-later", "MIT", "MIT-0", "MPL-1.1", "MPL-2.0", "MPL-2.0-no-copyleft-exception",
		"MS-PL", "OFL-1.1", "PostgreSQL", "PSF-2.0", "Python-2.0", "Ruby", "SSPL-1.0", "Unicode-3.0",
		"Unicode-DFS-2016", "Unlicense", "UPL-1.0", "W3C", "WTFPL", "X11", "Zlib", "ZPL-2.1",
	}
}

// knownID returns id in its SPDX case, and whether it is a known license.
func knownID(id string) (string, bool) {
	for _, k := range knownLicenses() {
		if strings.EqualFold(k, id) {
			return k, true
		}
	}
	return id, false
}

// canonicalID returns id in its SPDX case when it is a known license.
func canonicalID(id string) string {
	c, _ := knownID(id)
	return c
}

// declaredLicense turns a license a package declares (npm's "license", a
// wheel's License-Expression) into a canonical SPDX expression, or "" when
// it is not one: "UNLICENSED", "SEE LICENSE IN …", free text.
func declaredLicense(s string) string {
	s = strings.TrimSpace(s)
	if s == "" || strings.EqualFold(s, "UNLICENSED") || strings.EqualFold(s, "NONE") || strings.EqualFold(s, "NOASSERTION") {
		return ""
	}
	e, err := parseLicenseExpr(s)
	if err != nil {
		return ""
	}
	return e.String()
}

// knownExpression is declaredLicense restricted to expressions whose every
// license is a known id, for fields that are free text by convention.
func knownExpression(s string) string {
	e, err := parseLicenseExpr(strings.TrimSpace(s))
	if err != nil {
		return ""
	}
	var walk func(*licenseExpr) bool
	walk = func(e *licenseExpr) bool {
		if e.Op == "" {
			_, ok := knownID(e.License)
			return ok
		}
		for _, a := range e.Args {
			if !walk(a) {
				return false
			}
		}
		return true
	}
	if !walk(e) {
		return ""
	}
	return e.String()
}
