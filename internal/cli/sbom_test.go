package cli

import (
	"bytes"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestSBOMFlags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    []string
		want    SBOMOptions
		wantErr string
	}{
		{name: "defaults", want: SBOMOptions{Dir: "/", Format: "json", Spec: "1.6"}},
		{name: "everything", args: []string{"repo", "-o", "out.xml", "--format", "xml", "--spec", "1.5", "--policy", "default"},
			want: SBOMOptions{Dir: "repo", Output: "out.xml", Format: "xml", Spec: "1.5", Policy: "default"}},
		{name: "self", args: []string{"--self"}, want: SBOMOptions{Dir: "/", Format: "json", Spec: "1.6", Self: true}},
		{name: "self takes no dir", args: []string{"--self", "repo"}, wantErr: "take no DIR"},
		{name: "binary takes no dir", args: []string{"--binary", "x", "repo"}, wantErr: "take no DIR"},
		{name: "self or binary", args: []string{"--self", "--binary", "x"}, wantErr: "exclude each other"},
		{name: "one dir only", args: []string{"a", "b"}, wantErr: "accepts at most 1 arg"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f, _, _ := testFactory("")
			got, err := parseFlags(t, f, NewCmdSBOM, tc.args)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, *got, cmpopts.IgnoreFields(SBOMOptions{}, "IO", "Context", "Getenv", "Now", "Rand", "BuildInfo")); diff != "" {
				t.Errorf("options (-want +got):\n%s", diff)
			}
		})
	}
}

// sbomFixture is a repository under sbom/testdata and the fake module
// cache next to them.
func sbomFixture(t *testing.T, repo string) (dir, cache string) {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", "sbom", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(root, "repos", repo), filepath.Join(root, "modcache")
}

func runSBOM(t *testing.T, opts SBOMOptions, env map[string]string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	opts.IO = Test(strings.NewReader(""), &out, &errOut)
	opts.Getenv = func(k string) string { return env[k] }
	opts.Now = func() time.Time { return time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC) }
	opts.Rand = strings.NewReader(strings.Repeat("r", 64))
	opts.BuildInfo = debug.ReadBuildInfo
	if opts.Format == "" {
		opts.Format = "json"
	}
	if opts.Spec == "" {
		opts.Spec = "1.6"
	}
	err := sbomRun(&opts)
	return ExitCode(err), out.String(), errOut.String() + errString(err)
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

func TestSBOMRun(t *testing.T) {
	t.Parallel()
	gonpm, cache := sbomFixture(t, "gonpm")
	gpl, _ := sbomFixture(t, "gpl")
	goonly, _ := sbomFixture(t, "goonly")
	env := map[string]string{"GOMODCACHE": cache}
	badLock := t.TempDir()
	if err := os.WriteFile(filepath.Join(badLock, "package-lock.json"), []byte("{\n\"lockfileVersion\": 3,\n}"), 0o644); err != nil {
		t.Fatal(err)
	}
	policyFile := filepath.Join(t.TempDir(), "policy.json")
	if err := os.WriteFile(policyFile, []byte(`{"deny": ["MIT"]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		opts       SBOMOptions
		env        map[string]string
		wantCode   int
		wantOut    string
		wantStderr []string
	}{
		{name: "json to stdout", opts: SBOMOptions{Dir: gonpm}, env: env, wantOut: `"purl": "pkg:npm/%40scope/widget@2.1.0"`},
		{name: "xml", opts: SBOMOptions{Dir: gonpm, Format: "xml"}, env: env, wantOut: `<purl>pkg:golang/example.com/alpha@v1.2.0</purl>`},
		{name: "spec 1.5", opts: SBOMOptions{Dir: gonpm, Spec: "1.5"}, env: env, wantOut: `"specVersion": "1.5"`},
		{name: "default policy passes", opts: SBOMOptions{Dir: goonly, Policy: "default"}, env: env, wantOut: `"bomFormat"`,
			wantStderr: []string{"license policy passed: 5 component(s) checked, 0 violation(s), 0 warning(s)"}},
		{name: "default policy: not allowed, unknown warns", opts: SBOMOptions{Dir: gonpm, Policy: "default"}, env: env, wantCode: ExitFailed,
			wantStderr: []string{"FAIL  left-pad  1.3.0  WTFPL    WTFPL is not in the allow list", "WARN  tester    0.5.1  unknown  no license found", "license policy FAILED"}},
		{name: "default policy fails on GPL", opts: SBOMOptions{Dir: gpl, Policy: "default"}, env: env, wantCode: ExitFailed, wantOut: `"bomFormat"`,
			wantStderr: []string{"FAIL  example.com/gpl  v1.0.0  GPL-3.0-only  GPL-3.0-only is denied (deny \"GPL-*\")", "license policy FAILED"}},
		{name: "policy file", opts: SBOMOptions{Dir: gpl, Policy: policyFile}, env: env, wantCode: ExitFailed,
			wantStderr: []string{"FAIL  example.com/alpha", `MIT is denied (deny "MIT")`}},
		{name: "missing policy file", opts: SBOMOptions{Dir: gpl, Policy: "nope.toml"}, env: env, wantCode: ExitUsage,
			wantStderr: []string{"read the policy: open nope.toml", "--policy default"}},
		{name: "not a directory", opts: SBOMOptions{Dir: filepath.Join(gonpm, "go.mod")}, env: env, wantCode: ExitUsage,
			wantStderr: []string{"go.mod: not a directory"}},
		{name: "malformed lockfile", opts: SBOMOptions{Dir: badLock}, env: env, wantCode: ExitFailed,
			wantStderr: []string{"package-lock.json:3: invalid character '}'"}},
		{name: "bad format", opts: SBOMOptions{Dir: gonpm, Format: "yaml"}, env: env, wantCode: ExitUsage, wantStderr: []string{`unknown format "yaml"`}},
		{name: "bad spec", opts: SBOMOptions{Dir: gonpm, Spec: "2.0"}, env: env, wantCode: ExitUsage, wantStderr: []string{"use 1.5 or 1.6"}},
		{name: "bad SOURCE_DATE_EPOCH", opts: SBOMOptions{Dir: gonpm}, env: map[string]string{"SOURCE_DATE_EPOCH": "yesterday"}, wantCode: ExitUsage,
			wantStderr: []string{`SOURCE_DATE_EPOCH="yesterday"`}},
		{name: "no module cache", opts: SBOMOptions{Dir: gonpm}, env: map[string]string{}, wantOut: `"bomFormat"`,
			wantStderr: []string{"warning: no Go module cache found"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			code, out, errOut := runSBOM(t, tc.opts, tc.env)
			if code != tc.wantCode {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, errOut)
			}
			if !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout lacks %q:\n%s", tc.wantOut, out)
			}
			for _, w := range tc.wantStderr {
				if !strings.Contains(errOut, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errOut)
				}
			}
		})
	}
}

func TestSBOMReproducible(t *testing.T) {
	t.Parallel()
	dir, cache := sbomFixture(t, "gonpm")
	env := map[string]string{"GOMODCACHE": cache, "SOURCE_DATE_EPOCH": "1700000000"}
	_, first, _ := runSBOM(t, SBOMOptions{Dir: dir}, env)
	_, second, _ := runSBOM(t, SBOMOptions{Dir: dir}, env)
	if first != second {
		t.Errorf("two runs with SOURCE_DATE_EPOCH differ:\n%s", cmp.Diff(first, second))
	}
	if !strings.Contains(first, `"timestamp": "2023-11-14T22:13:20Z"`) {
		t.Errorf("the timestamp is not SOURCE_DATE_EPOCH:\n%s", first)
	}
	_, random, _ := runSBOM(t, SBOMOptions{Dir: dir}, map[string]string{"GOMODCACHE": cache})
	if !strings.Contains(random, `"serialNumber": "urn:uuid:72727272-7272-4272-b272-727272727272"`) {
		t.Errorf("without SOURCE_DATE_EPOCH the serial number is not drawn from Rand:\n%s", random)
	}
}

func TestSBOMOutputFile(t *testing.T) {
	t.Parallel()
	dir, cache := sbomFixture(t, "goonly")
	outDir := t.TempDir()
	out := filepath.Join(outDir, "bom.cdx.json")
	if err := os.WriteFile(out, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runSBOM(t, SBOMOptions{Dir: dir, Output: out}, map[string]string{"GOMODCACHE": cache})
	if code != 0 || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %s", code, stdout, stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil || !bytes.Contains(data, []byte(`"name": "example.com/app"`)) {
		t.Fatalf("%s: %v\n%s", out, err, data)
	}
	entries, _ := os.ReadDir(outDir)
	if len(entries) != 1 {
		t.Errorf("%s holds %d entries, want only the SBOM (no temporary file left)", outDir, len(entries))
	}
	code, _, stderr = runSBOM(t, SBOMOptions{Dir: dir, Output: filepath.Join(outDir, "missing", "bom.json")}, nil)
	if code != ExitFailed || !strings.Contains(stderr, "check that its directory exists") {
		t.Errorf("writing into a missing directory: exit %d, stderr %s", code, stderr)
	}
}
