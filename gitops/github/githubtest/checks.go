package githubtest

import (
	"fmt"
	"net/http"
	"strconv"
)

// checkRunIn is the body of a check-run create or update.
type checkRunIn struct {
	Name       string
	HeadSHA    string `json:"head_sha"`
	Status     string
	Conclusion string
	Output     *struct {
		Title, Summary, Text string
		Annotations          []map[string]any
	}
}

// validate applies GitHub's limits: 50 annotations per request, 65535
// characters of summary and text, title and summary with any output.
func (in *checkRunIn) validate() string {
	if o := in.Output; o != nil {
		switch {
		case len(o.Annotations) > 50:
			return "Only 50 annotations are allowed per request"
		case o.Title == "" || o.Summary == "":
			return "output title and summary are required"
		case len(o.Summary) > 65535 || len(o.Text) > 65535:
			return "output summary and text are limited to 65535 characters"
		}
	}
	return ""
}

func (s *Server) createCheckRun(w http.ResponseWriter, r *http.Request) {
	var in checkRunIn
	if !decode(w, r, &in) {
		return
	}
	if msg := in.validate(); msg != "" || in.Name == "" || in.HeadSHA == "" {
		invalid(w, firstNonEmpty(msg, "name and head_sha are required"))
		return
	}
	s.mu.Lock()
	cr := &CheckRun{ID: s.id(), Owner: r.PathValue("owner"), Repo: r.PathValue("repo"), Name: in.Name, HeadSHA: in.HeadSHA, Status: firstNonEmpty(in.Status, "queued")}
	cr.apply(&in)
	s.checkRuns = append(s.checkRuns, cr)
	out := cr.json()
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, out)
}

func (s *Server) updateCheckRun(w http.ResponseWriter, r *http.Request) {
	var in checkRunIn
	if !decode(w, r, &in) {
		return
	}
	if msg := in.validate(); msg != "" {
		invalid(w, msg)
		return
	}
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, cr := range s.checkRuns {
		if cr.ID == id && cr.Owner == r.PathValue("owner") && cr.Repo == r.PathValue("repo") {
			cr.apply(&in)
			writeJSON(w, http.StatusOK, cr.json())
			return
		}
	}
	writeError(w, http.StatusNotFound, "Not Found")
}

// apply updates the run; annotations accumulate across requests.
func (cr *CheckRun) apply(in *checkRunIn) {
	if in.Name != "" {
		cr.Name = in.Name
	}
	if in.Status != "" {
		cr.Status = in.Status
	}
	if in.Conclusion != "" {
		cr.Conclusion, cr.Status = in.Conclusion, "completed"
	}
	if o := in.Output; o != nil {
		cr.Title, cr.Summary = o.Title, o.Summary
		if o.Text != "" {
			cr.Text = o.Text
		}
		cr.Annotations = append(cr.Annotations, o.Annotations...)
	}
}

func (cr *CheckRun) json() map[string]any {
	return map[string]any{
		"id": cr.ID, "name": cr.Name, "head_sha": cr.HeadSHA, "status": cr.Status, "conclusion": cr.Conclusion,
		"html_url": fmt.Sprintf("https://github.test/%s/%s/runs/%d", cr.Owner, cr.Repo, cr.ID),
		"output":   map[string]any{"title": cr.Title, "summary": cr.Summary, "text": cr.Text, "annotations_count": len(cr.Annotations)},
	}
}

func firstNonEmpty(ss ...string) string {
	for _, s := range ss {
		if s != "" {
			return s
		}
	}
	return ""
}
