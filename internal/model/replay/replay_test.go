package replay

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, wantErr string
	}{
		{"ok", `{"version":1,"turns":[{"response":{"items":[{"type":"message","role":"assistant","text":"hi"}]}}]}`, ""},
		{"not json", `{`, "not valid JSON"},
		{"unknown field", `{"version":1,"turns":[],"x":1}`, "unknown field"},
		{"wrong version", `{"version":2,"turns":[{}]}`, "version 2 is not supported"},
		{"no turns", `{"version":1,"turns":[]}`, "no turns"},
		{"call without id", `{"version":1,"turns":[{"response":{"items":[{"type":"function_call","name":"x"}]}}]}`, "needs call_id and name"},
		{"bad arguments", `{"version":1,"turns":[{"response":{"items":[{"type":"function_call","call_id":"c","name":"x","arguments":"{"}]}}]}`, "not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := Parse([]byte(tc.in))
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Errorf("Parse error = %v, want %q", err, tc.wantErr)
			}
		})
	}
}

func TestPlayerStreamsTurnsInOrder(t *testing.T) {
	t.Parallel()
	c := &Cassette{Version: 1, Turns: []Turn{
		{Response: model.Response{Items: []model.Item{{Type: model.ItemFunctionCall, CallID: "c1", Name: "shell", Arguments: `{"command":["ls"]}`}}}},
		{Response: model.Response{Items: []model.Item{{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "all done here, thanks"}}}},
	}}
	p := NewPlayer(c)
	var events []model.Event
	sink := func(e model.Event) { events = append(events, e) }
	r1, err := p.Stream(context.Background(), &model.Request{}, sink)
	if err != nil || r1.StopReason != model.StopToolCalls {
		t.Fatalf("turn 1: %+v, %v", r1, err)
	}
	r2, err := p.Stream(context.Background(), &model.Request{}, sink)
	if err != nil || r2.StopReason != model.StopEnd || r2.Text() != "all done here, thanks" {
		t.Fatalf("turn 2: %+v, %v", r2, err)
	}
	var text string
	for _, e := range events {
		if e.Type == model.EventTextDelta {
			text += e.Delta
		}
	}
	if text != "all done here, thanks" {
		t.Errorf("deltas join to %q", text)
	}
	_, err = p.Stream(context.Background(), &model.Request{}, sink)
	if me, ok := model.AsError(err); !ok || !strings.Contains(me.Error(), "cassette exhausted after 2 turns") {
		t.Errorf("exhausted: %v", err)
	}
}

func TestRecorderWritesReplayableCassette(t *testing.T) {
	t.Parallel()
	src := &Cassette{Version: 1, Turns: []Turn{
		{Response: model.Response{StopReason: model.StopEnd, Items: []model.Item{{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "one"}}}},
		{Response: model.Response{StopReason: model.StopEnd, Items: []model.Item{{Type: model.ItemMessage, Role: model.RoleAssistant, Text: "two"}}}},
	}}
	path := filepath.Join(t.TempDir(), "rec.json")
	rec := NewRecorder(NewPlayer(src), path, "m", time.Unix(0, 0))
	for i := 0; i < 2; i++ {
		if _, err := rec.Stream(context.Background(), &model.Request{}, func(model.Event) {}); err != nil {
			t.Fatal(err)
		}
		got, err := Load(path)
		if err != nil {
			t.Fatalf("after turn %d: %v", i+1, err)
		}
		if diff := cmp.Diff(src.Turns[:i+1], got.Turns); diff != "" {
			t.Errorf("after turn %d (-want +got):\n%s", i+1, diff)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temp files left behind: %v", entries)
	}
}

func FuzzParse(f *testing.F) {
	f.Add([]byte(`{"version":1,"turns":[{"response":{"items":[{"type":"function_call","call_id":"c","name":"x","arguments":"{}"}]}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := Parse(data)
		if err == nil && len(c.Turns) == 0 {
			t.Fatal("accepted a cassette without turns")
		}
	})
}
