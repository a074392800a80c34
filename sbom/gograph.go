package sbom

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"golang.org/x/mod/modfile"
	"golang.org/x/mod/module"
)

// ModCacheDir is where the go command would keep its module cache, from
// the environment alone (the go command may not be installed): $GOMODCACHE,
// else the first $GOPATH entry's pkg/mod, else $HOME/go/pkg/mod. It returns
// "" when that directory does not exist.
func ModCacheDir(getenv func(string) string) string {
	dir := getenv("GOMODCACHE")
	if dir == "" {
		gopath := getenv("GOPATH")
		if gopath != "" {
			gopath = filepath.SplitList(gopath)[0]
		} else if home := getenv("HOME"); home != "" {
			gopath = filepath.Join(home, "go")
		} else if home := getenv("USERPROFILE"); home != "" {
			gopath = filepath.Join(home, "go")
		}
		if gopath != "" {
			dir = filepath.Join(gopath, "pkg", "mod")
		}
	}
	if dir == "" {
		return ""
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	return dir
}

// moduleDir is the extracted module path@version in the cache, "" when
// absent.
func moduleDir(cache, path, version string) string {
	if cache == "" || version == "" {
		return ""
	}
	ep, err1 := module.EscapePath(path)
	ev, err2 := module.EscapeVersion(version)
	if err1 != nil || err2 != nil {
		return ""
	}
	d := filepath.Join(cache, filepath.FromSlash(ep)+"@"+ev)
	if st, err := os.Stat(d); err != nil || !st.IsDir() {
		return ""
	}
	return d
}

// modFilePath is where the cache keeps path@version's go.mod.
func modFilePath(cache, path, version string) string {
	ep, err1 := module.EscapePath(path)
	ev, err2 := module.EscapeVersion(version)
	if cache == "" || err1 != nil || err2 != nil {
		return ""
	}
	return filepath.Join(cache, "cache", "download", filepath.FromSlash(ep), "@v", ev+".mod")
}

// goGraph adds the edges between Go modules from each module's own go.mod,
// read from the module cache (or a local replacement's directory). Go picks
// one version per module path, so an edge goes to the version the main
// go.mod selects, and requirements outside the build list are dropped.
// Modules whose go.mod cannot be read keep no outgoing edges; a metadata
// property says how complete the graph is.
func (b *builder) goGraph(dir string, mods []goModule, byPath map[string]string) {
	if len(mods) == 0 {
		b.props = append(b.props, prop(PropGoModuleGraph, "complete"))
		return
	}
	missing := 0
	for _, m := range mods {
		var file string
		if m.Dir != "" {
			file = m.Dir
			if !filepath.IsAbs(file) {
				file = filepath.Join(dir, file)
			}
			file = filepath.Join(file, "go.mod")
		} else {
			file = modFilePath(b.opts.ModCache, m.EffPath, m.EffVersion)
		}
		reqs, err := requiredModules(file)
		if err != nil {
			missing++
			continue
		}
		b.known[m.Ref] = true
		for _, r := range reqs {
			if to, ok := byPath[r]; ok {
				b.edge(m.Ref, to)
			}
		}
	}
	switch {
	case b.opts.ModCache == "":
		b.props = append(b.props, prop(PropGoModuleGraph, "direct-only: no Go module cache to read dependencies' go.mod files from"))
		b.warnf("no Go module cache found (GOMODCACHE, GOPATH/pkg/mod, ~/go/pkg/mod): the Go dependency graph lists only the main module's direct dependencies and modules have no license from the cache (run go mod download to fill it)")
	case missing == len(mods):
		b.props = append(b.props, prop(PropGoModuleGraph, "direct-only: no dependency's go.mod is in the module cache"))
		b.warnf("none of the %d Go dependencies is in the module cache: the graph lists only direct dependencies (run go mod download)", len(mods))
	case missing > 0:
		b.props = append(b.props, prop(PropGoModuleGraph, fmt.Sprintf("partial: %d of %d dependencies' go.mod files are not in the module cache", missing, len(mods))))
		b.warnf("%d of %d Go dependencies are not in the module cache: their dependencies are not in the graph (run go mod download)", missing, len(mods))
	default:
		b.props = append(b.props, prop(PropGoModuleGraph, "complete"))
	}
}

// requiredModules lists the module paths a go.mod file requires.
func requiredModules(file string) ([]string, error) {
	if file == "" {
		return nil, errors.New("no module cache")
	}
	data, err := readLimited(file, 4<<20)
	if err != nil {
		return nil, err
	}
	mf, err := modfile.ParseLax(file, data, nil)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, r := range mf.Require {
		out = append(out, r.Mod.Path)
	}
	return out, nil
}

func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }

func prop(name, value string) cdx.Property { return cdx.Property{Name: name, Value: value} }
