#!/usr/bin/env bash
# Prints one comparable line per figure: binary size, --version cold start,
# and a 2-turn scripted task with one shell call (wall time and peak RSS of
# the whole git-agent process). Targets on a 2-core machine: ≤15 MB, ≤5 ms,
# ≤50 ms and ≤25 MiB; sandboxed `true` at most 3 ms over a bare one; plus the
# cost of one fsynced audit-log append. Usage: scripts/bench.sh [RUNS]   (default 30)
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
{ go test -run '^$' -bench 'BinarySize|Version|ScriptedTask' -benchtime "${runs}x" -count 1 ./cmd/git-agent
  go test -run '^$' -bench 'RunTrue' -benchtime "${runs}x" -count 1 ./sandbox
  go test -run '^$' -bench '^BenchmarkAppend' -benchtime "$((runs * 10))x" -count 1 ./internal/audit; } \
  | awk '/^Benchmark/ {
      name=$1; sub(/-[0-9]+$/, "", name)
      line=name
      for (i = 3; i < NF; i += 2) if ($(i+1) != "ns/op") line = line sprintf("  %s=%s", $(i+1), $i)
      print line
    }'
