package openai

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/internal/model/modeltest"
)

func TestStreamScripted(t *testing.T) {
	t.Parallel()
	msg := func(s string) model.Item {
		return model.Item{Type: model.ItemMessage, Role: model.RoleAssistant, Text: s}
	}
	call := func(id, name, args string) model.Item {
		return model.Item{Type: model.ItemFunctionCall, CallID: id, Name: name, Arguments: args}
	}
	tests := []struct {
		name      string
		turn      modeltest.Turn
		want      []model.Item
		stop      string
		reasoning string
	}{
		{
			name: "plain text",
			turn: modeltest.Say("Hello, wörld — all tests pass."),
			want: []model.Item{msg("Hello, wörld — all tests pass.")},
			stop: model.StopEnd,
		},
		{
			name: "one tool call",
			turn: modeltest.Call("call_1", "shell", map[string]any{"command": []string{"go", "test", "./..."}}),
			want: []model.Item{call("call_1", "shell", `{"command":["go","test","./..."]}`)},
			stop: model.StopToolCalls,
		},
		{
			name: "several tool calls with preamble",
			turn: modeltest.Turn{Response: model.Response{StopReason: model.StopToolCalls, Items: []model.Item{
				msg("Reading both files."),
				call("call_a", "read_file", `{"path":"a.go"}`),
				call("call_b", "read_file", `{"path":"b.go"}`),
				call("call_c", "list_dir", `{}`),
			}}},
			want: []model.Item{
				msg("Reading both files."),
				call("call_a", "read_file", `{"path":"a.go"}`),
				call("call_b", "read_file", `{"path":"b.go"}`),
				call("call_c", "list_dir", `{}`),
			},
			stop: model.StopToolCalls,
		},
		{
			name: "reasoning then answer",
			turn: modeltest.Turn{Response: model.Response{StopReason: model.StopEnd, Items: []model.Item{
				{Type: model.ItemReasoning, Text: "**Checking** the diff first."},
				msg("The diff is clean."),
			}}},
			want: []model.Item{
				{Type: model.ItemReasoning, Text: "**Checking** the diff first."},
				msg("The diff is clean."),
			},
			stop:      model.StopEnd,
			reasoning: "**Checking** the diff first.",
		},
		{
			name: "cut at max tokens",
			turn: modeltest.Turn{Response: model.Response{StopReason: model.StopMaxTokens, Items: []model.Item{msg("The answer is")}}},
			want: []model.Item{msg("The answer is")},
			stop: model.StopMaxTokens,
		},
	}
	for _, f := range flavours {
		for _, tt := range tests {
			t.Run(f.name+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				srv := modeltest.New(tt.turn)
				defer srv.Close()
				p := f.new(Options{BaseURL: srv.URL + "/", APIKey: "sk-test"})
				var rec recorder
				resp, err := p.Stream(context.Background(), request("hi"), rec.sink)
				if err != nil {
					t.Fatalf("Stream: %v", err)
				}
				if diff := cmp.Diff(tt.want, resp.Items, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("items (-want +got):\n%s", diff)
				}
				if resp.StopReason != tt.stop {
					t.Errorf("stop = %q, want %q", resp.StopReason, tt.stop)
				}
				if resp.Model != "scripted" || resp.Usage.InputTokens == 0 || resp.Usage.OutputTokens == 0 {
					t.Errorf("model %q usage %+v: want echoed model and non-zero usage", resp.Model, resp.Usage)
				}
				wantText := resp.Text()
				if got := rec.joined(model.EventTextDelta); got != wantText {
					t.Errorf("text deltas = %q, want %q", got, wantText)
				}
				if got := rec.joined(model.EventReasoningDelta); got != tt.reasoning {
					t.Errorf("reasoning deltas = %q, want %q", got, tt.reasoning)
				}
				var wantStarts, gotStarts []model.Event
				for _, c := range resp.ToolCalls() {
					wantStarts = append(wantStarts, model.Event{Type: model.EventToolCallStart, CallID: c.CallID, Name: c.Name})
				}
				gotStarts = rec.ofType(model.EventToolCallStart)
				if diff := cmp.Diff(wantStarts, gotStarts); diff != "" {
					t.Errorf("tool call starts (-want +got):\n%s", diff)
				}
				var args string
				for _, c := range resp.ToolCalls() {
					args += c.Arguments
				}
				if got := rec.joined(model.EventToolCallDelta); got != args {
					t.Errorf("argument deltas = %q, want %q", got, args)
				}
				reqs := srv.Requests()
				if len(reqs) != 1 || reqs[0].Header.Get("Authorization") != "Bearer sk-test" {
					t.Errorf("requests = %d, auth %q", len(reqs), reqs[0].Header.Get("Authorization"))
				}
			})
		}
	}
}

func TestStreamUsage(t *testing.T) {
	t.Parallel()
	want := model.Usage{InputTokens: 1200, CachedInputTokens: 1024, OutputTokens: 80, ReasoningTokens: 64}
	for _, f := range flavours {
		t.Run(f.name, func(t *testing.T) {
			t.Parallel()
			turn := modeltest.Say("ok")
			turn.Response.Usage = want
			srv := modeltest.New(turn)
			defer srv.Close()
			resp, err := f.new(Options{BaseURL: srv.URL}).Stream(context.Background(), request("hi"), nil)
			if err != nil {
				t.Fatalf("Stream: %v", err)
			}
			if diff := cmp.Diff(want, resp.Usage); diff != "" {
				t.Errorf("usage (-want +got):\n%s", diff)
			}
			if h := srv.Requests()[0].Header; h.Get("Authorization") != "" || h.Get("User-Agent") != "git-agent" {
				t.Errorf("headers: Authorization %q, User-Agent %q; want none and git-agent", h.Get("Authorization"), h.Get("User-Agent"))
			}
		})
	}
}
