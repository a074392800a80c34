package audit

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// FuzzSanitizerJSON checks that sanitizing valid JSON (tool arguments,
// model output) always yields valid JSON.
func FuzzSanitizerJSON(f *testing.F) {
	for _, seed := range []string{
		`{"a":"/home/alice/x","b":[1,2.5e10,"alice"],"c":{"d":null,"e":true}}`,
		`"` + openAIKey + `"`, `[]`, `{}`, `12`, `"\u002fhome\/alice"`, `{"a":"\ud800"}`, "not json /home/alice",
	} {
		f.Add([]byte(seed))
	}
	s := NewSanitizer(SanitizerOptions{Home: "/home/alice", User: "alice", Secrets: []string{"hunter2hunter2"}})
	f.Fuzz(func(t *testing.T, b []byte) {
		out := s.JSON(b)
		if json.Valid(b) && !json.Valid(out) {
			t.Fatalf("JSON(%q) = %q, not valid JSON", b, out)
		}
	})
}

// FuzzVerify feeds arbitrary bytes to Verify and Read as a log file: they
// must not panic, and a report must be consistent.
func FuzzVerify(f *testing.F) {
	dir := f.TempDir()
	path := filepath.Join(dir, "seed.jsonl")
	writeLog(f, Options{Path: path}, 4)
	seed, err := os.ReadFile(path)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(seed)
	f.Add(seed[:len(seed)/2])
	f.Add([]byte("{\"seq\":1,\n\n{}"))
	f.Fuzz(func(t *testing.T, data []byte) {
		// Calls within one worker process are sequential: one file will do.
		p := filepath.Join(dir, "audit.jsonl")
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		rep, err := Verify([]string{p}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Bad == nil && rep.Entries > 0 && rep.Head == "" {
			t.Errorf("intact chain of %d entries without a head", rep.Entries)
		}
		if _, err := Read([]string{p}); err != nil {
			t.Fatal(err)
		}
	})
}
