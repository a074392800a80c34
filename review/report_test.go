package review

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// reportFindings cover every severity, a suggestion, a path needing URI
// escaping, a range, and two findings that differ only in line.
var reportFindings = []Finding{
	{Path: "z/last.go", Line: 3, Severity: SeverityInfo, Rule: "config/todo", Message: "resolve TODOs"},
	{Path: "cmd/main.go", Line: 12, EndLine: 14, Severity: SeverityError, Rule: RuleConflictMarker, Message: "merge conflict marker; resolve the conflict and remove the markers"},
	{Path: "cmd/main.go", Line: 4, Severity: SeverityError, Rule: "secret/aws-access-key", Message: "AWS access key id AKIA************ added; remove it, rotate the credential, and load it from the environment or a secret store"},
	{Path: "cmd/main.go", Line: 20, Severity: SeverityError, Rule: RuleConflictMarker, Message: "merge conflict marker; resolve the conflict and remove the markers"},
	{Path: "docs/with space/é.md", Line: 1, Severity: SeverityWarning, Rule: RuleGenericSecret, Message: "possible hard-coded secret q8#Z************", Suggestion: "password = os.Getenv(\"DB_PASSWORD\")"},
}

func TestReports(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, golden string
		write        func(*bytes.Buffer, []Finding) error
	}{
		{"text", "report.txt", func(b *bytes.Buffer, fs []Finding) error { return WriteText(b, fs) }},
		{"json", "report.json", func(b *bytes.Buffer, fs []Finding) error { return WriteJSON(b, fs) }},
		{"sarif", "report.sarif", func(b *bytes.Buffer, fs []Finding) error { return WriteSARIF(b, fs, "git-agent", "1.2.3") }},
		{"text empty", "empty.txt", func(b *bytes.Buffer, _ []Finding) error { return WriteText(b, nil) }},
		{"json empty", "empty.json", func(b *bytes.Buffer, _ []Finding) error { return WriteJSON(b, nil) }},
		{"sarif empty", "empty.sarif", func(b *bytes.Buffer, _ []Finding) error { return WriteSARIF(b, nil, "git-agent", "") }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var b bytes.Buffer
			in := append([]Finding{}, reportFindings...)
			if err := tc.write(&b, in); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(reportFindings, in); diff != "" {
				t.Errorf("writer modified its input:\n%s", diff)
			}
			golden := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./review -update)", err)
			}
			if diff := cmp.Diff(string(want), b.String()); diff != "" {
				t.Errorf("%s (-want +got):\n%s", golden, diff)
			}
			if strings.HasSuffix(tc.golden, ".sarif") {
				validateSARIF(t, b.Bytes())
			}
		})
	}
}

// validateSARIF checks the properties SARIF 2.1.0 requires, and the enums,
// of the parts we emit (the JSON schema is not available offline).
func validateSARIF(t *testing.T, data []byte) {
	t.Helper()
	var log map[string]any
	if err := json.Unmarshal(data, &log); err != nil {
		t.Fatal(err)
	}
	for k := range log {
		switch k {
		case "$schema", "version", "runs", "inlineExternalProperties", "properties":
		default:
			t.Errorf("sarifLog has property %q, which the schema forbids", k)
		}
	}
	if log["version"] != "2.1.0" || log["$schema"] != "https://json.schemastore.org/sarif-2.1.0.json" {
		t.Errorf("version %v, $schema %v", log["version"], log["$schema"])
	}
	runs := arr(t, log["runs"], "runs")
	if len(runs) != 1 {
		t.Fatalf("%d runs, want 1", len(runs))
	}
	run := obj(t, runs[0], "run")
	driver := obj(t, obj(t, run["tool"], "tool")["driver"], "driver")
	if s, _ := driver["name"].(string); s == "" {
		t.Error("tool.driver.name is required")
	}
	if u, _ := driver["informationUri"].(string); !strings.HasPrefix(u, "https://") {
		t.Errorf("informationUri %q is not an absolute URI", u)
	}
	levels := map[string]bool{"none": true, "note": true, "warning": true, "error": true}
	rules := arr(t, driver["rules"], "rules")
	ids := map[string]bool{}
	for _, r := range rules {
		rule := obj(t, r, "rule")
		id, _ := rule["id"].(string)
		if id == "" || ids[id] {
			t.Errorf("rule id %q empty or repeated", id)
		}
		ids[id] = true
		if s, _ := obj(t, rule["shortDescription"], "shortDescription")["text"].(string); s == "" {
			t.Errorf("rule %s: shortDescription.text is required", id)
		}
		if l, _ := obj(t, rule["defaultConfiguration"], "defaultConfiguration")["level"].(string); !levels[l] {
			t.Errorf("rule %s: level %q", id, l)
		}
	}
	fingerprints := map[string]bool{}
	for i, r := range arr(t, run["results"], "results") {
		res := obj(t, r, "result")
		if s, _ := obj(t, res["message"], "message")["text"].(string); s == "" {
			t.Errorf("result %d: message.text is required", i)
		}
		if l, _ := res["level"].(string); !levels[l] {
			t.Errorf("result %d: level %q", i, l)
		}
		idx, ok := res["ruleIndex"].(float64)
		if !ok || idx < 0 || int(idx) >= len(rules) || obj(t, rules[int(idx)], "rule")["id"] != res["ruleId"] {
			t.Errorf("result %d: ruleIndex %v does not point at ruleId %v", i, res["ruleIndex"], res["ruleId"])
		}
		for _, l := range arr(t, res["locations"], "locations") {
			pl := obj(t, obj(t, l, "location")["physicalLocation"], "physicalLocation")
			uri, _ := obj(t, pl["artifactLocation"], "artifactLocation")["uri"].(string)
			if uri == "" || strings.HasPrefix(uri, "/") || strings.ContainsAny(uri, `\ `) || strings.Contains(uri, "://") {
				t.Errorf("result %d: uri %q is not a relative URI reference with forward slashes", i, uri)
			}
			region := obj(t, pl["region"], "region")
			start, _ := region["startLine"].(float64)
			end, _ := region["endLine"].(float64)
			if start < 1 || end < start {
				t.Errorf("result %d: region %v", i, region)
			}
		}
		for k, v := range obj(t, res["partialFingerprints"], "partialFingerprints") {
			s, _ := v.(string)
			if s == "" || fingerprints[k+s] {
				t.Errorf("result %d: fingerprint %s=%v empty or repeated", i, k, v)
			}
			fingerprints[k+s] = true
		}
	}
}

func obj(t *testing.T, v any, what string) map[string]any {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("%s: want an object, got %T", what, v)
	}
	return m
}

func arr(t *testing.T, v any, what string) []any {
	t.Helper()
	a, ok := v.([]any)
	if !ok {
		t.Fatalf("%s: want an array, got %T", what, v)
	}
	return a
}
