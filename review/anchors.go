package review

// LastLine is the finding's last line: EndLine, or Line when it is 0.
func (f Finding) LastLine() int {
	if f.EndLine == 0 {
		return f.Line
	}
	return f.EndLine
}

// Anchors indexes the new-side lines of a diff's hunks (added and context
// lines), by file: a finding can be shown inline when all its lines lie in
// one hunk. Build it once per diff with NewAnchors.
type Anchors map[string][]map[int]bool

// NewAnchors indexes files. Deleted and binary files have no anchors.
func NewAnchors(files []FileDiff) Anchors {
	a := Anchors{}
	for _, f := range files {
		if f.NewPath == "" || f.Binary || f.Deleted {
			continue
		}
		for _, h := range f.Hunks {
			right := map[int]bool{}
			for _, l := range h.Lines {
				if (l.Kind == '+' || l.Kind == ' ') && l.NewLine > 0 {
					right[l.NewLine] = true
				}
			}
			a[f.NewPath] = append(a[f.NewPath], right)
		}
	}
	return a
}

// Contain reports whether every line of f lies inside one hunk of its file.
func (a Anchors) Contain(f Finding) bool {
	end := f.LastLine()
	if f.Line < 1 || end < f.Line {
		return false
	}
	for _, right := range a[f.Path] {
		if !right[f.Line] {
			continue
		}
		for n := f.Line; n <= end; n++ {
			if !right[n] {
				return false
			}
		}
		return true
	}
	return false
}
