package sbom

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"path"
	"strings"
	"text/tabwriter"

	"github.com/BurntSushi/toml"
	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Policy says which licenses dependencies may carry. Patterns are SPDX ids,
// matched without regard to case, where * stands for any run of characters
// ("GPL-*" covers GPL-2.0-only and GPL-3.0-or-later, not LGPL-2.1-only).
type Policy struct {
	// Allow lists the licenses allowed; empty allows every license that is
	// not denied.
	Allow []string `json:"allow" toml:"allow"`
	// Deny lists licenses that fail the check even when Allow matches
	// through a wildcard; an exact entry in Allow (such as
	// "GPL-2.0-only WITH Classpath-exception-2.0") wins over a deny pattern.
	Deny []string `json:"deny" toml:"deny"`
	// Unknown is what a component without a determinable license does:
	// "warn" (the default), "fail" or "allow".
	Unknown string `json:"unknown" toml:"unknown"`
}

//go:embed default_policy.toml
var defaultPolicyTOML string

// DefaultPolicy is git-agent's own policy (default_policy.toml): permissive
// licenses and MPL-2.0 allowed, GPL, AGPL and LGPL denied, unknown warns.
func DefaultPolicy() *Policy {
	p, err := ParsePolicy("default_policy.toml", []byte(defaultPolicyTOML))
	if err != nil {
		panic("sbom: the embedded default policy is invalid: " + err.Error()) // caught by TestDefaultPolicy
	}
	return p
}

// ParsePolicy reads a policy in JSON (when it starts with "{") or TOML.
// Unknown keys are errors, so a typo does not silently allow everything.
func ParsePolicy(name string, data []byte) (*Policy, error) {
	var p Policy
	if trimmed := bytes.TrimSpace(data); len(trimmed) > 0 && trimmed[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&p); err != nil {
			return nil, fmt.Errorf("read the policy %s: %w (want {\"allow\": [...], \"deny\": [...], \"unknown\": \"warn\"})", name, err)
		}
	} else {
		md, err := toml.Decode(string(data), &p)
		if err != nil {
			return nil, fmt.Errorf("read the policy %s: %w (want allow = [...], deny = [...], unknown = \"warn\")", name, err)
		}
		if und := md.Undecoded(); len(und) > 0 {
			return nil, fmt.Errorf("read the policy %s: unknown key %q (the keys are allow, deny and unknown)", name, und[0].String())
		}
	}
	switch p.Unknown {
	case "":
		p.Unknown = "warn"
	case "warn", "fail", "allow":
	default:
		return nil, fmt.Errorf("read the policy %s: unknown = %q: use \"warn\", \"fail\" or \"allow\"", name, p.Unknown)
	}
	for _, pat := range append(append([]string(nil), p.Allow...), p.Deny...) {
		if _, err := path.Match(pat, ""); err != nil || strings.TrimSpace(pat) == "" {
			return nil, fmt.Errorf("read the policy %s: %q is not a license pattern (an SPDX id, * for any characters)", name, pat)
		}
	}
	return &p, nil
}

// Finding is a component the policy objects to.
type Finding struct {
	Component string
	Version   string
	License   string // the SPDX expression, "unknown" when there is none
	Reason    string
	Fail      bool // false: a warning
}

// PolicyReport is the outcome of checking a BOM.
type PolicyReport struct {
	Checked  int
	Findings []Finding
}

// Failed reports whether any finding fails the check.
func (r *PolicyReport) Failed() bool {
	for _, f := range r.Findings {
		if f.Fail {
			return true
		}
	}
	return false
}

// Evaluate checks every component of bom: not the project itself
// (metadata.component), nor the repository's other projects (an npm
// package beside a Go module, marked git-agent:project), which are not
// dependencies. An expression passes when it is satisfied: one alternative
// of an OR, every part of an AND.
func (p *Policy) Evaluate(bom *cdx.BOM) *PolicyReport {
	r := &PolicyReport{}
	if bom.Components == nil {
		return r
	}
	for i := range *bom.Components {
		c := &(*bom.Components)[i]
		if hasProp(c, PropProject, "true") {
			continue
		}
		r.Checked++
		lic := licenseOf(c)
		f := Finding{Component: c.Name, Version: c.Version, License: lic}
		if lic == "" {
			f.License = licenseUnknown
			if p.Unknown != "allow" {
				f.Reason = fmt.Sprintf("no license found (unknown = %q)", p.Unknown)
				f.Fail = p.Unknown == "fail"
				r.Findings = append(r.Findings, f)
			}
			continue
		}
		e, err := parseLicenseExpr(lic)
		if err != nil {
			if p.Unknown != "allow" {
				f.Reason = fmt.Sprintf("not an SPDX expression: %v (unknown = %q)", err, p.Unknown)
				f.Fail = p.Unknown == "fail"
				r.Findings = append(r.Findings, f)
			}
			continue
		}
		if ok, why := p.check(e); !ok {
			f.Reason, f.Fail = why, true
			r.Findings = append(r.Findings, f)
		}
	}
	return r
}

// check decides one expression and says why it fails.
func (p *Policy) check(e *licenseExpr) (bool, string) {
	switch e.Op {
	case "OR":
		var whys []string
		for _, a := range e.Args {
			ok, why := p.check(a)
			if ok {
				return true, ""
			}
			whys = append(whys, why)
		}
		return false, "no alternative is allowed: " + strings.Join(whys, "; ")
	case "AND":
		var whys []string
		for _, a := range e.Args {
			if ok, why := p.check(a); !ok {
				whys = append(whys, why)
			}
		}
		return len(whys) == 0, strings.Join(whys, "; ")
	}
	term, id := e.String(), canonicalID(e.License)
	for _, a := range p.Allow {
		if !strings.Contains(a, "*") && strings.EqualFold(a, term) {
			return true, ""
		}
	}
	for _, d := range p.Deny {
		if matchLicense(d, id) || matchLicense(d, term) {
			return false, fmt.Sprintf("%s is denied (deny %q)", term, d)
		}
	}
	if len(p.Allow) == 0 {
		return true, ""
	}
	for _, a := range p.Allow {
		if matchLicense(a, id) || matchLicense(a, term) {
			return true, ""
		}
	}
	return false, term + " is not in the allow list"
}

func matchLicense(pattern, id string) bool {
	ok, err := path.Match(strings.ToLower(pattern), strings.ToLower(id))
	return err == nil && ok
}

// Write prints the report as a table: one line per finding, failures
// first, then a summary line.
func (r *PolicyReport) Write(w io.Writer) error {
	fails, warns := 0, 0
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, fail := range []bool{true, false} {
		for _, f := range r.Findings {
			if f.Fail != fail {
				continue
			}
			level := "WARN"
			if fail {
				level, fails = "FAIL", fails+1
			} else {
				warns++
			}
			version := f.Version
			if version == "" {
				version = "-"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", level, f.Component, version, f.License, f.Reason)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	verdict := "passed"
	if fails > 0 {
		verdict = "FAILED"
	}
	_, err := fmt.Fprintf(w, "license policy %s: %d component(s) checked, %d violation(s), %d warning(s)\n", verdict, r.Checked, fails, warns)
	return err
}
