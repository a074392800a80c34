package githubtest

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
)

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /user", s.getSelf)
	m.HandleFunc("GET /users/{user}", s.getUser)
	m.HandleFunc("GET /repos/{owner}/{repo}/pulls/{number}", s.getPull)
	m.HandleFunc("GET /repos/{owner}/{repo}/pulls/{number}/files", s.listFiles)
	m.HandleFunc("GET /repos/{owner}/{repo}/pulls/{number}/reviews", s.listReviews)
	m.HandleFunc("POST /repos/{owner}/{repo}/pulls/{number}/reviews", s.createReview)
	m.HandleFunc("GET /repos/{owner}/{repo}/pulls/{number}/comments", s.listReviewComments)
	m.HandleFunc("GET /repos/{owner}/{repo}/issues/{number}/comments", s.listComments)
	m.HandleFunc("POST /repos/{owner}/{repo}/issues/{number}/comments", s.createComment)
	m.HandleFunc("PATCH /repos/{owner}/{repo}/issues/comments/{id}", s.updateComment)
	m.HandleFunc("POST /repos/{owner}/{repo}/issues/comments/{id}/reactions", s.react)
	m.HandleFunc("GET /repos/{owner}/{repo}/collaborators/{user}/permission", s.permission)
	m.HandleFunc("POST /repos/{owner}/{repo}/check-runs", s.createCheckRun)
	m.HandleFunc("PATCH /repos/{owner}/{repo}/check-runs/{id}", s.updateCheckRun)
	m.HandleFunc("GET /repos/{owner}/{repo}/git/ref/{ref...}", s.getRef)
}

func (s *Server) getSelf(w http.ResponseWriter, _ *http.Request) {
	if s.opts.Login == "" {
		writeError(w, http.StatusForbidden, "Resource not accessible by integration")
		return
	}
	writeJSON(w, http.StatusOK, userJSON(s.opts.Login))
}

func (s *Server) getUser(w http.ResponseWriter, r *http.Request) {
	u := r.PathValue("user")
	s.mu.Lock()
	_, perm := s.opts.Permissions[u]
	known := s.users[u] || perm || u == s.opts.Login
	s.mu.Unlock()
	if !known {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, userJSON(u))
}

// pull looks up the request's pull request, answering 404 if there is none.
func (s *Server) pull(w http.ResponseWriter, r *http.Request) (*PullRequest, bool) {
	n, _ := strconv.Atoi(r.PathValue("number"))
	s.mu.Lock()
	pr := s.pulls[key(r.PathValue("owner"), r.PathValue("repo"), n)]
	s.mu.Unlock()
	if pr == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return nil, false
	}
	return pr, true
}

func (s *Server) getPull(w http.ResponseWriter, r *http.Request) {
	pr, ok := s.pull(w, r)
	if !ok {
		return
	}
	if strings.Contains(r.Header.Get("Accept"), "diff") {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, pr.Diff)
		return
	}
	full := pr.Owner + "/" + pr.Repo
	head := full
	if s.opts.Fork {
		head = "contributor/" + pr.Repo
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"number":   pr.Number,
		"title":    pr.Title,
		"body":     pr.Body,
		"state":    "open",
		"html_url": fmt.Sprintf("https://github.test/%s/pull/%d", full, pr.Number),
		"head":     map[string]any{"sha": pr.HeadSHA, "ref": pr.HeadRef, "repo": map[string]any{"full_name": head, "fork": s.opts.Fork}},
		"base":     map[string]any{"sha": pr.BaseSHA, "ref": pr.BaseRef, "repo": map[string]any{"full_name": full, "fork": false}},
	})
}

func (s *Server) listFiles(w http.ResponseWriter, r *http.Request) {
	if pr, ok := s.pull(w, r); ok {
		page(s, w, r, pr.Files)
	}
}

func commentJSON(c *Comment) map[string]any {
	kind := "issuecomment"
	if c.Path != "" {
		kind = "discussion_r"
	}
	m := map[string]any{
		"id": c.ID, "body": c.Body, "user": userJSON(c.User),
		"html_url": fmt.Sprintf("https://github.test/%s/%s/pull/%d#%s-%d", c.Owner, c.Repo, c.Number, kind, c.ID),
	}
	if c.Path != "" {
		m["path"], m["line"] = c.Path, c.Line
	}
	return m
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	s.listCommentsOf(w, r, func() []*Comment { return s.comments })
}

func (s *Server) listReviewComments(w http.ResponseWriter, r *http.Request) {
	s.listCommentsOf(w, r, func() []*Comment { return s.reviewComments })
}

func (s *Server) listCommentsOf(w http.ResponseWriter, r *http.Request, all func() []*Comment) {
	n, _ := strconv.Atoi(r.PathValue("number"))
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	var out []map[string]any
	s.mu.Lock()
	for _, c := range all() {
		if c.Owner == owner && c.Repo == repo && c.Number == n {
			out = append(out, commentJSON(c))
		}
	}
	s.mu.Unlock()
	page(s, w, r, out)
}

// decode reads the JSON body into v, answering 400 as GitHub does if it
// cannot.
func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

func invalid(w http.ResponseWriter, msg string) {
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{"message": "Validation Failed", "errors": []string{msg}})
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	var in struct{ Body string }
	if !decode(w, r, &in) {
		return
	}
	if in.Body == "" || len(in.Body) > 65536 {
		invalid(w, "body is missing or too long (maximum is 65536 characters)")
		return
	}
	n, _ := strconv.Atoi(r.PathValue("number"))
	s.mu.Lock()
	c := &Comment{ID: s.id(), Owner: r.PathValue("owner"), Repo: r.PathValue("repo"), Number: n, User: s.author(), Body: in.Body}
	s.comments = append(s.comments, c)
	out := commentJSON(c)
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

// comment finds the request's issue comment on its repository.
func (s *Server) comment(r *http.Request) *Comment {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	for _, c := range s.comments {
		if c.ID == id && c.Owner == r.PathValue("owner") && c.Repo == r.PathValue("repo") {
			return c
		}
	}
	return nil
}

func (s *Server) updateComment(w http.ResponseWriter, r *http.Request) {
	var in struct{ Body string }
	if !decode(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.comment(r)
	switch {
	case c == nil:
		writeError(w, http.StatusNotFound, "Not Found")
	case in.Body == "" || len(in.Body) > 65536:
		invalid(w, "body is missing or too long (maximum is 65536 characters)")
	default:
		c.Body = in.Body
		writeJSON(w, http.StatusOK, commentJSON(c))
	}
}

var reactionContents = map[string]bool{"+1": true, "-1": true, "laugh": true, "confused": true, "heart": true, "hooray": true, "rocket": true, "eyes": true}

func (s *Server) react(w http.ResponseWriter, r *http.Request) {
	var in struct{ Content string }
	if !decode(w, r, &in) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.comment(r)
	switch {
	case c == nil:
		writeError(w, http.StatusNotFound, "Not Found")
	case !reactionContents[in.Content]:
		invalid(w, "content is not a valid reaction")
	default:
		s.reactions = append(s.reactions, Reaction{CommentID: c.ID, Content: in.Content, User: s.author()})
		writeJSON(w, http.StatusCreated, map[string]any{"id": s.id(), "content": in.Content, "user": userJSON(s.author())})
	}
}

func (s *Server) permission(w http.ResponseWriter, r *http.Request) {
	u := r.PathValue("user")
	level, ok := s.opts.Permissions[u]
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	// "permission" is the legacy four-level field; role_name the real one.
	legacy := map[string]string{"admin": "admin", "maintain": "write", "write": "write", "triage": "read", "read": "read"}[level]
	if legacy == "" {
		legacy = "none"
	}
	writeJSON(w, http.StatusOK, map[string]any{"permission": legacy, "role_name": level, "user": userJSON(u)})
}

func (s *Server) getRef(w http.ResponseWriter, r *http.Request) {
	ref := r.PathValue("ref")
	s.mu.Lock()
	sha, ok := s.refs[r.PathValue("owner")+"/"+r.PathValue("repo")+":"+ref]
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ref": "refs/" + ref, "object": map[string]any{"type": "commit", "sha": sha}})
}
