package agent

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// agentsMDNames are tried in order in each directory; the first usable one is
// that directory's instructions. AGENTS.override.md replaces AGENTS.md, as in
// Codex, so a local checkout can swap the committed file without editing it.
var agentsMDNames = []string{"AGENTS.override.md", "AGENTS.md"}

type agentsDoc struct {
	path, label string
	body        string // at most maxBytes of the file
	unread      int    // bytes of the file beyond body
}

// LoadAgentsMD gathers instruction files: userFile (missing is fine), then
// the AGENTS.md of every directory from repoRoot down to cwd. If cwd is not
// inside repoRoot, or repoRoot is "", only cwd's file is read. The sections
// are joined root to leaf, each headed "# AGENTS.md from <path>", where the
// path is relative to the repository or to ~. files lists, in the same order,
// the files whose text was included, under the symlink-resolved repository
// root. A maxBytes of 0 or less disables loading.
//
// A symlink that resolves outside the repository (or outside cwd, when cwd is
// not in one) is skipped, so a cloned repository cannot feed its instructions
// from elsewhere on disk; so is anything that is not a regular file.
//
// When the sections exceed maxBytes, the leaf-most files are kept whole,
// because deeper files are the more specific and by convention take
// precedence. The first file that does not fit keeps its beginning, followed
// by "[truncated: N bytes omitted]", where N counts every byte dropped from
// it and from all files above it; those files are left out. The result never
// exceeds maxBytes.
func LoadAgentsMD(userFile, repoRoot, cwd string, maxBytes int) (text string, files []string, err error) {
	if maxBytes <= 0 {
		return "", nil, nil
	}
	var docs []agentsDoc
	if userFile != "" {
		d, ok, err := readAgentsDoc(userFile, "", maxBytes)
		if err != nil {
			return "", nil, err
		}
		if ok {
			d.label = tildePath(userFile)
			docs = append(docs, d)
		}
	}
	dirs, root, inRepo, err := agentsDirs(repoRoot, cwd)
	if err != nil {
		return "", nil, err
	}
	for _, dir := range dirs {
		for _, name := range agentsMDNames {
			path := filepath.Join(dir, name)
			d, ok, err := readAgentsDoc(path, root, maxBytes)
			if err != nil {
				return "", nil, err
			}
			if !ok {
				continue
			}
			d.label = tildePath(path)
			if inRepo {
				rel, _ := filepath.Rel(root, path)
				d.label = filepath.ToSlash(rel)
			}
			docs = append(docs, d)
			break
		}
	}
	text, n := capAgentsDocs(docs, maxBytes)
	for _, d := range docs[len(docs)-n:] {
		files = append(files, d.path)
	}
	return text, files, nil
}

// agentsDirs lists the directories to search, root first, and the directory
// symlinks must stay inside. Both paths are resolved so that a cwd reached
// through a symlink still counts as inside the repository.
func agentsDirs(repoRoot, cwd string) (dirs []string, root string, inRepo bool, err error) {
	if cwd == "" {
		cwd = repoRoot
	}
	if cwd == "" {
		return nil, "", false, nil
	}
	if cwd, err = filepath.EvalSymlinks(cwd); err != nil {
		return nil, "", false, fmt.Errorf("load AGENTS.md: %w", err)
	}
	if repoRoot != "" {
		if repoRoot, err = filepath.EvalSymlinks(repoRoot); err != nil {
			return nil, "", false, fmt.Errorf("load AGENTS.md: %w", err)
		}
	}
	if repoRoot == "" || !within(repoRoot, cwd) {
		return []string{cwd}, cwd, false, nil
	}
	dirs = []string{repoRoot}
	rel, _ := filepath.Rel(repoRoot, cwd)
	if rel == "." {
		return dirs, repoRoot, true, nil
	}
	dir := repoRoot
	for part := range strings.SplitSeq(rel, string(filepath.Separator)) {
		dir = filepath.Join(dir, part)
		dirs = append(dirs, dir)
	}
	return dirs, repoRoot, true, nil
}

// readAgentsDoc reads at most limit bytes of path. ok is false when the file
// is missing, empty, not a regular file, or (when root is set) a symlink that
// leads outside root.
func readAgentsDoc(path, root string, limit int) (d agentsDoc, ok bool, err error) {
	resolved, err := filepath.EvalSymlinks(path)
	if errors.Is(err, fs.ErrNotExist) {
		return d, false, nil // missing, or a dangling symlink
	}
	if err != nil {
		return d, false, fmt.Errorf("load AGENTS.md: %w", err)
	}
	if root != "" && !within(root, resolved) {
		return d, false, nil
	}
	// Stat before opening: opening a FIFO would block.
	st, err := os.Stat(resolved)
	if err != nil {
		return d, false, fmt.Errorf("load AGENTS.md: %w", err)
	}
	if !st.Mode().IsRegular() {
		return d, false, nil
	}
	f, err := os.Open(resolved)
	if err != nil {
		return d, false, fmt.Errorf("load AGENTS.md: %w", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, int64(limit)))
	if err != nil {
		return d, false, fmt.Errorf("load AGENTS.md %s: %w", path, err)
	}
	if strings.TrimSpace(string(b)) == "" {
		return d, false, nil
	}
	d = agentsDoc{path: path, body: string(b), unread: max(0, int(st.Size())-len(b))}
	return d, true, nil
}

func (d agentsDoc) heading() string { return "# AGENTS.md from " + d.label + "\n\n" }

// capAgentsDocs joins docs within maxBytes as LoadAgentsMD describes and
// reports how many docs, counted from the leaf, contributed text.
func capAgentsDocs(docs []agentsDoc, maxBytes int) (string, int) {
	parts := make([]string, len(docs))
	size, unread := 0, 0
	for i, d := range docs {
		parts[i] = d.heading() + strings.TrimSuffix(d.body, "\n") + "\n"
		size += len(parts[i]) + 1
		unread += d.unread
	}
	if size-1 <= maxBytes && unread == 0 {
		return strings.Join(parts, "\n"), len(docs)
	}

	// Reserve room for the marker with N at its largest.
	budget := maxBytes - len(truncMarker(size+unread)) - 1
	if budget < 0 {
		return "", 0 // maxBytes is too small even for the marker
	}
	var kept []string
	i := len(docs) - 1
	for ; i >= 0 && docs[i].unread == 0 && len(parts[i])+1 <= budget; i-- {
		kept = append(kept, parts[i])
		budget -= len(parts[i]) + 1
	}
	slices.Reverse(kept)
	n := len(kept)
	front, omitted := "", 0
	if i >= 0 {
		d := docs[i]
		if room := budget - len(d.heading()) - 1; room > 0 {
			cut := d.body[:min(room, len(d.body))]
			for len(cut) > 0 && !utf8.ValidString(cut) {
				cut = cut[:len(cut)-1] // do not split a multi-byte character
			}
			front = d.heading() + strings.TrimSuffix(cut, "\n") + "\n"
			omitted += len(d.body) - len(cut) + d.unread
			n++
			i--
		}
		for ; i >= 0; i-- {
			omitted += len(docs[i].body) + docs[i].unread
		}
	}
	front += truncMarker(omitted)
	return strings.Join(append([]string{front}, kept...), "\n"), n
}

func truncMarker(n int) string { return fmt.Sprintf("[truncated: %d bytes omitted]\n", n) }

func within(root, path string) bool {
	rel, err := filepath.Rel(root, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// tildePath shows path relative to the home directory when it is inside it.
func tildePath(path string) string {
	home, err := os.UserHomeDir()
	if err != nil || home == "" || !within(home, path) {
		return path
	}
	rel, _ := filepath.Rel(home, path)
	return "~/" + filepath.ToSlash(rel)
}
