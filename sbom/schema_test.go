package sbom

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// schemas compiles the official CycloneDX JSON schemas kept in
// testdata/schema once per version; see testdata/schema/README.md.
var schemas = struct {
	sync.Mutex
	m map[string]*jsonschema.Schema
}{m: map[string]*jsonschema.Schema{}}

func cycloneDXSchema(t testing.TB, version string) *jsonschema.Schema {
	t.Helper()
	schemas.Lock()
	defer schemas.Unlock()
	if s, ok := schemas.m[version]; ok {
		return s
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	for _, name := range []string{"bom-" + version + ".schema.json", "spdx.schema.json", "jsf-0.82.schema.json"} {
		data, err := os.ReadFile(filepath.Join("testdata", "schema", name))
		if err != nil {
			t.Fatal(err)
		}
		// The npm copies name each other *.SNAPSHOT.schema.json.
		data = bytes.ReplaceAll(data, []byte(".SNAPSHOT.schema.json"), []byte(".schema.json"))
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if err := c.AddResource("http://cyclonedx.org/schema/"+name, doc); err != nil {
			t.Fatal(err)
		}
	}
	s, err := c.Compile("http://cyclonedx.org/schema/bom-" + version + ".schema.json")
	if err != nil {
		t.Fatalf("compile the CycloneDX %s schema: %v", version, err)
	}
	schemas.m[version] = s
	return s
}

// validateBOM fails the test unless data is a valid CycloneDX BOM of the
// given spec version.
func validateBOM(t testing.TB, data []byte, version string) {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("the BOM is not JSON: %v", err)
	}
	if err := cycloneDXSchema(t, version).Validate(doc); err != nil {
		t.Fatalf("the BOM does not validate against the CycloneDX %s schema:\n%v", version, err)
	}
}

func TestSchemaRejectsInvalidBOM(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		bom  string
	}{
		{"unknown SPDX id", `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"x","licenses":[{"license":{"id":"Not-A-License"}}]}]}`},
		{"bad serial number", `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"serialNumber":"urn:uuid:XYZ"}`},
		{"bad hash", `{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{"type":"library","name":"x","hashes":[{"alg":"SHA-256","content":"abc"}]}]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			doc, err := jsonschema.UnmarshalJSON(strings.NewReader(tc.bom))
			if err != nil {
				t.Fatal(err)
			}
			if err := cycloneDXSchema(t, "1.6").Validate(doc); err == nil {
				t.Error("the schema accepted an invalid BOM: validation would prove nothing")
			}
		})
	}
}
