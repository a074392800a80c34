package patch

import "testing"

var fuzzSeeds = []string{
	"*** Begin Patch\n*** Add File: a\n+x\n*** End Patch",
	"*** Begin Patch\n*** Delete File: a\n*** End Patch",
	"*** Begin Patch\n*** Update File: a\n*** Move to: b\n@@ x\n y\n-z\n+w\n*** End of File\n*** End Patch",
	"<<'EOF'\r\n*** Begin Patch\r\n*** Update File: a\r\n@@ -1,2 +1,2 @@\r\n-a\r\n+b\r\n\r\n*** End Patch\r\nEOF",
	"*** Begin Patch\n*** Update File: a\n@@\n@@ y\n\n+\n-\n*** End Patch",
	"*** Begin Patch\n*** Update File: a\n-“q” — x\n+x\n*** End Patch",
}

func FuzzParse(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Parse(s)
		if err == nil && len(p.Files) == 0 {
			t.Fatal("Parse returned a patch without files and no error")
		}
	})
}

func FuzzApply(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, "x\ny\nz\n", "a\r\nb\r\nc")
	}
	f.Fuzz(func(t *testing.T, s, a, b string) {
		if got := splitText(a).String(); got != a {
			t.Fatalf("splitText(%q).String() = %q", a, got)
		}
		p, err := Parse(s)
		if err != nil {
			return
		}
		m := newMemFS(map[string]string{"a": a, "b": b, "d/c": "c\n"})
		before := newMemFS(m.files).files
		sum, err := p.Apply(m)
		if err != nil {
			for name, want := range before {
				if m.files[name] != want {
					t.Fatalf("failed Apply changed %s: %q -> %q", name, want, m.files[name])
				}
			}
			return
		}
		if len(sum.Changes) != len(p.Files) {
			t.Fatalf("%d changes for %d files", len(sum.Changes), len(p.Files))
		}
	})
}
