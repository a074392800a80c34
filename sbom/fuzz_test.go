package sbom

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

func FuzzPackageLock(f *testing.F) {
	for _, seed := range []string{"gonpm/package-lock.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "repos", filepath.FromSlash(seed)))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(`{"lockfileVersion":1,"dependencies":{"a":{"version":"npm:b@1","requires":{"a":"*"},"dependencies":{"a":{"version":"2"}}}}}`))
	f.Add([]byte(`{"lockfileVersion":2,"packages":{"node_modules/x":{"link":true,"resolved":"node_modules/x"},"":{"dependencies":{"x":"*"}}}}`))
	dir := f.TempDir() // no node_modules: lookups find nothing
	f.Fuzz(func(t *testing.T, data []byte) {
		lock, err := parsePackageLock("package-lock.json", data)
		if err != nil {
			return
		}
		b := newBuilder(Options{})
		if len(lock.Packages) > 0 || lock.LockfileVersion == 3 {
			b.npmPackages(dir, lock)
		} else {
			b.npmV1(dir, lock)
		}
		b.setRoot(cdx.Component{BOMRef: "root", Name: "root"})
		if _, err := b.finish(); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzRequirements(f *testing.F) {
	data, err := os.ReadFile(filepath.Join("testdata", "repos", "python", "requirements.txt"))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add([]byte("a[b]==1 \\\n --hash=sha256:00\n# c\n-r x\n"))
	f.Add([]byte("x ( ==1 )\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		reqs, _, err := parseRequirements("requirements.txt", data)
		if err != nil {
			return
		}
		for _, r := range reqs {
			if r.Name == "" || strings.ContainsAny(r.Name, " \t[]=<>;") {
				t.Fatalf("bad name %q from %q", r.Name, data)
			}
			if r.Version != "" && r.Constraint != "" {
				t.Fatalf("%q is both pinned (%q) and constrained (%q)", r.Name, r.Version, r.Constraint)
			}
			if r.Line < 1 {
				t.Fatalf("%q has line %d", r.Name, r.Line)
			}
		}
	})
}
