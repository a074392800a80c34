package audit

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"strconv"
	"time"
)

// Entry is one audit record, one JSON object per line.
type Entry struct {
	Seq       int64          `json:"seq"`
	Time      time.Time      `json:"time"`
	Session   string         `json:"session,omitempty"`
	Agent     string         `json:"agent"`              // e.g. "git-agent/v0.3.0"
	Operation string         `json:"operation"`          // session.start, tool.call, exec, file.write, egress, sandbox.refused, commit ...
	Target    string         `json:"target,omitempty"`   // what the operation acted on: a path, a command line, a host
	Decision  string         `json:"decision,omitempty"` // allowed, denied, approved, rejected, refused, killed, ok, failed ...
	Reason    string         `json:"reason,omitempty"`   // why, in words
	Rule      string         `json:"rule,omitempty"`     // the policy rule that decided
	Profile   string         `json:"profile,omitempty"`  // the sandbox profile in force
	Details   map[string]any `json:"details,omitempty"`  // anything else worth keeping
	MAC       string         `json:"mac,omitempty"`      // "hmac-sha256" when keyed, empty for plain sha256
	Prev      string         `json:"prev"`               // hash of the previous entry ("" for the first entry of a chain)
	Hash      string         `json:"hash"`               // hex sha256 (or hmac-sha256) of this entry's canonical form
}

// macHMAC is the only MAC this package writes.
const macHMAC = "hmac-sha256"

// body is Entry without Hash: its JSON encoding is the canonical form that
// gets hashed. The field order and tags must stay identical to Entry's, so
// that a written line is the canonical form with the hash appended.
type body struct {
	Seq       int64          `json:"seq"`
	Time      time.Time      `json:"time"`
	Session   string         `json:"session,omitempty"`
	Agent     string         `json:"agent"`
	Operation string         `json:"operation"`
	Target    string         `json:"target,omitempty"`
	Decision  string         `json:"decision,omitempty"`
	Reason    string         `json:"reason,omitempty"`
	Rule      string         `json:"rule,omitempty"`
	Profile   string         `json:"profile,omitempty"`
	Details   map[string]any `json:"details,omitempty"`
	MAC       string         `json:"mac,omitempty"`
	Prev      string         `json:"prev"`
}

// hashKey and hashSuffix frame the hash at the end of every line:
// `...,"prev":"…","hash":"<64 hex>"}`.
const (
	hashKey    = `,"hash":"`
	hashHexLen = 2 * sha256.Size
	suffixLen  = len(hashKey) + hashHexLen + len(`"}`)
)

// encodeLine returns the line to write for e (newline included) and its hash.
// Verify recomputes the hash from the line's bytes rather than by
// re-marshalling, so whatever bytes are written here are what is hashed.
func encodeLine(e *Entry, key []byte) (line []byte, sum string, err error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep <>& readable; the bytes are hashed as written either way
	if err := enc.Encode(body{
		Seq: e.Seq, Time: e.Time, Session: e.Session, Agent: e.Agent, Operation: e.Operation,
		Target: e.Target, Decision: e.Decision, Reason: e.Reason, Rule: e.Rule, Profile: e.Profile,
		Details: e.Details, MAC: e.MAC, Prev: e.Prev,
	}); err != nil {
		return nil, "", fmt.Errorf("encode entry: %w", err)
	}
	canon := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	h := newHash(key)
	h.Write(canon)
	sum = hex.EncodeToString(h.Sum(nil))

	line = make([]byte, 0, len(canon)+suffixLen+1)
	line = append(line, canon[:len(canon)-1]...)
	line = append(line, hashKey...)
	line = append(line, sum...)
	line = append(line, "\"}\n"...)
	return line, sum, nil
}

func newHash(key []byte) hash.Hash {
	if len(key) > 0 {
		return hmac.New(sha256.New, key)
	}
	return sha256.New()
}

// splitHash finds the hash suffix of a line (without its newline). It returns
// the line without the suffix, to which "}" must be appended to get the
// canonical form, and the stored hash.
func splitHash(line []byte) (head []byte, sum string, ok bool) {
	if len(line) < suffixLen+1 || !bytes.HasSuffix(line, []byte(`"}`)) {
		return nil, "", false
	}
	cut := len(line) - suffixLen
	if !bytes.Equal(line[cut:cut+len(hashKey)], []byte(hashKey)) {
		return nil, "", false
	}
	hx := line[cut+len(hashKey) : len(line)-2]
	for _, c := range hx {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return nil, "", false
		}
	}
	return line[:cut], string(hx), true
}

// recompute hashes the canonical form of a line split by splitHash.
func recompute(head, key []byte) string {
	h := newHash(key)
	h.Write(head)
	h.Write([]byte{'}'})
	return hex.EncodeToString(h.Sum(nil))
}

// link is the part of an entry that the chain is made of.
type link struct {
	Seq  int64  `json:"seq"`
	MAC  string `json:"mac"`
	Prev string `json:"prev"`
	Hash string `json:"hash"`
}

// parseLink parses a line (without its newline) as an entry: valid JSON that
// ends with a well-formed hash. head is what splitHash returned.
func parseLink(line []byte) (l link, head []byte, ok bool) {
	head, sum, ok := splitHash(line)
	if !ok {
		return link{}, nil, false
	}
	if err := json.Unmarshal(line, &l); err != nil {
		return link{}, head, false
	}
	l.Hash = sum // the suffix is what was hashed over, whatever JSON says
	return l, head, true
}

// claimedSeq reads the seq a damaged line starts with, for messages.
func claimedSeq(line []byte) int64 {
	rest, ok := bytes.CutPrefix(line, []byte(`{"seq":`))
	if !ok {
		return 0
	}
	end := bytes.IndexByte(rest, ',')
	if end < 0 {
		return 0
	}
	n, err := strconv.ParseInt(string(rest[:end]), 10, 64)
	if err != nil || n < 1 {
		return 0
	}
	return n
}

// Digest is the content hash recorded for file writes: "sha256:<hex>".
func Digest(b []byte) string {
	s := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(s[:])
}
