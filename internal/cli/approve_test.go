package cli

import (
	"bufio"
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/git-agent/git-agent/internal/policy"
	"github.com/git-agent/git-agent/internal/tool"
)

func TestTTYApprover(t *testing.T) {
	t.Parallel()
	tests := []struct {
		input string
		want  policy.Answer
		asks  int
	}{
		{"y\n", policy.Yes, 1},
		{"YES\n", policy.Yes, 1},
		{"n\n", policy.No, 1},
		{"\n", policy.No, 1},
		{"always\n", policy.Always, 1},
		{"maybe\nsure\na\n", policy.Always, 3},
		{"", policy.No, 1}, // end of input: no
	}
	for _, tc := range tests {
		var out bytes.Buffer
		held, released := 0, 0
		a := &ttyApprover{in: bufio.NewReader(strings.NewReader(tc.input)), out: &out,
			hold: func() func() { held++; return func() { released++ } }}
		got, err := a.Approve(context.Background(), policy.Call{Summary: "shell git push", Risk: tool.RiskHigh}, "publishes commits")
		if err != nil || got != tc.want {
			t.Errorf("input %q: %v, %v; want %v", tc.input, got, err, tc.want)
		}
		if n := strings.Count(out.String(), "? Allow shell git push"); n != tc.asks {
			t.Errorf("input %q: asked %d times, want %d", tc.input, n, tc.asks)
		}
		if held != 1 || released != 1 {
			t.Errorf("status line held %d, released %d", held, released)
		}
	}
}
