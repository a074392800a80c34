package config

import (
	"strings"
	"testing"
)

func TestReviewRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		in        layers
		wantNames []string
		wantErr   string
	}{
		{"user and repo add up", layers{
			user: "[[review_rules]]\nname = \"no-todo\"\npattern = \"TODO\"\n",
			repo: "[[review_rules]]\nname = \"no-vendor\"\npaths = [\"vendor/**\"]\nseverity = \"warning\"\n",
		}, []string{"no-todo", "no-vendor"}, ""},
		{"bad pattern", layers{user: "[[review_rules]]\nname = \"x\"\npattern = \"(\"\n"}, nil, "review_rules[0].pattern"},
		{"needs paths or pattern", layers{repo: "[[review_rules]]\nname = \"x\"\n"}, nil, "needs a name and paths or a pattern"},
		{"bad severity", layers{user: "[[review_rules]]\nname = \"x\"\npattern = \"a\"\nseverity = \"fatal\"\n"}, nil, "review_rules[0].severity"},
		{"not from the environment", layers{env: map[string]string{"GIT_AGENT_REVIEW_RULES": "x"}}, nil, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			l, _, err := load(t, tc.in)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range l.Config.ReviewRules {
				names = append(names, r.Name)
			}
			if strings.Join(names, ",") != strings.Join(tc.wantNames, ",") {
				t.Errorf("rules = %v, want %v", names, tc.wantNames)
			}
		})
	}
}
