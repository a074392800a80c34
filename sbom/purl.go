package sbom

import "strings"

// purlEscape percent-encodes s as the package-url spec asks of a namespace
// segment, name or version: everything but the unreserved characters
// A-Z a-z 0-9 - . _ ~ becomes %XX. Case is kept: a Go module path like
// github.com/BurntSushi/toml is case-sensitive.
func purlEscape(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', c == '-', c == '.', c == '_', c == '~':
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&15])
		}
	}
	return b.String()
}

// purl builds pkg:TYPE/NAMESPACE/NAME@VERSION from a slash-separated path
// whose last element is the name; each element is escaped on its own so the
// slashes stay separators. version may be empty (an unpinned requirement or
// a module without a release).
func purl(typ, path, version string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		parts[i] = purlEscape(p)
	}
	s := "pkg:" + typ + "/" + strings.Join(parts, "/")
	if version != "" {
		s += "@" + purlEscape(version)
	}
	return s
}

// goPURL is the purl of Go module path at version.
func goPURL(path, version string) string { return purl("golang", path, version) }

// npmPURL is the purl of an npm package; a scope's @ is escaped as %40 like
// any other reserved character.
func npmPURL(name, version string) string { return purl("npm", strings.ToLower(name), version) }

// normalizePyPI is the PEP 503 normal form of a distribution name (lower
// case, each run of - _ . as one -), which is also what purl's pypi type asks
// for.
func normalizePyPI(name string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(strings.TrimSpace(name)) {
		if r == '-' || r == '_' || r == '.' {
			sep = true
			continue
		}
		if sep && b.Len() > 0 {
			b.WriteByte('-')
		}
		sep = false
		b.WriteRune(r)
	}
	return b.String()
}

// pypiPURL is the purl of a Python distribution.
func pypiPURL(name, version string) string { return purl("pypi", normalizePyPI(name), version) }
