package agent

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"
	"testing"

	"github.com/git-agent/git-agent/internal/policy"
	"github.com/git-agent/git-agent/internal/telemetry"
	"github.com/git-agent/git-agent/internal/tool"
	"github.com/git-agent/git-agent/sandbox"
	"github.com/google/go-cmp/cmp"
)

// TestTelemetry runs a scripted session with one shell call and checks the
// span tree (session → turn → model.request, tool.call → sandbox.exec) and
// the metrics it leaves.
func TestTelemetry(t *testing.T) {
	t.Parallel()
	if runtime.GOOS == "windows" {
		t.Skip("the shell call needs /bin/sh")
	}
	mem := &telemetry.MemoryExporter{}
	tel, err := telemetry.New(context.Background(), telemetry.Options{Getenv: func(string) string { return "" },
		SpanExporter: mem, MetricExporter: mem})
	if err != nil {
		t.Fatal(err)
	}
	ws := t.TempDir()
	prov := &scripted{steps: []step{calls(fc("c1", "shell", `{"command":["true"]}`)), say("done")}}
	a := New(Options{SessionID: "s1", Info: SessionInfo{Provider: "scripted", Profile: "trusted"}, Provider: prov, Model: "m",
		Tools: tool.NewRegistry(tool.NewShell()), ToolEnv: &tool.Env{Workspace: ws, Sandbox: sandbox.Profile{Mode: sandbox.Trusted, Workspace: ws}},
		Policy: policy.New(policy.Never, nil, nil), Telemetry: tel})
	if out := a.Run(context.Background(), "task"); out.Status != SessionCompleted {
		t.Fatalf("status %s: %v", out.Status, out.Err)
	}
	if err := tel.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	spans := mem.Spans()
	byID := map[telemetry.SpanID]telemetry.SpanData{}
	for _, s := range spans {
		byID[s.SpanID] = s
	}
	var tree []string
	for _, s := range spans {
		path := s.Name
		for p := s.Parent; p != (telemetry.SpanID{}); p = byID[p].Parent {
			path = byID[p].Name + " > " + path
		}
		if s.TraceID != spans[0].TraceID {
			t.Errorf("span %s is in another trace", s.Name)
		}
		tree = append(tree, path)
	}
	sort.Strings(tree)
	want := []string{
		"session",
		"session > turn",
		"session > turn",
		"session > turn > model.request",
		"session > turn > model.request",
		"session > turn > tool.call",
		"session > turn > tool.call > sandbox.exec",
	}
	if diff := cmp.Diff(want, tree); diff != "" {
		t.Errorf("span tree (-want +got):\n%s", diff)
	}
	attrs := func(name string) string {
		for _, s := range spans {
			if s.Name == name {
				return fmt.Sprint(s.Attrs)
			}
		}
		return ""
	}
	for name, want := range map[string][]string{
		"tool.call":     {"{decision allowed}", "{tool shell}", "{status completed}"},
		"sandbox.exec":  {"{exit_code 0}", "{profile trusted}", "{program true}"},
		"model.request": {"{model m}", "{tokens.input 10}"},
		"session":       {"{status completed}", "{turns 2}"},
	} {
		for _, w := range want {
			if !strings.Contains(attrs(name), w) {
				t.Errorf("%s attributes %s lack %s", name, attrs(name), w)
			}
		}
	}

	snaps := mem.Snapshots()
	if len(snaps) == 0 {
		t.Fatal("no metrics exported")
	}
	got := map[string]string{}
	for _, m := range snaps[len(snaps)-1].Metrics {
		for _, p := range m.Points {
			v := fmt.Sprint(p.Value)
			if m.Type == telemetry.Histogram {
				v = fmt.Sprintf("count=%d", p.Count)
			}
			got[fmt.Sprint(m.Name, p.Attrs)] = v
		}
	}
	for k, v := range map[string]string{
		"git_agent.task.executions[{profile trusted}]":          "1",
		"git_agent.agents.active[]":                             "0",
		"git_agent.task.duration[{status completed}]":           "count=1",
		"git_agent.tool.calls[{decision allowed} {tool shell}]": "1",
		"git_agent.model.tokens[{model m} {token.type input}]":  "20",
		"git_agent.model.tokens[{model m} {token.type output}]": "7",
	} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}
