package tool

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// ErrOutsideWorkspace is wrapped by every Resolve error about a path that
// names (or, through symlinks, leads to) something outside the workspace.
var ErrOutsideWorkspace = errors.New("path must be inside the workspace")

// maxSymlinkHops bounds symlink chains (and loops) while resolving, as the
// kernel's ELOOP does.
const maxSymlinkHops = 40

// Resolve maps a model-supplied path to an absolute, symlink-free path inside
// workspace. p may be relative to workspace or absolute; it must not contain a
// ".." component. Symlinks in the existing part of the path are followed and
// the result must stay inside the workspace; the part that does not exist yet
// is kept as written, so Resolve also confines files about to be created.
func Resolve(workspace, p string) (string, error) {
	if p == "" {
		return "", errors.New("path is empty: give a path relative to the workspace, e.g. \"src/main.go\"")
	}
	if strings.ContainsRune(p, 0) {
		return "", fmt.Errorf("path %q contains a NUL byte", p)
	}
	for _, c := range strings.Split(filepath.ToSlash(p), "/") {
		if c == ".." {
			return "", fmt.Errorf("path %q contains \"..\": %w; use a path relative to the workspace root", p, ErrOutsideWorkspace)
		}
	}
	ws, err := filepath.EvalSymlinks(workspace)
	if err != nil {
		return "", fmt.Errorf("resolve workspace: %w", err)
	}
	ws, err = filepath.Abs(ws)
	if err != nil {
		return "", fmt.Errorf("resolve workspace: %w", err)
	}
	target := p
	if !filepath.IsAbs(target) {
		target = filepath.Join(ws, target)
	}
	abs, err := walkPath(filepath.Clean(target))
	if err != nil {
		return "", fmt.Errorf("resolve %q: %w", p, err)
	}
	if !within(ws, abs) {
		if filepath.IsAbs(p) && !within(ws, filepath.Clean(p)) && !within(filepath.Clean(workspace), filepath.Clean(p)) {
			return "", fmt.Errorf("path %q is outside the workspace %s: %w", p, ws, ErrOutsideWorkspace)
		}
		return "", fmt.Errorf("path %q leads through a symlink to %s, outside the workspace: %w", p, abs, ErrOutsideWorkspace)
	}
	return abs, nil
}

// ResolveDir is Resolve for a directory that must already exist.
func ResolveDir(workspace, p string) (string, error) {
	abs, err := Resolve(workspace, p)
	if err != nil {
		return "", err
	}
	fi, err := os.Stat(abs)
	if errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("directory %q does not exist", p)
	}
	if err != nil {
		return "", fmt.Errorf("stat %q: %w", p, err)
	}
	if !fi.IsDir() {
		return "", fmt.Errorf("%q is not a directory", p)
	}
	return abs, nil
}

// Rel returns abs relative to workspace with forward slashes, for showing to
// the model and the user. It falls back to abs when abs is not inside.
func Rel(workspace, abs string) string {
	ws := workspace
	if !within(ws, abs) {
		ws = evalOrSelf(workspace)
	}
	if within(ws, abs) {
		if r, err := filepath.Rel(ws, abs); err == nil {
			return filepath.ToSlash(r)
		}
	}
	return abs
}

func evalOrSelf(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// within reports whether p is root or below it. Both must be clean.
func within(root, p string) bool {
	if p == root {
		return true
	}
	r, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	return r != ".." && !strings.HasPrefix(r, ".."+string(filepath.Separator)) && !filepath.IsAbs(r)
}

// walkPath resolves the absolute, clean path p one component at a time,
// following symlinks as the kernel would. At the first component that does not
// exist it stops and appends the rest, which cannot contain symlinks. Unlike
// filepath.EvalSymlinks this also sees through dangling symlinks, which a
// later create would otherwise follow.
func walkPath(p string) (string, error) {
	vol := filepath.VolumeName(p)
	resolved := vol + string(filepath.Separator)
	rest := splitPath(p[len(vol):])
	hops := 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			resolved = filepath.Dir(resolved)
			continue
		}
		next := filepath.Join(resolved, c)
		fi, err := os.Lstat(next)
		if errors.Is(err, fs.ErrNotExist) {
			return filepath.Join(append([]string{next}, rest...)...), nil
		}
		if err != nil {
			return "", err
		}
		if fi.Mode()&fs.ModeSymlink == 0 {
			if len(rest) > 0 && !fi.IsDir() {
				return "", fmt.Errorf("%s is not a directory", next)
			}
			resolved = next
			continue
		}
		if hops++; hops > maxSymlinkHops {
			return "", errors.New("too many levels of symbolic links")
		}
		link, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(link) {
			v := filepath.VolumeName(link)
			resolved = v + string(filepath.Separator)
			link = link[len(v):]
		}
		rest = append(splitPath(link), rest...)
	}
	return resolved, nil
}

func splitPath(p string) []string {
	return strings.FieldsFunc(p, func(r rune) bool { return r < 0x80 && os.IsPathSeparator(uint8(r)) })
}
