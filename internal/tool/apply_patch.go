package tool

import (
	"context"
	"crypto/sha256"
	_ "embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/git-agent/git-agent/internal/tool/patch"
	"github.com/git-agent/git-agent/sandbox"
)

//go:embed apply_patch.md
var applyPatchDescription string

// ApplyPatch is the "apply_patch" tool: it adds, updates, moves and deletes
// files in the workspace with one patch, all or nothing.
type ApplyPatch struct{}

// NewApplyPatch returns the apply_patch tool.
func NewApplyPatch() *ApplyPatch { return &ApplyPatch{} }

// ApplyPatchDetail records an applied patch for events and session logs.
type ApplyPatchDetail struct {
	Files []PatchedFile `json:"files"`
}

// PatchedFile is one file an applied patch changed. Paths are relative to the
// workspace.
type PatchedFile struct {
	Op      string `json:"op"` // "add", "update" or "delete"
	Path    string `json:"path"`
	MoveTo  string `json:"move_to,omitempty"`
	Added   int    `json:"added"`
	Removed int    `json:"removed"`
	// SHA256 and Size describe the file as written ("" and 0 for a delete),
	// so the audit log can name the content without holding it.
	SHA256 string `json:"sha256,omitempty"`
	Size   int64  `json:"size,omitempty"`
}

func (*ApplyPatch) Name() string              { return "apply_patch" }
func (*ApplyPatch) Description() string       { return applyPatchDescription }
func (*ApplyPatch) Risk(json.RawMessage) Risk { return RiskMedium }
func (*ApplyPatch) Schema() json.RawMessage   { return json.RawMessage(applyPatchSchema) }

const applyPatchUsage = `{"patch": "*** Begin Patch\n*** Update File: path\n@@ ...\n-old line\n+new line\n*** End Patch"}`

const applyPatchSchema = `{
  "type": "object",
  "properties": {
    "patch": {"type": "string", "description": "The whole patch, from \"*** Begin Patch\" to \"*** End Patch\"."}
  },
  "required": ["patch"],
  "additionalProperties": false
}`

type applyPatchArgs struct {
	Patch string `json:"patch"`
	Input string `json:"input"` // the name Codex's freeform tool uses
}

func (ap *ApplyPatch) Run(ctx context.Context, env *Env, callID string, args json.RawMessage) (Result, error) {
	if m := env.Sandbox.Mode; m != "" && !sandbox.Writable(m) {
		return Errorf("apply_patch: the %s profile does not allow changing files; describe the change to the user instead", m), nil
	}
	var a applyPatchArgs
	if res, ok := decodeArgs(ap.Name(), args, &a, applyPatchUsage); !ok {
		return res, nil
	}
	text := a.Patch
	if text == "" {
		text = a.Input
	}
	if strings.TrimSpace(text) == "" {
		return Errorf(`apply_patch: "patch" is required; expected %s`, applyPatchUsage), nil
	}
	p, err := patch.Parse(text)
	if err != nil {
		return Errorf("apply_patch: invalid patch: %v\nNo file was changed. The patch must start with \"*** Begin Patch\", end with \"*** End Patch\", and contain \"*** Add File:\", \"*** Delete File:\" or \"*** Update File:\" sections.", err), nil
	}
	if err := ctx.Err(); err != nil {
		return Result{}, err
	}
	sum, err := p.Apply(patch.OS(func(path string) (string, error) { return patchPath(env.Workspace, path) }))
	if err != nil {
		note := "No file was changed; fix the patch and send all of it again."
		if errors.Is(err, patch.ErrPartial) {
			note = "Some files may have changed; read them before trying again."
		}
		return Errorf("apply_patch: %v\n%s", err, note), nil
	}
	var b strings.Builder
	b.WriteString("Success. Updated the following files:\n")
	d := ApplyPatchDetail{Files: []PatchedFile{}}
	for _, c := range sum.Changes {
		f := PatchedFile{Op: c.Op.String(), Path: Rel(env.Workspace, c.Path), Added: c.Added, Removed: c.Removed}
		switch {
		case c.MoveTo != "":
			f.MoveTo = Rel(env.Workspace, c.MoveTo)
			fmt.Fprintf(&b, "M %s -> %s\n", f.Path, f.MoveTo)
		case c.Op == patch.Add:
			fmt.Fprintf(&b, "A %s\n", f.Path)
		case c.Op == patch.Delete:
			fmt.Fprintf(&b, "D %s\n", f.Path)
		default:
			fmt.Fprintf(&b, "M %s\n", f.Path)
		}
		if c.Op != patch.Delete {
			written := c.Path
			if c.MoveTo != "" {
				written = c.MoveTo
			}
			f.SHA256, f.Size = fileDigest(written)
		}
		d.Files = append(d.Files, f)
	}
	return Result{Output: b.String(), Detail: d}, nil
}

// patchPath confines a patch path to the workspace and keeps patches out of
// .git: a hook or config written there would run outside the sandbox the
// next time git does.
func patchPath(workspace, p string) (string, error) {
	abs, err := Resolve(workspace, p)
	if err != nil {
		return "", err
	}
	for _, part := range strings.Split(Rel(workspace, abs), "/") {
		if strings.EqualFold(part, ".git") {
			return "", fmt.Errorf("path %q is inside a .git directory, which patches may not change", p)
		}
	}
	return abs, nil
}

// fileDigest is the content hash ("sha256:HEX") and size of a file just
// written; empty if it cannot be read back.
func fileDigest(path string) (string, int64) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return "", 0
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), n
}
