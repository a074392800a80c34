package sbom

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func TestParseRequirements(t *testing.T) {
	t.Parallel()
	sha := "sha256:" + strings.Repeat("ab", 32)
	tests := []struct {
		name      string
		in        string
		want      []pyRequirement
		wantNotes int
		wantErr   string
	}{
		{name: "pinned", in: "requests==2.32.3\n", want: []pyRequirement{{Name: "requests", Version: "2.32.3", Line: 1}}},
		{name: "arbitrary equality", in: "foo===1.0-custom\n", want: []pyRequirement{{Name: "foo", Version: "1.0-custom", Line: 1}}},
		{name: "unpinned range", in: "urllib3>=1.21,<3\n", want: []pyRequirement{{Name: "urllib3", Constraint: ">=1.21,<3", Line: 1}}},
		{name: "wildcard is not pinned", in: "django==4.*\n", want: []pyRequirement{{Name: "django", Constraint: "==4.*", Line: 1}}},
		{name: "bare name", in: "certifi\n", want: []pyRequirement{{Name: "certifi", Line: 1}}},
		{name: "extras markers and comment", in: "Flask_Login[a,b] == 0.6.3 ; python_version >= \"3.8\"  # web\n",
			want: []pyRequirement{{Name: "Flask_Login", Version: "0.6.3", Line: 1}}},
		{name: "hashes across continuation lines", in: "# top\nrequests==2.32.3 \\\n    --hash=" + sha + " \\\n    --hash " + sha + "\nidna==3.7\n",
			want: []pyRequirement{
				{Name: "requests", Version: "2.32.3", Line: 2, Hashes: []cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: strings.Repeat("ab", 32)}, {Algorithm: cdx.HashAlgoSHA256, Value: strings.Repeat("ab", 32)}}},
				{Name: "idna", Version: "3.7", Line: 5},
			}},
		{name: "options and skipped lines", in: "--index-url https://x/simple\n-r other.txt\n--requirement=more.txt\n-e .\nhttps://x/pkg.whl\npkg @ https://x/pkg.zip\n./local\n",
			wantNotes: 6},
		{name: "crlf", in: "a==1\r\nb==2\r\n", want: []pyRequirement{{Name: "a", Version: "1", Line: 1}, {Name: "b", Version: "2", Line: 2}}},
		{name: "not a requirement", in: "ok==1\n==2.0\n", wantErr: "requirements.txt:2"},
		{name: "bad specifier", in: "pkg=1.0\n", wantErr: `"=1.0" is not a version specifier`},
		{name: "unclosed extras", in: "pkg[a==1\n", wantErr: "unclosed ["},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, notes, err := parseRequirements("requirements.txt", []byte(tc.in))
			if tc.wantErr != "" {
				var pe *ParseError
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want a ParseError containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("requirements (-want +got):\n%s", diff)
			}
			if len(notes) != tc.wantNotes {
				t.Errorf("notes = %q, want %d", notes, tc.wantNotes)
			}
		})
	}
}

// graphOf summarises a BOM as "ref -> dep dep" lines and "ref scope
// dependency" facts, for tests that care about structure, not layout.
func graphOf(bom *cdx.BOM) []string {
	var out []string
	if bom.Components != nil {
		for _, c := range *bom.Components {
			dep := ""
			if c.Properties != nil {
				for _, p := range *c.Properties {
					if p.Name == PropDependency {
						dep = p.Value
					}
				}
			}
			out = append(out, strings.Join(strings.Fields(strings.Join([]string{c.BOMRef, string(c.Scope), dep, licenseOf(&c)}, " ")), " "))
		}
	}
	for _, d := range *bom.Dependencies {
		line := d.Ref + " ->"
		if d.Dependencies != nil {
			line += " " + strings.Join(*d.Dependencies, " ")
		}
		out = append(out, line)
	}
	return out
}

func generateFiles(t *testing.T, files map[string]string) (*Result, error) {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	opts := testOptions(t)
	return Generate(context.Background(), dir, opts)
}

func TestNPMLockfileVersions(t *testing.T) {
	t.Parallel()
	v1 := `{
  "name": "app", "version": "1.0.0", "lockfileVersion": 1, "requires": true,
  "dependencies": {
    "a": {"version": "1.0.0", "integrity": "sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk=", "requires": {"b": "^2.0.0"},
      "dependencies": {"b": {"version": "2.0.0"}}},
    "b": {"version": "1.0.0", "dev": true},
    "str": {"version": "npm:string-width@4.2.3", "requires": {"b": "*"}}
  }
}`
	v2 := `{
  "name": "app", "version": "1.0.0", "lockfileVersion": 2, "requires": true,
  "packages": {
    "": {"name": "app", "version": "1.0.0", "dependencies": {"a": "^1.0.0", "ws": "*"}},
    "node_modules/a": {"version": "1.0.0", "license": "ISC", "dependencies": {"b": "^2.0.0"}},
    "node_modules/a/node_modules/b": {"version": "2.0.0", "license": "MIT", "optional": true},
    "node_modules/b": {"version": "1.0.0", "dev": true},
    "node_modules/ws": {"resolved": "packages/ws", "link": true},
    "packages/ws": {"name": "ws-pkg", "version": "0.1.0", "dependencies": {"b": "*"}}
  },
  "dependencies": {"a": {"version": "1.0.0"}}
}`
	tests := []struct {
		name string
		lock string
		want []string
	}{
		{name: "lockfileVersion 1", lock: v1, want: []string{
			// Without package.json, the top-level packages nothing requires
			// are taken as direct.
			"pkg:npm/a@1.0.0 direct", "pkg:npm/b@1.0.0 optional indirect", "pkg:npm/b@2.0.0 indirect", "pkg:npm/string-width@4.2.3 direct",
			"pkg:npm/app@1.0.0 -> pkg:npm/a@1.0.0 pkg:npm/string-width@4.2.3",
			"pkg:npm/a@1.0.0 -> pkg:npm/b@2.0.0", "pkg:npm/b@1.0.0 ->", "pkg:npm/b@2.0.0 ->", "pkg:npm/string-width@4.2.3 -> pkg:npm/b@1.0.0",
		}},
		{name: "lockfileVersion 2 with workspace link", lock: v2, want: []string{
			"pkg:npm/a@1.0.0 direct ISC", "pkg:npm/b@1.0.0 optional indirect", "pkg:npm/b@2.0.0 optional indirect MIT", "pkg:npm/ws-pkg@0.1.0 indirect",
			"pkg:npm/app@1.0.0 -> pkg:npm/a@1.0.0 pkg:npm/ws-pkg@0.1.0",
			"pkg:npm/a@1.0.0 -> pkg:npm/b@2.0.0", "pkg:npm/b@1.0.0 ->", "pkg:npm/b@2.0.0 ->", "pkg:npm/ws-pkg@0.1.0 -> pkg:npm/b@1.0.0",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			res, err := generateFiles(t, map[string]string{"package-lock.json": tc.lock})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, graphOf(res.BOM)); diff != "" {
				t.Errorf("graph (-want +got):\n%s", diff)
			}
			validateBOM(t, encodeJSON(t, res.BOM), "1.6")
		})
	}
}

func TestGenerateErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		files     map[string]string
		wantParse string // a ParseError with this text
		wantInput string // an InputError with this text
	}{
		{name: "malformed package-lock", files: map[string]string{"package-lock.json": "{\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {,}\n}"},
			wantParse: "package-lock.json:4: invalid character ','"},
		{name: "wrong type in package-lock", files: map[string]string{"package-lock.json": "{\n\"lockfileVersion\": \"3\"\n}"},
			wantParse: "package-lock.json:2:"},
		{name: "unsupported lockfileVersion", files: map[string]string{"package-lock.json": `{"lockfileVersion": 9}`},
			wantParse: "lockfileVersion 9 is not 1, 2 or 3"},
		{name: "malformed go.mod", files: map[string]string{"go.mod": "module example.com/x\n\nrequire (\n\texample.com/y\n)\n"},
			wantParse: "go.mod:4:"},
		{name: "go.mod without module", files: map[string]string{"go.mod": "go 1.22\n"}, wantParse: "no module directive"},
		{name: "malformed go.sum", files: map[string]string{"go.mod": "module example.com/x\n", "go.sum": "example.com/y v1.0.0\n"},
			wantParse: "go.sum:1: want \"module version hash\""},
		{name: "malformed poetry.lock", files: map[string]string{"poetry.lock": "[[package]]\nname = \"x\"\nversion = \n"},
			wantParse: "poetry.lock:3:"},
		{name: "malformed uv.lock", files: map[string]string{"uv.lock": "version = 1\n[[package]\n"}, wantParse: "uv.lock:3: expected end of table array name"},
		{name: "malformed requirements", files: map[string]string{"requirements.txt": "ok==1\n<2\n"}, wantParse: "requirements.txt:2:"},
		{name: "unreadable lockfile", files: map[string]string{"package-lock.json/x": ""}, wantInput: "package-lock.json"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := generateFiles(t, tc.files)
			var pe *ParseError
			var ie *InputError
			switch {
			case tc.wantParse != "":
				if !errors.As(err, &pe) || !strings.Contains(err.Error(), tc.wantParse) {
					t.Fatalf("err = %v, want a ParseError containing %q", err, tc.wantParse)
				}
			case tc.wantInput != "":
				if !errors.As(err, &ie) || !strings.Contains(err.Error(), tc.wantInput) {
					t.Fatalf("err = %v, want an InputError naming %q", err, tc.wantInput)
				}
			}
		})
	}
}

func TestGenerateNotADirectory(t *testing.T) {
	t.Parallel()
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{file, filepath.Join(file, "missing")} {
		_, err := Generate(context.Background(), dir, Options{})
		var ie *InputError
		if !errors.As(err, &ie) || !strings.Contains(err.Error(), dir) {
			t.Errorf("Generate(%s) = %v, want an InputError naming it", dir, err)
		}
	}
}

func TestGenerateCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Generate(ctx, filepath.Join("testdata", "repos", "goonly"), testOptions(t)); !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func TestGenerateWithoutModuleCache(t *testing.T) {
	t.Parallel()
	opts := testOptions(t)
	opts.ModCache = ""
	res, err := Generate(context.Background(), filepath.Join("testdata", "repos", "goonly"), opts)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], "no Go module cache found") {
		t.Errorf("warnings = %q, want one about the missing module cache", res.Warnings)
	}
	want := []cdx.Property{{Name: PropGoModuleGraph, Value: "direct-only: no Go module cache to read dependencies' go.mod files from"}}
	if diff := cmp.Diff(want, *res.BOM.Metadata.Properties); diff != "" {
		t.Errorf("metadata properties (-want +got):\n%s", diff)
	}
	// The local replacement still has its go.mod and license.
	got := graphOf(res.BOM)
	for _, line := range []string{"pkg:golang/example.com/local direct ISC", "pkg:golang/example.com/local -> pkg:golang/example.com/beta@v1.0.0", "pkg:golang/example.com/alpha@v1.2.0 direct"} {
		if !containsLine(got, line) {
			t.Errorf("graph lacks %q:\n%s", line, strings.Join(got, "\n"))
		}
	}
}

func containsLine(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

func TestModCacheDir(t *testing.T) {
	t.Parallel()
	base := t.TempDir()
	for _, d := range []string{"cache", "gopath/pkg/mod", "home/go/pkg/mod"} {
		if err := os.MkdirAll(filepath.Join(base, filepath.FromSlash(d)), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{"GOMODCACHE", map[string]string{"GOMODCACHE": filepath.Join(base, "cache"), "GOPATH": filepath.Join(base, "gopath")}, filepath.Join(base, "cache")},
		{"first GOPATH entry", map[string]string{"GOPATH": filepath.Join(base, "gopath") + string(filepath.ListSeparator) + "/elsewhere"}, filepath.Join(base, "gopath", "pkg", "mod")},
		{"HOME", map[string]string{"HOME": filepath.Join(base, "home")}, filepath.Join(base, "home", "go", "pkg", "mod")},
		{"missing directory", map[string]string{"GOMODCACHE": filepath.Join(base, "nope")}, ""},
		{"nothing set", map[string]string{}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := ModCacheDir(func(k string) string { return tc.env[k] }); got != tc.want {
				t.Errorf("ModCacheDir = %q, want %q", got, tc.want)
			}
		})
	}
}
