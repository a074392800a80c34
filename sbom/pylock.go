package sbom

import (
	"errors"
	"path/filepath"
	"sort"
	"strings"

	"github.com/BurntSushi/toml"
	cdx "github.com/CycloneDX/cyclonedx-go"
)

type poetryLockFile struct {
	Package []struct {
		Name         string                    `toml:"name"`
		Version      string                    `toml:"version"`
		Category     string                    `toml:"category"` // poetry 1
		Groups       []string                  `toml:"groups"`   // poetry 2
		Files        []struct{ Hash string }   `toml:"files"`
		Dependencies map[string]toml.Primitive `toml:"dependencies"`
	} `toml:"package"`
}

type uvDep struct {
	Name    string `toml:"name"`
	Version string `toml:"version"`
}

type uvLockFile struct {
	Package []struct {
		Name                 string                  `toml:"name"`
		Version              string                  `toml:"version"`
		Source               map[string]any          `toml:"source"`
		Dependencies         []uvDep                 `toml:"dependencies"`
		OptionalDependencies map[string][]uvDep      `toml:"optional-dependencies"`
		DevDependencies      map[string][]uvDep      `toml:"dev-dependencies"`
		Sdist                struct{ Hash string }   `toml:"sdist"`
		Wheels               []struct{ Hash string } `toml:"wheels"`
	} `toml:"package"`
}

func tomlError(file string, err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		return &ParseError{File: file, Line: pe.Position.Line, Err: errors.New(pe.Message)}
	}
	return &ParseError{File: file, Err: err}
}

// pyPackage is a locked Python package before it becomes a component.
type pyPackage struct {
	name, version string
	hashes        []cdx.Hash
	groups        []string
	deps          []uvDep
}

// poetryLock reads dir/poetry.lock.
func (b *builder) poetryLock(dir string) error {
	file := filepath.Join(dir, "poetry.lock")
	data, err := readFile(file)
	if err != nil {
		return err
	}
	var lock poetryLockFile
	if _, err := toml.Decode(string(data), &lock); err != nil {
		return tomlError(file, err)
	}
	var pkgs []pyPackage
	for _, p := range lock.Package {
		pp := pyPackage{name: p.Name, version: p.Version, groups: p.Groups}
		if p.Category != "" {
			pp.groups = []string{p.Category}
		}
		for _, f := range p.Files {
			if h, ok := hexHash(f.Hash); ok {
				pp.hashes = append(pp.hashes, h)
			}
		}
		for _, d := range sortedKeys(p.Dependencies) {
			pp.deps = append(pp.deps, uvDep{Name: d})
		}
		pkgs = append(pkgs, pp)
	}
	b.pyLocked(dir, "poetry.lock", pkgs, nil)
	return nil
}

// uvLock reads dir/uv.lock; its project (source virtual or editable) is the
// root, and its dependencies are the direct ones.
func (b *builder) uvLock(dir string) error {
	file := filepath.Join(dir, "uv.lock")
	data, err := readFile(file)
	if err != nil {
		return err
	}
	var lock uvLockFile
	if _, err := toml.Decode(string(data), &lock); err != nil {
		return tomlError(file, err)
	}
	var pkgs, roots []pyPackage
	var mainDeps, devDeps []uvDep
	for _, p := range lock.Package {
		pp := pyPackage{name: p.Name, version: p.Version, deps: p.Dependencies}
		for _, extra := range sortedKeys(p.OptionalDependencies) {
			pp.deps = append(pp.deps, p.OptionalDependencies[extra]...)
		}
		_, virtual := p.Source["virtual"]
		_, editable := p.Source["editable"]
		if virtual || editable {
			mainDeps = append(mainDeps, pp.deps...)
			for _, g := range sortedKeys(p.DevDependencies) {
				pp.deps = append(pp.deps, p.DevDependencies[g]...)
				devDeps = append(devDeps, p.DevDependencies[g]...)
			}
			roots = append(roots, pp)
			continue
		}
		if h, ok := hexHash(p.Sdist.Hash); ok {
			pp.hashes = append(pp.hashes, h)
		}
		for _, w := range p.Wheels {
			if h, ok := hexHash(w.Hash); ok {
				pp.hashes = append(pp.hashes, h)
			}
		}
		pkgs = append(pkgs, pp)
	}
	uvGroups(pkgs, mainDeps, devDeps)
	b.pyLocked(dir, "uv.lock", pkgs, roots)
	return nil
}

// pyLocked adds locked packages and their edges. roots are the project's
// own packages (uv); without them, pyproject.toml names the direct
// dependencies, and without that every package nothing else needs is taken
// as direct.
func (b *builder) pyLocked(dir, source string, pkgs, roots []pyPackage) {
	site := sitePackages(dir)
	byName := map[string][]string{}
	refOf := map[string]string{}
	for _, p := range pkgs {
		ref := pypiPURL(p.name, p.version)
		c := cdx.Component{BOMRef: ref, Type: cdx.ComponentTypeLibrary, Name: normalizePyPI(p.name), Version: p.version, PackageURL: ref}
		if len(p.hashes) > 0 {
			h := p.hashes
			c.Hashes = &h
		}
		addProp(&c, PropSource, source)
		if len(p.groups) > 0 {
			g := append([]string(nil), p.groups...)
			sort.Strings(g)
			addProp(&c, PropPythonGroups, strings.Join(g, ","))
			if !containsFold(g, "main") {
				c.Scope = cdx.ScopeOptional
			}
		}
		b.pyLicense(&c, site)
		ref = b.add(c).BOMRef
		b.known[ref] = true
		n := normalizePyPI(p.name)
		byName[n] = append(byName[n], ref)
		refOf[n+"=="+p.version] = ref
	}
	target := func(d uvDep) []string {
		n := normalizePyPI(d.Name)
		if d.Version != "" {
			if r, ok := refOf[n+"=="+d.Version]; ok {
				return []string{r}
			}
		}
		return byName[n]
	}
	needed := map[string]bool{}
	for _, p := range pkgs {
		from := pypiPURL(p.name, p.version)
		for _, d := range p.deps {
			for _, to := range target(d) {
				b.edge(from, to)
				needed[to] = true
			}
		}
	}
	direct := map[string]bool{}
	parent := ""
	if len(roots) > 0 {
		for _, r := range roots {
			if r.name != "" && parent == "" {
				p := pypiPURL(r.name, r.version)
				parent = b.project(cdx.Component{BOMRef: p, Type: cdx.ComponentTypeApplication, Name: normalizePyPI(r.name), Version: r.version, PackageURL: p})
			}
			for _, d := range r.deps {
				for _, to := range target(d) {
					direct[to] = true
				}
			}
		}
	} else if names, proj := pyprojectDirect(dir); names != nil {
		if proj.name != "" {
			p := pypiPURL(proj.name, proj.version)
			parent = b.project(cdx.Component{BOMRef: p, Type: cdx.ComponentTypeApplication, Name: normalizePyPI(proj.name), Version: proj.version, PackageURL: p})
		}
		for _, n := range names {
			for _, to := range byName[normalizePyPI(n)] {
				direct[to] = true
			}
		}
	} else {
		for _, refs := range byName {
			for _, r := range refs {
				if !needed[r] {
					direct[r] = true
				}
			}
		}
	}
	for _, refs := range byName {
		for _, r := range refs {
			if direct[r] {
				b.direct(parent, r)
			}
			setDependency(b.comps[r], direct[r])
		}
	}
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}

// uvGroups labels each package "main" when the project's dependencies reach
// it, else "dev" when only its dev dependencies do; uv.lock records groups
// only on the project itself.
func uvGroups(pkgs []pyPackage, mainDeps, devDeps []uvDep) {
	byName := map[string][]int{}
	for i, p := range pkgs {
		n := normalizePyPI(p.name)
		byName[n] = append(byName[n], i)
	}
	reach := func(start []uvDep) map[int]bool {
		seen := map[int]bool{}
		queue := append([]uvDep(nil), start...)
		for len(queue) > 0 {
			d := queue[0]
			queue = queue[1:]
			for _, i := range byName[normalizePyPI(d.Name)] {
				if d.Version != "" && pkgs[i].version != d.Version || seen[i] {
					continue
				}
				seen[i] = true
				queue = append(queue, pkgs[i].deps...)
			}
		}
		return seen
	}
	main, dev := reach(mainDeps), reach(devDeps)
	for i := range pkgs {
		switch {
		case main[i]:
			pkgs[i].groups = []string{"main"}
		case dev[i]:
			pkgs[i].groups = []string{"dev"}
		}
	}
}
