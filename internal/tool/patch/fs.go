package patch

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// OS returns an FS over the real file system. resolve maps and confines the
// paths written in a patch, e.g. to absolute paths inside a workspace.
func OS(resolve func(path string) (string, error)) FS {
	return osFS{resolve: resolve}
}

type osFS struct {
	resolve func(string) (string, error)
}

func (o osFS) Resolve(path string) (string, error) { return o.resolve(path) }

func (osFS) Stat(name string) (fs.FileMode, error) {
	fi, err := os.Stat(name)
	if err != nil {
		return 0, err
	}
	return fi.Mode(), nil
}

func (osFS) ReadFile(name string) ([]byte, error) { return os.ReadFile(name) }

func (osFS) Remove(name string) error { return os.Remove(name) }

// WriteFile writes to a temporary file next to name and renames it over
// name, so readers never see a half-written file.
func (osFS) WriteFile(name string, data []byte, perm fs.FileMode) (err error) {
	dir := filepath.Dir(name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return err
	}
	if err := tmp.Chmod(perm); err != nil {
		return fmt.Errorf("chmod: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
}
