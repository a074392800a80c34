package openai

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/git-agent/git-agent/internal/model"
)

// seedFixtures adds every testdata stream whose name starts with prefix.
func seedFixtures(f *testing.F, prefix string) {
	files, err := filepath.Glob(filepath.Join("testdata", prefix+"*.sse"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no %s fixtures: %v", prefix, err)
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkParse asserts the parser contract on arbitrary input: exactly one of
// a response and an error, errors are *model.Error, and items are well formed.
func checkParse(t *testing.T, parse parseFunc, data []byte) {
	resp, err := parse(bytes.NewReader(data), "fuzz", func(model.Event) {})
	if (resp == nil) == (err == nil) {
		t.Fatalf("got response %v and error %v; want exactly one", resp, err)
	}
	if err != nil {
		me, ok := model.AsError(err)
		if !ok || me.Hint == "" || me.Provider != "fuzz" {
			t.Fatalf("error %v is not a *model.Error with a hint", err)
		}
		if strings.Contains(me.Error(), "\n") {
			t.Fatalf("error is not one line: %q", me.Error())
		}
		return
	}
	switch resp.StopReason {
	case model.StopEnd, model.StopToolCalls, model.StopMaxTokens, model.StopOther:
	default:
		t.Fatalf("stop reason %q", resp.StopReason)
	}
	for _, it := range resp.Items {
		if it.Type == model.ItemFunctionCall && it.CallID == "" {
			t.Fatalf("tool call without id: %+v", it)
		}
	}
}

func FuzzResponsesStream(f *testing.F) {
	seedFixtures(f, "responses_")
	f.Add([]byte("event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"hi\"}\n\n" +
		"data: {\"type\":\"response.completed\",\"response\":{\"output\":[{\"type\":\"function_call\",\"arguments\":{\"a\":1}}]}}\n\n"))
	f.Add([]byte("data: {\"type\":\"response.function_call_arguments.delta\",\"output_index\":3,\"delta\":\"{\"}\n\n" +
		"data: {\"type\":\"response.incomplete\",\"response\":{\"incomplete_details\":{\"reason\":\"max_output_tokens\"}}}\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, parseResponses, data) })
}

func FuzzChatStream(f *testing.F) {
	seedFixtures(f, "chat_")
	f.Add([]byte("data: {\"choices\":[{\"delta\":{\"tool_calls\":[{\"function\":{\"arguments\":\"{}\"}}]},\"finish_reason\":\"length\"}]}\n\n"))
	f.Add([]byte("event: error\ndata: {\"message\":\"boom\",\"code\":\"server_error\"}\n\n"))
	f.Fuzz(func(t *testing.T, data []byte) { checkParse(t, parseChat, data) })
}

// TestParseEdgeCases pins behaviour the fixtures do not reach.
func TestParseEdgeCases(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		parse parseFunc
		data  string
		kind  model.ErrorKind
		text  string
		stop  string
	}{
		{name: "responses empty body", parse: parseResponses, data: "", kind: model.ErrStream},
		{name: "responses clean end without completed", parse: parseResponses, kind: model.ErrStream,
			data: "event: response.created\ndata: {\"type\":\"response.created\",\"response\":{}}\n\n"},
		{name: "responses cut mid-event", parse: parseResponses, kind: model.ErrStream,
			data: "event: response.output_text.delta\ndata: {\"type\":\"response.output_text.delta\",\"delta\":\"hi\"}"},
		{name: "responses unknown events ignored", parse: parseResponses, text: "hi", stop: model.StopEnd,
			data: "event: response.web_search_call.searching\ndata: {\"type\":\"response.web_search_call.searching\",\"delta\":{\"x\":1}}\n\n" +
				"data: {\"type\":\"response.future.event\",\"item\":\"not an object\",\"output_index\":\"x\"}\n\n" +
				"data: {\"type\":\"response.output_text.delta\",\"item_id\":\"m\",\"output_index\":0,\"delta\":\"hi\"}\n\n" +
				"data: {\"type\":\"response.completed\",\"response\":{}}\n\n"},
		{name: "responses output only in completed", parse: parseResponses, text: "hello", stop: model.StopEnd,
			data: "data: {\"type\":\"response.completed\",\"response\":{\"output\":[{\"type\":\"message\",\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"hello\"}]}]}}\n\n"},
		{name: "responses quota in stream", parse: parseResponses, kind: model.ErrQuota,
			data: "data: {\"type\":\"response.failed\",\"response\":{\"error\":{\"code\":\"insufficient_quota\",\"message\":\"You exceeded your current quota.\"}}}\n\n"},
		{name: "responses flat error event", parse: parseResponses, kind: model.ErrRateLimit,
			data: "event: error\ndata: {\"type\":\"error\",\"code\":\"rate_limit_exceeded\",\"message\":\"slow down\",\"param\":null}\n\n"},
		{name: "chat finish then cut keeps answer", parse: parseChat, text: "ok", stop: model.StopEnd,
			data: "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":\"stop\"}]}\n\ndata: {\"choi"},
		{name: "chat done without finish", parse: parseChat, text: "ok", stop: model.StopEnd,
			data: "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"}}]}\n\ndata: [DONE]\n\n"},
		{name: "chat length drops half a tool call", parse: parseChat, stop: model.StopMaxTokens,
			data: "data: {\"choices\":[{\"index\":0,\"delta\":{\"tool_calls\":[{\"index\":0,\"id\":\"c\",\"function\":{\"name\":\"shell\",\"arguments\":\"{\\\"comm\"}}]},\"finish_reason\":\"length\"}]}\n\ndata: [DONE]\n\n"},
		{name: "chat malformed chunk", parse: parseChat, kind: model.ErrStream, data: "data: {not json}\n\n"},
		{name: "chat string error", parse: parseChat, kind: model.ErrServer,
			data: "data: {\"error\":\"model runner has unexpectedly stopped\"}\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := tt.parse(strings.NewReader(tt.data), "openai", func(model.Event) {})
			if kindOfErr(err) != tt.kind || (err != nil) != (tt.kind != "") {
				t.Fatalf("error = %v, want kind %q", err, tt.kind)
			}
			if err != nil {
				return
			}
			if resp.Text() != tt.text || resp.StopReason != tt.stop {
				t.Errorf("text %q stop %q, want %q %q", resp.Text(), resp.StopReason, tt.text, tt.stop)
			}
		})
	}
}
