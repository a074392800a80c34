package sbom

import (
	"fmt"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// builder collects components and edges from every ecosystem, merging
// duplicates by bom-ref.
type builder struct {
	opts     Options
	comps    map[string]*cdx.Component
	edges    map[string]map[string]bool
	known    map[string]bool // components whose dependencies are known
	root     *cdx.Component
	rootDeps map[string]bool
	props    []cdx.Property
	warnings []string
}

func newBuilder(opts Options) *builder {
	return &builder{opts: opts, comps: map[string]*cdx.Component{}, edges: map[string]map[string]bool{},
		known: map[string]bool{}, rootDeps: map[string]bool{}}
}

func (b *builder) warnf(format string, a ...any) {
	b.warnings = append(b.warnings, fmt.Sprintf(format, a...))
}

// setRoot makes c metadata.component unless an earlier ecosystem already
// named the project (go.mod first, then package-lock.json, then Python).
func (b *builder) setRoot(c cdx.Component) {
	if b.root == nil {
		b.root = &c
	}
}

// project registers an ecosystem's own project (a Go module, an npm
// package, a Python project): the BOM's subject when there is none yet,
// else a component of its own that the subject depends on, so that in a
// repository with Go and npm the npm packages hang off the npm project,
// not the Go module. It returns the ref the project's direct dependencies
// hang off (see direct).
func (b *builder) project(c cdx.Component) string {
	if b.root == nil {
		b.root = &c
		return c.BOMRef
	}
	if b.root.BOMRef == c.BOMRef {
		return c.BOMRef
	}
	addProp(&c, PropProject, "true")
	ref := b.add(c).BOMRef
	b.known[ref] = true
	b.rootDeps[ref] = true
	return ref
}

// direct records that project parent (from project; "" for the subject)
// depends on to.
func (b *builder) direct(parent, to string) {
	if parent == "" || b.root != nil && parent == b.root.BOMRef {
		b.rootDeps[to] = true
		return
	}
	b.edge(parent, to)
}

// add records c, or merges it into the component with its bom-ref: hashes
// and properties are united, a license fills a gap, and a component that
// is required anywhere stays required.
func (b *builder) add(c cdx.Component) *cdx.Component {
	old, ok := b.comps[c.BOMRef]
	if !ok {
		b.comps[c.BOMRef] = &c
		return &c
	}
	if c.Hashes != nil {
		old.Hashes = mergeHashes(old.Hashes, *c.Hashes)
	}
	if old.Licenses == nil && c.Licenses != nil {
		old.Licenses = c.Licenses
		removeProp(old, PropLicense)
	}
	if c.Properties != nil {
		for _, p := range *c.Properties {
			switch {
			case p.Name == PropDependency:
				setDependency(old, p.Value == "direct")
			case p.Name == PropLicense && old.Licenses != nil:
			default:
				addProp(old, p.Name, p.Value)
			}
		}
	}
	if c.Scope == "" {
		old.Scope = ""
	}
	return old
}

// edge records that from depends on to.
func (b *builder) edge(from, to string) {
	if from == to {
		return
	}
	if b.edges[from] == nil {
		b.edges[from] = map[string]bool{}
	}
	b.edges[from][to] = true
}

func mergeHashes(old *[]cdx.Hash, add []cdx.Hash) *[]cdx.Hash {
	var all []cdx.Hash
	if old != nil {
		all = append(all, *old...)
	}
	for _, h := range add {
		dup := false
		for _, o := range all {
			dup = dup || o == h
		}
		if !dup {
			all = append(all, h)
		}
	}
	return &all
}

func addProp(c *cdx.Component, name, value string) {
	if c.Properties == nil {
		c.Properties = &[]cdx.Property{}
	}
	for _, p := range *c.Properties {
		if p.Name == name && p.Value == value {
			return
		}
	}
	*c.Properties = append(*c.Properties, cdx.Property{Name: name, Value: value})
}

// setDependency marks c direct or indirect; a component some manifest
// names directly stays direct.
func setDependency(c *cdx.Component, direct bool) {
	if direct {
		removeProp(c, PropDependency)
		addProp(c, PropDependency, "direct")
		return
	}
	if c.Properties != nil {
		for _, p := range *c.Properties {
			if p.Name == PropDependency {
				return
			}
		}
	}
	addProp(c, PropDependency, "indirect")
}

func removeProp(c *cdx.Component, name string) {
	if c.Properties == nil {
		return
	}
	var keep []cdx.Property
	for _, p := range *c.Properties {
		if p.Name != name {
			keep = append(keep, p)
		}
	}
	*c.Properties = keep
	if len(keep) == 0 {
		c.Properties = nil
	}
}

// setLicense records an SPDX expression on c (a known single id as
// license.id, anything else as an expression), or marks the license
// unknown so a policy can see it.
func setLicense(c *cdx.Component, expr, source string) {
	if expr == "" {
		c.Licenses = nil
		addProp(c, PropLicense, licenseUnknown)
		return
	}
	if id, ok := knownID(expr); ok {
		c.Licenses = &cdx.Licenses{{License: &cdx.License{ID: id}}}
	} else {
		c.Licenses = &cdx.Licenses{{Expression: expr}}
	}
	if source != "" {
		addProp(c, PropLicenseSource, source)
	}
}

// hasProp reports whether c carries property name with value.
func hasProp(c *cdx.Component, name, value string) bool {
	if c.Properties == nil {
		return false
	}
	for _, p := range *c.Properties {
		if p.Name == name && p.Value == value {
			return true
		}
	}
	return false
}
