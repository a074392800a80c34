package cli

import (
	"context"
	"fmt"
	"time"

	"github.com/git-agent/git-agent/internal/model"
	"github.com/git-agent/git-agent/review"
)

// modelReviewTimeout bounds the model review: it must not hold up a
// review (or a commit) when the model is slow.
const modelReviewTimeout = 2 * time.Minute

// modelReview asks the configured model to review files. It fails open: a
// model that cannot be reached or answers nonsense costs a warning, never
// the deterministic findings. It runs no tools, so nothing executes.
func modelReview(opts *ReviewOptions, dir string, files []review.FileDiff) []review.Finding {
	return modelReviewWithin(opts, dir, files, modelReviewTimeout)
}

// modelReviewWithin is modelReview with a time limit (the hook's is short).
func modelReviewWithin(opts *ReviewOptions, dir string, files []review.FileDiff, limit time.Duration) []review.Finding {
	f := opts.F
	flags := map[string]string{}
	for k, v := range map[string]string{"provider": opts.Provider, "model": opts.Model, "base_url": opts.BaseURL} {
		if v != "" {
			flags[k] = v
		}
	}
	loaded, _, err := loadConfig(f.Context, f, dir, flags)
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: model review skipped: %v\n", err)
		return nil
	}
	cfg := loaded.Config
	prov, spec, err := newProvider(providerSpec{Name: cfg.Provider, Model: cfg.Model, BaseURL: cfg.BaseURL,
		Cassette: opts.Cassette, Getenv: f.Getenv, Client: f.HTTPClient})
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: model review skipped: %v\n", err)
		return nil
	}
	ctx, cancel := context.WithTimeout(f.Context, limit)
	defer cancel()
	ans, err := askModelReview(ctx, prov, spec.Model, review.NumberedDiff(files, 200<<10), files)
	if err != nil {
		fmt.Fprintf(f.IO.ErrOut, "warning: %v\n", err)
		return nil
	}
	if ans.dropped > 0 {
		fmt.Fprintf(f.IO.ErrOut, "note: %d model finding(s) dropped: not anchored to lines of the diff\n", ans.dropped)
	}
	return ans.findings
}

// modelAnswer is a model's review: the findings anchored to the diff, how
// many were dropped for pointing elsewhere, and what the request cost.
type modelAnswer struct {
	findings []review.Finding
	dropped  int
	usage    model.Usage
}

// askModelReview sends input (the diff as review.NumberedDiff shows it,
// maybe with context around it) to prov with review.ModelPrompt and reads
// the findings anchored to files. It runs no tools, so nothing executes.
func askModelReview(ctx context.Context, prov model.Provider, modelName, input string, files []review.FileDiff) (*modelAnswer, error) {
	req := &model.Request{
		Model:        modelName,
		Instructions: review.ModelPrompt,
		Input:        []model.Item{{Type: model.ItemMessage, Role: model.RoleUser, Text: input}},
	}
	resp, err := prov.Stream(ctx, req, func(model.Event) {})
	if err != nil {
		return nil, fmt.Errorf("model review failed, deterministic findings only: %s", oneLine(err.Error()))
	}
	found, dropped, err := review.ParseModelFindings(resp.Text(), files)
	if err != nil {
		return &modelAnswer{usage: resp.Usage}, fmt.Errorf("model review unusable: %w", err)
	}
	return &modelAnswer{findings: found, dropped: dropped, usage: resp.Usage}, nil
}
