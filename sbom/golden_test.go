package sbom

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// testOptions point at the fake module cache in testdata and fix the
// clock and serial number.
func testOptions(t testing.TB) Options {
	cache, err := filepath.Abs(filepath.Join("testdata", "modcache"))
	if err != nil {
		t.Fatal(err)
	}
	return Options{
		ModCache:    cache,
		Now:         func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) },
		Serial:      func([]byte) string { return "urn:uuid:00000000-0000-4000-8000-000000000000" },
		ToolVersion: "test",
	}
}

func encodeJSON(t testing.TB, bom *cdx.BOM) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := Encode(&buf, bom, FormatJSON, cdx.SpecVersion1_6); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./sbom -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs (-want +got); run go test ./sbom -update if the change is intended:\n%s", path, diff)
	}
}

func TestSBOMGolden(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name         string
		repo         string
		wantWarnings []string
	}{
		{name: "go only", repo: "goonly"},
		{name: "go and npm lockfile v3", repo: "gonpm"},
		{name: "vendored module", repo: "vendored", wantWarnings: []string{"none of the 1 Go dependencies is in the module cache"}},
		{name: "unknown license", repo: "unknown", wantWarnings: []string{"1 of 2 Go dependencies are not in the module cache"}},
		{name: "python", repo: "python", wantWarnings: []string{
			"requirements.txt:8: skipped -r dev-requirements.txt",
			"requirements.txt:9: skipped editable requirement ./vendored/lib",
			"requirements.txt:10: skipped git+https://example.com/repo.git#egg=thing",
		}},
		{name: "gpl module", repo: "gpl"},
		{name: "no lockfile", repo: "empty", wantWarnings: []string{"has no go.mod, package-lock.json, requirements.txt, poetry.lock or uv.lock"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := Generate(context.Background(), filepath.Join("testdata", "repos", tc.repo), testOptions(t))
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Warnings) != len(tc.wantWarnings) {
				t.Errorf("warnings = %q, want %d matching %q", res.Warnings, len(tc.wantWarnings), tc.wantWarnings)
			}
			for i, w := range tc.wantWarnings {
				if i < len(res.Warnings) && !strings.Contains(res.Warnings[i], w) {
					t.Errorf("warning %d = %q, want it to contain %q", i, res.Warnings[i], w)
				}
			}
			got := encodeJSON(t, res.BOM)
			validateBOM(t, got, "1.6")
			golden(t, tc.repo+".cdx.json", got)
		})
	}
}

func TestSBOMIsDeterministic(t *testing.T) {
	t.Parallel()
	opts := testOptions(t)
	opts.Serial = ContentSerial
	var first []byte
	for i := 0; i < 3; i++ {
		res, err := Generate(context.Background(), filepath.Join("testdata", "repos", "gonpm"), opts)
		if err != nil {
			t.Fatal(err)
		}
		got := encodeJSON(t, res.BOM)
		if first == nil {
			first = got
			continue
		}
		if !bytes.Equal(first, got) {
			t.Fatalf("run %d differs from the first:\n%s", i+1, cmp.Diff(string(first), string(got)))
		}
	}
}
