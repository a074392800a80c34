package agent

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/git-agent/git-agent/internal/model"
)

// Meta describes a session; it is the first record of its rollout.
type Meta struct {
	ID        string    `json:"id"`
	Created   time.Time `json:"created"`
	Provider  string    `json:"provider"`
	Model     string    `json:"model"`
	BaseURL   string    `json:"base_url,omitempty"`
	Profile   string    `json:"profile"`
	Approval  string    `json:"approval"`
	Workspace string    `json:"workspace"`
	Prompt    string    `json:"prompt"`
	Version   string    `json:"version,omitempty"`
	// Branch is the agent branch the session works on ("" outside a repository or in place).
	Branch string `json:"branch,omitempty"`
	// Repo is the repository (its top directory) the session's branch belongs to.
	Repo string `json:"repo,omitempty"`
	// PID is the git-agent process running the session (for gc).
	PID int `json:"pid,omitempty"`
}

// Record is one line of a rollout file.
type Record struct {
	Kind  string       `json:"kind"` // meta, prompt, item, turn, status
	Time  time.Time    `json:"time"`
	Meta  *Meta        `json:"meta,omitempty"`
	Item  *model.Item  `json:"item,omitempty"`
	Turn  int          `json:"turn,omitempty"`
	Usage *model.Usage `json:"usage,omitempty"`
	// status records
	Status       string `json:"status,omitempty"`
	FinalMessage string `json:"final_message,omitempty"`
	Error        string `json:"error,omitempty"`
	// prompt records (a resume adds one)
	Prompt string `json:"prompt,omitempty"`
}

// ErrNoSession is returned when no session matches.
var ErrNoSession = errors.New("no such session")

// Store keeps rollouts as JSONL files in Dir.
type Store struct {
	Dir string
	Now func() time.Time
	// Sanitize, if set, rewrites each record (a JSON document) before it is
	// written: rollouts must not hold the home path, the user name or a
	// secret any more than the audit log does.
	Sanitize func([]byte) []byte
	// Home expands the "~" Sanitize put in a session's workspace and
	// repository paths when it is loaded.
	Home string
}

func (s *Store) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// NewID returns a fresh short session id: 12 lowercase hex digits.
func NewID() string {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// Create starts a new rollout whose first record is meta.
func (s *Store) Create(meta Meta) (*Rollout, error) {
	if err := os.MkdirAll(s.Dir, 0o700); err != nil {
		return nil, fmt.Errorf("create session directory: %w", err)
	}
	path := filepath.Join(s.Dir, meta.ID+".jsonl")
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("create session file: %w", err)
	}
	r := &Rollout{f: f, Path: path, ID: meta.ID, now: s.now, sanitize: s.Sanitize}
	if err := r.Append(Record{Kind: "meta", Meta: &meta}); err != nil {
		f.Close()
		return nil, err
	}
	return r, nil
}

// Resolve finds the session whose id is id or starts with it.
func (s *Store) Resolve(id string) (string, error) {
	id = strings.TrimSuffix(id, ".jsonl")
	if id == "" || strings.ContainsAny(id, `/\`) {
		return "", fmt.Errorf("%w: %q", ErrNoSession, id)
	}
	entries, err := os.ReadDir(s.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", err
	}
	var matches []string
	for _, e := range entries {
		name := strings.TrimSuffix(e.Name(), ".jsonl")
		if name == id {
			return name, nil
		}
		if strings.HasPrefix(name, id) && strings.HasSuffix(e.Name(), ".jsonl") {
			matches = append(matches, name)
		}
	}
	switch len(matches) {
	case 0:
		return "", fmt.Errorf("%w %q: run `git agent sessions` to list them", ErrNoSession, id)
	case 1:
		return matches[0], nil
	}
	return "", fmt.Errorf("session id %q is ambiguous (%s): give more characters", id, strings.Join(matches, ", "))
}

// Loaded is a rollout read back.
type Loaded struct {
	Meta   Meta
	Items  []model.Item
	Usage  model.Usage
	Turns  int
	Status string
	Final  string
	// Prompts are the user prompts, in order (the first run's and each resume's).
	Prompts []string
	Updated time.Time
	// Torn is set when the last line was cut off (a crash mid-write); it is ignored.
	Torn bool
}

// Load reads the session id (exact).
func (s *Store) Load(id string) (*Loaded, error) {
	data, err := os.ReadFile(filepath.Join(s.Dir, id+".jsonl"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w %q", ErrNoSession, id)
		}
		return nil, fmt.Errorf("read session: %w", err)
	}
	l, err := parseRollout(id, data)
	if err != nil {
		return nil, err
	}
	l.Meta.Workspace = expandHome(l.Meta.Workspace, s.Home)
	l.Meta.Repo = expandHome(l.Meta.Repo, s.Home)
	return l, nil
}

// expandHome undoes the sanitizer's "~" for a path git-agent must use again.
func expandHome(p, home string) string {
	if home == "" {
		return p
	}
	if p == "~" {
		return home
	}
	if rest, ok := strings.CutPrefix(p, "~/"); ok {
		return filepath.Join(home, rest)
	}
	return p
}

func parseRollout(id string, data []byte) (*Loaded, error) {
	l := &Loaded{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	lineNo := 0
	for sc.Scan() {
		lineNo++
		line := sc.Bytes()
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(line, &rec); err != nil {
			if !bytes.HasSuffix(data, []byte("\n")) && isLastLine(data, line) {
				l.Torn = true
				break
			}
			return nil, fmt.Errorf("session %s line %d is corrupt: %v", id, lineNo, err)
		}
		l.Updated = rec.Time
		switch rec.Kind {
		case "meta":
			if rec.Meta != nil {
				l.Meta = *rec.Meta
				l.Prompts = append(l.Prompts, rec.Meta.Prompt)
			}
		case "prompt":
			l.Prompts = append(l.Prompts, rec.Prompt)
			l.Status = ""
		case "item":
			if rec.Item != nil {
				l.Items = append(l.Items, *rec.Item)
			}
		case "turn":
			l.Turns++
			if rec.Usage != nil {
				l.Usage.Add(*rec.Usage)
			}
		case "status":
			l.Status = rec.Status
			l.Final = rec.FinalMessage
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read session %s: %w", id, err)
	}
	if l.Meta.ID == "" {
		return nil, fmt.Errorf("session %s has no header record", id)
	}
	if l.Status == "" {
		l.Status = "incomplete"
	}
	return l, nil
}

func isLastLine(data, line []byte) bool {
	return bytes.HasSuffix(data, line)
}

// Summary is one row of `git agent sessions`.
type Summary struct {
	ID       string      `json:"id"`
	Created  time.Time   `json:"created"`
	Updated  time.Time   `json:"updated"`
	Status   string      `json:"status"`
	Turns    int         `json:"turns"`
	Provider string      `json:"provider"`
	Model    string      `json:"model"`
	Prompt   string      `json:"prompt"`
	Usage    model.Usage `json:"usage"`
	Path     string      `json:"path"`
}

// List returns all sessions, newest first. Unreadable files are skipped.
func (s *Store) List() ([]Summary, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("list sessions: %w", err)
	}
	var out []Summary
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".jsonl") {
			continue
		}
		id := strings.TrimSuffix(e.Name(), ".jsonl")
		l, err := s.Load(id)
		if err != nil {
			continue
		}
		out = append(out, Summary{ID: id, Created: l.Meta.Created, Updated: l.Updated, Status: l.Status,
			Turns: l.Turns, Provider: l.Meta.Provider, Model: l.Meta.Model, Prompt: l.Meta.Prompt,
			Usage: l.Usage, Path: filepath.Join(s.Dir, e.Name())})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Updated.After(out[j].Updated) })
	return out, nil
}

// Last returns the id of the most recently updated session. It goes by file
// modification time, so it does not read every rollout.
func (s *Store) Last() (string, error) {
	entries, err := os.ReadDir(s.Dir)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return "", fmt.Errorf("list sessions: %w", err)
	}
	var best string
	var bestTime time.Time
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".jsonl") {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		if best == "" || info.ModTime().After(bestTime) {
			best, bestTime = strings.TrimSuffix(e.Name(), ".jsonl"), info.ModTime()
		}
	}
	if best == "" {
		return "", fmt.Errorf("%w: no sessions recorded yet in %s", ErrNoSession, s.Dir)
	}
	return best, nil
}

// Reopen opens an existing rollout for appending (resume).
func (s *Store) Reopen(id string) (*Rollout, error) {
	path := filepath.Join(s.Dir, id+".jsonl")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open session %s: %w", id, err)
	}
	return &Rollout{f: f, Path: path, ID: id, now: s.now, sanitize: s.Sanitize}, nil
}

// Rollout appends records to a session file. Each record is one write of a
// whole line, so a crash leaves at most a torn last line, which Load ignores.
type Rollout struct {
	ID       string
	Path     string
	f        *os.File
	now      func() time.Time
	sanitize func([]byte) []byte
	mu       sync.Mutex
}

// Append writes rec with the current time.
func (r *Rollout) Append(rec Record) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if rec.Time.IsZero() {
		rec.Time = r.now().UTC()
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return fmt.Errorf("encode session record: %w", err)
	}
	if r.sanitize != nil {
		b = r.sanitize(b)
	}
	b = append(b, '\n')
	if _, err := r.f.Write(b); err != nil {
		return fmt.Errorf("write session record: %w", err)
	}
	return nil
}

// Close syncs and closes the file.
func (r *Rollout) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.f.Sync(); err != nil {
		r.f.Close()
		return err
	}
	return r.f.Close()
}
