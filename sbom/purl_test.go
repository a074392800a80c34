package sbom

import (
	"testing"

	cdx "github.com/CycloneDX/cyclonedx-go"
	"github.com/google/go-cmp/cmp"
)

func TestPURL(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  string
		want string
	}{
		{"go module", goPURL("github.com/spf13/cobra", "v1.10.2"), "pkg:golang/github.com/spf13/cobra@v1.10.2"},
		{"go major version suffix", goPURL("github.com/google/go-github/v66", "v66.0.0"), "pkg:golang/github.com/google/go-github/v66@v66.0.0"},
		{"go upper case kept", goPURL("github.com/BurntSushi/toml", "v1.6.0"), "pkg:golang/github.com/BurntSushi/toml@v1.6.0"},
		{"go +incompatible escaped", goPURL("example.com/m", "v2.0.0+incompatible"), "pkg:golang/example.com/m@v2.0.0%2Bincompatible"},
		{"go pseudo-version", goPURL("google.golang.org/genproto/googleapis/rpc", "v0.0.0-20260928230214-8a89bd6388cc"),
			"pkg:golang/google.golang.org/genproto/googleapis/rpc@v0.0.0-20260928230214-8a89bd6388cc"},
		{"go no version", goPURL("example.com/app", ""), "pkg:golang/example.com/app"},
		{"go odd characters", goPURL("example.com/a b/c@d", "v1"), "pkg:golang/example.com/a%20b/c%40d@v1"},
		{"npm plain", npmPURL("left-pad", "1.3.0"), "pkg:npm/left-pad@1.3.0"},
		{"npm scoped", npmPURL("@babel/core", "7.24.0"), "pkg:npm/%40babel/core@7.24.0"},
		{"npm lower-cased", npmPURL("JSONStream", "1.0.0"), "pkg:npm/jsonstream@1.0.0"},
		{"pypi normalized", pypiPURL("Flask_Login", "0.6.3"), "pkg:pypi/flask-login@0.6.3"},
		{"pypi dots and runs", pypiPURL("zope.interface", "6.0"), "pkg:pypi/zope-interface@6.0"},
		{"pypi local version", pypiPURL("torch", "2.1.0+cpu"), "pkg:pypi/torch@2.1.0%2Bcpu"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.got != tc.want {
				t.Errorf("got %s, want %s", tc.got, tc.want)
			}
		})
	}
}

func TestHashes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		got  []cdx.Hash
		want []cdx.Hash
	}{
		{name: "go.sum h1 is hex SHA-256 of the dirhash",
			got:  okHash(goSumHash("h1:zY/EmjxrktOh3CbF7tNL+trNgJPkSKOoLTSzWXXTRzs=")),
			want: []cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: "cd8fc49a3c6b92d3a1dc26c5eed34bfadacd8093e448a3a82d34b35975d3473b"}}},
		{name: "go.sum other algorithm skipped", got: okHash(goSumHash("h2:abc="))},
		{name: "go.sum bad base64 skipped", got: okHash(goSumHash("h1:!!"))},
		{name: "npm sha512", got: sriHashes("sha512-z4PhNX7vuL3xVChQ1m2AB9Yg5AULVxXcg/SpIdNs6c5H0NE8XYXysP+DGNKHfuwvY7kxvUdBeoGlODJ6+SfaPg=="),
			want: []cdx.Hash{{Algorithm: cdx.HashAlgoSHA512, Value: "cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"}}},
		{name: "npm sha1 and several", got: sriHashes("sha1-2jmj7l5rSw0yVb/vlWAYkK/YBwk= md5-xyz sha256-bad"),
			want: []cdx.Hash{{Algorithm: cdx.HashAlgoSHA1, Value: "da39a3ee5e6b4b0d3255bfef95601890afd80709"}}},
		{name: "pip sha256", got: okHash(hexHash("sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855")),
			want: []cdx.Hash{{Algorithm: cdx.HashAlgoSHA256, Value: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"}}},
		{name: "pip md5 skipped", got: okHash(hexHash("md5:d41d8cd98f00b204e9800998ecf8427e"))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, tc.got); diff != "" {
				t.Errorf("hashes (-want +got):\n%s", diff)
			}
		})
	}
}

func okHash(h cdx.Hash, ok bool) []cdx.Hash {
	if !ok {
		return nil
	}
	return []cdx.Hash{h}
}
