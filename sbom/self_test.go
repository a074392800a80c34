package sbom

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"
)

func TestSelfSBOMGolden(t *testing.T) {
	t.Parallel()
	info := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Path:      "example.com/app/cmd/app",
		Main:      debug.Module{Path: "example.com/app", Version: "(devel)"},
		Deps: []*debug.Module{
			{Path: "example.com/alpha", Version: "v1.2.0", Sum: "h1:zY/EmjxrktOh3CbF7tNL+trNgJPkSKOoLTSzWXXTRzs="},
			{Path: "example.com/beta", Version: "v1.0.0", Sum: "h1:GZ+sZy3L5dHvzXacxu/Yy2QwfrUIRPIzVT6lREdkX6s="},
			{Path: "example.com/old", Version: "v1.0.0", Replace: &debug.Module{Path: "example.com/new", Version: "v1.1.0+incompatible", Sum: "h1:Lqt5jfn3OyYM979PLTGI1gEZrPEp1yg66hBNDx+WQm4="}},
			{Path: "example.com/gone", Version: "v0.1.0", Sum: "h1:aZlBKr+s8c+Gmyn8VkvQndVzwXp2YLbP28LIJqkHq08="},
		},
		Settings: []debug.BuildSetting{{Key: "-trimpath", Value: "true"}, {Key: "CGO_ENABLED", Value: "0"}, {Key: "GOOS", Value: "linux"}, {Key: "vcs.revision", Value: "0123456789abcdef"}},
	}
	res, err := Self(info, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "1 of 4 Go dependencies are not in the module cache") {
		t.Errorf("warnings = %q", res.Warnings)
	}
	got := encodeJSON(t, res.BOM)
	validateBOM(t, got, "1.6")
	golden(t, "self.cdx.json", got)
}

func TestSelfWithoutBuildInfo(t *testing.T) {
	t.Parallel()
	if _, err := Self(nil, Options{}); err == nil || !strings.Contains(err.Error(), "no module build information") {
		t.Errorf("err = %v, want one saying the binary has no build information", err)
	}
}

func TestEncodeFormats(t *testing.T) {
	t.Parallel()
	res, err := Generate(context.Background(), filepath.Join("testdata", "repos", "gonpm"), testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Run("json 1.5 validates against the 1.5 schema", func(t *testing.T) {
		t.Parallel()
		var buf bytes.Buffer
		if err := Encode(&buf, res.BOM, FormatJSON, cdx.SpecVersion1_5); err != nil {
			t.Fatal(err)
		}
		if !bytes.Contains(buf.Bytes(), []byte(`"specVersion": "1.5"`)) {
			t.Errorf("no 1.5 spec version in:\n%s", buf.Bytes())
		}
		validateBOM(t, buf.Bytes(), "1.5")
	})
	for _, spec := range []cdx.SpecVersion{cdx.SpecVersion1_5, cdx.SpecVersion1_6} {
		t.Run("xml round trip "+spec.String(), func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			if err := Encode(&buf, res.BOM, FormatXML, spec); err != nil {
				t.Fatal(err)
			}
			if want := `xmlns="http://cyclonedx.org/schema/bom/` + spec.String() + `"`; !bytes.Contains(buf.Bytes(), []byte(want)) {
				t.Errorf("XML lacks %s", want)
			}
			var back cdx.BOM
			if err := cdx.NewBOMDecoder(&buf, cdx.BOMFileFormatXML).Decode(&back); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(graphOf(res.BOM), graphOf(&back)); diff != "" {
				t.Errorf("the XML does not decode to the same components and graph (-want +got):\n%s", diff)
			}
		})
	}
	t.Run("unsupported spec", func(t *testing.T) {
		t.Parallel()
		if err := Encode(&bytes.Buffer{}, res.BOM, FormatJSON, cdx.SpecVersion1_4); err == nil {
			t.Error("encoding 1.4 succeeded")
		}
	})
}

func TestSerials(t *testing.T) {
	t.Parallel()
	urn := regexp.MustCompile(`^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-([0-9a-f])[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
	tests := []struct {
		name        string
		a, b        string
		wantVersion string
		wantSame    bool
	}{
		{name: "content serial is stable", a: ContentSerial([]byte("x")), b: ContentSerial([]byte("x")), wantVersion: "8", wantSame: true},
		{name: "content serial follows content", a: ContentSerial([]byte("x")), b: ContentSerial([]byte("y")), wantVersion: "8"},
		{name: "random serial", a: RandomSerial(strings.NewReader(strings.Repeat("a", 16)))(nil),
			b: RandomSerial(strings.NewReader(strings.Repeat("b", 16)))(nil), wantVersion: "4"},
		{name: "random serial falls back to content", a: RandomSerial(strings.NewReader(""))([]byte("x")), b: ContentSerial([]byte("x")), wantVersion: "8", wantSame: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			m := urn.FindStringSubmatch(tc.a)
			if m == nil || m[1] != tc.wantVersion {
				t.Errorf("%q is not a version %s UUID URN", tc.a, tc.wantVersion)
			}
			if (tc.a == tc.b) != tc.wantSame {
				t.Errorf("%q vs %q: same = %v, want %v", tc.a, tc.b, tc.a == tc.b, tc.wantSame)
			}
		})
	}
}

func TestParseFormatAndSpec(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		format  string
		spec    string
		wantErr string
	}{
		{name: "defaults", format: "json", spec: "1.6"},
		{name: "xml 1.5", format: "XML", spec: "1.5"},
		{name: "bad format", format: "yaml", spec: "1.6", wantErr: `unknown format "yaml"`},
		{name: "bad spec", format: "json", spec: "1.4", wantErr: `unsupported CycloneDX spec version "1.4"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, ferr := ParseFormat(tc.format)
			_, serr := ParseSpec(tc.spec)
			err := ferr
			if err == nil {
				err = serr
			}
			if (err != nil) != (tc.wantErr != "") || err != nil && !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("err = %v, want %q", err, tc.wantErr)
			}
		})
	}
}
