// Command git-agent is an AI coding agent for git repositories; installed on
// PATH it runs as `git agent`.
package main

import (
	"os"

	"github.com/git-agent/git-agent/internal/cli"
)

func main() { os.Exit(cli.Main()) }
