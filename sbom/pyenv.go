package sbom

import (
	"bufio"
	"os"
	"path/filepath"
	"strings"

	"github.com/BurntSushi/toml"
	cdx "github.com/CycloneDX/cyclonedx-go"
)

// pyProject is what pyproject.toml says about the project itself.
type pyProject struct{ name, version string }

// pyprojectDirect lists the dependencies pyproject.toml declares (PEP 621
// [project], its optional dependencies and [dependency-groups], and
// poetry's [tool.poetry] tables); nil when there is no readable
// pyproject.toml.
func pyprojectDirect(dir string) ([]string, pyProject) {
	data, err := readLimited(filepath.Join(dir, "pyproject.toml"), 4<<20)
	if err != nil {
		return nil, pyProject{}
	}
	var pp struct {
		Project struct {
			Name                 string              `toml:"name"`
			Version              string              `toml:"version"`
			Dependencies         []string            `toml:"dependencies"`
			OptionalDependencies map[string][]string `toml:"optional-dependencies"`
		} `toml:"project"`
		DependencyGroups map[string][]any `toml:"dependency-groups"`
		Tool             struct {
			Poetry struct {
				Name            string                    `toml:"name"`
				Version         string                    `toml:"version"`
				Dependencies    map[string]toml.Primitive `toml:"dependencies"`
				DevDependencies map[string]toml.Primitive `toml:"dev-dependencies"`
				Group           map[string]struct {
					Dependencies map[string]toml.Primitive `toml:"dependencies"`
				} `toml:"group"`
			} `toml:"poetry"`
		} `toml:"tool"`
	}
	if _, err := toml.Decode(string(data), &pp); err != nil {
		return nil, pyProject{}
	}
	names := []string{}
	pep508 := func(reqs []string) {
		for _, r := range reqs {
			if n := requirementName(r); n != "" {
				names = append(names, n)
			}
		}
	}
	pep508(pp.Project.Dependencies)
	for _, k := range sortedKeys(pp.Project.OptionalDependencies) {
		pep508(pp.Project.OptionalDependencies[k])
	}
	for _, k := range sortedKeys(pp.DependencyGroups) {
		for _, v := range pp.DependencyGroups[k] {
			if s, ok := v.(string); ok { // tables are include-group references
				pep508([]string{s})
			}
		}
	}
	poetry := pp.Tool.Poetry
	tables := []map[string]toml.Primitive{poetry.Dependencies, poetry.DevDependencies}
	for _, g := range sortedKeys(poetry.Group) {
		tables = append(tables, poetry.Group[g].Dependencies)
	}
	for _, t := range tables {
		for _, n := range sortedKeys(t) {
			if !strings.EqualFold(n, "python") {
				names = append(names, n)
			}
		}
	}
	proj := pyProject{name: pp.Project.Name, version: pp.Project.Version}
	if proj.name == "" {
		proj = pyProject{name: poetry.Name, version: poetry.Version}
	}
	return names, proj
}

// requirementName is the distribution name at the start of a PEP 508
// requirement.
func requirementName(r string) string {
	r = strings.TrimSpace(r)
	end := 0
	for end < len(r) && isNameByte(r[end], end == 0) {
		end++
	}
	return r[:end]
}

// sitePackages maps "name==version" (name normalized) to the .dist-info
// directory of each distribution installed in the project's virtualenv
// (.venv or venv), the one offline source of Python licenses.
func sitePackages(dir string) map[string]string {
	var dirs []string
	for _, venv := range []string{".venv", "venv"} {
		m, _ := filepath.Glob(filepath.Join(dir, venv, "lib", "python*", "site-packages"))
		dirs = append(dirs, m...)
		dirs = append(dirs, filepath.Join(dir, venv, "Lib", "site-packages"))
	}
	out := map[string]string{}
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			continue
		}
		for _, e := range entries {
			base, ok := strings.CutSuffix(e.Name(), ".dist-info")
			if !ok || !e.IsDir() {
				continue
			}
			if name, version, ok := strings.Cut(base, "-"); ok {
				out[normalizePyPI(name)+"=="+version] = filepath.Join(d, e.Name())
			}
		}
	}
	return out
}

// pyLicense sets c's license from its installed METADATA, or marks it
// unknown.
func (b *builder) pyLicense(c *cdx.Component, site map[string]string) {
	if d, ok := site[c.Name+"=="+c.Version]; ok {
		if l := distLicense(filepath.Join(d, "METADATA")); l != "" {
			setLicense(c, l, "site-packages")
			return
		}
		setLicense(c, dirLicense(filepath.Join(d, "licenses")), "site-packages")
		return
	}
	setLicense(c, "", "")
}

// distLicense reads a core metadata file: License-Expression (PEP 639),
// else a License field that is an SPDX expression, else trove classifiers.
func distLicense(path string) string {
	data, err := readLimited(path, 1<<20)
	if err != nil {
		return ""
	}
	classifiers := map[string]string{
		"MIT License": "MIT", "Apache Software License": "Apache-2.0", "BSD License": "",
		"ISC License (ISCL)": "ISC", "Mozilla Public License 2.0 (MPL 2.0)": "MPL-2.0",
		"GNU General Public License v3 (GPLv3)": "GPL-3.0-only", "GNU General Public License v2 (GPLv2)": "GPL-2.0-only",
		"GNU Lesser General Public License v3 (LGPLv3)": "LGPL-3.0-only", "GNU Affero General Public License v3": "AGPL-3.0-only",
		"The Unlicense (Unlicense)": "Unlicense", "Python Software Foundation License": "PSF-2.0",
	}
	var license, fromClassifier string
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break // the body (description) follows the headers
		}
		k, v, ok := strings.Cut(line, ":")
		v = strings.TrimSpace(v)
		switch {
		case !ok:
		case strings.EqualFold(k, "License-Expression"):
			if e := declaredLicense(v); e != "" {
				return e
			}
		case strings.EqualFold(k, "License"):
			license = knownExpression(v) // a free-text field: trust only known ids
		case strings.EqualFold(k, "Classifier") && fromClassifier == "":
			if name, ok := strings.CutPrefix(v, "License :: OSI Approved :: "); ok {
				fromClassifier = classifiers[name]
			}
		}
	}
	if license != "" {
		return license
	}
	return fromClassifier
}
