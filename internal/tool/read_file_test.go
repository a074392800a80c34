package tool

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestReadFile(t *testing.T) {
	t.Parallel()
	ws, outside := newTestWorkspace(t)
	writeTestFile(t, filepath.Join(ws, "three.txt"), "one\ntwo\nthree\n")
	writeTestFile(t, filepath.Join(ws, "crlf.txt"), "a\r\nb")
	writeTestFile(t, filepath.Join(ws, "empty"), "")
	writeTestFile(t, filepath.Join(ws, "bin"), "ELF\x00\x01")
	writeTestFile(t, filepath.Join(ws, "long.txt"), strings.Repeat("x", 2500)+"\n"+strings.Repeat("€", 1000)+"\nend\n")
	big := strings.Repeat(strings.Repeat("y", 999)+"\n", 300)
	writeTestFile(t, filepath.Join(ws, "big.txt"), big)
	mkSymlink(t, filepath.Join(outside, "secret"), filepath.Join(ws, "leak"))

	tests := []struct {
		name       string
		args       string
		want       string // exact output, unless wantPrefix
		wantPrefix bool
		wantErr    bool
		detail     *ReadFileDetail
	}{
		{
			name:   "whole file",
			args:   `{"path": "three.txt"}`,
			want:   "     1\tone\n     2\ttwo\n     3\tthree\n",
			detail: &ReadFileDetail{Path: "three.txt", StartLine: 1, EndLine: 3, TotalLines: 3},
		},
		{
			name:   "offset and limit",
			args:   `{"path": "three.txt", "offset": 2, "limit": 1}`,
			want:   "     2\ttwo\n… 1 more line; call again with offset=3\n",
			detail: &ReadFileDetail{Path: "three.txt", StartLine: 2, EndLine: 2, TotalLines: 3, Truncated: true},
		},
		{name: "numbers sent as float and string", args: `{"path": "three.txt", "offset": 3.0, "limit": "5"}`, want: "     3\tthree\n"},
		{name: "absolute path inside", args: fmt.Sprintf(`{"path": %q}`, filepath.Join(ws, "crlf.txt")), want: "     1\ta\n     2\tb\n"},
		{name: "empty file", args: `{"path": "empty"}`, want: "(empty is empty)"},
		{
			name: "long lines cut on a character boundary",
			args: `{"path": "long.txt"}`,
			want: "     1\t" + strings.Repeat("x", 2000) + " … [line truncated: 2500 bytes in all]\n" +
				"     2\t" + strings.Repeat("€", 666) + " … [line truncated: 3000 bytes in all]\n" +
				"     3\tend\n",
		},
		{
			name:       "output capped at 256 KiB",
			args:       `{"path": "big.txt"}`,
			want:       "     1\t" + strings.Repeat("y", 999) + "\n",
			wantPrefix: true,
			detail:     &ReadFileDetail{Path: "big.txt", StartLine: 1, EndLine: 260, TotalLines: 300, Truncated: true},
		},
		{name: "offset past the end", args: `{"path": "three.txt", "offset": 9}`, want: "read_file: offset 9 is past the end of three.txt, which has 3 lines", wantErr: true},
		{name: "directory", args: `{"path": "sub"}`, want: "read_file: sub is a directory; use list_dir to see its entries", wantErr: true},
		{name: "binary", args: `{"path": "bin"}`, want: "read_file: bin looks like a binary file (it contains NUL bytes); it is not shown", wantErr: true},
		{name: "missing", args: `{"path": "nope.txt"}`, want: "read_file: nope.txt does not exist; use list_dir or grep to find the file", wantErr: true},
		{name: "invalid json", args: `{"path": `, wantErr: true, wantPrefix: true, want: "read_file: invalid arguments: the arguments are not valid JSON"},
		{name: "missing path", args: `{}`, wantErr: true, want: `read_file: "path" is required; expected ` + readFileUsage},
		{name: "wrong type", args: `{"path": 7}`, wantErr: true, want: `read_file: invalid arguments: "path" must be a string, got number; expected ` + readFileUsage},
		{name: "bad offset", args: `{"path": "a.txt", "offset": "x"}`, wantErr: true, want: `read_file: invalid arguments: "offset" must be an integer, got "x"; expected ` + readFileUsage},
		{name: "unknown field", args: `{"path": "a.txt", "lines": 3}`, wantErr: true, want: `read_file: invalid arguments: unknown field "lines"; expected ` + readFileUsage},
		{name: "negative limit", args: `{"path": "a.txt", "limit": -1}`, wantErr: true, want: `read_file: "offset" and "limit" must be positive; expected ` + readFileUsage},
		{name: "dotdot", args: `{"path": "../outside/secret"}`, wantErr: true, wantPrefix: true, want: `read_file: path "../outside/secret" contains ".."`},
		{name: "absolute outside", args: fmt.Sprintf(`{"path": %q}`, filepath.Join(outside, "secret")), wantErr: true, wantPrefix: true, want: "read_file: path"},
		{name: "symlink outside", args: `{"path": "leak"}`, wantErr: true, wantPrefix: true, want: `read_file: path "leak" leads through a symlink`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runTool(t, NewReadFile(), ws, tt.args)
			if res.IsError != tt.wantErr {
				t.Errorf("IsError = %v, want %v (output %q)", res.IsError, tt.wantErr, res.Output)
			}
			if tt.wantPrefix && !strings.HasPrefix(res.Output, tt.want) || !tt.wantPrefix && res.Output != tt.want {
				t.Errorf("output:\n%s\nwant (prefix=%v):\n%s", trimForLog(res.Output), tt.wantPrefix, trimForLog(tt.want))
			}
			if tt.detail != nil {
				if diff := cmp.Diff(*tt.detail, res.Detail); diff != "" {
					t.Errorf("detail (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestReadFileCapNote(t *testing.T) {
	t.Parallel()
	ws, _ := newTestWorkspace(t)
	writeTestFile(t, filepath.Join(ws, "big.txt"), strings.Repeat(strings.Repeat("y", 999)+"\n", 300))
	res := runTool(t, NewReadFile(), ws, `{"path": "big.txt"}`)
	if len(res.Output) > readMaxOutput+200 {
		t.Errorf("output is %d bytes, over the cap", len(res.Output))
	}
	if want := "… output capped at 256 KiB; 40 more lines; call again with offset=261\n"; !strings.HasSuffix(res.Output, want) {
		t.Errorf("output ends %q, want %q", res.Output[len(res.Output)-80:], want)
	}
}

func TestReadFileFIFO(t *testing.T) {
	t.Parallel()
	ws, _ := newTestWorkspace(t)
	if err := exec.Command("mkfifo", filepath.Join(ws, "pipe")).Run(); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	res := runTool(t, NewReadFile(), ws, `{"path": "pipe"}`)
	if !res.IsError || !strings.Contains(res.Output, "not a regular file") {
		t.Errorf("got %+v, want a refusal (opening a FIFO would block)", res)
	}
	_ = os.Remove(filepath.Join(ws, "pipe"))
}

func trimForLog(s string) string {
	if len(s) > 300 {
		return s[:150] + "…" + s[len(s)-150:]
	}
	return s
}
