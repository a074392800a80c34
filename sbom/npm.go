package sbom

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// npmLockFile is package-lock.json: lockfileVersion 2 and 3 have packages
// keyed by install path; 1 (and 2, for old npm) nests dependencies.
type npmLockFile struct {
	Name            string                `json:"name"`
	Version         string                `json:"version"`
	LockfileVersion int                   `json:"lockfileVersion"`
	Packages        map[string]npmPackage `json:"packages"`
	Dependencies    map[string]npmV1Dep   `json:"dependencies"`
}

type npmPackage struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Resolved             string            `json:"resolved"`
	Integrity            string            `json:"integrity"`
	License              json.RawMessage   `json:"license"`
	Dev                  bool              `json:"dev"`
	Optional             bool              `json:"optional"`
	DevOptional          bool              `json:"devOptional"`
	Link                 bool              `json:"link"`
	Dependencies         map[string]string `json:"dependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	PeerDependencies     map[string]string `json:"peerDependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
}

type npmV1Dep struct {
	Version      string              `json:"version"`
	Integrity    string              `json:"integrity"`
	Dev          bool                `json:"dev"`
	Optional     bool                `json:"optional"`
	Requires     map[string]string   `json:"requires"`
	Dependencies map[string]npmV1Dep `json:"dependencies"`
}

// parsePackageLock decodes package-lock.json, naming the line of a syntax
// error.
func parsePackageLock(file string, data []byte) (*npmLockFile, error) {
	var lock npmLockFile
	if err := json.Unmarshal(data, &lock); err != nil {
		return nil, jsonError(file, data, err)
	}
	switch lock.LockfileVersion {
	case 1, 2, 3:
	default:
		return nil, &ParseError{File: file, Err: fmt.Errorf("lockfileVersion %d is not 1, 2 or 3", lock.LockfileVersion)}
	}
	return &lock, nil
}

func jsonError(file string, data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return &ParseError{File: file, Line: lineOf(data, se.Offset), Err: err}
	case errors.As(err, &te):
		return &ParseError{File: file, Line: lineOf(data, te.Offset), Err: err}
	}
	return &ParseError{File: file, Err: err}
}

// npmLock reads dir/package-lock.json.
func (b *builder) npmLock(dir string) error {
	file := filepath.Join(dir, "package-lock.json")
	data, err := readFile(file)
	if err != nil {
		return err
	}
	lock, err := parsePackageLock(file, data)
	if err != nil {
		return err
	}
	if len(lock.Packages) > 0 || lock.LockfileVersion == 3 {
		b.npmPackages(dir, lock)
	} else {
		b.npmV1(dir, lock)
	}
	return nil
}

// npmRoot registers the lockfile's own project (see builder.project) and
// returns the ref its direct dependencies hang off; "" (the BOM's subject)
// for a lockfile without a name.
func (b *builder) npmRoot(name, version string) string {
	if name == "" {
		return ""
	}
	p := npmPURL(name, version)
	return b.project(cdx.Component{BOMRef: p, Type: cdx.ComponentTypeApplication, Name: name, Version: version, PackageURL: p})
}

// npmComponent builds the component of one installed package.
func (b *builder) npmComponent(dir, installPath, name, version, integrity string, license json.RawMessage, dev, optional bool) cdx.Component {
	p := npmPURL(name, version)
	c := cdx.Component{BOMRef: p, Type: cdx.ComponentTypeLibrary, Name: name, Version: version, PackageURL: p}
	if h := sriHashes(integrity); len(h) > 0 {
		c.Hashes = &h
	}
	addProp(&c, PropSource, "package-lock.json")
	if dev || optional {
		c.Scope = cdx.ScopeOptional
	}
	if dev {
		addProp(&c, PropNPMDev, "true")
	}
	if optional {
		addProp(&c, PropNPMOptional, "true")
	}
	raw, src := npmLicenseField(license), "package-lock.json"
	if raw == "" && installPath != "" {
		raw, src = installedNPMLicense(filepath.Join(dir, filepath.FromSlash(installPath), "package.json")), "node_modules"
	}
	expr := declaredLicense(raw)
	if expr == "" && raw != "" {
		addProp(&c, PropLicenseDecl, raw)
	}
	setLicense(&c, expr, src)
	return c
}

// npmPackages reads lockfileVersion 2 and 3: every "node_modules/…" key is
// an installed package, "" is the project, other keys are workspaces.
func (b *builder) npmPackages(dir string, lock *npmLockFile) {
	rootPkg := lock.Packages[""]
	name, version := rootPkg.Name, rootPkg.Version
	if name == "" {
		name, version = lock.Name, lock.Version
	}
	parent := b.npmRoot(name, version)

	keys := make([]string, 0, len(lock.Packages))
	for k := range lock.Packages {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	refs := map[string]string{}
	for _, k := range keys {
		p := lock.Packages[k]
		if k == "" || p.Link {
			continue
		}
		name := p.Name
		if name == "" {
			name = npmNameFromPath(k)
		}
		if name == "" {
			continue
		}
		c := b.npmComponent(dir, k, name, p.Version, p.Integrity, p.License, p.Dev || p.DevOptional, p.Optional || p.DevOptional)
		if k == "node_modules/"+name && npmDeclares(rootPkg, name) {
			addProp(&c, PropDependency, "direct")
		} else {
			addProp(&c, PropDependency, "indirect")
		}
		refs[k] = b.add(c).BOMRef
		b.known[refs[k]] = true
	}
	resolve := func(from, dep string) string {
		base := from
		for {
			cand := "node_modules/" + dep
			if base != "" {
				cand = base + "/" + cand
			}
			if p, ok := lock.Packages[cand]; ok {
				if p.Link {
					return refs[p.Resolved]
				}
				return refs[cand]
			}
			if base == "" {
				return ""
			}
			if i := strings.LastIndex(base, "/node_modules/"); i >= 0 {
				base = base[:i]
			} else {
				base = ""
			}
		}
	}
	for _, k := range keys {
		p := lock.Packages[k]
		if p.Link {
			continue
		}
		deps := npmDepNames(p, k == "" || !strings.Contains(k, "node_modules/"))
		for _, d := range deps {
			to := resolve(k, d)
			if to == "" {
				continue
			}
			if k == "" {
				b.direct(parent, to)
			} else if from := refs[k]; from != "" {
				b.edge(from, to)
			}
		}
	}
}

// npmNameFromPath is the package name at the end of an install path:
// "node_modules/a/node_modules/@s/b" is "@s/b".
func npmNameFromPath(key string) string {
	i := strings.LastIndex(key, "node_modules/")
	if i < 0 {
		return ""
	}
	return key[i+len("node_modules/"):]
}

// npmDeclares reports whether the project declares name in any of its
// dependency lists.
func npmDeclares(p npmPackage, name string) bool {
	for _, m := range []map[string]string{p.Dependencies, p.DevDependencies, p.OptionalDependencies, p.PeerDependencies} {
		if _, ok := m[name]; ok {
			return true
		}
	}
	return false
}

// npmDepNames lists what a package depends on, sorted; devDependencies only
// count for the project and its workspaces (npm installs no others).
func npmDepNames(p npmPackage, withDev bool) []string {
	set := map[string]bool{}
	lists := []map[string]string{p.Dependencies, p.OptionalDependencies, p.PeerDependencies}
	if withDev {
		lists = append(lists, p.DevDependencies)
	}
	for _, m := range lists {
		for n := range m {
			set[n] = true
		}
	}
	out := make([]string, 0, len(set))
	for n := range set {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}
