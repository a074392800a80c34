package gitops

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pushFixture is a bare "origin" holding branch feature, a clone of it, and
// a commit on top of feature in the clone that origin does not have.
type pushFixture struct {
	origin        string
	repo          *Repo
	feature, next string
}

func newPushFixture(t *testing.T) *pushFixture {
	t.Helper()
	src := newRepo(t)
	gitT(t, src.Root, "branch", "feature")
	origin := filepath.Join(t.TempDir(), "origin.git")
	gitT(t, src.Root, "clone", "-q", "--bare", src.Root, origin)
	clone := filepath.Join(t.TempDir(), "clone")
	gitT(t, "", "clone", "-q", origin, clone)
	feature := gitT(t, clone, "rev-parse", "origin/feature")
	writeFile(t, filepath.Join(clone, "c.txt"), "c\n")
	gitT(t, clone, "add", "c.txt")
	gitT(t, clone, "commit", "-q", "-m", "add c")
	next := gitT(t, clone, "rev-parse", "HEAD")
	r, err := Open(context.Background(), clone)
	if err != nil {
		t.Fatal(err)
	}
	return &pushFixture{origin: origin, repo: r, feature: feature, next: next}
}

func TestPush(t *testing.T) {
	t.Parallel()
	const token = "ghs_push_test_token"
	tests := []struct {
		name     string
		diverge  bool
		branch   string
		wantErr  string
		rejected bool
	}{
		{name: "fast-forward updates the branch", branch: "feature"},
		{name: "new branch is created", branch: "agent/abc-fix"},
		{name: "a moved branch is rejected, not forced", branch: "feature", diverge: true, rejected: true},
		{name: "option-like branch is refused", branch: "--force", wantErr: "invalid branch"},
		{name: "bad ref name is refused", branch: "a..b", wantErr: "invalid branch"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			fx := newPushFixture(t)
			ctx := context.Background()
			moved := ""
			if tc.diverge {
				other := filepath.Join(t.TempDir(), "other")
				gitT(t, "", "clone", "-q", "-b", "feature", fx.origin, other)
				writeFile(t, filepath.Join(other, "d.txt"), "d\n")
				gitT(t, other, "add", "d.txt")
				gitT(t, other, "commit", "-q", "-m", "someone else")
				gitT(t, other, "push", "-q", "origin", "feature")
				moved = gitT(t, other, "rev-parse", "HEAD")
			}
			err := fx.repo.Push(ctx, "origin", fx.next, tc.branch, token)
			var rej *PushRejectedError
			switch {
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Push = %v, want %q", err, tc.wantErr)
				}
			case tc.rejected:
				if !errors.As(err, &rej) {
					t.Fatalf("Push = %v, want *PushRejectedError", err)
				}
				if got := gitT(t, fx.origin, "rev-parse", "refs/heads/feature"); got != moved {
					t.Errorf("origin feature = %s, want it left at %s", got, moved)
				}
			default:
				if err != nil {
					t.Fatalf("Push: %v", err)
				}
				if got := gitT(t, fx.origin, "rev-parse", "refs/heads/"+tc.branch); got != fx.next {
					t.Errorf("origin %s = %s, want %s", tc.branch, got, fx.next)
				}
			}
			if err != nil && strings.Contains(err.Error(), token) {
				t.Errorf("error shows the token: %v", err)
			}
			assertNoToken(t, fx.repo, token)
		})
	}
}

func TestFetch(t *testing.T) {
	t.Parallel()
	const token = "ghs_fetch_test_token"
	fx := newPushFixture(t)
	ctx := context.Background()
	// Put a commit into origin that the clone lacks, as a pull request head.
	other := filepath.Join(t.TempDir(), "other")
	gitT(t, "", "clone", "-q", "-b", "feature", fx.origin, other)
	writeFile(t, filepath.Join(other, "e.txt"), "e\n")
	gitT(t, other, "add", "e.txt")
	gitT(t, other, "commit", "-q", "-m", "pr head")
	gitT(t, other, "push", "-q", "origin", "HEAD:refs/pull/7/head")
	head := gitT(t, other, "rev-parse", "HEAD")

	for _, ref := range []string{"refs/pull/7/head", head} {
		got, err := fx.repo.Fetch(ctx, "origin", ref, token)
		if err != nil {
			t.Fatalf("Fetch %s: %v", ref, err)
		}
		if got != head {
			t.Errorf("Fetch %s = %s, want %s", ref, got, head)
		}
	}
	for _, bad := range []string{"", "--upload-pack=touch x", "+refs/heads/a:refs/heads/b"} {
		if _, err := fx.repo.Fetch(ctx, "origin", bad, token); err == nil {
			t.Errorf("Fetch %q succeeded, want an error", bad)
		}
	}
	if _, err := fx.repo.Fetch(ctx, "-oops", "main", token); err == nil {
		t.Error("Fetch from an option-like remote succeeded")
	}
	assertNoToken(t, fx.repo, token)
}

// assertNoToken checks that the token reached no file of the repository's
// configuration.
func assertNoToken(t *testing.T, r *Repo, token string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.CommonDir, "config"))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), token) || strings.Contains(string(b), "extraheader") {
		t.Errorf("the repository's config holds the token:\n%s", b)
	}
}
