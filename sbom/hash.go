package sbom

import (
	"encoding/base64"
	"encoding/hex"
	"strings"

	cdx "github.com/CycloneDX/cyclonedx-go"
)

// goSumHash converts a go.sum "h1:" checksum to a CycloneDX SHA-256 hash.
//
// What it hashes: h1 is Go's dirhash of the module zip, the SHA-256 of a
// listing with one "SHA256(file)  path\n" line per file, sorted by path (see
// golang.org/x/mod/sumdb/dirhash.Hash1). It is not the SHA-256 of the .zip
// file. It is the value the Go checksum database vouches for, so it
// identifies the module's content as `go mod verify` checks it. Other
// algorithms (a future h2:) are not SHA-256 and are skipped.
func goSumHash(sum string) (cdx.Hash, bool) {
	b64, ok := strings.CutPrefix(sum, "h1:")
	if !ok {
		return cdx.Hash{}, false
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil || len(raw) != 32 {
		return cdx.Hash{}, false
	}
	return cdx.Hash{Algorithm: cdx.HashAlgoSHA256, Value: hex.EncodeToString(raw)}, true
}

// sriHashes converts a Subresource Integrity string as npm writes it
// ("sha512-BASE64", several separated by spaces) to CycloneDX hashes of the
// package tarball. Unknown algorithms and malformed entries are skipped.
func sriHashes(integrity string) []cdx.Hash {
	algs := map[string]struct {
		alg  cdx.HashAlgorithm
		size int
	}{
		"sha1":   {cdx.HashAlgoSHA1, 20},
		"sha256": {cdx.HashAlgoSHA256, 32},
		"sha384": {cdx.HashAlgoSHA384, 48},
		"sha512": {cdx.HashAlgoSHA512, 64},
	}
	var out []cdx.Hash
	for _, f := range strings.Fields(integrity) {
		name, b64, ok := strings.Cut(f, "-")
		a, known := algs[strings.ToLower(name)]
		if !ok || !known {
			continue
		}
		b64, _, _ = strings.Cut(b64, "?") // SRI options
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil || len(raw) != a.size {
			continue
		}
		out = append(out, cdx.Hash{Algorithm: a.alg, Value: hex.EncodeToString(raw)})
	}
	return out
}

// hexHash converts "sha256:HEX" (pip's --hash, poetry and uv) to a hash.
func hexHash(s string) (cdx.Hash, bool) {
	algs := map[string]struct {
		alg  cdx.HashAlgorithm
		size int
	}{
		"sha256": {cdx.HashAlgoSHA256, 64},
		"sha384": {cdx.HashAlgoSHA384, 96},
		"sha512": {cdx.HashAlgoSHA512, 128},
	}
	name, val, ok := strings.Cut(strings.TrimSpace(s), ":")
	a, known := algs[strings.ToLower(name)]
	if !ok || !known || len(val) != a.size {
		return cdx.Hash{}, false
	}
	val = strings.ToLower(val)
	if _, err := hex.DecodeString(val); err != nil {
		return cdx.Hash{}, false
	}
	return cdx.Hash{Algorithm: a.alg, Value: val}, true
}
