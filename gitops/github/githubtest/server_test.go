package githubtest

import (
	"net/http"
	"strings"
	"testing"
)

// recorder collects Verify's complaints instead of failing the test.
type recorder struct {
	testing.TB
	errs []string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Errorf(f string, a ...any) { r.errs = append(r.errs, f) }

func TestVerify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		setup func(s *Server)
		hit   bool // send GET /user
		want  int  // complaints
	}{
		{name: "fault hit", setup: func(s *Server) { s.Fail("GET", "/user", 500, `{}`, nil) }, hit: true},
		{name: "fault never hit", setup: func(s *Server) { s.Fail("GET", "/user", 500, `{}`, nil) }, want: 1},
		{name: "expectation met", setup: func(s *Server) { s.Expect("GET", "/user") }, hit: true},
		{name: "expectation unmet", setup: func(s *Server) { s.Expect("GET", "/us*") }, want: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := New(t, Options{Login: "me"})
			tc.setup(s)
			if tc.hit {
				resp, err := s.Client().Get(s.URL + "user")
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
			}
			r := &recorder{TB: t}
			s.Verify(r)
			if len(r.errs) != tc.want {
				t.Errorf("complaints = %q, want %d", r.errs, tc.want)
			}
			s.mu.Lock()
			s.faults, s.expects = nil, nil // already judged; keep New's cleanup quiet
			s.mu.Unlock()
		})
	}
}

func TestForkIsReadOnly(t *testing.T) {
	t.Parallel()
	s := New(t, Options{Fork: true})
	resp, err := s.Client().Post(s.URL+"repos/o/r/issues/7/comments", "application/json", strings.NewReader(`{"body":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || len(s.Comments("o", "r", 7)) != 0 {
		t.Errorf("POST on a fork = %d, comments %v; want 403 and none", resp.StatusCode, s.Comments("o", "r", 7))
	}
}
