package sbom

import (
	"context"
	"os"
	"testing"
)

// TestSBOMOfThisRepository describes git-agent's own repository with the real
// module cache: its direct dependencies are there (the test could not have
// been built otherwise), with their licenses, and the default policy passes.
func TestSBOMOfThisRepository(t *testing.T) {
	t.Parallel()
	cache := ModCacheDir(os.Getenv)
	if cache == "" {
		t.Skip("no Go module cache on this machine")
	}
	opts := testOptions(t)
	opts.ModCache = cache
	res, err := Generate(context.Background(), "..", opts)
	if err != nil {
		t.Fatal(err)
	}
	validateBOM(t, encodeJSON(t, res.BOM), "1.6")
	if got := res.BOM.Metadata.Component.Name; got != "github.com/git-agent/git-agent" {
		t.Errorf("metadata.component = %q, want the main module", got)
	}
	byName := map[string]string{}
	purls := map[string]string{}
	for _, c := range *res.BOM.Components {
		byName[c.Name] = licenseOf(&c)
		purls[c.Name] = c.PackageURL
	}
	tests := []struct {
		name        string
		module      string
		wantLicense string
	}{
		{"go-github", "github.com/google/go-github/v66", "BSD-3-Clause"},
		{"cobra", "github.com/spf13/cobra", "Apache-2.0"},
		{"x/sys", "golang.org/x/sys", "BSD-3-Clause"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lic, ok := byName[tc.module]
			if !ok {
				t.Fatalf("%s is not a component", tc.module)
			}
			if want := "pkg:golang/" + tc.module + "@"; len(purls[tc.module]) <= len(want) || purls[tc.module][:len(want)] != want {
				t.Errorf("purl = %q, want %s<version>", purls[tc.module], want)
			}
			if lic != tc.wantLicense {
				t.Errorf("license = %q, want %q", lic, tc.wantLicense)
			}
		})
	}
	rep := DefaultPolicy().Evaluate(res.BOM)
	if rep.Failed() {
		t.Errorf("the default policy fails on git-agent itself: %+v", rep.Findings)
	}
}
