package agent

import (
	"strings"
	"testing"

	"github.com/git-agent/git-agent/internal/model"
)

func TestTrimContext(t *testing.T) {
	t.Parallel()
	out := func(n int) model.Item {
		return model.Item{Type: model.ItemFunctionOutput, Output: strings.Repeat("x\n", n)}
	}
	user := model.Item{Type: model.ItemMessage, Role: model.RoleUser, Text: "task"}
	tests := []struct {
		name        string
		items       []model.Item
		window      int
		level       int
		wantTrimmed int // number of outputs trimmed
	}{
		{"fits", []model.Item{user, out(100)}, 10000, 0, 0},
		{"oldest trimmed first", []model.Item{user, out(4000), out(4000), user, user, user, user, user, user}, 4000, 0, 1},
		{"recent items kept", []model.Item{user, out(40000)}, 1000, 0, 0},
		{"recent items trimmed after a refusal", []model.Item{user, out(40000)}, 1000, 1, 1},
		{"level tightens", []model.Item{user, out(1000), out(1000), user, user, user, user, user, user}, 4000, 3, 2},
		{"small outputs left alone", []model.Item{user, out(10), out(10), user, user, user, user, user, user}, 10, 0, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := trimContext(tc.items, tc.window, tc.level, 0)
			n := 0
			for i := range got {
				if got[i].Output != tc.items[i].Output {
					n++
				}
			}
			if n != tc.wantTrimmed {
				t.Errorf("trimmed %d outputs, want %d", n, tc.wantTrimmed)
			}
			for i := range tc.items {
				if tc.items[i].Output != "" && strings.Contains(tc.items[i].Output, "trimmed") {
					t.Fatal("input slice was modified")
				}
			}
		})
	}
}
