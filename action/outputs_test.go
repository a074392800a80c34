package action

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// countingReader yields 0, 1, 2, ... so that delimiters are predictable.
type countingReader struct{ n byte }

func (r *countingReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = r.n
		r.n++
	}
	return len(p), nil
}

// output is one record read back from an output file.
type output struct{ Name, Value string }

// parseOutputFile reads an output file the way the runner does: lines end
// at "\r\n", "\n" or "\r"; "name=value" is one output and "name<<DELIM"
// starts a multi-line one that ends at the first line equal to DELIM.
func parseOutputFile(data string) ([]output, error) {
	lines := strings.Split(strings.ReplaceAll(strings.ReplaceAll(data, "\r\n", "\n"), "\r", "\n"), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	var outs []output
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		eq, hd := strings.Index(line, "="), strings.Index(line, "<<")
		if eq >= 0 && (hd < 0 || eq < hd) {
			outs = append(outs, output{line[:eq], line[eq+1:]})
			continue
		}
		if hd <= 0 || hd+2 == len(line) {
			return nil, fmt.Errorf("line %d: invalid format %q", i+1, line)
		}
		name, delim := line[:hd], line[hd+2:]
		var value []string
		for i++; ; i++ {
			if i == len(lines) {
				return nil, fmt.Errorf("output %s: no closing %s", name, delim)
			}
			if lines[i] == delim {
				break
			}
			value = append(value, lines[i])
		}
		outs = append(outs, output{name, strings.Join(value, "\n")})
	}
	return outs, nil
}

func TestOutputsGolden(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "output")
	o := &Outputs{OutputPath: path, Rand: &countingReader{}}
	values := []output{
		{"verdict", "changes requested"},
		{"summary", "line one\nline two\n"},
		{"empty", ""},
		{"delimiter-lookalike", "ghadelimiter_\nghadelimiter_00000000000000000000000000000000\nghadelimiter_000102030405060708090a0b0c0d0e0f0"},
		{"EOF_values", "EOF\n<<EOF\nEOF"},
		{"injection", "x\nforged=1\nother<<EOF\nowned\nEOF"},
		{"heredoc-in-value", "name<<ghadelimiter_x\nvalue"},
		{"crlf", "a\r\nb\rc"},
	}
	for _, v := range values {
		if err := o.Set(v.Name, v.Value); err != nil {
			t.Fatalf("Set(%q): %v", v.Name, err)
		}
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "outputs.txt", string(data))

	got, err := parseOutputFile(string(data))
	if err != nil {
		t.Fatal(err)
	}
	for i := range values {
		values[i].Value = normalizeNewlines(values[i].Value)
	}
	if diff := cmp.Diff(values, got); diff != "" {
		t.Errorf("outputs read back (-want +got):\n%s", diff)
	}
}

func TestOutputsRefuseDelimiter(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "output")
	if err := os.WriteFile(path, []byte("before<<ghadelimiter_x\nkept\nghadelimiter_x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A reader of zeros always makes this delimiter.
	delim := "ghadelimiter_" + strings.Repeat("0", 32)
	o := &Outputs{OutputPath: path, Rand: bytes.NewReader(make([]byte, 64))}
	err := o.Set("result", "model text\n"+delim+"\nforged<<EOF\nowned\nEOF")
	if !errors.Is(err, ErrUnsafeOutput) {
		t.Fatalf("Set = %v, want ErrUnsafeOutput", err)
	}
	data, _ := os.ReadFile(path)
	if string(data) != "before<<ghadelimiter_x\nkept\nghadelimiter_x\n" {
		t.Errorf("the refused record changed the file: %q", data)
	}
}

func TestOutputsRefuse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, value string
	}{
		{"empty name", "", "v"},
		{"newline in name", "a\nb", "v"},
		{"heredoc in name", "a<<EOF", "v"},
		{"equals in name", "a=b", "v"},
		{"space in name", "a b", "v"},
		{"dot in name", "a.b", "v"},
		{"unicode name", "ñ", "v"},
		{"invalid UTF-8 value", "a", "\xff"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "output")
			var local bytes.Buffer
			for _, o := range []*Outputs{{OutputPath: path, Rand: &countingReader{}}, {Local: &local}} {
				if err := o.Set(tt.key, tt.value); !errors.Is(err, ErrUnsafeOutput) {
					t.Errorf("Set(%q, %q) = %v, want ErrUnsafeOutput", tt.key, tt.value, err)
				}
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf("the output file was created: %v", err)
			}
			if local.Len() > 0 {
				t.Errorf("wrote %q locally", local.String())
			}
		})
	}
}

func TestOutputsLocal(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	o := NewOutputs(env(nil), &b)
	for _, v := range []output{{"plain", "hello world"}, {"multi", "a\nb"}, {"quoted", `say "hi"`}, {"ctrl", "a\x1bb"}, {"empty", ""}} {
		if err := o.Set(v.Name, v.Value); err != nil {
			t.Fatal(err)
		}
	}
	want := "plain=hello world\nmulti=\"a\\nb\"\nquoted=\"say \\\"hi\\\"\"\nctrl=\"a\\x1bb\"\nempty=\n"
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("local outputs (-want +got):\n%s", diff)
	}
	if err := (&Outputs{}).Set("a", "b"); err == nil {
		t.Error("Set with nowhere to write succeeded")
	}
}

func TestNewOutputs(t *testing.T) {
	t.Parallel()
	o := NewOutputs(env(map[string]string{"GITHUB_OUTPUT": "/o", "GITHUB_STEP_SUMMARY": "/s"}), nil)
	if o.OutputPath != "/o" || o.SummaryPath != "/s" || o.Rand == nil {
		t.Errorf("NewOutputs = %+v", o)
	}
}

func TestOutputsRandomDelimiters(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "output")
	o := NewOutputs(env(map[string]string{"GITHUB_OUTPUT": path}), nil)
	for i := 0; i < 2; i++ {
		if err := o.Set("x", "v"); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(path)
	lines := strings.Split(string(data), "\n")
	if len(lines) != 7 || lines[0] == lines[3] || !strings.HasPrefix(lines[0], "x<<ghadelimiter_") || len(lines[0]) != len("x<<ghadelimiter_")+32 {
		t.Errorf("want two records with fresh 32-hex-digit delimiters, got %q", data)
	}
}

func TestOutputsErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name string
		o    *Outputs
		want string
	}{
		{"random source fails", &Outputs{OutputPath: filepath.Join(dir, "o"), Rand: bytes.NewReader(nil)}, "make delimiter"},
		{"file is a directory", &Outputs{OutputPath: dir, Rand: &countingReader{}}, "set output x"},
		{"missing directory", &Outputs{OutputPath: filepath.Join(dir, "no", "o"), Rand: &countingReader{}}, "set output x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if err := tt.o.Set("x", "v"); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("Set = %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func TestWriteSummary(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "summary.md")
	o := &Outputs{SummaryPath: path}
	for _, md := range []string{"## one\n", "## two"} {
		if err := o.WriteSummary(md); err != nil {
			t.Fatal(err)
		}
	}
	data, _ := os.ReadFile(path)
	if string(data) != "## one\n## two\n" {
		t.Errorf("summary file = %q, want both appended", data)
	}
	if err := o.WriteSummary(strings.Repeat("x", MaxSummaryBytes)); err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("oversized summary: err = %v, want the limit named", err)
	}

	var b bytes.Buffer
	if err := (&Outputs{Local: &b}).WriteSummary("## local"); err != nil {
		t.Fatal(err)
	}
	if want := "----- step summary -----\n## local\n----- end of step summary -----\n"; b.String() != want {
		t.Errorf("local summary = %q, want %q", b.String(), want)
	}
	if err := (&Outputs{}).WriteSummary("x"); err == nil {
		t.Error("WriteSummary with nowhere to write succeeded")
	}
	if err := (&Outputs{SummaryPath: t.TempDir()}).WriteSummary("x"); err == nil {
		t.Error("WriteSummary to a directory succeeded")
	}
}

func TestOutputsWriteFails(t *testing.T) {
	t.Parallel()
	if _, err := os.Stat("/dev/full"); err != nil {
		t.Skip("needs /dev/full")
	}
	o := &Outputs{OutputPath: "/dev/full", SummaryPath: "/dev/full", Rand: &countingReader{}}
	if err := o.Set("x", "v"); err == nil {
		t.Error("Set on a full device succeeded")
	}
	if err := o.WriteSummary("x"); err == nil {
		t.Error("WriteSummary on a full device succeeded")
	}
}

func TestOutputsConcurrent(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "output")
	o := &Outputs{OutputPath: path, Rand: &countingReader{}}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			if err := o.Set(fmt.Sprintf("o%d", i), strings.Repeat("line\n", i)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	data, _ := os.ReadFile(path)
	got, err := parseOutputFile(string(data))
	if err != nil || len(got) != 20 {
		t.Fatalf("read back %d records, %v; want 20 whole records", len(got), err)
	}
}
