package audit

import (
	"fmt"
	"path/filepath"
)

// Problem is a defect Verify found at one line.
type Problem struct {
	File string
	Line int    // 1-based line number
	Seq  int64  // the entry's seq if it could be parsed, else 0
	Kind string // "edited", "deleted", "reordered", "inserted", "malformed", "torn", "truncated tail", "key required", "unkeyed entry", "missing start"
	Msg  string // one sentence naming the entry by seq and file:line
}

// Report is the result of Verify.
type Report struct {
	Files    []string
	Entries  int       // intact entries
	Head     string    // hash of the last intact entry
	Bad      *Problem  // first tamper evidence; nil if the chain is intact
	Warnings []Problem // truncated tail, torn entries whose chain continues
}

// record is one line of a log as Verify sees it.
type record struct {
	file   string
	line   int
	nl     bool // ended with "\n"
	ok     bool // parses as an entry
	link        // claimed seq only, when !ok
	hashed bool // ends with a well-formed hash
	sumOK  bool // and the hash matches the content under the given key
}

// Verify checks the hash chain across files, in order (see Files). It
// returns an error only when a file cannot be read; tampering is reported in
// Report.Bad, and harmless damage left by crashes in Report.Warnings.
func Verify(files []string, key []byte) (*Report, error) {
	v := &verifier{
		key:    key,
		rep:    &Report{Files: files},
		seen:   map[string]int{},
		byHash: map[string]int{},
		byPrev: map[string]int{},
	}
	for _, path := range files {
		err := eachLine(path, func(line []byte, n int, nl bool) {
			r := record{file: path, line: n, nl: nl}
			var head []byte
			r.link, head, r.ok = parseLink(line)
			if head != nil {
				r.hashed = true
				_, sum, _ := splitHash(line)
				r.sumOK = recompute(head, key) == sum
			}
			if r.ok {
				v.byHash[r.Hash] = len(v.recs)
				v.byPrev[r.Prev] = len(v.recs)
			} else {
				r.link = link{Seq: claimedSeq(line)}
			}
			v.recs = append(v.recs, r)
		})
		if err != nil {
			return nil, err
		}
	}
	v.walk()
	return v.rep, nil
}

type verifier struct {
	recs     []record
	key      []byte
	rep      *Report
	started  bool // an entry has been accepted
	lastSeq  int64
	lastHash string
	seen     map[string]int // hash → index, of accepted entries
	byHash   map[string]int // hash → last index, of all parseable entries
	byPrev   map[string]int // prev → last index, of all parseable entries
}

func (v *verifier) walk() {
	next := make([]int, len(v.recs)) // index of the next parseable record, or -1
	for i, j := len(v.recs)-1, -1; i >= 0; i-- {
		next[i] = j
		if v.recs[i].ok {
			j = i
		}
	}
	for i := range v.recs {
		r := &v.recs[i]
		if !r.ok {
			switch {
			case i == len(v.recs)-1 && !r.nl:
				v.warn(r, "truncated tail", "%s is a truncated entry, cut short while it was being written (a crash?)", v.where(r))
				continue
			case next[i] >= 0 && v.follows(&v.recs[next[i]]):
				n := &v.recs[next[i]]
				v.warn(r, "torn", "%s is a torn entry, cut short by a crash; the chain continues at entry %d (%s)", v.where(r), n.Seq, loc(n))
				continue
			case r.hashed && !r.sumOK:
				v.bad(r, "edited", "%s was edited: its hash does not match its content", v.where(r))
			default:
				v.bad(r, "malformed", "%s is malformed: it is not an audit entry", v.where(r))
			}
			return
		}
		if p := v.check(i, r); p != nil {
			v.rep.Bad = p
			return
		}
		v.started, v.lastSeq, v.lastHash = true, r.Seq, r.Hash
		v.seen[r.Hash] = i
		v.rep.Entries++
		v.rep.Head = r.Hash
	}
}

// follows reports whether r chains on from the last accepted entry.
func (v *verifier) follows(r *record) bool {
	if !v.started {
		return r.Seq == 1 && r.Prev == ""
	}
	return r.Prev == v.lastHash && r.Seq == v.lastSeq+1
}

// check returns the problem with the parseable entry at i, if any.
func (v *verifier) check(i int, r *record) *Problem {
	name := fmt.Sprintf("entry %d (%s)", r.Seq, loc(r))
	switch {
	case r.MAC != "" && r.MAC != macHMAC:
		return v.problem(r, "malformed", "%s has an unknown mac %q", name, r.MAC)
	case len(v.key) == 0 && r.MAC != "":
		return v.problem(r, "key required", "%s is keyed (%s): set GIT_AGENT_AUDIT_KEY to the key the log was written with to verify it", name, r.MAC)
	case len(v.key) > 0 && r.MAC == "":
		return v.problem(r, "unkeyed entry", "%s is not keyed although a key was given: a keyed log may have been rewritten as plain sha256", name)
	case !r.sumOK && len(v.key) > 0:
		return v.problem(r, "edited", "%s was edited, or GIT_AGENT_AUDIT_KEY is not the key it was written with: its hash does not match its content", name)
	case !r.sumOK:
		return v.problem(r, "edited", "%s was edited: its hash does not match its content", name)
	case v.follows(r):
		return nil
	case !v.started:
		if j, ok := v.byPrev[""]; ok && j > i && v.recs[j].Seq == 1 {
			return v.problem(r, "reordered", "%s is out of order: the chain starts later, at entry 1 (%s)", name, loc(&v.recs[j]))
		}
		return v.problem(r, "missing start", "%s does not start the chain: entries before seq %d are missing; pass the earlier files too", name, r.Seq)
	}
	if j, ok := v.seen[r.Hash]; ok {
		return v.problem(r, "inserted", "%s was inserted: it is a copy of entry %d (%s)", name, v.recs[j].Seq, loc(&v.recs[j]))
	}
	if r.Prev == v.lastHash {
		// The link is right but the seq is not: the hash was recomputed.
		return v.problem(r, "edited", "%s was edited: its seq does not follow entry %d", name, v.lastSeq)
	}
	if r.Seq > v.lastSeq+1 {
		if j, ok := v.byHash[r.Prev]; ok && j > i {
			return v.problem(r, "reordered", "%s is out of order: it comes before entry %d (%s), which it follows", name, v.recs[j].Seq, loc(&v.recs[j]))
		}
		if j, ok := v.byPrev[v.lastHash]; !ok || j < i {
			missing := fmt.Sprintf("entry %d was", v.lastSeq+1)
			if r.Seq-v.lastSeq > 2 {
				missing = fmt.Sprintf("entries %d-%d were", v.lastSeq+1, r.Seq-1)
			}
			return v.problem(r, "deleted", "%s follows entry %d: %s deleted", name, v.lastSeq, missing)
		}
	}
	return v.problem(r, "inserted", "%s was inserted: it does not belong to this chain, which continues from entry %d", name, v.lastSeq)
}

// where names a line that did not parse, by the seq it claims if any.
func (v *verifier) where(r *record) string {
	if r.Seq > 0 {
		return fmt.Sprintf("entry %d (%s)", r.Seq, loc(r))
	}
	if v.started {
		return fmt.Sprintf("%s (after entry %d)", loc(r), v.lastSeq)
	}
	return loc(r)
}

func loc(r *record) string {
	return fmt.Sprintf("%s line %d", filepath.Base(r.file), r.line)
}

func (v *verifier) problem(r *record, kind, format string, args ...any) *Problem {
	return &Problem{File: r.file, Line: r.line, Seq: r.Seq, Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

func (v *verifier) bad(r *record, kind, format string, args ...any) {
	v.rep.Bad = v.problem(r, kind, format, args...)
}

func (v *verifier) warn(r *record, kind, format string, args ...any) {
	v.rep.Warnings = append(v.rep.Warnings, *v.problem(r, kind, format, args...))
}
