#!/usr/bin/env bash
# Every performance figure in one command: builds Release once, runs P1, P2, P3 (Chromium), P4, quality, P5
# (capacity), memory and the micro figures one after the other, and rewrites the generated section of
# docs/performance.md (a table per figure: goal, measured, command, date, machine, load average).
# Full reports: artifacts/perf/<figure>.md. Options go to the `all` command, e.g.:
#   perf/run-all.sh --skip P3          # without the Chromium measurement
#   perf/run-all.sh --only P5,Micro    # some figures only
#   perf/run-all.sh --no-docs          # do not touch docs/performance.md
# Run it on a quiet machine: the load average is recorded with every figure.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
dotnet build -c Release perf/ClinicalAssist.Benchmarks -nologo -v quiet   # also builds the app (P5 starts its Release build)
dotnet perf/ClinicalAssist.Benchmarks/bin/Release/net10.0/ClinicalAssist.Benchmarks.dll all "$@"
echo "run-all: $(( $(date +%s) - start )) s in total (build included)"
