#!/usr/bin/env bash
# Prints one comparable line per figure, in the Go benchmark format (benchstat
# reads it): binary size, --version cold start, a 2-turn scripted task in a
# git repository (wall time and peak RSS of the whole git-agent process), the
# sandbox's overhead on `true`, and one fsynced audit-log append. It builds
# git-agent as released and runs `git-agent bench`, which does the measuring
# (internal/bench; the go test benchmarks in cmd/git-agent use the same code).
# Usage: scripts/bench.sh [RUNS] [git-agent bench flags...]   (default 30 runs)
#   scripts/bench.sh 20 --check --allow-over sandbox-exec
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
shift || true
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o "$dir/git-agent" ./cmd/git-agent
"$dir/git-agent" bench --format gobench --runs "$runs" "$@"
