package github

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/git-agent/git-agent/review"
)

// hunk builds a hunk from line kinds (" ", "+", "-"), numbering both sides
// from start, as review.ParseDiff would.
func hunk(start int, kinds string) review.Hunk {
	h := review.Hunk{OldStart: start, NewStart: start}
	old, nw := start, start
	for i, k := range []byte(kinds) {
		l := review.Line{Kind: k, Text: fmt.Sprintf("line %d", i)}
		if k != '+' {
			l.OldLine, old = old, old+1
			h.OldLines++
		}
		if k != '-' {
			l.NewLine, nw = nw, nw+1
			h.NewLines++
		}
		h.Lines = append(h.Lines, l)
	}
	return h
}

// testFiles: main.go has right-side lines 10-13 and 40-42; big.go adds 1-40.
var testFiles = []review.FileDiff{
	{OldPath: "main.go", NewPath: "main.go", Hunks: []review.Hunk{hunk(10, " -++ "), hunk(40, " + ")}},
	{NewPath: "big.go", Added: true, Hunks: []review.Hunk{hunk(1, strings.Repeat("+", 40))}},
	{OldPath: "gone.go", Deleted: true, Hunks: []review.Hunk{hunk(1, "---")}},
	{OldPath: "logo.png", NewPath: "logo.png", Binary: true},
}

var testPR = &PR{Owner: "o", Repo: "r", Number: 7, HeadSHA: "head1", BaseSHA: "base1"}

func warn(path string, line int, rule string) review.Finding {
	return review.Finding{Path: path, Line: line, Severity: review.SeverityWarning, Rule: rule, Message: "check " + rule}
}

func many(n int) []review.Finding {
	var fs []review.Finding
	for i := 1; i <= n; i++ {
		fs = append(fs, warn("big.go", i, "style/x"))
	}
	return fs
}

// Stubs shared by most cases.
var (
	noReviewComments = stub{method: "GET", path: "/repos/o/r/pulls/7/comments", body: `[]`}
	noReviews        = stub{method: "GET", path: "/repos/o/r/pulls/7/reviews", body: `[]`}
	reviewCreated    = stub{method: "POST", path: "/repos/o/r/pulls/7/reviews", body: `{"id":99}`}
	rejected         = stub{method: "POST", path: "/repos/o/r/pulls/7/reviews", status: 422,
		body: `{"message":"Unprocessable Entity","errors":["Line could not be resolved"]}`}
)

func TestPostReview(t *testing.T) {
	t.Parallel()
	rerunFindings := []review.Finding{
		warn("main.go", 11, "a"), warn("main.go", 12, "b"), warn("main.go", 99, "c"), warn("main.go", 13, "d"),
		warn("main.go", 13, "d"), // the same finding twice in one run
	}
	tests := []struct {
		name     string
		findings []review.Finding
		opts     PostOptions
		stubs    []stub
		want     *PostResult
		wantErr  string
	}{
		{
			name: "anchored and unanchorable",
			findings: []review.Finding{
				{Path: "main.go", Line: 11, Severity: review.SeverityInfo, Rule: "naming", Message: "Prefer a shorter name."},
				{Path: "main.go", Line: 12, Severity: review.SeverityError, Rule: "secret/aws-access-key", Message: "AWS key\nin source <!-- sneaky -->"},
				warn("main.go", 42, "context line"),
				warn("main.go", 14, "between hunks"),
				{Path: "main.go", Line: 12, EndLine: 41, Severity: review.SeverityWarning, Rule: "spans-hunks", Message: "Too wide."},
				warn("gone.go", 2, "deleted file"),
				warn("logo.png", 1, "binary"),
				warn("missing.go", 1, "not in diff"),
				warn("main.go", 0, "no line"),
			},
			stubs: []stub{noReviewComments, noReviews, reviewCreated},
			want:  &PostResult{ReviewID: 99, Posted: 3, Summarised: 6},
		},
		{
			name:     "over the inline limit",
			findings: many(35),
			stubs:    []stub{noReviewComments, noReviews, reviewCreated},
			want:     &PostResult{ReviewID: 99, Posted: 30, Summarised: 5},
		},
		{
			name:     "custom limit and marker",
			findings: many(3),
			opts:     PostOptions{MaxComments: 2, Marker: "my-bot"},
			stubs:    []stub{noReviewComments, noReviews, reviewCreated},
			want:     &PostResult{ReviewID: 99, Posted: 2, Summarised: 1},
		},
		{
			name:     "rerun skips what earlier runs posted",
			findings: rerunFindings,
			stubs: []stub{
				{method: "GET", path: "/repos/o/r/pulls/7/comments", next: 2,
					body: `[{"id":1,"body":"**warning** (` + "`a`" + `): check a\n\n<!-- git-agent:a:main.go:11 -->"},{"id":2,"body":"a human comment"}]`},
				{method: "GET", path: "/repos/o/r/pulls/7/comments", page: "2",
					body: `[{"id":3,"body":"<!-- git-agent:b:main.go:12 -->"}]`},
				{method: "GET", path: "/repos/o/r/pulls/7/reviews",
					body: `[{"id":50,"body":"- ` + "`main.go:99`" + ` — check c (warning, ` + "`c`" + `) <!-- git-agent:c:main.go:99 -->\n<!-- git-agent-review -->"}]`},
				reviewCreated,
			},
			want: &PostResult{ReviewID: 99, Posted: 1, Skipped: 4},
		},
		{
			name:     "rerun with nothing new posts no review",
			findings: rerunFindings[:2],
			stubs: []stub{
				{method: "GET", path: "/repos/o/r/pulls/7/comments",
					body: `[{"id":1,"body":"<!-- git-agent:a:main.go:11 -->"},{"id":3,"body":"<!-- git-agent:b:main.go:12 -->"}]`},
				noReviews,
			},
			want: &PostResult{Skipped: 2},
		},
		{
			name:     "422 then fallback",
			findings: []review.Finding{warn("main.go", 11, "a"), warn("main.go", 99, "c")},
			stubs:    []stub{noReviewComments, noReviews, rejected, reviewCreated},
			want:     &PostResult{ReviewID: 99, Summarised: 2, Fallback: true},
		},
		{
			name:     "422 twice is an error",
			findings: []review.Finding{warn("main.go", 11, "a")},
			stubs:    []stub{noReviewComments, noReviews, rejected, rejected},
			wantErr:  "post review on o/r#7: GitHub API 422 invalid: Unprocessable Entity (Line could not be resolved)",
		},
		{
			name: "multi-line finding with a suggestion",
			findings: []review.Finding{
				{Path: "main.go", Line: 11, EndLine: 13, Severity: review.SeverityWarning, Rule: "simplify",
					Message: "Collapse these lines.", Suggestion: "return x"},
				{Path: "main.go", Line: 41, Severity: review.SeverityInfo, Rule: "docs",
					Message: "Fence inside.", Suggestion: "// ```go\n// x\n// ```\n"},
			},
			stubs: []stub{noReviewComments, noReviews, reviewCreated},
			want:  &PostResult{ReviewID: 99, Posted: 2},
		},
		{
			name:     "summary created",
			findings: []review.Finding{warn("main.go", 11, "a")},
			opts:     PostOptions{Summary: "## git-agent\n\n1 warning.\n"},
			stubs: []stub{noReviewComments, noReviews, reviewCreated,
				{method: "GET", path: "/repos/o/r/issues/7/comments", body: `[{"id":1,"body":"LGTM"}]`},
				{method: "POST", path: "/repos/o/r/issues/7/comments", status: 201,
					body: `{"id":5,"html_url":"https://github.com/o/r/pull/7#issuecomment-5"}`},
			},
			want: &PostResult{ReviewID: 99, Posted: 1, SummaryURL: "https://github.com/o/r/pull/7#issuecomment-5"},
		},
		{
			name: "summary updated with nothing to review",
			opts: PostOptions{Summary: "## git-agent\n\nNo problems found."},
			stubs: []stub{noReviewComments, noReviews,
				{method: "GET", path: "/repos/o/r/issues/7/comments", next: 2, body: `[{"id":1,"body":"LGTM"}]`},
				{method: "GET", path: "/repos/o/r/issues/7/comments", page: "2",
					body: `[{"id":8,"body":"forged\n<!-- git-agent-summary -->","user":{"login":"mallory","type":"User"}},` +
						`{"id":9,"body":"old\n\n<!-- git-agent-summary -->\n","user":{"login":"git-agent-bot","type":"User"}}]`},
				{method: "GET", path: "/user", body: `{"login":"git-agent-bot","type":"User"}`},
				{method: "PATCH", path: "/repos/o/r/issues/comments/9",
					body: `{"id":9,"html_url":"https://github.com/o/r/pull/7#issuecomment-9"}`},
			},
			want: &PostResult{SummaryURL: "https://github.com/o/r/pull/7#issuecomment-9"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFake(t)
			f.Register(tc.stubs...)
			got, err := f.Client().PostReview(context.Background(), testPR, testFiles, tc.findings, tc.opts)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("PostResult (-want +got):\n%s", diff)
			}
			for _, r := range f.Requests() {
				if m, ok := r.Body.(map[string]any); ok && m["event"] != nil && m["event"] != "COMMENT" {
					t.Errorf("review event = %v; git-agent only ever comments", m["event"])
				}
			}
			golden(t, strings.ReplaceAll(tc.name, " ", "_")+".golden", writes(f.Requests()))
		})
	}
}

func TestPostReviewRejectsIncompletePR(t *testing.T) {
	t.Parallel()
	f := newFake(t) // no stubs: any request fails the test
	for _, pr := range []*PR{nil, {Owner: "o", Repo: "r", Number: 7}} {
		if _, err := f.Client().PostReview(context.Background(), pr, nil, nil, PostOptions{}); err == nil {
			t.Errorf("PostReview(%+v) succeeded, want an error", pr)
		}
	}
}

func TestAnchored(t *testing.T) {
	t.Parallel()
	ix := review.NewAnchors(testFiles) // main.go: right side 10-13 and 40-42
	tests := []struct {
		name      string
		path      string
		line, end int
		want      bool
	}{
		{"added line", "main.go", 11, 0, true},
		{"context line", "main.go", 10, 0, true},
		{"range inside a hunk", "main.go", 10, 13, true},
		{"range across hunks", "main.go", 12, 41, false},
		{"range past the hunk", "main.go", 12, 14, false},
		{"between hunks", "main.go", 20, 0, false},
		{"end before start", "main.go", 12, 11, false},
		{"zero line", "main.go", 0, 0, false},
		{"deleted file", "gone.go", 1, 0, false},
		{"binary file", "logo.png", 1, 0, false},
		{"file not in the diff", "other.go", 1, 0, false},
		{"added file", "big.go", 40, 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := review.Finding{Path: tc.path, Line: tc.line, EndLine: tc.end}
			if got := ix.Contain(f); got != tc.want {
				t.Errorf("anchored(%s:%d-%d) = %v, want %v", tc.path, tc.line, tc.end, got, tc.want)
			}
		})
	}
}

func TestFindingMarker(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, rule, path, want string
	}{
		{"plain", "secret/aws-access-key", "cmd/main.go", "<!-- git-agent:secret/aws-access-key:cmd/main.go:3 -->"},
		{"cannot close the comment early", "x-->y", "a b.go", "<!-- git-agent:x-%2D%3Ey:a%20b.go:3 -->"},
		{"percent is escaped first", "%2D", "a\nb", "<!-- git-agent:%252D:a%0Ab:3 -->"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := findingMarker(review.Finding{Rule: tc.rule, Path: tc.path, Line: 3})
			if got != tc.want {
				t.Errorf("findingMarker = %q, want %q", got, tc.want)
			}
			if m := markersIn("text " + got + " more"); len(m) != 1 || m[0] != got {
				t.Errorf("markersIn does not find %q: %q", got, m)
			}
		})
	}
}
