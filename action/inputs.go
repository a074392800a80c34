package action

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Inputs are the action's `with:` inputs, validated and with defaults
// applied. Names in action.yml are the kebab-case forms of the fields:
// base-url, api-key, github-token, trigger-phrase, allowed-bots, max-turns,
// fail-on and so on.
type Inputs struct {
	Mode          string // review, fix or auto
	Prompt        string
	Provider      string
	Model         string
	BaseURL       string
	APIKey        string
	GitHubToken   string
	Profile       string // sandbox profile name; checked by the command, not here
	TriggerPhrase string
	AllowedBots   []string // exact logins, e.g. dependabot[bot]
	MaxTurns      int
	Timeout       time.Duration
	SBOM, Bench   bool
	FailOn        string // error, warning, note or never
}

// Input defaults.
const (
	DefaultMode          = "review"
	DefaultTriggerPhrase = "/agent"
	DefaultProfile       = "workspace-write"
	DefaultMaxTurns      = 30
	DefaultTimeout       = 30 * time.Minute
	DefaultFailOn        = "error"
)

// InputError is a missing or invalid input. Value is never a secret: the
// api-key and github-token inputs are not validated here.
type InputError struct {
	Name  string // input name as written in the workflow, e.g. "max-turns"
	Value string
	Want  string // what to set instead
}

func (e *InputError) Error() string {
	return fmt.Sprintf("input %s: %q is not valid: %s", e.Name, e.Value, e.Want)
}

// InputEnv is the environment variable the runner sets for input name: the
// name upper-cased with spaces turned into underscores, as
// github.com/sethvargo/go-githubactions and @actions/core look it up.
// Hyphens are kept, so trigger-phrase is INPUT_TRIGGER-PHRASE.
func InputEnv(name string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
}

// ReadInputs reads and validates the inputs through getenv (os.Getenv in
// production). Values are trimmed of surrounding whitespace, as the runner
// libraries do; an empty value means the default. Every invalid input is
// reported, each as an *InputError, joined into one error.
func ReadInputs(getenv func(string) string) (Inputs, error) {
	get := func(name string) string { return strings.TrimSpace(getenv(InputEnv(name))) }
	or := func(v, def string) string {
		if v == "" {
			return def
		}
		return v
	}
	in := Inputs{
		Mode:          strings.ToLower(or(get("mode"), DefaultMode)),
		Prompt:        get("prompt"),
		Provider:      get("provider"),
		Model:         get("model"),
		BaseURL:       get("base-url"),
		APIKey:        get("api-key"),
		GitHubToken:   get("github-token"),
		Profile:       or(get("profile"), DefaultProfile),
		TriggerPhrase: or(get("trigger-phrase"), DefaultTriggerPhrase),
		FailOn:        strings.ToLower(or(get("fail-on"), DefaultFailOn)),
	}
	var errs []error
	bad := func(name, value, want string) { errs = append(errs, &InputError{Name: name, Value: value, Want: want}) }

	if !slices.Contains([]string{"review", "fix", "auto"}, in.Mode) {
		bad("mode", in.Mode, "set mode to review, fix or auto")
	}
	if !slices.Contains([]string{"error", "warning", "note", "never"}, in.FailOn) {
		bad("fail-on", in.FailOn, "set fail-on to error, warning, note or never")
	}
	if strings.ContainsAny(in.TriggerPhrase, "\r\n") {
		bad("trigger-phrase", in.TriggerPhrase, "set trigger-phrase to a single line, e.g. /agent")
	}
	if in.BaseURL != "" {
		if u, err := url.Parse(in.BaseURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			bad("base-url", in.BaseURL, "set base-url to an http(s) URL, e.g. https://api.openai.com/v1")
		}
	}
	bots, err := parseBots(get("allowed-bots"))
	if err != nil {
		errs = append(errs, err)
	}
	in.AllowedBots = bots

	in.MaxTurns = DefaultMaxTurns
	if v := get("max-turns"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			bad("max-turns", v, "set max-turns to a positive whole number, e.g. 30")
		}
		in.MaxTurns = n
	}
	in.Timeout = DefaultTimeout
	if v := get("timeout"); v != "" {
		d, err := parseTimeout(v)
		if err != nil {
			bad("timeout", v, "set timeout to a positive Go duration such as 45m or 1h30m, or a number of minutes such as 45")
		}
		in.Timeout = d
	}
	for _, b := range []struct {
		name string
		dst  *bool
	}{{"sbom", &in.SBOM}, {"bench", &in.Bench}} {
		v := get(b.name)
		if v == "" {
			continue
		}
		ok, err := parseBool(v)
		if err != nil {
			bad(b.name, v, fmt.Sprintf("set %s to true or false (yes/no and 1/0 also work)", b.name))
		}
		*b.dst = ok
	}
	return in, errors.Join(errs...)
}

// BotAllowed reports whether login is one of AllowedBots. Logins match
// exactly but without regard to case, as GitHub treats them.
func (in Inputs) BotAllowed(login string) bool {
	for _, b := range in.AllowedBots {
		if strings.EqualFold(b, login) {
			return true
		}
	}
	return false
}

// Secrets returns the non-empty secret inputs, for AddMask: the runner
// masks secrets it passed in itself, but not values a workflow built from
// them.
func (in Inputs) Secrets() []string {
	var s []string
	for _, v := range []string{in.APIKey, in.GitHubToken} {
		if v != "" {
			s = append(s, v)
		}
	}
	return s
}

// validLogin reports whether s looks like a GitHub login (letters, digits
// and hyphens, not starting with a hyphen, at most 39 characters), or an
// app's bot account: such a login followed by "[bot]".
func validLogin(s string) bool {
	s = strings.TrimSuffix(s, "[bot]")
	if s == "" || len(s) > 39 || s[0] == '-' {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
			return false
		}
	}
	return true
}

// parseBots splits a comma- or newline-separated list of bot logins. It
// refuses wildcards: letting "any bot" run the agent would let any app
// installed on the repository drive it.
func parseBots(v string) ([]string, error) {
	var bots []string
	for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == '\n' || r == '\r' }) {
		f = strings.TrimSpace(f)
		switch {
		case f == "":
			continue
		case strings.ContainsAny(f, "*?"):
			return nil, &InputError{Name: "allowed-bots", Value: f, Want: "wildcards are not allowed: list each bot's exact login, e.g. dependabot[bot], renovate[bot]"}
		case !validLogin(f):
			return nil, &InputError{Name: "allowed-bots", Value: f, Want: "list exact GitHub logins separated by commas or newlines, e.g. dependabot[bot]"}
		}
		bots = append(bots, f)
	}
	return bots, nil
}

// parseTimeout accepts a Go duration ("45m", "1h30m") or a whole number of
// minutes ("45").
func parseTimeout(v string) (time.Duration, error) {
	if n, err := strconv.Atoi(v); err == nil {
		if n <= 0 || n > int(time.Duration(1<<63-1)/time.Minute) {
			return 0, fmt.Errorf("timeout %q out of range", v)
		}
		return time.Duration(n) * time.Minute, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("parse timeout: %w", err)
	}
	if d <= 0 {
		return 0, fmt.Errorf("timeout %q is not positive", v)
	}
	return d, nil
}

func parseBool(v string) (bool, error) {
	switch strings.ToLower(v) {
	case "true", "yes", "1":
		return true, nil
	case "false", "no", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean", v)
}
