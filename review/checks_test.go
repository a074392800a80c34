package review

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Fake credentials are assembled at run time so that this file does not
// itself look like it leaks secrets to scanners (ours included).
func fake(prefix, unit string, n int) string { return prefix + strings.Repeat(unit, n) }

// addedFile is a new file whose lines are all added.
func addedFile(path string, lines ...string) FileDiff {
	h := Hunk{NewStart: 1, NewLines: len(lines)}
	for i, l := range lines {
		h.Lines = append(h.Lines, Line{Kind: '+', Text: l, NewLine: i + 1})
	}
	return FileDiff{NewPath: path, Added: true, Hunks: []Hunk{h}}
}

func TestCheckSecretShapes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		line string
		rule string // "" means no finding
	}{
		{"aws access key", `key := "AKIAIOSFODNN7EXAMPLE"`, "secret/aws-access-key"},
		{"aws sts key", "ASIA" + fake("", "ABCD", 4), "secret/aws-access-key"},
		{"aws access key too short", `key := "AKIAIOSFODNN7EXAMPL"`, ""},
		{"aws secret key", `aws_secret_access_key = "` + fake("", "wJalrXUtnF", 4) + `"`, "secret/aws-secret-key"},
		{"aws secret key wrong length", `aws_secret_access_key = "` + fake("", "wJalrXUtnF", 3) + `"`, ""},
		{"github classic token", "token: " + fake("ghp_", "a1B2", 9), "secret/github-token"},
		{"github app token", fake("ghs_", "Zz09", 9), "secret/github-token"},
		{"github fine-grained token", fake("github_pat_", "A1", 11) + "_" + fake("", "b2C3d", 12), "secret/github-token"},
		{"github prefix but short", fake("ghp_", "a1B2", 8), ""},
		{"github unknown kind", fake("ghx_", "a1B2", 9), ""},
		{"openai legacy key", fake("sk-", "Ab12", 12), "secret/openai-key"},
		{"openai project key", fake("sk-proj-", "Ab1_", 12), "secret/openai-key"},
		{"openai near miss", "sk-learn is a library; sk-short", ""},
		{"anthropic key", fake("sk-ant-api03-", "Xy9-", 20), "secret/anthropic-key"},
		{"anthropic near miss", "sk-ant-api03-short", ""},
		{"slack bot token", "xoxb-123456789012-" + fake("", "AbC1", 6), "secret/slack-token"},
		{"slack near miss", "xoxo-123456789012-abcdefgh", ""},
		{"google api key", `k = "` + fake("AIza", "Sy0_a-B", 5) + `"`, "secret/google-api-key"},
		{"google api key too short", `k = "` + fake("AIza", "Sy0_a-B", 4) + `"`, ""},
		{"rsa private key", "-----BEGIN RSA PRIVATE KEY-----", "secret/private-key"},
		{"openssh private key", "-----BEGIN OPENSSH PRIVATE KEY-----", "secret/private-key"},
		{"public key", "-----BEGIN PUBLIC KEY-----", ""},
		{"jwt", fake("eyJ", "hbGci", 4) + "." + fake("eyJ", "zdWIi", 4) + "." + fake("", "SflK_", 5), "secret/jwt"},
		{"jwt near miss", "eyJhbGci.notajwt", ""},
		{"generic high entropy", `db_password = "` + "q8#Zr!2vLp9@xW4k" + `"`, RuleGenericSecret},
		{"generic yaml token", `  api_token: "` + "Tz7$Qm3nR8pVw2Ls" + `"`, RuleGenericSecret},
		{"generic low entropy", `password = "password123"`, ""},
		{"generic from env", `password = os.Getenv("DB_PASSWORD")`, ""},
		{"generic template", `password = "${DATABASE_PASSWORD_VALUE}"`, ""},
		{"generic angle placeholder", `password = "<your-Db-Passw0rd-here>"`, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Check([]FileDiff{addedFile("f.txt", tc.line)}, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var rules []string
			for _, f := range got {
				rules = append(rules, f.Rule)
				if strings.HasPrefix(f.Rule, "secret/") && f.Rule != "secret/private-key" && len(tc.line) > 20 && strings.Contains(f.Message, tc.line[len(tc.line)-12:]) {
					t.Errorf("message leaks the secret: %s", f.Message)
				}
			}
			var want []string
			if tc.rule != "" {
				want = []string{tc.rule}
			}
			if diff := cmp.Diff(want, rules); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	t.Parallel()
	big := make([]string, 20)
	for i := range big {
		big[i] = strings.Repeat("x", 99)
	}
	modified := FileDiff{OldPath: "m.go", NewPath: "m.go", Hunks: []Hunk{{OldStart: 5, OldLines: 2, NewStart: 5, NewLines: 2, Lines: []Line{
		{' ', "ctx", 5, 5}, {'-', "AKIAIOSFODNN7EXAMPLE", 6, 0}, {'+', "<<<<<<< HEAD", 0, 6}}}}}
	tests := []struct {
		name    string
		files   []FileDiff
		opts    Options
		want    []Finding
		wantErr string
	}{
		{"conflict block", []FileDiff{addedFile("a.go", "<<<<<<< HEAD", "x", "=======", "y", ">>>>>>> branch")}, Options{}, []Finding{
			conflictFinding("a.go", 1), conflictFinding("a.go", 3), conflictFinding("a.go", 5)}, ""},
		{"setext heading is not a marker", []FileDiff{addedFile("README.md", "Title", "=======", "<<<<<<<<< not a marker")}, Options{}, nil, ""},
		{"only added lines count", []FileDiff{modified}, Options{}, []Finding{conflictFinding("m.go", 6)}, ""},
		{"deleted file ignored", []FileDiff{{OldPath: "k", Deleted: true, Hunks: []Hunk{{OldStart: 1, OldLines: 1, Lines: []Line{{'-', "AKIAIOSFODNN7EXAMPLE", 1, 0}}}}}}, Options{}, nil, ""},
		{"large file", []FileDiff{addedFile("big.txt", big...)}, Options{MaxFileBytes: 1000}, []Finding{{Path: "big.txt", Line: 1, Severity: SeverityWarning, Rule: RuleLargeFile,
			Message: "adds 2000 bytes (limit 1000); large files slow every clone: use Git LFS or keep them out of the repository"}}, ""},
		{"large file under default", []FileDiff{addedFile("big.txt", big...)}, Options{}, nil, ""},
		{"binary added", []FileDiff{{NewPath: "a.png", Added: true, Binary: true}, {OldPath: "b.png", NewPath: "b.png", Binary: true}}, Options{}, []Finding{{Path: "a.png", Line: 1, Severity: SeverityWarning, Rule: RuleBinaryFile,
			Message: "binary file added; keep build outputs and large assets out of the repository, or use Git LFS"}}, ""},
		{"configured rules", []FileDiff{addedFile("secrets/prod.env", "A=1"), addedFile("pkg/x.go", "fmt.Println(1)", "// TODO fix"), addedFile("a/b/key.pem", "k")}, Options{Rules: []Rule{
			{Name: "no-secrets-dir", Paths: []string{"secrets/**"}},
			{Name: "no-pem", Paths: []string{"*.pem"}, Severity: SeverityWarning, Message: "no PEM files"},
			{Name: "no-println", Pattern: `fmt\.Print`, Paths: []string{"pkg/*.go"}, Severity: SeverityInfo},
			{Name: "todo", Pattern: `TODO`, Severity: SeverityWarning, Message: "resolve TODOs"},
		}}, []Finding{
			{Path: "a/b/key.pem", Line: 1, Severity: SeverityWarning, Rule: "config/no-pem", Message: "no PEM files"},
			{Path: "pkg/x.go", Line: 1, Severity: SeverityInfo, Rule: "config/no-println", Message: "line matches rule no-println"},
			{Path: "pkg/x.go", Line: 2, Severity: SeverityWarning, Rule: "config/todo", Message: "resolve TODOs"},
			{Path: "secrets/prod.env", Line: 1, Severity: SeverityError, Rule: "config/no-secrets-dir", Message: "path is forbidden by rule no-secrets-dir"},
		}, ""},
		{"two keys on a line report once", []FileDiff{addedFile("k", "AKIAIOSFODNN7EXAMPLE AKIAIOSFODNN7EXAMPLF")}, Options{}, []Finding{{Path: "k", Line: 1, Severity: SeverityError, Rule: "secret/aws-access-key",
			Message: "AWS access key id AKIA************ added; remove it, rotate the credential, and load it from the environment or a secret store"}}, ""},
		{"bad pattern", nil, Options{Rules: []Rule{{Name: "x", Pattern: "("}}}, nil, "review rule x: pattern"},
		{"bad glob", nil, Options{Rules: []Rule{{Name: "x", Paths: []string{"["}}}}, nil, "review rule x: path"},
		{"rule without name", nil, Options{Rules: []Rule{{Pattern: "x"}}}, nil, "without a name"},
		{"empty rule", nil, Options{Rules: []Rule{{Name: "x"}}}, nil, "set paths, pattern or both"},
		{"bad severity", nil, Options{Rules: []Rule{{Name: "x", Pattern: "x", Severity: "fatal"}}}, nil, "unknown severity"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Check(tc.files, tc.opts)
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
				t.Errorf("Check (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMaskAndSummary(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, want string }{{"abc", "***"}, {"abcde", "abcd*"}, {strings.Repeat("z", 40), "zzzz" + strings.Repeat("*", 12)}} {
		if got := Mask(tc.in); got != tc.want {
			t.Errorf("Mask(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	e, w, i := Summary([]Finding{{Severity: SeverityError}, {Severity: SeverityWarning}, {Severity: SeverityWarning}, {Severity: SeverityInfo}})
	if diff := cmp.Diff([3]int{1, 2, 1}, [3]int{e, w, i}); diff != "" {
		t.Errorf("Summary (-want +got):\n%s", diff)
	}
}

// syntheticDiff is a diff of n new files of ~50 lines, every tenth holding
// a planted secret.
func syntheticDiff(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "diff --git a/pkg/f%d.go b/pkg/f%d.go\nnew file mode 100644\n--- /dev/null\n+++ b/pkg/f%d.go\n@@ -0,0 +1,50 @@\n", i, i, i)
		for j := range 50 {
			switch {
			case i%10 == 0 && j == 25:
				fmt.Fprintf(&b, "+\tconst key = %q // planted\n", "AKIA"+fmt.Sprintf("%016d", i))
			case i%10 == 5 && j == 10:
				fmt.Fprintf(&b, "+\tpassword := %q\n", "q8#Zr!2vLp9@xW4k")
			default:
				fmt.Fprintf(&b, "+\tresult%d := compute(ctx, input[%d], \"value %d\") // a typical line of code\n", j, j, i*j)
			}
		}
	}
	return b.String()
}

func BenchmarkCheck100Files(b *testing.B) {
	files, err := ParseDiff(strings.NewReader(syntheticDiff(100)))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		fs, err := Check(files, Options{})
		if err != nil || len(fs) != 20 {
			b.Fatalf("Check = %d findings, %v; want 20", len(fs), err)
		}
	}
}

func BenchmarkParseAndCheck100Files(b *testing.B) {
	diff := syntheticDiff(100)
	b.SetBytes(int64(len(diff)))
	for b.Loop() {
		files, err := ParseDiff(strings.NewReader(diff))
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Check(files, Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
