package tool

import (
	"context"
	_ "embed"
	"encoding/json"
	"strings"
)

//go:embed update_plan.md
var updatePlanDescription string

// UpdatePlan is the "update_plan" tool: the model records its plan, which the
// agent shows to the user. It changes nothing.
type UpdatePlan struct{}

// NewUpdatePlan returns the update_plan tool.
func NewUpdatePlan() *UpdatePlan { return &UpdatePlan{} }

// StepStatus is the state of one plan step.
type StepStatus string

const (
	StepPending    StepStatus = "pending"
	StepInProgress StepStatus = "in_progress"
	StepCompleted  StepStatus = "completed"
)

// PlanStep is one step of a Plan.
type PlanStep struct {
	Step   string     `json:"step"`
	Status StepStatus `json:"status"`
}

// Plan is the Detail of an update_plan call: the whole plan as it now stands.
type Plan struct {
	Explanation string     `json:"explanation,omitempty"`
	Steps       []PlanStep `json:"plan"`
}

func (*UpdatePlan) Name() string              { return "update_plan" }
func (*UpdatePlan) Description() string       { return updatePlanDescription }
func (*UpdatePlan) Risk(json.RawMessage) Risk { return RiskLow }
func (*UpdatePlan) Schema() json.RawMessage   { return json.RawMessage(updatePlanSchema) }

const updatePlanUsage = `{"explanation": "optional note", "plan": [{"step": "Write the parser", "status": "completed"}, {"step": "Add tests", "status": "in_progress"}]} (status is "pending", "in_progress" or "completed")`

const updatePlanSchema = `{
  "type": "object",
  "properties": {
    "explanation": {"type": "string", "description": "Optional note on why the plan changed."},
    "plan": {
      "type": "array",
      "description": "The whole plan, in order.",
      "items": {
        "type": "object",
        "properties": {
          "step": {"type": "string"},
          "status": {"type": "string", "enum": ["pending", "in_progress", "completed"]}
        },
        "required": ["step", "status"],
        "additionalProperties": false
      }
    }
  },
  "required": ["plan"],
  "additionalProperties": false
}`

func (u *UpdatePlan) Run(ctx context.Context, env *Env, callID string, args json.RawMessage) (Result, error) {
	var p Plan
	if res, ok := decodeArgs(u.Name(), args, &p, updatePlanUsage); !ok {
		return res, nil
	}
	if len(p.Steps) == 0 {
		return Errorf(`update_plan: "plan" must list at least one step; expected %s`, updatePlanUsage), nil
	}
	inProgress := 0
	for i := range p.Steps {
		s := &p.Steps[i]
		s.Step = strings.TrimSpace(s.Step)
		if s.Step == "" {
			return Errorf(`update_plan: step %d has an empty "step"; describe it in a few words`, i+1), nil
		}
		switch s.Status {
		case StepPending, StepCompleted:
		case StepInProgress:
			if inProgress++; inProgress > 1 {
				return Errorf(`update_plan: more than one step is "in_progress"; mark only the step being worked on`), nil
			}
		default:
			return Errorf(`update_plan: step %d has status %q; use "pending", "in_progress" or "completed"`, i+1, s.Status), nil
		}
	}
	p.Explanation = strings.TrimSpace(p.Explanation)
	return Result{Output: "Plan updated", Detail: p}, nil
}
