package sbom

import (
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// licenseRule recognises one license text: every phrase in all must occur,
// and none in none may. Phrases are in normalized form (see normalizeText).
type licenseRule struct {
	id   string
	all  []string
	any  []string
	none []string
}

const (
	bsdRedistribution = "redistribution and use in source and binary forms with or without modification are permitted provided that the following conditions are met"
	bsdAdvertising    = "all advertising materials mentioning features or use of this software must display the following acknowledgement"
	mitGrant          = "permission is hereby granted free of charge to any person obtaining a copy of this software"
	mitNotice         = "the above copyright notice and this permission notice shall be included in all copies or substantial portions of the software"
	iscNotice         = "provided that the above copyright notice and this permission notice appear in all copies"
)

// licenseRules is a small classifier for the licenses most dependencies use,
// keyed on each license's distinctive sentences. It stands in for
// github.com/google/licensecheck, whose embedded corpus of license texts
// would add about 4 MB to the binary. GPL family texts say nothing about
// "only" or "or later" (that is in each file's notice), so they map to the
// -only ids, the grant the text itself makes.
func licenseRules() []licenseRule {
	bsdEndorse := []string{"neither the name of", "may be used to endorse or promote products derived from this software", "may not be used to endorse or promote products derived from this software"}
	isc := []string{
		"permission to use copy modify and or distribute this software for any purpose with or without fee is hereby granted",
		"permission to use copy modify and distribute this software for any purpose with or without fee is hereby granted",
	}
	return []licenseRule{
		{id: "AGPL-3.0-only", all: []string{"gnu affero general public license version 3 19 november 2007"}},
		{id: "LGPL-3.0-only", all: []string{"gnu lesser general public license version 3 29 june 2007"}},
		{id: "LGPL-2.1-only", all: []string{"gnu lesser general public license version 2 1 february 1999"}},
		{id: "LGPL-2.0-only", all: []string{"gnu library general public license version 2 june 1991"}},
		{id: "GPL-3.0-only", all: []string{"gnu general public license version 3 29 june 2007"}},
		{id: "GPL-2.0-only", all: []string{"gnu general public license version 2 june 1991"}},
		{id: "MPL-2.0", any: []string{"mozilla public license version 2 0", "mozilla public license v 2 0"}},
		{id: "EPL-2.0", any: []string{"eclipse public license v 2 0", "eclipse public license version 2 0"}},
		{id: "Apache-2.0", any: []string{"apache license version 2 0", "apache license v2 0"}},
		{id: "BSD-4-Clause", all: []string{bsdRedistribution, bsdAdvertising}},
		{id: "BSD-3-Clause", all: []string{bsdRedistribution}, any: bsdEndorse, none: []string{bsdAdvertising}},
		{id: "BSD-2-Clause", all: []string{bsdRedistribution}, none: append([]string{bsdAdvertising}, bsdEndorse...)},
		{id: "MIT", all: []string{mitGrant, mitNotice}},
		{id: "MIT-0", all: []string{mitGrant}, none: []string{mitNotice}},
		{id: "ISC", all: []string{iscNotice}, any: isc},
		{id: "0BSD", any: isc, none: []string{iscNotice}},
		{id: "Unlicense", all: []string{"this is free and unencumbered software released into the public domain"}},
		{id: "CC0-1.0", any: []string{"cc0 1 0 universal"}},
		{id: "BSL-1.0", all: []string{"boost software license version 1 0"}},
		{id: "Zlib", all: []string{"permission is granted to anyone to use this software for any purpose including commercial applications and to alter it and redistribute it freely"}},
	}
}

// normalizeText lowers s and keeps only its words (runs of letters and
// digits) separated by single spaces, so comment markers, line breaks,
// punctuation and quotes do not matter.
func normalizeText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := true
	for _, r := range strings.ToLower(s) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
			space = false
		} else if !space {
			b.WriteByte(' ')
			space = true
		}
	}
	return " " + strings.TrimSpace(b.String()) + " "
}

// classifyLicense returns the SPDX ids of the licenses in text, sorted; an
// SPDX-License-Identifier line wins over the text's content.
func classifyLicense(text string) []string {
	for _, line := range strings.Split(text, "\n") {
		if _, after, ok := strings.Cut(line, "SPDX-License-Identifier:"); ok {
			if e := declaredLicense(strings.Trim(strings.TrimSpace(after), "*/ -#")); e != "" {
				return []string{e}
			}
		}
	}
	norm := normalizeText(text)
	has := func(p string) bool { return strings.Contains(norm, " "+p+" ") }
	var ids []string
	for _, r := range licenseRules() {
		ok := true
		for _, p := range r.all {
			ok = ok && has(p)
		}
		if len(r.any) > 0 {
			found := false
			for _, p := range r.any {
				found = found || has(p)
			}
			ok = ok && found
		}
		for _, p := range r.none {
			ok = ok && !has(p)
		}
		if ok {
			ids = append(ids, r.id)
		}
	}
	sort.Strings(ids)
	return ids
}

// isLicenseFile reports whether a file name looks like a license: LICENSE,
// LICENCE, COPYING or UNLICENSE with any suffix, but not third-party notices.
func isLicenseFile(name string) bool {
	u := strings.ToUpper(name)
	if strings.Contains(u, "THIRD") || strings.Contains(u, "NOTICE") {
		return false
	}
	for _, p := range []string{"LICENSE", "LICENCE", "COPYING", "UNLICENSE"} {
		if strings.HasPrefix(u, p) {
			return true
		}
	}
	return false
}

// maxLicenseFile bounds what is read of one license file; license texts are
// a few dozen kilobytes at most.
const maxLicenseFile = 256 << 10

// dirLicense classifies the license files at the top of dir and returns an
// SPDX expression, "" when there is none or none is recognised. Several
// licenses are joined with AND: without the project's word that they are
// alternatives, all of them are assumed to apply.
func dirLicense(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return ""
	}
	seen := map[string]bool{}
	var ids []string
	for _, e := range entries {
		if e.IsDir() || !isLicenseFile(e.Name()) {
			continue
		}
		data, err := readLimited(filepath.Join(dir, e.Name()), maxLicenseFile)
		if err != nil {
			continue
		}
		for _, id := range classifyLicense(string(data)) {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	if len(ids) > 1 {
		for i, id := range ids {
			if strings.Contains(id, " ") {
				ids[i] = "(" + id + ")"
			}
		}
	}
	return strings.Join(ids, " AND ")
}

// readLimited reads at most n bytes of the file at path.
func readLimited(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, n))
}
