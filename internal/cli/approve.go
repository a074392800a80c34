package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/git-agent/git-agent/internal/policy"
)

// ttyApprover asks on the terminal: yes / no / always for this session.
type ttyApprover struct {
	in   *bufio.Reader
	out  io.Writer
	hold func() func() // stops the status line while asking; returns the release
}

func (a *ttyApprover) Approve(ctx context.Context, c policy.Call, why string) (policy.Answer, error) {
	if a.hold != nil {
		defer a.hold()()
	}
	for {
		fmt.Fprintf(a.out, "\n? Allow %s\n  (%s, %s risk) [y]es / [n]o / [a]lways this session: ", c.Summary, why, c.Risk)
		line, err := a.in.ReadString('\n')
		if err != nil && line == "" {
			if ctx.Err() != nil {
				return policy.No, ctx.Err()
			}
			return policy.No, nil
		}
		switch strings.ToLower(strings.TrimSpace(line)) {
		case "y", "yes":
			return policy.Yes, nil
		case "n", "no", "":
			return policy.No, nil
		case "a", "always":
			return policy.Always, nil
		}
	}
}
