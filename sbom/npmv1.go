package sbom

import (
	"encoding/json"
	"path/filepath"
	"sort"
	"strings"
)

// npmV1 reads lockfileVersion 1: a tree of "dependencies" in which a
// package's "requires" resolve to its own nested dependencies first, then
// its ancestors', as node_modules lookup does.
func (b *builder) npmV1(dir string, lock *npmLockFile) {
	parent := b.npmRoot(lock.Name, lock.Version)
	manifest := readPackageJSON(filepath.Join(dir, "package.json"))
	required := map[string]bool{}
	var mark func(deps map[string]npmV1Dep)
	mark = func(deps map[string]npmV1Dep) {
		for _, d := range deps {
			for r := range d.Requires {
				required[r] = true
			}
			mark(d.Dependencies)
		}
	}
	mark(lock.Dependencies)

	type frame = map[string]npmV1Dep
	var walk func(name string, d npmV1Dep, installPath string, scopes []frame) string
	walk = func(name string, d npmV1Dep, installPath string, scopes []frame) string {
		realName, version := npmAlias(name, d.Version)
		c := b.npmComponent(dir, installPath, realName, version, d.Integrity, nil, d.Dev, d.Optional)
		top := len(scopes) == 1
		direct := top && (manifest != nil && npmDeclares(*manifest, name) || manifest == nil && !required[name])
		if direct {
			addProp(&c, PropDependency, "direct")
			b.direct(parent, c.BOMRef)
		} else {
			addProp(&c, PropDependency, "indirect")
		}
		ref := b.add(c).BOMRef
		b.known[ref] = true
		inner := append(append([]frame(nil), scopes...), d.Dependencies)
		for _, r := range sortedKeys(d.Requires) {
			for i := len(inner) - 1; i >= 0; i-- {
				if t, ok := inner[i][r]; ok {
					n, v := npmAlias(r, t.Version)
					b.edge(ref, npmPURL(n, v))
					break
				}
			}
		}
		for _, n := range sortedKeys(d.Dependencies) {
			walk(n, d.Dependencies[n], installPath+"/node_modules/"+n, inner)
		}
		return ref
	}
	for _, n := range sortedKeys(lock.Dependencies) {
		walk(n, lock.Dependencies[n], "node_modules/"+n, []frame{lock.Dependencies})
	}
}

// npmAlias resolves "npm:real-name@1.2.3" versions of aliased packages.
func npmAlias(name, version string) (string, string) {
	spec, ok := strings.CutPrefix(version, "npm:")
	if !ok {
		return name, version
	}
	if i := strings.LastIndex(spec, "@"); i > 0 {
		return spec[:i], spec[i+1:]
	}
	return name, version
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// npmLicenseField reads a "license" value: a string (SPDX expression) or
// the legacy {"type": "MIT"} object.
func npmLicenseField(raw json.RawMessage) string {
	if len(raw) == 0 {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		Type string `json:"type"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.Type
	}
	return ""
}

// installedNPMLicense reads the license an installed package's
// package.json declares ("license", or the legacy "licenses" list, joined
// with OR as npm documented it).
func installedNPMLicense(path string) string {
	data, err := readLimited(path, 4<<20)
	if err != nil {
		return ""
	}
	var pj struct {
		License  json.RawMessage   `json:"license"`
		Licenses []json.RawMessage `json:"licenses"`
	}
	if json.Unmarshal(data, &pj) != nil {
		return ""
	}
	if l := npmLicenseField(pj.License); l != "" {
		return l
	}
	var alts []string
	for _, l := range pj.Licenses {
		if s := npmLicenseField(l); s != "" {
			alts = append(alts, s)
		}
	}
	if len(alts) > 1 {
		return "(" + strings.Join(alts, " OR ") + ")"
	}
	return strings.Join(alts, "")
}

// readPackageJSON reads the project's dependency lists; nil when absent or
// unreadable.
func readPackageJSON(path string) *npmPackage {
	data, err := readLimited(path, 4<<20)
	if err != nil {
		return nil
	}
	var p npmPackage
	if json.Unmarshal(data, &p) != nil {
		return nil
	}
	return &p
}
