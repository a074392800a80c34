package githubtest

import (
	"fmt"
	"net/http"
	"strconv"
)

func (s *Server) listReviews(w http.ResponseWriter, r *http.Request) {
	n, _ := strconv.Atoi(r.PathValue("number"))
	owner, repo := r.PathValue("owner"), r.PathValue("repo")
	var out []map[string]any
	s.mu.Lock()
	for _, rv := range s.reviews {
		if rv.Owner == owner && rv.Repo == repo && rv.Number == n {
			out = append(out, map[string]any{"id": rv.ID, "body": rv.Body, "user": userJSON(rv.User), "commit_id": rv.CommitID, "state": "COMMENTED"})
		}
	}
	s.mu.Unlock()
	page(s, w, r, out)
}

// createReview keeps the review and turns its comments into review
// comments, as GitHub does.
func (s *Server) createReview(w http.ResponseWriter, r *http.Request) {
	pr, ok := s.pull(w, r)
	if !ok {
		return
	}
	var in struct {
		Body, Event string
		CommitID    string `json:"commit_id"`
		Comments    []struct {
			Path, Body string
			Line       int
		}
	}
	if !decode(w, r, &in) {
		return
	}
	for _, c := range in.Comments {
		if c.Path == "" || c.Line < 1 {
			invalid(w, "Line could not be resolved")
			return
		}
	}
	s.mu.Lock()
	rv := &Review{ID: s.id(), Owner: pr.Owner, Repo: pr.Repo, Number: pr.Number, User: s.author(), Body: in.Body, CommitID: in.CommitID, Event: in.Event}
	s.reviews = append(s.reviews, rv)
	for _, c := range in.Comments {
		s.reviewComments = append(s.reviewComments, &Comment{ID: s.id(), Owner: pr.Owner, Repo: pr.Repo, Number: pr.Number, User: rv.User, Body: c.Body, Path: c.Path, Line: c.Line})
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{"id": rv.ID, "body": rv.Body, "state": "COMMENTED", "user": userJSON(rv.User),
		"html_url": fmt.Sprintf("https://github.test/%s/%s/pull/%d#pullrequestreview-%d", pr.Owner, pr.Repo, pr.Number, rv.ID)})
}
