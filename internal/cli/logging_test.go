package cli

import (
	"bytes"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoggerSanitizes(t *testing.T) {
	t.Parallel()
	clean := func(s string) string { return strings.ReplaceAll(s, "hunter2", "[REDACTED]") }
	tests := []struct {
		name string
		log  func(*testing.T, string)
	}{
		{"message", func(t *testing.T, file string) {
			l := mustLogger(t, file, clean)
			l.Info("password is hunter2")
		}},
		{"string attr", func(t *testing.T, file string) {
			mustLogger(t, file, clean).Info("login", "password", "hunter2")
		}},
		{"error attr", func(t *testing.T, file string) {
			mustLogger(t, file, clean).Warn("failed", "error", errors.New("auth hunter2 refused"))
		}},
		{"group and With", func(t *testing.T, file string) {
			mustLogger(t, file, clean).With("key", "hunter2").WithGroup("g").Info("x", "inner", "hunter2")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			file := filepath.Join(t.TempDir(), "logs", "debug.jsonl")
			tc.log(t, file)
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(data), "hunter2") || !strings.Contains(string(data), "[REDACTED]") {
				t.Errorf("log file:\n%s", data)
			}
			if st, _ := os.Stat(file); st.Mode().Perm() != 0o600 {
				t.Errorf("log file mode %v, want 0600", st.Mode().Perm())
			}
		})
	}
}

func mustLogger(t *testing.T, file string, clean func(string) string) *slog.Logger {
	t.Helper()
	l, closeFn, err := newLogger(&bytes.Buffer{}, false, file, clean)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { closeFn() })
	return l
}

func TestLoggerDestinations(t *testing.T) {
	t.Parallel()
	var stderr bytes.Buffer
	l, closeFn, err := newLogger(&stderr, true, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closeFn()
	l.Debug("visible", "k", "v")
	if !strings.Contains(stderr.String(), "level=DEBUG msg=visible k=v") {
		t.Errorf("--debug wrote %q", stderr.String())
	}

	stderr.Reset()
	quiet, _, err := newLogger(&stderr, false, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	quiet.Error("invisible")
	if stderr.Len() != 0 {
		t.Errorf("logging is off by default, but wrote %q", stderr.String())
	}

	if _, _, err := newLogger(&stderr, false, filepath.Join(t.TempDir(), "missing-file-as-dir", "\x00"), nil); err == nil {
		t.Error("an unusable --log-file is accepted")
	}
}
