package sbom

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/semver"
)

// goModule is one module of the build list as go.mod selects it, after
// replace directives.
type goModule struct {
	Path, Version string // as required
	EffPath       string // the module built, after replace
	EffVersion    string // "" for a replacement by a local directory
	Dir           string // local replacement directory, relative to the main module
	Ref           string
}

// goModules reads dir/go.mod and go.sum: one component per required module
// (indirect ones included, marked), the main module as the root, and the
// dependency graph from the module cache.
func (b *builder) goModules(dir string) error {
	path := filepath.Join(dir, "go.mod")
	data, err := readFile(path)
	if err != nil {
		return err
	}
	mf, err := modfile.Parse("go.mod", data, nil)
	if err != nil {
		return goModError(path, err)
	}
	if mf.Module == nil {
		return &ParseError{File: path, Err: errors.New("no module directive")}
	}
	sums, err := readGoSum(filepath.Join(dir, "go.sum"))
	if err != nil {
		return err
	}
	if sums == nil && len(mf.Require) > 0 {
		b.warnf("%s has no go.sum next to it: Go components have no hashes (run go mod tidy)", path)
	}
	if mf.Go != nil && semver.Compare("v"+mf.Go.Version, "v1.17") < 0 {
		b.warnf("%s declares go %s: before go 1.17 go.mod does not list every indirect dependency, so some are missing (run go mod tidy -go=1.17)", path, mf.Go.Version)
	}
	vendored := readVendorModules(filepath.Join(dir, "vendor", "modules.txt"))

	main := mf.Module.Mod.Path
	root := cdx.Component{BOMRef: goPURL(main, ""), Type: cdx.ComponentTypeApplication, Name: main, PackageURL: goPURL(main, "")}
	if mf.Go != nil {
		addProp(&root, propGoDirective, mf.Go.Version)
	}
	if l := dirLicense(dir); l != "" {
		setLicense(&root, l, "")
	}
	b.setRoot(root)

	var mods []goModule
	byPath := map[string]string{}
	for _, r := range mf.Require {
		m := applyReplace(r.Mod.Path, r.Mod.Version, mf.Replace)
		c := cdx.Component{Type: cdx.ComponentTypeLibrary, Name: m.EffPath, Version: m.EffVersion}
		c.PackageURL = goPURL(m.EffPath, m.EffVersion)
		c.BOMRef = c.PackageURL
		addProp(&c, PropSource, "go.mod")
		if r.Indirect {
			addProp(&c, PropDependency, "indirect")
		} else {
			addProp(&c, PropDependency, "direct")
		}
		if m.EffPath != m.Path || m.EffVersion != m.Version {
			addProp(&c, PropReplaces, m.Path+"@"+m.Version)
		}
		if m.Dir != "" {
			addProp(&c, PropReplaceDir, filepath.ToSlash(m.Dir))
		}
		if sum, ok := sums[m.EffPath+" "+m.EffVersion]; ok {
			if h, ok := goSumHash(sum); ok {
				c.Hashes = &[]cdx.Hash{h}
			}
			addProp(&c, PropGoSum, sum)
		}
		lic, src := b.goLicense(dir, m, vendored[m.Path])
		setLicense(&c, lic, src)
		m.Ref = b.add(c).BOMRef
		if !r.Indirect {
			b.rootDeps[m.Ref] = true
		}
		byPath[m.Path] = m.Ref
		mods = append(mods, m)
	}
	b.goGraph(dir, mods, byPath)
	return nil
}

// applyReplace applies go.mod's replace directives to path@version: one
// naming the version wins over one for every version.
func applyReplace(path, version string, reps []*modfile.Replace) goModule {
	m := goModule{Path: path, Version: version, EffPath: path, EffVersion: version}
	var match *modfile.Replace
	for _, r := range reps {
		if r.Old.Path != path {
			continue
		}
		if r.Old.Version == version {
			match = r
			break
		}
		if r.Old.Version == "" && match == nil {
			match = r
		}
	}
	if match == nil {
		return m
	}
	if match.New.Version == "" { // a directory
		m.Dir = match.New.Path
		m.EffVersion = ""
		return m
	}
	m.EffPath, m.EffVersion = match.New.Path, match.New.Version
	return m
}

// goLicense finds a module's license: in vendor/ when it is vendored, in a
// local replacement's directory, else in the module cache.
func (b *builder) goLicense(dir string, m goModule, vendored bool) (string, string) {
	if m.Dir != "" {
		d := m.Dir
		if !filepath.IsAbs(d) {
			d = filepath.Join(dir, d)
		}
		return dirLicense(d), "replace-dir"
	}
	if vendored {
		if l := dirLicense(filepath.Join(dir, "vendor", filepath.FromSlash(m.Path))); l != "" {
			return l, "vendor"
		}
	}
	if d := moduleDir(b.opts.ModCache, m.EffPath, m.EffVersion); d != "" {
		if l := dirLicense(d); l != "" {
			return l, "module-cache"
		}
	}
	return "", ""
}

// readGoSum maps "path version" to the h1: checksum of the module's zip
// (the /go.mod lines are left out). A missing go.sum yields nil.
func readGoSum(path string) (map[string]string, error) {
	data, err := readFile(path)
	if err != nil {
		var ie *InputError
		if errors.As(err, &ie) && isNotExist(ie.Err) {
			return nil, nil
		}
		return nil, err
	}
	sums := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for n := 1; sc.Scan(); n++ {
		f := strings.Fields(sc.Text())
		if len(f) == 0 {
			continue
		}
		if len(f) != 3 {
			return nil, &ParseError{File: path, Line: n, Err: fmt.Errorf("want \"module version hash\", got %d fields", len(f))}
		}
		if !strings.HasSuffix(f[1], "/go.mod") {
			sums[f[0]+" "+f[1]] = f[2]
		}
	}
	if err := sc.Err(); err != nil {
		return nil, &ParseError{File: path, Err: err}
	}
	return sums, nil
}

// readVendorModules lists the modules vendor/modules.txt records ("# path
// version" lines); nil when there is no vendor directory.
func readVendorModules(path string) map[string]bool {
	data, err := readLimited(path, 16<<20)
	if err != nil {
		return nil
	}
	mods := map[string]bool{}
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) >= 3 && f[0] == "#" {
			mods[f[1]] = true
		}
	}
	return mods
}

// goModError turns modfile's error into a ParseError naming the line.
func goModError(path string, err error) error {
	var list modfile.ErrorList
	if errors.As(err, &list) && len(list) > 0 {
		return &ParseError{File: path, Line: list[0].Pos.Line, Err: list[0].Err}
	}
	var e *modfile.Error
	if errors.As(err, &e) {
		return &ParseError{File: path, Line: e.Pos.Line, Err: e.Err}
	}
	return &ParseError{File: path, Err: err}
}
