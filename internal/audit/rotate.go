package audit

import (
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
)

// genDigits is the width of the generation number in rotated file names:
// audit.jsonl → audit.000001.jsonl. Wider numbers still sort by value.
const genDigits = 6

type generation struct {
	n    int64
	path string
}

// rotated lists the rotated files of the log at path, oldest first.
func rotated(path string) ([]generation, error) {
	dir, base := filepath.Split(path)
	ext := filepath.Ext(base)
	stem := strings.TrimSuffix(base, ext)
	ents, err := os.ReadDir(filepath.Clean(dir + "."))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("list audit log files: %w", err)
	}
	var gens []generation
	for _, ent := range ents {
		name := ent.Name()
		mid, ok := strings.CutPrefix(name, stem+".")
		if !ok {
			continue
		}
		if mid, ok = strings.CutSuffix(mid, ext); !ok || len(mid) < genDigits || strings.Trim(mid, "0123456789") != "" {
			continue
		}
		n, err := strconv.ParseInt(mid, 10, 64)
		if err != nil || !ent.Type().IsRegular() {
			continue
		}
		gens = append(gens, generation{n: n, path: filepath.Join(dir, name)})
	}
	slices.SortFunc(gens, func(a, b generation) int {
		return cmp.Or(cmp.Compare(a.n, b.n), strings.Compare(a.path, b.path))
	})
	return gens, nil
}

// rotatedName is the name generation n of the log at path is rotated to.
func rotatedName(path string, n int64) string {
	dir, base := filepath.Split(path)
	ext := filepath.Ext(base)
	return filepath.Join(dir, fmt.Sprintf("%s.%0*d%s", strings.TrimSuffix(base, ext), genDigits, n, ext))
}

// Files returns the chain files of the log at path in order: rotated files
// oldest first, then the current file, which is listed even if missing (it
// is created by the next Append).
func Files(path string) ([]string, error) {
	gens, err := rotated(path)
	if err != nil {
		return nil, err
	}
	files := make([]string, 0, len(gens)+1)
	for _, g := range gens {
		files = append(files, g.path)
	}
	return append(files, path), nil
}

// rotate moves the current file aside and starts a new one; the chain goes
// on across the files. The caller holds the lock.
func (l *Log) rotate() error {
	gens, err := rotated(l.path)
	if err != nil {
		return err
	}
	next := int64(1)
	if len(gens) > 0 {
		next = gens[len(gens)-1].n + 1
	}
	// Windows cannot rename a file this process holds open.
	err = l.f.Close()
	l.f = nil // the next Append reopens it, whatever happens below
	if err != nil {
		return fmt.Errorf("rotate audit log: %w", err)
	}
	renameErr := os.Rename(l.path, rotatedName(l.path, next))
	if err := l.openCurrent(); err != nil {
		return fmt.Errorf("rotate audit log: %w", err)
	}
	if renameErr != nil {
		// Another process may hold the file open (Windows), or the directory
		// refuses renames. Losing entries is worse than a long file: keep
		// appending to the current one and try again next time.
		return nil
	}
	l.needNL = false
	return nil
}

// syncDir makes a rename or a file creation in dir durable.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		// Directories cannot be fsynced there; NTFS journals metadata itself.
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("sync %s: %w", dir, err)
	}
	return nil
}
