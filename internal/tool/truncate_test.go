package tool

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// numbered returns lines "1".."n", each ending in a newline.
func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "%d\n", i)
	}
	return b.String()
}

func TestHeadTail(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		s           string
		max         int
		want        string
		wantOmitted int
	}{
		{name: "empty", s: "", max: 4, want: ""},
		{name: "fits", s: numbered(4), max: 4, want: numbered(4)},
		{name: "final newline is not a line", s: "a\nb\n", max: 2, want: "a\nb\n"},
		{name: "no limit", s: numbered(10), max: 0, want: numbered(10)},
		{name: "even", s: numbered(10), max: 4, want: "1\n2\n[... omitted 6 of 10 lines ...]\n9\n10\n", wantOmitted: 6},
		{name: "odd keeps more head", s: numbered(10), max: 3, want: "1\n2\n[... omitted 7 of 10 lines ...]\n10\n", wantOmitted: 7},
		{name: "no final newline", s: "a\nb\nc\nd", max: 2, want: "a\n[... omitted 2 of 4 lines ...]\nd", wantOmitted: 2},
		{name: "one line allowed", s: "a\nb\nc\n", max: 1, want: "a\n[... omitted 2 of 3 lines ...]\n", wantOmitted: 2},
		{name: "blank lines count", s: "\n\n\n\n", max: 2, want: "\n[... omitted 2 of 4 lines ...]\n\n", wantOmitted: 2},
		{
			name: "default size", s: numbered(1000), max: 256,
			want:        numbered(128) + "[... omitted 744 of 1000 lines ...]\n" + strings.TrimPrefix(numbered(1000), numbered(872)),
			wantOmitted: 744,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, omitted := HeadTail(tt.s, tt.max)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("HeadTail text mismatch (-want +got):\n%s", diff)
			}
			if omitted != tt.wantOmitted {
				t.Errorf("HeadTail omitted = %d, want %d", omitted, tt.wantOmitted)
			}
		})
	}
}
