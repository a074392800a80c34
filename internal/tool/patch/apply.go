package patch

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// FS is the file system a patch is applied to.
type FS interface {
	// Resolve maps a path written in the patch to the name the other methods
	// take, or rejects it (e.g. because it leaves the workspace). Two paths
	// naming the same file must resolve to the same name.
	Resolve(path string) (string, error)
	// Stat returns the mode of name, or an error wrapping fs.ErrNotExist.
	Stat(name string) (fs.FileMode, error)
	ReadFile(name string) ([]byte, error)
	// WriteFile replaces name atomically, creating parent directories.
	WriteFile(name string, data []byte, perm fs.FileMode) error
	Remove(name string) error
}

// Change is what happened to one file.
type Change struct {
	Op      Op
	Path    string // resolved name
	MoveTo  string // resolved name of the destination of a move, or ""
	Added   int    // lines
	Removed int    // lines
}

// Summary lists the changes of an applied patch, in patch order.
type Summary struct {
	Changes []Change
}

// file is the in-memory state of one name while a patch is applied.
type file struct {
	exists     bool
	data       []byte
	mode       fs.FileMode
	origExists bool
	orig       []byte
	origMode   fs.FileMode
}

// ErrPartial is wrapped by an Apply error after which some files may have
// changed: a write failed and so did restoring the files already written.
// Any other Apply error leaves every file as it was.
var ErrPartial = errors.New("the patch was partly applied")

// Apply applies p to fsys, all or nothing: every file's new content is
// computed and every precondition checked before anything is written, and
// if a write fails the files already written are restored.
func (p *Patch) Apply(fsys FS) (Summary, error) {
	a := applier{fsys: fsys, files: map[string]*file{}}
	var sum Summary
	for _, f := range p.Files {
		c, err := a.apply(f)
		if err != nil {
			return Summary{}, err
		}
		sum.Changes = append(sum.Changes, c)
	}
	return sum, a.commit()
}

type applier struct {
	fsys  FS
	files map[string]*file
	order []string // names in the order first touched
}

// load returns the state of the file a patch path names.
func (a *applier) load(path string) (string, *file, error) {
	name, err := a.fsys.Resolve(path)
	if err != nil {
		return "", nil, err
	}
	if f, ok := a.files[name]; ok {
		return name, f, nil
	}
	f := &file{}
	mode, err := a.fsys.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
	case err != nil:
		return "", nil, err
	case mode.IsDir():
		return "", nil, errors.New("it is a directory")
	default:
		data, err := a.fsys.ReadFile(name)
		if err != nil {
			return "", nil, err
		}
		*f = file{exists: true, data: data, mode: mode, origExists: true, orig: data, origMode: mode}
	}
	a.files[name] = f
	a.order = append(a.order, name)
	return name, f, nil
}

func (a *applier) apply(pf File) (Change, error) {
	name, f, err := a.load(pf.Path)
	if err != nil {
		return Change{}, fmt.Errorf("%s %q: %w", pf.Op, pf.Path, err)
	}
	c := Change{Op: pf.Op, Path: name}
	switch pf.Op {
	case Add:
		if f.exists {
			return Change{}, fmt.Errorf("add %q: the file already exists; use \"*** Update File:\" to change it", pf.Path)
		}
		f.exists, f.mode = true, 0o644
		f.data = nil
		if len(pf.Lines) > 0 {
			f.data = []byte(strings.Join(pf.Lines, "\n") + "\n")
		}
		c.Added = len(pf.Lines)
	case Delete:
		if !f.exists {
			return Change{}, fmt.Errorf("delete %q: the file does not exist", pf.Path)
		}
		c.Removed = len(splitText(string(f.data)).lines)
		f.exists, f.data = false, nil
	case Update:
		if !f.exists {
			return Change{}, fmt.Errorf("update %q: the file does not exist; use \"*** Add File:\" to create it", pf.Path)
		}
		t, added, removed, err := applyHunks(splitText(string(f.data)), pf.Hunks)
		if err != nil {
			return Change{}, fmt.Errorf("update %q: %w", pf.Path, err)
		}
		c.Added, c.Removed = added, removed
		data := []byte(t.String())
		if pf.MoveTo == "" {
			f.data = data
			break
		}
		dst, df, err := a.load(pf.MoveTo)
		if err != nil {
			return Change{}, fmt.Errorf("move %q to %q: %w", pf.Path, pf.MoveTo, err)
		}
		if dst == name {
			f.data = data
			break
		}
		if df.exists {
			return Change{}, fmt.Errorf("move %q to %q: the destination already exists", pf.Path, pf.MoveTo)
		}
		*df = file{exists: true, data: data, mode: f.mode, origExists: df.origExists, orig: df.orig, origMode: df.origMode}
		f.exists, f.data = false, nil
		c.MoveTo = dst
	}
	return c, nil
}

// commit writes the final state: new and changed files first, then removals,
// so a failure leaves no file lost. On failure what was done is undone.
func (a *applier) commit() error {
	var undo []func() error
	fail := func(err error) error {
		for i := len(undo) - 1; i >= 0; i-- {
			if uerr := undo[i](); uerr != nil {
				return fmt.Errorf("%w; restoring the files already written failed too (%v): %w", err, uerr, ErrPartial)
			}
		}
		return err
	}
	for _, name := range a.order {
		f := a.files[name]
		if !f.exists || f.origExists && bytes.Equal(f.data, f.orig) && f.mode == f.origMode {
			continue
		}
		if err := a.fsys.WriteFile(name, f.data, f.mode.Perm()); err != nil {
			return fail(fmt.Errorf("write %s: %w", name, err))
		}
		undo = append(undo, a.restore(name, f))
	}
	for _, name := range a.order {
		f := a.files[name]
		if f.exists || !f.origExists {
			continue
		}
		if err := a.fsys.Remove(name); err != nil {
			return fail(fmt.Errorf("remove %s: %w", name, err))
		}
		undo = append(undo, a.restore(name, f))
	}
	return nil
}

func (a *applier) restore(name string, f *file) func() error {
	return func() error {
		if f.origExists {
			return a.fsys.WriteFile(name, f.orig, f.origMode.Perm())
		}
		return a.fsys.Remove(name)
	}
}
