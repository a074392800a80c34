package githubtest

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// PullRequest is a pull request the server knows.
type PullRequest struct {
	Owner, Repo      string
	Number           int
	HeadSHA, BaseSHA string
	HeadRef, BaseRef string // branch names; default "feature" and "main"
	Title, Body      string
	Diff             string // answered for Accept: application/vnd.github.v3.diff
	Files            []File
}

// File is a changed file of a PullRequest, as GET .../pulls/N/files lists it.
type File struct {
	Filename         string `json:"filename"`
	PreviousFilename string `json:"previous_filename,omitempty"`
	Status           string `json:"status"`
	Additions        int    `json:"additions"`
	Deletions        int    `json:"deletions"`
	Patch            string `json:"patch,omitempty"`
}

// Comment is an issue comment, or an inline review comment (Path, Line).
type Comment struct {
	ID          int64
	Owner, Repo string
	Number      int
	User        string
	Body        string
	Path        string `json:",omitempty"`
	Line        int    `json:",omitempty"`
}

// Review is a pull request review.
type Review struct {
	ID                   int64
	Owner, Repo          string
	Number               int
	User, Body, CommitID string
	Event                string // COMMENT; git-agent never sends another
}

// Reaction is a reaction to an issue comment.
type Reaction struct {
	CommentID     int64
	Content, User string
}

// CheckRun is a check run's state after every create and update.
type CheckRun struct {
	ID                                       int64
	Owner, Repo, Name, HeadSHA               string
	Status, Conclusion, Title, Summary, Text string
	Annotations                              []map[string]any
}

type state struct {
	nextID         int64
	pulls          map[string]*PullRequest // "o/r#n"
	comments       []*Comment
	reviewComments []*Comment
	reviews        []*Review
	reactions      []Reaction
	checkRuns      []*CheckRun
	refs           map[string]string // "o/r:heads/b" → sha
	users          map[string]bool
}

func (st *state) init() {
	st.nextID = 1000
	st.pulls = map[string]*PullRequest{}
	st.refs = map[string]string{}
	st.users = map[string]bool{}
}

func (st *state) id() int64 { st.nextID++; return st.nextID }

func key(owner, repo string, number int) string { return fmt.Sprintf("%s/%s#%d", owner, repo, number) }

// AddPullRequest adds or replaces a pull request.
func (s *Server) AddPullRequest(pr PullRequest) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if pr.HeadRef == "" {
		pr.HeadRef = "feature"
	}
	if pr.BaseRef == "" {
		pr.BaseRef = "main"
	}
	s.pulls[key(pr.Owner, pr.Repo, pr.Number)] = &pr
}

// AddComment adds an issue comment by user ("name[bot]" is a Bot) and
// returns its ID.
func (s *Server) AddComment(owner, repo string, number int, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Comment{ID: s.id(), Owner: owner, Repo: repo, Number: number, User: user, Body: body}
	s.comments = append(s.comments, c)
	s.users[user] = true
	return c.ID
}

// AddReviewComment adds an inline review comment by user.
func (s *Server) AddReviewComment(owner, repo string, number int, user, path string, line int, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := &Comment{ID: s.id(), Owner: owner, Repo: repo, Number: number, User: user, Body: body, Path: path, Line: line}
	s.reviewComments = append(s.reviewComments, c)
	s.users[user] = true
	return c.ID
}

// SetRef points branch at sha.
func (s *Server) SetRef(owner, repo, branch, sha string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refs[owner+"/"+repo+":heads/"+branch] = sha
}

// Comments returns the issue comments on a pull request, oldest first.
func (s *Server) Comments(owner, repo string, number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyOn(s.comments, owner, repo, number)
}

// ReviewComments returns the inline review comments on a pull request.
func (s *Server) ReviewComments(owner, repo string, number int) []Comment {
	s.mu.Lock()
	defer s.mu.Unlock()
	return copyOn(s.reviewComments, owner, repo, number)
}

// Reviews returns the reviews on a pull request.
func (s *Server) Reviews(owner, repo string, number int) []Review {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Review
	for _, r := range s.reviews {
		if r.Owner == owner && r.Repo == repo && r.Number == number {
			out = append(out, *r)
		}
	}
	return out
}

// Reactions returns every reaction added.
func (s *Server) Reactions() []Reaction {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Reaction(nil), s.reactions...)
}

// CheckRuns returns every check run, with all annotations added so far.
func (s *Server) CheckRuns() []CheckRun {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []CheckRun
	for _, c := range s.checkRuns {
		cp := *c
		cp.Annotations = append([]map[string]any(nil), c.Annotations...)
		out = append(out, cp)
	}
	return out
}

func copyOn(cs []*Comment, owner, repo string, number int) []Comment {
	var out []Comment
	for _, c := range cs {
		if c.Owner == owner && c.Repo == repo && c.Number == number {
			out = append(out, *c)
		}
	}
	return out
}

// author is who writes with the token.
func (s *Server) author() string {
	if s.opts.Login == "" {
		return "github-actions[bot]"
	}
	return s.opts.Login
}

func userJSON(login string) map[string]any {
	typ := "User"
	if strings.HasSuffix(login, "[bot]") {
		typ = "Bot"
	}
	return map[string]any{"login": login, "type": typ}
}

// page writes one page of items with a Link header to the next, as GitHub
// does; page and per_page come from the query.
func page[T any](s *Server, w http.ResponseWriter, r *http.Request, items []T) {
	per, _ := strconv.Atoi(r.URL.Query().Get("per_page"))
	if per <= 0 || per > s.opts.PageSize {
		per = s.opts.PageSize
	}
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	n = max(n, 1)
	lo, hi := min((n-1)*per, len(items)), min(n*per, len(items))
	if hi < len(items) {
		u := *r.URL
		q := u.Query()
		q.Set("page", strconv.Itoa(n+1))
		q.Set("per_page", strconv.Itoa(per))
		w.Header().Set("Link", fmt.Sprintf(`<%s%s?%s>; rel="next"`, s.srv.URL, u.Path, q.Encode()))
	}
	out := items[lo:hi]
	if out == nil {
		out = []T{}
	}
	writeJSON(w, http.StatusOK, out)
}
