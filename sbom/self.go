package sbom

import (
	"errors"
	"runtime/debug"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Self describes a Go binary from its embedded build information: the main
// module, every module linked into it with its go.sum checksum, and the Go
// version and build settings as properties of the main component.
// Licenses and edges between modules come from opts.ModCache when the
// modules are there; build information records neither.
func Self(info *debug.BuildInfo, opts Options) (*Result, error) {
	if info == nil {
		return nil, errors.New("describe this binary: it carries no module build information (build it with module mode on)")
	}
	b := newBuilder(opts)
	version := info.Main.Version
	if version == "(devel)" {
		version = ""
	}
	p := goPURL(info.Main.Path, version)
	root := cdx.Component{BOMRef: p, Type: cdx.ComponentTypeApplication, Name: info.Main.Path, Version: version, PackageURL: p}
	if h, ok := goSumHash(info.Main.Sum); ok {
		root.Hashes = &[]cdx.Hash{h}
	}
	addProp(&root, propGoVersion, info.GoVersion)
	for _, s := range info.Settings {
		addProp(&root, propBuildSetting+s.Key, s.Value)
	}
	b.setRoot(root)

	var mods []goModule
	byPath := map[string]string{}
	for _, d := range info.Deps {
		m := goModule{Path: d.Path, Version: d.Version, EffPath: d.Path, EffVersion: d.Version}
		sum := d.Sum
		if d.Replace != nil {
			m.EffPath, m.EffVersion, sum = d.Replace.Path, d.Replace.Version, d.Replace.Sum
			if m.EffVersion == "" {
				m.Dir = d.Replace.Path
			}
		}
		c := cdx.Component{Type: cdx.ComponentTypeLibrary, Name: m.EffPath, Version: m.EffVersion, PackageURL: goPURL(m.EffPath, m.EffVersion)}
		c.BOMRef = c.PackageURL
		addProp(&c, PropSource, "buildinfo")
		if d.Replace != nil {
			addProp(&c, PropReplaces, m.Path+"@"+m.Version)
		}
		if h, ok := goSumHash(sum); ok {
			c.Hashes = &[]cdx.Hash{h}
			addProp(&c, PropGoSum, sum)
		}
		lic, src := "", ""
		if dir := moduleDir(opts.ModCache, m.EffPath, m.EffVersion); dir != "" {
			lic, src = dirLicense(dir), "module-cache"
		}
		setLicense(&c, lic, src)
		m.Ref = b.add(c).BOMRef
		b.rootDeps[m.Ref] = true
		byPath[m.Path] = m.Ref
		mods = append(mods, m)
	}
	b.goGraph("", mods, byPath)
	return b.finish()
}
