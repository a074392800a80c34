package review

import (
	"strings"
	"testing"
)

func TestParseModelFindings(t *testing.T) {
	t.Parallel()
	files, err := ParseDiff(strings.NewReader(`diff --git a/x.go b/x.go
--- a/x.go
+++ b/x.go
@@ -1,3 +1,4 @@
 package x
-func A() {}
+func A() int { return 1 }
+func B() {}
 // end
`))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		answer    string
		wantRules []string
		dropped   int
		wantErr   bool
	}{
		{"anchored", `[{"path":"x.go","line":2,"severity":"error","rule":"nil-deref","message":"m"}]`, []string{"model/nil-deref"}, 0, false},
		{"fenced with prose", "Here:\n```json\n[{\"path\":\"x.go\",\"line\":3,\"end_line\":4,\"severity\":\"warning\",\"rule\":\"r\",\"message\":\"m\"}]\n```", []string{"model/r"}, 0, false},
		{"removed line is not an anchor", `[{"path":"x.go","line":9,"severity":"error","rule":"r","message":"m"}]`, nil, 1, false},
		{"other file", `[{"path":"y.go","line":2,"severity":"error","rule":"r","message":"m"}]`, nil, 1, false},
		{"range leaves the hunk", `[{"path":"x.go","line":3,"end_line":7,"severity":"error","rule":"r","message":"m"}]`, nil, 1, false},
		{"empty message dropped", `[{"path":"x.go","line":2,"severity":"error","rule":"r","message":" "}]`, nil, 1, false},
		{"unknown severity becomes warning", `[{"path":"x.go","line":2,"severity":"fatal","rule":"r","message":"m"}]`, []string{"model/r"}, 0, false},
		{"nothing", `[]`, nil, 0, false},
		{"not json", `looks fine to me`, nil, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, dropped, err := ParseModelFindings(tc.answer, files)
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v", err)
			}
			var rules []string
			for _, f := range got {
				rules = append(rules, f.Rule)
				if f.Severity != SeverityError && f.Severity != SeverityWarning && f.Severity != SeverityInfo {
					t.Errorf("severity %q", f.Severity)
				}
			}
			if strings.Join(rules, ",") != strings.Join(tc.wantRules, ",") || dropped != tc.dropped {
				t.Errorf("rules %v dropped %d, want %v dropped %d", rules, dropped, tc.wantRules, tc.dropped)
			}
		})
	}
	if s := NumberedDiff(files, 0); !strings.Contains(s, "     2 +func A() int") || !strings.Contains(s, "       -func A() {}") {
		t.Errorf("NumberedDiff:\n%s", s)
	}
}
