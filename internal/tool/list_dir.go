package tool

import (
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

//go:embed list_dir.md
var listDirDescription string

const (
	listDefaultLimit = 500
	listMaxDepth     = 5
)

// ListDir is the "list_dir" tool: it lists a directory, optionally recursively.
type ListDir struct{}

// NewListDir returns the list_dir tool.
func NewListDir() *ListDir { return &ListDir{} }

// ListDirDetail records a list_dir call for events and session logs.
type ListDirDetail struct {
	Path      string `json:"path"`
	Depth     int    `json:"depth"`
	Entries   int    `json:"entries"`
	Truncated bool   `json:"truncated,omitempty"`
}

func (*ListDir) Name() string              { return "list_dir" }
func (*ListDir) Description() string       { return listDirDescription }
func (*ListDir) Risk(json.RawMessage) Risk { return RiskLow }
func (*ListDir) Schema() json.RawMessage   { return json.RawMessage(listDirSchema) }

const listDirUsage = `{"path": "src", "depth": 1, "limit": 500} (all optional)`

const listDirSchema = `{
  "type": "object",
  "properties": {
    "path": {"type": "string", "description": "Directory to list, relative to the workspace root (default \".\")."},
    "depth": {"type": "integer", "minimum": 1, "maximum": 5, "description": "How many levels to descend (default 1: only the directory's own entries)."},
    "limit": {"type": "integer", "minimum": 1, "description": "Maximum number of entries to show (default 500)."}
  },
  "additionalProperties": false
}`

type listDirArgs struct {
	Path  string `json:"path"`
	Depth intArg `json:"depth"`
	Limit intArg `json:"limit"`
}

func (l *ListDir) Run(ctx context.Context, env *Env, callID string, args json.RawMessage) (Result, error) {
	var a listDirArgs
	if res, ok := decodeArgs(l.Name(), args, &a, listDirUsage); !ok {
		return res, nil
	}
	if a.Depth < 0 || a.Limit < 0 {
		return Errorf(`list_dir: "depth" and "limit" must be positive; expected %s`, listDirUsage), nil
	}
	if a.Path == "" {
		a.Path = "."
	}
	depth, limit := min(max(int(a.Depth), 1), listMaxDepth), int(a.Limit)
	if limit == 0 {
		limit = listDefaultLimit
	}
	abs, err := Resolve(env.Workspace, a.Path)
	if err != nil {
		return Errorf("list_dir: %v", err), nil
	}
	fi, err := os.Stat(abs)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return Errorf("list_dir: %s does not exist", a.Path), nil
	case err != nil:
		return Errorf("list_dir: %v", err), nil
	case !fi.IsDir():
		return Errorf("list_dir: %s is a file, not a directory; use read_file to read it", a.Path), nil
	}
	rel := Rel(env.Workspace, abs)
	w := dirLister{ctx: ctx, limit: limit}
	fmt.Fprintf(&w.b, "%s/\n", strings.TrimSuffix(rel, "/"))
	if err := w.list(abs, 1, depth); err != nil {
		return Result{}, err
	}
	d := ListDirDetail{Path: rel, Depth: depth, Entries: w.n, Truncated: w.truncated}
	switch {
	case w.truncated:
		fmt.Fprintf(&w.b, "… listing truncated at %d entries; list a subdirectory, lower depth or raise limit\n", limit)
	case w.n == 0:
		w.b.WriteString("(empty directory)\n")
	}
	if int(a.Depth) > listMaxDepth {
		fmt.Fprintf(&w.b, "(depth capped at %d)\n", listMaxDepth)
	}
	return Result{Output: w.b.String(), Detail: d}, nil
}

// dirLister writes an indented tree: directories end in "/", symlinks show
// their target and are not followed, and .git is shown but never entered.
type dirLister struct {
	ctx       context.Context
	b         strings.Builder
	n, limit  int
	truncated bool
}

func (w *dirLister) list(dir string, level, depth int) error {
	if err := w.ctx.Err(); err != nil {
		return err
	}
	entries, err := os.ReadDir(dir)
	indent := strings.Repeat("  ", level)
	if err != nil && len(entries) == 0 {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		fmt.Fprintf(&w.b, "%s(unreadable: %v)\n", indent, err)
		return nil
	}
	for _, e := range entries {
		if w.n >= w.limit {
			w.truncated = true
			return nil
		}
		w.n++
		name := e.Name()
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(filepath.Join(dir, name))
			if err != nil {
				target = "?"
			}
			fmt.Fprintf(&w.b, "%s%s -> %s\n", indent, name, target)
		case e.IsDir():
			fmt.Fprintf(&w.b, "%s%s/\n", indent, name)
			if name != ".git" && level < depth {
				if err := w.list(filepath.Join(dir, name), level+1, depth); err != nil {
					return err
				}
			}
		default:
			fmt.Fprintf(&w.b, "%s%s\n", indent, name)
		}
	}
	return nil
}
