package tool

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUpdatePlan(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		args    string
		want    string
		wantErr bool
		plan    *Plan
	}{
		{
			name: "valid",
			args: `{"explanation": " tests first ", "plan": [{"step": "Write tests", "status": "completed"}, {"step": " Fix bug ", "status": "in_progress"}, {"step": "Ship", "status": "pending"}]}`,
			want: "Plan updated",
			plan: &Plan{Explanation: "tests first", Steps: []PlanStep{
				{Step: "Write tests", Status: StepCompleted},
				{Step: "Fix bug", Status: StepInProgress},
				{Step: "Ship", Status: StepPending},
			}},
		},
		{name: "no explanation", args: `{"plan": [{"step": "a", "status": "pending"}]}`, want: "Plan updated", plan: &Plan{Steps: []PlanStep{{Step: "a", Status: StepPending}}}},
		{name: "two in progress", args: `{"plan": [{"step": "a", "status": "in_progress"}, {"step": "b", "status": "in_progress"}]}`, wantErr: true, want: `update_plan: more than one step is "in_progress"; mark only the step being worked on`},
		{name: "empty step", args: `{"plan": [{"step": "  ", "status": "pending"}]}`, wantErr: true, want: `update_plan: step 1 has an empty "step"; describe it in a few words`},
		{name: "bad status", args: `{"plan": [{"step": "a", "status": "done"}]}`, wantErr: true, want: `update_plan: step 1 has status "done"; use "pending", "in_progress" or "completed"`},
		{name: "missing plan", args: `{"explanation": "x"}`, wantErr: true, want: `update_plan: "plan" must list at least one step; expected ` + updatePlanUsage},
		{name: "plan not an array", args: `{"plan": "do it"}`, wantErr: true, want: `update_plan: invalid arguments: "plan" must be an array, got string; expected ` + updatePlanUsage},
		{name: "unknown step field", args: `{"plan": [{"step": "a", "status": "pending", "id": 1}]}`, wantErr: true, want: `update_plan: invalid arguments: unknown field "id"; expected ` + updatePlanUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res := runTool(t, NewUpdatePlan(), t.TempDir(), tt.args)
			if res.IsError != tt.wantErr || res.Output != tt.want {
				t.Errorf("got %q (IsError %v), want %q (IsError %v)", res.Output, res.IsError, tt.want, tt.wantErr)
			}
			if tt.plan != nil {
				if diff := cmp.Diff(*tt.plan, res.Detail); diff != "" {
					t.Errorf("detail (-want +got):\n%s", diff)
				}
				b, _ := json.Marshal(res.Detail)
				var back Plan
				if err := json.Unmarshal(b, &back); err != nil || !cmp.Equal(back, *tt.plan) {
					t.Errorf("detail does not round-trip through JSON: %s", b)
				}
			}
		})
	}
}
