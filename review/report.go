package review

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strings"
)

// WriteText writes findings as "path:line: severity rule: message" lines,
// a blank line between files, and a count at the end.
func WriteText(w io.Writer, findings []Finding) error {
	fs := sorted(findings)
	bw := bufio.NewWriter(w)
	for i, f := range fs {
		if i > 0 && fs[i-1].Path != f.Path {
			bw.WriteString("\n")
		}
		fmt.Fprintf(bw, "%s:%d: %s %s: %s\n", f.Path, f.Line, f.Severity, f.Rule, f.Message)
		if f.Suggestion != "" {
			fmt.Fprintf(bw, "    suggestion: %s\n", strings.ReplaceAll(f.Suggestion, "\n", "\n    "))
		}
	}
	if len(fs) > 0 {
		bw.WriteString("\n")
	}
	e, wn, n := Summary(fs)
	if len(fs) == 0 {
		bw.WriteString("no findings\n")
	} else {
		fmt.Fprintf(bw, "%s, %s, %s\n", plural(e, "error"), plural(wn, "warning"), plural(n, "info"))
	}
	return bw.Flush()
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return fmt.Sprintf("%d %ss", n, s)
}

// WriteJSON writes findings as an indented JSON array ("[]" when empty), in
// Sort order.
func WriteJSON(w io.Writer, findings []Finding) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sorted(findings))
}

func sorted(findings []Finding) []Finding {
	fs := append([]Finding{}, findings...)
	Sort(fs)
	return fs
}

// SARIF 2.1.0, the subset code scanning tools read.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool    sarifTool     `json:"tool"`
		Results []sarifResult `json:"results"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string       `json:"id"`
		ShortDescription     sarifMessage `json:"shortDescription"`
		DefaultConfiguration struct {
			Level string `json:"level"`
		} `json:"defaultConfiguration"`
	}
	sarifMessage struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID              string            `json:"ruleId"`
		RuleIndex           int               `json:"ruleIndex"`
		Level               string            `json:"level"`
		Message             sarifMessage      `json:"message"`
		Locations           []sarifLocation   `json:"locations"`
		PartialFingerprints map[string]string `json:"partialFingerprints"`
	}
	sarifLocation struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region struct {
				StartLine int `json:"startLine"`
				EndLine   int `json:"endLine"`
			} `json:"region"`
		} `json:"physicalLocation"`
	}
)

// ruleDescriptions describe the built-in rules in SARIF output.
var ruleDescriptions = map[string]string{
	"secret/aws-access-key": "AWS access key id added",
	"secret/aws-secret-key": "AWS secret access key added",
	"secret/github-token":   "GitHub token added",
	"secret/anthropic-key":  "Anthropic API key added",
	"secret/openai-key":     "OpenAI API key added",
	"secret/slack-token":    "Slack token added",
	"secret/google-api-key": "Google API key added",
	"secret/private-key":    "Private key block added",
	"secret/jwt":            "JSON Web Token added",
	RuleGenericSecret:       "Possible hard-coded password or token",
	RuleConflictMarker:      "Merge conflict marker",
	RuleLargeFile:           "Large file added",
	RuleBinaryFile:          "Binary file added",
}

// fingerprintKey names git-agent's partial fingerprint; bump the version if
// the hash input changes.
const fingerprintKey = "gitAgentFinding/v1"

// WriteSARIF writes findings as a SARIF 2.1.0 log with one run, for GitHub
// code scanning and other SARIF consumers.
func WriteSARIF(w io.Writer, findings []Finding, toolName, toolVersion string) error {
	fs := sorted(findings)
	run := sarifRun{Tool: sarifTool{Driver: sarifDriver{Name: toolName, Version: toolVersion,
		InformationURI: "https://github.com/git-agent/git-agent", Rules: []sarifRule{}}}, Results: []sarifResult{}}
	index := map[string]int{}
	var ids []string
	for _, f := range fs {
		if _, ok := index[f.Rule]; !ok {
			index[f.Rule] = 0
			ids = append(ids, f.Rule)
		}
	}
	slices.Sort(ids)
	for i, id := range ids {
		index[id] = i
		r := sarifRule{ID: id, ShortDescription: sarifMessage{Text: ruleDescriptions[id]}}
		if r.ShortDescription.Text == "" {
			r.ShortDescription.Text = "Configured rule " + strings.TrimPrefix(id, "config/")
		}
		// The level of a rule's first finding: built-in rules have one
		// severity, configured rules one each.
		r.DefaultConfiguration.Level = sarifLevel(fs[slices.IndexFunc(fs, func(f Finding) bool { return f.Rule == id })].Severity)
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, r)
	}
	seen := map[string]int{}
	for _, f := range fs {
		var loc sarifLocation
		loc.PhysicalLocation.ArtifactLocation.URI = sarifURI(f.Path)
		loc.PhysicalLocation.Region.StartLine = max(f.Line, 1)
		loc.PhysicalLocation.Region.EndLine = max(f.EndLine, f.Line, 1)
		run.Results = append(run.Results, sarifResult{
			RuleID: f.Rule, RuleIndex: index[f.Rule], Level: sarifLevel(f.Severity),
			Message:             sarifMessage{Text: f.Message},
			Locations:           []sarifLocation{loc},
			PartialFingerprints: map[string]string{fingerprintKey: fingerprint(f, seen)},
		})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(sarifLog{Schema: "https://json.schemastore.org/sarif-2.1.0.json", Version: "2.1.0", Runs: []sarifRun{run}})
}

func sarifLevel(s Severity) string {
	switch s {
	case SeverityError:
		return "error"
	case SeverityWarning:
		return "warning"
	}
	return "note"
}

// sarifURI turns a repository path into a relative URI reference.
func sarifURI(p string) string {
	segs := strings.Split(strings.ReplaceAll(p, `\`, "/"), "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

// fingerprint identifies a finding across runs without its line number, so
// an unrelated edit above it does not make it new. seen counts repeats of
// the same rule, path and message within one log.
func fingerprint(f Finding, seen map[string]int) string {
	key := f.Rule + "\x00" + f.Path + "\x00" + f.Message
	n := seen[key]
	seen[key] = n + 1
	sum := sha256.Sum256(fmt.Appendf(nil, "%s\x00%d", key, n))
	return hex.EncodeToString(sum[:16])
}
