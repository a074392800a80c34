package audit

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Token-shaped test values, built at run time so that secret scanners do not
// flag this file.
var (
	openAIKey    = "sk-" + strings.Repeat("A1b2", 12)
	openAIProj   = "sk-proj-" + strings.Repeat("x_Y-9", 10)
	anthropicKey = "sk-ant-api03-" + strings.Repeat("Zz9_", 20)
	githubPAT    = "ghp_" + strings.Repeat("aB3", 12)
	githubApp    = "ghs_" + strings.Repeat("Q7w", 12)
	githubFine   = "github_pat_" + strings.Repeat("11AB_cd", 8)
	awsKeyID     = "AKIA" + "IOSFODNN7EXAMPLE"
	awsTemp      = "ASIA" + "Y34FZKBOKMUTVV7A"
	slackToken   = "xoxb-" + "123456789012-1234567890123-" + strings.Repeat("Ab", 12)
	jwt          = "eyJhbGciOiJIUzI1NiJ9" + ".eyJzdWIiOiIxMjM0NTY3ODkwIn0" + ".dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
	pemBlock     = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\nabc/def+123==\n-----END RSA PRIVATE KEY-----"
)

func TestSanitizerString(t *testing.T) {
	t.Parallel()
	alice := SanitizerOptions{Home: "/home/alice", User: "alice"}
	tests := []struct {
		name string
		opts SanitizerOptions
		in   string
		want string
	}{
		{name: "home prefix", opts: alice, in: "cd /home/alice/x && ls /home/alice", want: "cd ~/x && ls ~"},
		{name: "home with trailing slash option", opts: SanitizerOptions{Home: "/home/alice/"}, in: "/home/alice/x", want: "~/x"},
		{name: "home as a longer name", opts: alice, in: "/home/alicex/y", want: "/home/alicex/y"},
		{name: "root home is not rootfs", opts: SanitizerOptions{Home: "/root", User: "root"}, in: "/root/.ssh and /rootfs/etc, root", want: "~/.ssh and /rootfs/etc, root"},
		{name: "home deeper in a path", opts: SanitizerOptions{Home: "/home/alice"}, in: "/mnt/home/alice/x", want: "/mnt/home/alice/x"},
		{name: "home in JSON text", opts: alice, in: `{"cwd":"/home/alice","file":"/home/alice/a.go"}`, want: `{"cwd":"~","file":"~/a.go"}`},
		{name: "home in escaped JSON text", opts: alice, in: `"{\"cwd\":\"/home/alice\"}"`, want: `"{\"cwd\":\"~\"}"`},
		{name: "windows home", opts: SanitizerOptions{Home: `C:\Users\alice`}, in: `C:\Users\alice\src and {"p":"C:\\Users\\alice\\src"} and C:/Users/alice/x`, want: `~\src and {"p":"~\\src"} and ~/x`},
		{name: "home after an equals sign", opts: alice, in: "--dir=/home/alice/repo PATH=/bin:/home/alice/bin", want: "--dir=~/repo PATH=/bin:~/bin"},
		{name: "user whole word", opts: alice, in: "alice ran it for alice-dev, not malice or alice_x or alicé", want: "[USER] ran it for [USER]-dev, not malice or alice_x or alicé"},
		{name: "user elsewhere in a path", opts: alice, in: "file:///home/alice/x /tmp/alice/y", want: "file:///home/[USER]/x /tmp/[USER]/y"},
		{name: "generic user kept", opts: SanitizerOptions{User: "runner"}, in: "runner ran", want: "runner ran"},
		{name: "short user kept", opts: SanitizerOptions{User: "al"}, in: "al ran", want: "al ran"},
		{name: "env secret value", opts: SanitizerOptions{Secrets: []string{"s3cr3t-value", "short"}}, in: "curl -u me:s3cr3t-value short", want: "curl -u me:[REDACTED] short"},
		{name: "longest secret first", opts: SanitizerOptions{Secrets: []string{"abcdefgh", "abcdefgh-ijkl"}}, in: "x=abcdefgh-ijkl y=abcdefgh", want: "x=[REDACTED] y=[REDACTED]"},
		{name: "secret in escaped JSON", opts: SanitizerOptions{Secrets: []string{`pa"ss\word`}}, in: `{"pw":"pa\"ss\\word"}`, want: `{"pw":"[REDACTED]"}`},
		{name: "secret before home", opts: SanitizerOptions{Home: "/home/alice", Secrets: []string{"/home/alice/.token-file"}}, in: "cat /home/alice/.token-file /home/alice/y", want: "cat [REDACTED] ~/y"},
		{name: "openai key", in: "curl -H 'Authorization: Bearer " + openAIKey + "' https://api.openai.com", want: "curl -H 'Authorization: Bearer [REDACTED]' https://api.openai.com"},
		{name: "openai project key", in: "OPENAI_API_KEY=" + openAIProj + " git-agent", want: "OPENAI_API_KEY=[REDACTED] git-agent"},
		{name: "anthropic key", in: `export ANTHROPIC_API_KEY="` + anthropicKey + `"`, want: `export ANTHROPIC_API_KEY="[REDACTED]"`},
		{name: "github tokens", in: "git clone https://x:" + githubPAT + "@github.com/o/r; gh auth login --with-token " + githubApp + " " + githubFine, want: "git clone https://x:[REDACTED]@github.com/o/r; gh auth login --with-token [REDACTED] [REDACTED]"},
		{name: "aws key ids", in: "aws configure set aws_access_key_id " + awsKeyID + "; AWS_ACCESS_KEY_ID=" + awsTemp, want: "aws configure set aws_access_key_id [REDACTED]; AWS_ACCESS_KEY_ID=[REDACTED]"},
		{name: "slack token", in: "curl -d token=" + slackToken + " slack.com", want: "curl -d token=[REDACTED] slack.com"},
		{name: "jwt", in: "Authorization: Bearer " + jwt + ";", want: "Authorization: Bearer [REDACTED];"},
		{name: "pem block across lines", in: "echo '" + pemBlock + "' > id_rsa\nnext", want: "echo '[REDACTED]' > id_rsa\nnext"},
		{name: "pem block cut short", in: "key:\n-----BEGIN " + "OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA", want: "key:\n[REDACTED]"},
		{name: "pem block in JSON text", in: `{"content":"` + strings.ReplaceAll(pemBlock, "\n", `\n`) + `\n"}`, want: `{"content":"[REDACTED]\n"}`},
		{name: "words that look a bit like tokens", in: "task-runner-for-the-cluster-jobs ghp_short AKIAshort the eyJ prefix", want: "task-runner-for-the-cluster-jobs ghp_short AKIAshort the eyJ prefix"},
		{name: "public key kept", in: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----", want: "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----"},
		{name: "all at once", opts: SanitizerOptions{Home: "/home/alice", User: "alice", Secrets: []string{"correct-horse"}}, in: "alice: /home/alice/run --pw correct-horse --key " + openAIKey, want: "[USER]: ~/run --pw [REDACTED] --key [REDACTED]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := NewSanitizer(tc.opts).String(tc.in); got != tc.want {
				t.Errorf("String(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
		})
	}
}

func TestNilSanitizer(t *testing.T) {
	t.Parallel()
	var s *Sanitizer
	in := "/home/alice " + openAIKey
	if got := s.String(in); got != in {
		t.Errorf("String = %q", got)
	}
	v := map[string]any{"k": in}
	if diff := cmp.Diff(v, s.Value(v)); diff != "" {
		t.Errorf("Value (-want +got):\n%s", diff)
	}
	if got := s.JSON([]byte(`{"k":"` + in + `"}`)); string(got) != `{"k":"`+in+`"}` {
		t.Errorf("JSON = %s", got)
	}
}

func TestSanitizerValue(t *testing.T) {
	t.Parallel()
	s := NewSanitizer(SanitizerOptions{Home: "/home/alice", User: "alice"})
	type custom struct{ Dir string }
	in := map[string]any{
		"/home/alice": []any{"/home/alice/a", 1, 2.5, true, nil, map[string]string{"alice": "alice"}},
		"strs":        []string{"alice", "bob"},
		"raw":         json.RawMessage(`{"p": "/home/alice/x", "n": 1.50}`),
		"err":         errors.New("open /home/alice/x: denied"),
		"struct":      custom{Dir: "/home/alice/d"},
		"num":         json.Number("12345678901234567890"),
		"nilmap":      map[string]any(nil),
	}
	want := map[string]any{
		"~":      []any{"~/a", 1, 2.5, true, nil, map[string]string{"[USER]": "[USER]"}},
		"strs":   []string{"[USER]", "bob"},
		"raw":    json.RawMessage(`{"p":"~/x","n":1.50}`),
		"err":    "open ~/x: denied",
		"struct": json.RawMessage(`{"Dir":"~/d"}`),
		"num":    json.Number("12345678901234567890"),
		"nilmap": map[string]any(nil),
	}
	if diff := cmp.Diff(want, s.Value(in)); diff != "" {
		t.Errorf("Value (-want +got):\n%s", diff)
	}
}

func TestSanitizerJSON(t *testing.T) {
	t.Parallel()
	s := NewSanitizer(SanitizerOptions{Home: "/home/alice", User: "alice", Secrets: []string{"hunter2hunter2"}})
	tests := []struct {
		name string
		in   string
		want string
	}{
		{name: "structure, order and numbers kept", in: `{"z": 1, "a": [1.0, 2e3, -0, 12345678901234567890, true, null], "/home/alice/k": {"x": "alice"}}`, want: `{"z":1,"a":[1.0,2e3,-0,12345678901234567890,true,null],"~/k":{"x":"[USER]"}}`},
		{name: "duplicate keys kept", in: `{"a":"alice","a":"hunter2hunter2"}`, want: `{"a":"[USER]","a":"[REDACTED]"}`},
		{name: "escaped strings", in: `["\u002fhome\/alice\/x", "<b>&amp;</b>", "\u2028"]`, want: `["~/x","<b>&amp;</b>","\u2028"]`},
		{name: "scalar document", in: `"/home/alice"`, want: `"~"`},
		{name: "token in a value", in: `{"cmd":"curl -H 'x: ` + githubPAT + `'"}`, want: `{"cmd":"curl -H 'x: [REDACTED]'"}`},
		{name: "nothing to do keeps bytes", in: `{ "a" : [ 1, 2 ] }`, want: `{ "a" : [ 1, 2 ] }`},
		{name: "not JSON", in: `cd /home/alice && echo {`, want: `cd ~ && echo {`},
		{name: "two documents are not JSON", in: `{"a":"/home/alice"} {}`, want: `{"a":"~"} {}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := string(s.JSON([]byte(tc.in))); got != tc.want {
				t.Errorf("JSON(%s)\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestSecretValues(t *testing.T) {
	t.Parallel()
	isSecret := func(name string) bool { return strings.HasSuffix(name, "_TOKEN") || strings.HasSuffix(name, "_KEY") }
	tests := []struct {
		name    string
		environ []string
		want    []string
	}{
		{name: "none", environ: []string{"HOME=/root", "PATH=/bin"}},
		{name: "secret names", environ: []string{"GH_TOKEN=abc", "HOME=/root", "API_KEY=x=y", "EMPTY_KEY=", "=C:=C:\\", "NOEQUALS_KEY", "DUP_KEY=abc"}, want: []string{"abc", "x=y"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tc.want, SecretValues(tc.environ, isSecret)); diff != "" {
				t.Errorf("SecretValues (-want +got):\n%s", diff)
			}
		})
	}
}

func TestDigest(t *testing.T) {
	t.Parallel()
	if got, want := Digest([]byte("abc")), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("Digest = %s, want %s", got, want)
	}
}
