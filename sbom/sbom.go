package sbom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// Options are what Generate and Self take from outside the repository.
type Options struct {
	// ModCache is the Go module cache (GOMODCACHE). Empty means there is
	// none: Go dependencies get no transitive edges and no licenses from it.
	ModCache string
	// Now stamps metadata.timestamp; nil leaves the timestamp out.
	Now func() time.Time
	// Serial returns the serial number ("urn:uuid:…") given the BOM encoded
	// as JSON without one, so it can be random or derived from the content
	// (see ContentSerial); nil leaves the serial number out.
	Serial func(content []byte) string
	// ToolVersion is git-agent's version, recorded in metadata.tools.
	ToolVersion string
}

// Result is a generated BOM and what the user should know about it.
type Result struct {
	BOM *cdx.BOM
	// Warnings are things the BOM could not say (no lockfile, skipped
	// requirement lines, an incomplete dependency graph), one sentence each.
	Warnings []string
}

// Property names git-agent puts on components and metadata.
const (
	PropLicense       = "git-agent:license"            // "unknown" when no license was found
	PropLicenseSource = "git-agent:license-source"     // where the license was found
	PropLicenseDecl   = "git-agent:license-declared"   // a declared license that is not SPDX
	PropDependency    = "git-agent:dependency"         // "direct" or "indirect"
	PropSource        = "git-agent:source"             // the file the component was read from
	PropGoModuleGraph = "git-agent:go-module-graph"    // how complete the Go dependency graph is
	PropGoSum         = "git-agent:go-sum"             // the go.sum h1: checksum as written
	PropReplaces      = "git-agent:replaces"           // module@version a replace directive substitutes
	PropReplaceDir    = "git-agent:replace-dir"        // local directory a replace directive points to
	PropNPMDev        = "git-agent:npm-dev"            // "true" for devDependencies
	PropNPMOptional   = "git-agent:npm-optional"       // "true" for optionalDependencies
	PropPinned        = "git-agent:pinned"             // "false" for an unpinned requirement
	PropConstraint    = "git-agent:version-constraint" // the specifier of an unpinned requirement
	PropPythonGroups  = "git-agent:python-groups"      // poetry/uv dependency groups
	PropProject       = "git-agent:project"            // "true" for another of the repository's own projects
	propGoVersion     = "git-agent:go-version"         // the Go toolchain that built a binary (--self)
	propGoDirective   = "git-agent:go-directive"       // the go line of go.mod
	propBuildSetting  = "git-agent:build-setting:"
	licenseUnknown    = "unknown"
)

// Generate describes the repository in dir: every dependency its go.mod,
// package-lock.json, requirements.txt, poetry.lock and uv.lock pin, in one
// BOM. A directory with none of them yields a BOM with only metadata and a
// warning.
func Generate(ctx context.Context, dir string, opts Options) (*Result, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, &InputError{Path: dir, Err: err}
	}
	if !st.IsDir() {
		return nil, &InputError{Path: dir, Err: errors.New("not a directory")}
	}
	b := newBuilder(opts)
	readers := []struct {
		file string
		read func(string) error
	}{
		{"go.mod", b.goModules},
		{"package-lock.json", b.npmLock},
		{"requirements.txt", b.requirements},
		{"poetry.lock", b.poetryLock},
		{"uv.lock", b.uvLock},
	}
	found := 0
	for _, r := range readers {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		path := filepath.Join(dir, r.file)
		if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
			continue
		}
		found++
		if err := r.read(dir); err != nil {
			return nil, err
		}
	}
	if found == 0 {
		b.warnf("%s has no go.mod, package-lock.json, requirements.txt, poetry.lock or uv.lock: the SBOM lists no components", dir)
	}
	b.setRoot(cdx.Component{BOMRef: filepath.Base(absOr(dir)), Type: cdx.ComponentTypeApplication, Name: filepath.Base(absOr(dir))})
	return b.finish()
}

func absOr(dir string) string {
	if a, err := filepath.Abs(dir); err == nil {
		return a
	}
	return dir
}

// readFile reads a lockfile, turning failure into an InputError.
func readFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &InputError{Path: path, Err: err}
	}
	return data, nil
}

// finish sorts everything, builds the dependency graph and metadata, and
// stamps the timestamp and serial number.
func (b *builder) finish() (*Result, error) {
	bom := cdx.NewBOM()
	bom.SpecVersion = cdx.SpecVersion1_6
	bom.JSONSchema = "http://cyclonedx.org/schema/bom-1.6.schema.json"
	bom.XMLNS = "http://cyclonedx.org/schema/bom/1.6"

	refs := make([]string, 0, len(b.comps))
	for r := range b.comps {
		refs = append(refs, r)
	}
	sort.Strings(refs)
	comps := make([]cdx.Component, 0, len(refs))
	for _, r := range refs {
		c := *b.comps[r]
		tidy(&c)
		comps = append(comps, c)
	}
	root := *b.root
	tidy(&root)
	meta := &cdx.Metadata{
		Tools: &cdx.ToolsChoice{Components: &[]cdx.Component{{
			Type: cdx.ComponentTypeApplication, Name: "git-agent", Version: b.opts.ToolVersion,
		}}},
		Component: &root,
	}
	if b.opts.Now != nil {
		meta.Timestamp = b.opts.Now().UTC().Format(time.RFC3339)
	}
	if len(b.props) > 0 {
		props := append([]cdx.Property(nil), b.props...)
		sortProps(props)
		meta.Properties = &props
	}
	bom.Metadata = meta
	if len(comps) > 0 {
		bom.Components = &comps
	}
	deps := []cdx.Dependency{dependency(root.BOMRef, b.rootDeps, b.comps)}
	for _, r := range refs {
		if b.known[r] || len(b.edges[r]) > 0 {
			deps = append(deps, dependency(r, b.edges[r], b.comps))
		}
	}
	bom.Dependencies = &deps

	if b.opts.Serial != nil {
		content, err := json.Marshal(bom)
		if err != nil {
			return nil, fmt.Errorf("encode the bom for its serial number: %w", err)
		}
		bom.SerialNumber = b.opts.Serial(content)
	}
	return &Result{BOM: bom, Warnings: b.warnings}, nil
}

// dependency is ref's graph entry; edges to components that are not in the
// BOM (pruned from the build list) are dropped.
func dependency(ref string, to map[string]bool, comps map[string]*cdx.Component) cdx.Dependency {
	var on []string
	for t := range to {
		if _, ok := comps[t]; ok {
			on = append(on, t)
		}
	}
	sort.Strings(on)
	d := cdx.Dependency{Ref: ref}
	if len(on) > 0 {
		d.Dependencies = &on
	}
	return d
}

// tidy sorts a component's hashes and properties for stable output.
func tidy(c *cdx.Component) {
	if c.Hashes != nil {
		h := *c.Hashes
		sort.Slice(h, func(i, j int) bool {
			if h[i].Algorithm != h[j].Algorithm {
				return h[i].Algorithm < h[j].Algorithm
			}
			return h[i].Value < h[j].Value
		})
		if len(h) == 0 {
			c.Hashes = nil
		}
	}
	if c.Properties != nil {
		sortProps(*c.Properties)
		if len(*c.Properties) == 0 {
			c.Properties = nil
		}
	}
}

func sortProps(p []cdx.Property) {
	sort.Slice(p, func(i, j int) bool {
		if p[i].Name != p[j].Name {
			return p[i].Name < p[j].Name
		}
		return p[i].Value < p[j].Value
	})
}

// licenseOf returns c's license as one SPDX expression ("" when none): a
// single entry as is, several joined with AND.
func licenseOf(c *cdx.Component) string {
	if c.Licenses == nil {
		return ""
	}
	var parts []string
	for _, l := range *c.Licenses {
		s := l.Expression
		if l.License != nil {
			s = l.License.ID
			if s == "" {
				s = l.License.Name
			}
		}
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if len(parts) > 1 {
		for i, p := range parts {
			if strings.Contains(p, " ") {
				parts[i] = "(" + p + ")"
			}
		}
	}
	return strings.Join(parts, " AND ")
}
