package sbom

import (
	"bytes"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"
)

// bomWith is a BOM of one component with the given license expression
// ("" for none, as Generate leaves an unknown license).
func bomWith(expr string) *cdx.BOM {
	c := cdx.Component{Type: cdx.ComponentTypeLibrary, Name: "example.com/m", Version: "v1.0.0", BOMRef: "m"}
	setLicense(&c, expr, "")
	return &cdx.BOM{Components: &[]cdx.Component{c}}
}

func TestPolicyEvaluate(t *testing.T) {
	t.Parallel()
	strict := &Policy{Allow: []string{"MIT", "Apache-2.0", "BSD-*"}, Deny: []string{"GPL-*", "AGPL-*", "LGPL-*"}, Unknown: "fail"}
	tests := []struct {
		name     string
		policy   *Policy
		license  string
		wantFail bool
		wantWarn bool
		reason   string
	}{
		{name: "MIT passes", policy: DefaultPolicy(), license: "MIT"},
		{name: "GPL-3.0 fails", policy: DefaultPolicy(), license: "GPL-3.0-only", wantFail: true, reason: `GPL-3.0-only is denied (deny "GPL-*")`},
		{name: "old GPL id fails", policy: DefaultPolicy(), license: "GPL-3.0", wantFail: true, reason: "denied"},
		{name: "MIT OR GPL-3.0 passes", policy: DefaultPolicy(), license: "MIT OR GPL-3.0-only"},
		{name: "MIT AND GPL-3.0 fails", policy: DefaultPolicy(), license: "MIT AND GPL-3.0-only", wantFail: true, reason: "GPL-3.0-only is denied"},
		{name: "no allowed alternative", policy: DefaultPolicy(), license: "GPL-2.0-only OR AGPL-3.0-only", wantFail: true, reason: "no alternative is allowed"},
		{name: "LGPL denied by default", policy: DefaultPolicy(), license: "LGPL-2.1-only", wantFail: true, reason: `deny "LGPL-*"`},
		{name: "not in allow list", policy: DefaultPolicy(), license: "WTFPL", wantFail: true, reason: "WTFPL is not in the allow list"},
		{name: "case-insensitive", policy: DefaultPolicy(), license: "mit"},
		{name: "nested expression", policy: DefaultPolicy(), license: "(MIT OR GPL-2.0-only) AND Apache-2.0"},
		{name: "unknown warns by default", policy: DefaultPolicy(), license: "", wantWarn: true, reason: `no license found (unknown = "warn")`},
		{name: "unknown fails when told", policy: strict, license: "", wantFail: true, reason: `unknown = "fail"`},
		{name: "unknown allowed when told", policy: &Policy{Unknown: "allow"}, license: ""},
		{name: "wildcard allow", policy: strict, license: "BSD-2-Clause"},
		{name: "exact allow beats deny", policy: &Policy{Allow: []string{"GPL-2.0-only WITH Classpath-exception-2.0"}, Deny: []string{"GPL-*"}},
			license: "GPL-2.0-only WITH Classpath-exception-2.0"},
		{name: "exception does not escape deny", policy: DefaultPolicy(), license: "GPL-2.0-only WITH Classpath-exception-2.0", wantFail: true, reason: "denied"},
		{name: "empty allow list allows what is not denied", policy: &Policy{Deny: []string{"GPL-*"}, Unknown: "warn"}, license: "WTFPL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			rep := tc.policy.Evaluate(bomWith(tc.license))
			if rep.Checked != 1 {
				t.Errorf("checked %d components, want 1", rep.Checked)
			}
			if rep.Failed() != tc.wantFail {
				t.Errorf("Failed() = %v, want %v (findings %+v)", rep.Failed(), tc.wantFail, rep.Findings)
			}
			if want := tc.wantFail || tc.wantWarn; (len(rep.Findings) > 0) != want {
				t.Fatalf("findings %+v, want a finding: %v", rep.Findings, want)
			}
			if tc.reason != "" && !strings.Contains(rep.Findings[0].Reason, tc.reason) {
				t.Errorf("reason %q, want it to contain %q", rep.Findings[0].Reason, tc.reason)
			}
		})
	}
}

// TestPolicySkipsProjects: the repository's other projects (the npm
// package beside a Go module) are not dependencies; the policy does not
// check them, however strict, while their dependencies are checked.
func TestPolicySkipsProjects(t *testing.T) {
	t.Parallel()
	project := cdx.Component{Type: cdx.ComponentTypeApplication, Name: "web-ui", Version: "1.0.0", BOMRef: "pkg:npm/web-ui@1.0.0"}
	addProp(&project, PropProject, "true")
	dep := cdx.Component{Type: cdx.ComponentTypeLibrary, Name: "left-pad", Version: "1.3.0", BOMRef: "pkg:npm/left-pad@1.3.0"}
	bom := &cdx.BOM{Components: &[]cdx.Component{project, dep}}
	r := (&Policy{Unknown: "fail"}).Evaluate(bom)
	if r.Checked != 1 || len(r.Findings) != 1 || r.Findings[0].Component != "left-pad" {
		t.Errorf("Evaluate = %+v, want only left-pad checked (and failing: no license)", r)
	}
}

func TestParsePolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		data    string
		want    *Policy
		wantErr string
	}{
		{name: "toml", data: "allow = [\"MIT\"]\ndeny = [\"GPL-*\"]\nunknown = \"fail\"\n",
			want: &Policy{Allow: []string{"MIT"}, Deny: []string{"GPL-*"}, Unknown: "fail"}},
		{name: "json", data: `{"allow": ["MIT", "ISC"], "unknown": "allow"}`,
			want: &Policy{Allow: []string{"MIT", "ISC"}, Unknown: "allow"}},
		{name: "unknown defaults to warn", data: `deny = ["AGPL-*"]`, want: &Policy{Deny: []string{"AGPL-*"}, Unknown: "warn"}},
		{name: "typo in toml key", data: "alow = [\"MIT\"]\n", wantErr: `unknown key "alow"`},
		{name: "typo in json key", data: `{"deny": [], "unkown": "fail"}`, wantErr: `unknown field "unkown"`},
		{name: "bad unknown value", data: `unknown = "maybe"`, wantErr: `use "warn", "fail" or "allow"`},
		{name: "bad pattern", data: `deny = ["GPL-["]`, wantErr: "is not a license pattern"},
		{name: "not toml", data: "allow = [MIT]", wantErr: "read the policy p.toml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePolicy("p.toml", []byte(tc.data))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("policy (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDefaultPolicy(t *testing.T) {
	t.Parallel()
	want := &Policy{
		Allow:   []string{"MIT", "Apache-2.0", "BSD-2-Clause", "BSD-3-Clause", "ISC", "MPL-2.0", "Unlicense", "CC0-1.0"},
		Deny:    []string{"GPL-*", "AGPL-*", "LGPL-*"},
		Unknown: "warn",
	}
	if diff := cmp.Diff(want, DefaultPolicy()); diff != "" {
		t.Errorf("default policy (-want +got):\n%s", diff)
	}
}

func TestPolicyReportWrite(t *testing.T) {
	t.Parallel()
	rep := &PolicyReport{Checked: 3, Findings: []Finding{
		{Component: "left-pad", Version: "1.3.0", License: "unknown", Reason: `no license found (unknown = "warn")`},
		{Component: "example.com/gpl", Version: "v1.0.0", License: "GPL-3.0-only", Reason: `GPL-3.0-only is denied (deny "GPL-*")`, Fail: true},
	}}
	var buf bytes.Buffer
	if err := rep.Write(&buf); err != nil {
		t.Fatal(err)
	}
	want := `FAIL  example.com/gpl  v1.0.0  GPL-3.0-only  GPL-3.0-only is denied (deny "GPL-*")
WARN  left-pad         1.3.0   unknown       no license found (unknown = "warn")
license policy FAILED: 3 component(s) checked, 1 violation(s), 1 warning(s)
`
	if diff := cmp.Diff(want, buf.String()); diff != "" {
		t.Errorf("report (-want +got):\n%s", diff)
	}
}
