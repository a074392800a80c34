package sbom

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestClassifyLicense(t *testing.T) {
	t.Parallel()
	read := func(path string) string {
		b, err := os.ReadFile(filepath.Join("testdata", filepath.FromSlash(path)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"MIT", read("modcache/example.com/alpha@v1.2.0/LICENSE"), []string{"MIT"}},
		{"Apache-2.0", read("modcache/example.com/beta@v1.0.0/LICENSE"), []string{"Apache-2.0"}},
		{"BSD-3-Clause", read("modcache/github.com/!upper!case/mod@v0.3.0/LICENSE"), []string{"BSD-3-Clause"}},
		{"BSD-2-Clause", read("repos/vendored/vendor/example.com/vend/LICENSE"), []string{"BSD-2-Clause"}},
		{"ISC", read("repos/goonly/local/LICENSE"), []string{"ISC"}},
		{"GPL-3.0", read("modcache/example.com/gpl@v1.0.0/COPYING"), []string{"GPL-3.0-only"}},
		{"proprietary is unknown", read("modcache/example.com/mystery@v0.1.0/LICENSE"), nil},
		{"SPDX tag wins", "// SPDX-License-Identifier: Apache-2.0 OR MIT\n", []string{"Apache-2.0 OR MIT"}},
		{"Apache header", "Licensed under the Apache License, Version 2.0 (the \"License\");", []string{"Apache-2.0"}},
		{"MPL-2.0", "Mozilla Public License Version 2.0\n==================================", []string{"MPL-2.0"}},
		{"LGPL-2.1 is not GPL", "GNU LESSER GENERAL PUBLIC LICENSE\n Version 2.1, February 1999", []string{"LGPL-2.1-only"}},
		{"LGPL-3.0", "GNU LESSER GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007", []string{"LGPL-3.0-only"}},
		{"AGPL-3.0", "GNU AFFERO GENERAL PUBLIC LICENSE\nVersion 3, 19 November 2007", []string{"AGPL-3.0-only"}},
		{"GPL-2.0", "GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991", []string{"GPL-2.0-only"}},
		{"Unlicense", "This is free and unencumbered software released into the public domain.", []string{"Unlicense"}},
		{"CC0", "Creative Commons Legal Code\n\nCC0 1.0 Universal", []string{"CC0-1.0"}},
		{"0BSD", "Permission to use, copy, modify, and/or distribute this software for any purpose with or without fee is hereby granted.", []string{"0BSD"}},
		{"BSD-4-Clause", "Redistribution and use in source and binary forms, with or without modification, are permitted provided that the following conditions are met:\n3. All advertising materials mentioning features or use of this software must display the following acknowledgement", []string{"BSD-4-Clause"}},
		{"two licenses in one text", read("modcache/example.com/alpha@v1.2.0/LICENSE") + "\n" + read("modcache/example.com/beta@v1.0.0/LICENSE"), []string{"Apache-2.0", "MIT"}},
		{"empty", "", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, classifyLicense(tc.text)); diff != "" {
				t.Errorf("licenses (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDirLicense(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("LICENSE-MIT", "Permission is hereby granted, free of charge, to any person obtaining a copy of this software... The above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.")
	write("LICENSE-APACHE", "Apache License\nVersion 2.0, January 2004")
	write("THIRD_PARTY_LICENSES", "GNU GENERAL PUBLIC LICENSE\nVersion 3, 29 June 2007")
	write("README", "GNU GENERAL PUBLIC LICENSE\nVersion 2, June 1991")
	if got, want := dirLicense(dir), "Apache-2.0 AND MIT"; got != want {
		t.Errorf("dirLicense = %q, want %q (third-party notices and other files ignored)", got, want)
	}
	if got := dirLicense(filepath.Join(dir, "missing")); got != "" {
		t.Errorf("dirLicense of a missing directory = %q, want empty", got)
	}
}

func TestLicenseExpressions(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		in       string
		declared string // declaredLicense
		known    string // knownExpression
	}{
		{"single id", "MIT", "MIT", "MIT"},
		{"case canonicalised", "apache-2.0", "Apache-2.0", "Apache-2.0"},
		{"parenthesised OR", "(MIT OR Apache-2.0)", "MIT OR Apache-2.0", "MIT OR Apache-2.0"},
		{"precedence kept", "(MIT OR ISC) AND BSD-3-Clause", "(MIT OR ISC) AND BSD-3-Clause", "(MIT OR ISC) AND BSD-3-Clause"},
		{"lower-case operators", "mit or isc", "MIT OR ISC", "MIT OR ISC"},
		{"WITH exception", "GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0", "GPL-2.0-only WITH Classpath-exception-2.0"},
		{"unlisted id kept as expression", "Foo-1.0", "Foo-1.0", ""},
		{"LicenseRef", "LicenseRef-Proprietary", "LicenseRef-Proprietary", ""},
		{"npm UNLICENSED", "UNLICENSED", "", ""},
		{"npm SEE LICENSE", "SEE LICENSE IN LICENSE.md", "", ""},
		{"free text", "Apache 2.0", "", ""},
		{"dangling operator", "MIT OR", "", ""},
		{"unbalanced", "(MIT", "", ""},
		{"empty", "", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := declaredLicense(tc.in); got != tc.declared {
				t.Errorf("declaredLicense(%q) = %q, want %q", tc.in, got, tc.declared)
			}
			if got := knownExpression(tc.in); got != tc.known {
				t.Errorf("knownExpression(%q) = %q, want %q", tc.in, got, tc.known)
			}
		})
	}
}
