package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// releaseLDFlags are the release build's linker flags (.goreleaser.yaml).
const releaseLDFlags = "-s -w -X github.com/git-agent/git-agent/internal/cli.version=v0.0.0-repro -X github.com/git-agent/git-agent/internal/cli.commit=0123456789ab"

// TestReproducibleBuild builds the module twice, from copies of the source
// at two different paths, with the release flags, and requires identical
// bytes: a release can be rebuilt and checked by anyone. It also checks that
// the build describes itself (version --json).
func TestReproducibleBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds git-agent twice")
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	var sums [2]string
	var bins [2]string
	for i := range sums {
		src := filepath.Join(t.TempDir(), "src"+string(rune('a'+i)), "git-agent")
		copyTree(t, root, src)
		bins[i] = filepath.Join(t.TempDir(), "git-agent")
		cmd := exec.Command("go", "build", "-trimpath", "-buildvcs=false", "-ldflags="+releaseLDFlags, "-o", bins[i], "./cmd/git-agent")
		cmd.Dir = src
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOFLAGS=-mod=readonly")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("build %d: %v\n%s", i, err, out)
		}
		sums[i] = fileSHA256(t, bins[i])
	}
	if sums[0] != sums[1] {
		t.Errorf("two release builds differ: %s vs %s", sums[0], sums[1])
	}

	out, err := exec.Command(bins[0], "version", "--json").Output()
	if err != nil {
		t.Fatal(err)
	}
	var info struct {
		Version  string            `json:"version"`
		Commit   string            `json:"commit"`
		Settings map[string]string `json:"build_settings"`
		Modules  []struct{ Path, Version, Sum string }
	}
	if err := json.Unmarshal(out, &info); err != nil {
		t.Fatalf("version --json: %v\n%s", err, out)
	}
	if info.Version != "v0.0.0-repro" || info.Commit != "0123456789ab" {
		t.Errorf("version %q commit %q: the -X stamps did not apply", info.Version, info.Commit)
	}
	for k, v := range map[string]string{"-trimpath": "true", "CGO_ENABLED": "0"} {
		if info.Settings[k] != v {
			t.Errorf("build setting %s = %q, want %q", k, info.Settings[k], v)
		}
	}
	// (go omits -ldflags from the build info under -trimpath: they may hold paths.)
	found := false
	for _, m := range info.Modules {
		found = found || m.Path == "github.com/spf13/cobra" && m.Version != "" && strings.HasPrefix(m.Sum, "h1:")
	}
	if !found {
		t.Errorf("modules lack github.com/spf13/cobra with version and sum: %s", out)
	}

	// The release's per-binary SBOM (.goreleaser.yaml: sbom --binary).
	bom, err := exec.Command(bins[0], "sbom", "--binary", bins[1]).Output()
	if err != nil {
		t.Fatalf("sbom --binary: %v", err)
	}
	for _, want := range []string{`"purl": "pkg:golang/github.com/spf13/cobra@v`, `"specVersion": "1.6"`, `"name": "github.com/git-agent/git-agent"`} {
		if !strings.Contains(string(bom), want) {
			t.Errorf("sbom --binary lacks %s", want)
		}
	}
}

// copyTree copies the files git knows of (tracked, and untracked but not
// ignored) from root to dst.
func copyTree(t *testing.T, root, dst string) {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	list, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	for _, rel := range bytes.Split(bytes.TrimRight(list, "\x00"), []byte{0}) {
		from, to := filepath.Join(root, string(rel)), filepath.Join(dst, string(rel))
		st, err := os.Lstat(from)
		if err != nil || !st.Mode().IsRegular() {
			continue // deleted in the working tree, or a symlink
		}
		data, err := os.ReadFile(from)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, st.Mode().Perm()); err != nil {
			t.Fatal(err)
		}
	}
}

func fileSHA256(t *testing.T, path string) string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
