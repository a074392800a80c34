// Package agent runs the turn loop: it sends the conversation to a model,
// executes the tool calls the model asks for (after the approval policy
// agrees), feeds the results back, and records every step as events and a
// resumable session rollout. It also assembles the instructions (base prompt
// plus AGENTS.md files).
//
// agent depends on model, tool and policy; it never talks to a provider's
// wire format or starts a process itself.
package agent
