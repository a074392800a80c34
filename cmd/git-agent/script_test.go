//go:build unix

package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/git-agent/git-agent/gitops/github/githubtest"
	"github.com/git-agent/git-agent/internal/cli"
	"github.com/git-agent/git-agent/internal/model/modeltest"
	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"git-agent": func() { os.Exit(cli.Main()) },
		// Confined commands re-execute this binary as the sandbox init.
		"git-agent-sandbox-init": func() { os.Exit(cli.Main()) },
	})
}

// TestScripts runs the end-to-end specs in testdata/script. Refresh golden
// output with: go test ./cmd/git-agent -run TestScripts -update
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:           "testdata/script",
		UpdateScripts: *update,
		Setup: func(env *testscript.Env) error {
			home := filepath.Join(env.WorkDir, "home")
			env.Setenv("HOME", home)
			env.Setenv("XDG_CONFIG_HOME", filepath.Join(home, ".config"))
			env.Setenv("XDG_STATE_HOME", filepath.Join(home, ".state"))
			env.Setenv("GIT_CONFIG_GLOBAL", filepath.Join(home, ".gitconfig"))
			env.Setenv("GOCACHE", cacheDir("GOCACHE"))
			env.Setenv("GOPATH", filepath.Join(env.WorkDir, "gopath"))
			env.Setenv("GOFLAGS", "-mod=mod")
			env.Setenv("GOTOOLCHAIN", "local")
			for _, k := range []string{"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "OPENAI_BASE_URL", "ANTHROPIC_BASE_URL", "GIT_AGENT_PROVIDER", "GIT_AGENT_MODEL"} {
				env.Setenv(k, "")
			}
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"modelserver": cmdModelServer,
			"modelreqs":   cmdModelReqs,
			"waitfile":    cmdWaitFile,
			"pidgone":     cmdPidGone,
			"jsonevents":  cmdJSONEvents,
			"deadport":    cmdDeadPort,
			"exitcode":    cmdExitCode,
			"githubfake":  cmdGitHubFake,
			"flipbyte":    cmdFlipByte,
			"otlpserver":  cmdOTLPServer,
			"githubapi":   cmdGitHubAPI(t),
		},
	})
}

func cacheDir(v string) string {
	if d := os.Getenv(v); d != "" {
		return d
	}
	d, err := os.UserCacheDir()
	if err != nil {
		return os.TempDir()
	}
	return filepath.Join(d, "go-build")
}

// servers are the scripted model servers started by each script, by work
// dir; scripts run in parallel.
var (
	serversMu sync.Mutex
	servers   = map[string]*modeltest.Server{}
)

// modelserver FILE: serve the JSON array of modeltest.Turn in FILE on
// loopback and set $MODEL_URL (with /v1) and $MODEL_HOST (without).
func cmdModelServer(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: modelserver FILE")
	}
	var turns []modeltest.Turn
	if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &turns); err != nil {
		ts.Fatalf("modelserver: %v", err)
	}
	s := modeltest.New(turns...)
	serversMu.Lock()
	servers[ts.Getenv("WORK")] = s
	serversMu.Unlock()
	ts.Defer(s.Close)
	ts.Setenv("MODEL_URL", s.URL+"/v1")
	ts.Setenv("MODEL_HOST", s.URL)
}

// modelreqs [-auth] FILE: write the bodies the model server received, one
// per line; with -auth, the credential headers of each request instead.
func cmdModelReqs(ts *testscript.TestScript, neg bool, args []string) {
	serversMu.Lock()
	s := servers[ts.Getenv("WORK")]
	serversMu.Unlock()
	auth := len(args) == 2 && args[0] == "-auth"
	if auth {
		args = args[1:]
	}
	if s == nil || len(args) != 1 {
		ts.Fatalf("usage: modelreqs [-auth] FILE (after modelserver)")
	}
	var b bytes.Buffer
	for _, r := range s.Requests() {
		if auth {
			// The credential each request carried, one line each.
			fmt.Fprintf(&b, "authorization=%s x-api-key=%s\n", r.Header.Get("Authorization"), r.Header.Get("X-Api-Key"))
			continue
		}
		var compact bytes.Buffer
		if err := json.Compact(&compact, r.Body); err != nil {
			ts.Fatalf("request body is not JSON: %v", err)
		}
		b.Write(compact.Bytes())
		b.WriteByte('\n')
	}
	if err := os.WriteFile(ts.MkAbs(args[0]), b.Bytes(), 0o644); err != nil {
		ts.Fatalf("%v", err)
	}
}

// waitfile FILE: wait up to 20s for FILE to exist and be non-empty.
func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if st, err := os.Stat(ts.MkAbs(args[0])); err == nil && st.Size() > 0 {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts.Fatalf("%s did not appear", args[0])
}

// flipbyte FILE: change one letter or digit in the middle of FILE (the
// first one at or after the middle byte), as a tamperer would.
func cmdFlipByte(ts *testscript.TestScript, neg bool, args []string) {
	path := ts.MkAbs(args[0])
	data, err := os.ReadFile(path)
	ts.Check(err)
	for i := len(data) / 2; i < len(data); i++ {
		c := data[i]
		switch {
		case c >= 'a' && c < 'z', c >= 'A' && c < 'Z', c >= '0' && c < '9':
			data[i] = c + 1
		case c == 'z', c == 'Z', c == '9':
			data[i] = c - 1
		default:
			continue
		}
		ts.Check(os.WriteFile(path, data, 0o600))
		ts.Logf("flipped byte %d of %s: %q -> %q", i, args[0], c, data[i])
		return
	}
	ts.Fatalf("%s has no letter or digit after its middle", args[0])
}

// pidgone FILE: the process whose pid is in FILE must be gone within 5s.
func cmdPidGone(ts *testscript.TestScript, neg bool, args []string) {
	for _, f := range args {
		pid, err := strconv.Atoi(strings.TrimSpace(ts.ReadFile(f)))
		if err != nil {
			ts.Fatalf("pidgone: %v", err)
		}
		deadline := time.Now().Add(5 * time.Second)
		for syscall.Kill(pid, 0) == nil {
			if time.Now().After(deadline) {
				syscall.Kill(pid, syscall.SIGKILL)
				ts.Fatalf("process %d (from %s) is still running", pid, f)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// deadport: set $DEAD_URL to a loopback URL on which nothing listens.
func cmdDeadPort(ts *testscript.TestScript, neg bool, args []string) {
	s := modeltest.New()
	url := s.URL
	s.Close()
	ts.Setenv("DEAD_URL", url+"/v1")
}

// jsonevents: stdout of the last command must be JSONL events following
// docs/events.md: known types, seq 1..n without gaps, one session id, and a
// final session.completed.
func cmdJSONEvents(ts *testscript.TestScript, neg bool, args []string) {
	known := map[string]bool{"session.started": true, "turn.started": true, "item.started": true, "item.updated": true,
		"item.completed": true, "turn.completed": true, "session.completed": true, "error": true}
	sc := bufio.NewScanner(strings.NewReader(ts.ReadFile("stdout")))
	sc.Buffer(nil, 16<<20)
	n, session, last := 0, "", ""
	for sc.Scan() {
		var ev struct {
			Type      string    `json:"type"`
			Seq       int       `json:"seq"`
			Time      time.Time `json:"time"`
			SessionID string    `json:"session_id"`
		}
		dec := json.NewDecoder(bytes.NewReader(sc.Bytes()))
		if err := dec.Decode(&ev); err != nil {
			ts.Fatalf("line %d is not a JSON event: %v\n%s", n+1, err, sc.Text())
		}
		n++
		if !known[ev.Type] || ev.Seq != n || ev.Time.IsZero() {
			ts.Fatalf("line %d: bad envelope %+v", n, ev)
		}
		if session == "" {
			session = ev.SessionID
		} else if ev.SessionID != session {
			ts.Fatalf("line %d: session id changed from %s to %s", n, session, ev.SessionID)
		}
		last = ev.Type
	}
	if n == 0 || last != "session.completed" {
		ts.Fatalf("%d events, last %q: want a stream ending in session.completed", n, last)
	}
}

// exitcode N PROGRAM ARGS...: run the program (like exec) and require exit code N.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// otlpserver: an OTLP/HTTP collector on loopback that accepts every export;
// sets $OTLP_URL and appends each request's path to $WORK/otlp.log and its
// (protobuf) body to $WORK/otlp.bin.
func cmdOTLPServer(ts *testscript.TestScript, neg bool, args []string) {
	work := ts.Getenv("WORK")
	logPath, binPath := filepath.Join(work, "otlp.log"), filepath.Join(work, "otlp.bin")
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		for path, data := range map[string][]byte{logPath: []byte(r.Method + " " + r.URL.Path + " " + r.Header.Get("Content-Type") + "\n"), binPath: body} {
			f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
			if err == nil {
				f.Write(data)
				f.Close()
			}
		}
		w.Header().Set("Content-Type", "application/x-protobuf")
	}))
	ts.Defer(srv.Close)
	ts.Setenv("OTLP_URL", srv.URL)
}

// githubfake DIFFFILE: serve a fake of the GitHub REST API for pull request
// o/r#1 (whose diff is DIFFFILE) on loopback, set $GITHUB_API_URL, and log
// every request as "METHOD PATH BODY" lines in $WORK/github.log.
func cmdGitHubFake(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: githubfake DIFFFILE")
	}
	diff := ts.ReadFile(args[0])
	logPath := ts.MkAbs("github.log")
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		f, err := os.OpenFile(logPath, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintf(f, "%s %s %s\n", r.Method, r.URL.Path, bytes.ReplaceAll(body, []byte("\n"), []byte(" ")))
			f.Close()
		}
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method == "GET" && r.URL.Path == "/repos/o/r/pulls/1" && strings.Contains(r.Header.Get("Accept"), "diff"):
			w.Header().Set("Content-Type", "text/plain")
			io.WriteString(w, diff)
		case r.Method == "GET" && r.URL.Path == "/repos/o/r/pulls/1":
			io.WriteString(w, `{"number":1,"head":{"sha":"1111111111111111111111111111111111111111"},"base":{"sha":"2222222222222222222222222222222222222222"}}`)
		case r.Method == "GET" && (r.URL.Path == "/repos/o/r/pulls/1/comments" || r.URL.Path == "/repos/o/r/pulls/1/reviews" || r.URL.Path == "/repos/o/r/issues/1/comments"):
			io.WriteString(w, `[]`)
		case r.Method == "POST" && r.URL.Path == "/repos/o/r/pulls/1/reviews":
			io.WriteString(w, `{"id":7}`)
		case r.Method == "POST" && r.URL.Path == "/repos/o/r/issues/1/comments":
			io.WriteString(w, `{"id":9,"html_url":"http://github.test/o/r/pull/1#issuecomment-9"}`)
		default:
			w.WriteHeader(http.StatusNotFound)
			io.WriteString(w, `{"message":"Not Found"}`)
		}
	}))
	ts.Defer(srv.Close)
	ts.Setenv("GITHUB_API_URL", srv.URL+"/")
}

// githubapi SEED.json: serve githubtest's fake of the GitHub REST API on
// loopback, seeded from SEED ({"owner", "repo", "number", "head", "base",
// "diff" (a file name), "permissions": {login: level}, "fork",
// "comments": [{"user", "body"}]}; comment IDs start at 1001), and set
// $GITHUB_API_URL. The transcript of writes goes to
// $WORK/github-requests.txt when the script ends and on "githubapi dump".
// The fake needs the test's t, so the command is built per TestScripts.
func cmdGitHubAPI(t *testing.T) func(ts *testscript.TestScript, neg bool, args []string) {
	var mu sync.Mutex
	fakes := map[string]*githubtest.Server{} // by $WORK
	return func(ts *testscript.TestScript, neg bool, args []string) {
		work := ts.Getenv("WORK")
		out := filepath.Join(work, "github-requests.txt")
		dump := func(s *githubtest.Server) {
			ts.Check(os.WriteFile(out, []byte(githubtest.Transcript(s.Requests())), 0o644))
		}
		if len(args) == 1 && args[0] == "dump" {
			mu.Lock()
			s := fakes[work]
			mu.Unlock()
			if s == nil {
				ts.Fatalf("githubapi dump: start the fake first with githubapi SEED.json")
			}
			dump(s)
			return
		}
		if len(args) != 1 {
			ts.Fatalf("usage: githubapi SEED.json | githubapi dump")
		}
		var seed struct {
			Owner, Repo, Head, Base, Diff string
			Title, Body                   string
			Number                        int
			Permissions                   map[string]string
			Fork                          bool
			Comments                      []struct{ User, Body string }
		}
		if err := json.Unmarshal([]byte(ts.ReadFile(args[0])), &seed); err != nil {
			ts.Fatalf("githubapi: %s: %v", args[0], err)
		}
		s := githubtest.New(t, githubtest.Options{Permissions: seed.Permissions, Fork: seed.Fork})
		pr := githubtest.PullRequest{Owner: seed.Owner, Repo: seed.Repo, Number: seed.Number, HeadSHA: seed.Head, BaseSHA: seed.Base,
			Title: seed.Title, Body: seed.Body}
		if seed.Diff != "" {
			pr.Diff = ts.ReadFile(seed.Diff)
		}
		s.AddPullRequest(pr)
		for _, c := range seed.Comments {
			s.AddComment(seed.Owner, seed.Repo, seed.Number, c.User, c.Body)
		}
		mu.Lock()
		fakes[work] = s
		mu.Unlock()
		ts.Defer(func() {
			_ = os.WriteFile(out, []byte(githubtest.Transcript(s.Requests())), 0o644)
			s.Close()
			mu.Lock()
			delete(fakes, work)
			mu.Unlock()
		})
		ts.Setenv("GITHUB_API_URL", s.URL)
	}
}
