#!/usr/bin/env bash
# Runs the README's test command N times in a row on a fresh clone of this repository's HEAD, optionally while CPU
# hogs run, and prints each run's totals and duration. The proof that the suite holds on a busy machine:
#
#   tests/stress-run.sh --runs 5 --hogs 2     # 5 runs while two CPU hogs run (stress-ng --cpu 2, or busy loops)
#   tests/stress-run.sh --runs 3 --hogs 0     # 3 runs on a quiet machine
#
# The clone is made beside shared/ (a symlink), as CI lays it out. Exit 0 only when every run passed.
set -uo pipefail
runs=5; hogs=2; keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --runs) runs=$2; shift 2 ;;
    --hogs) hogs=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--runs N] [--hogs N] [--keep]"; exit 2 ;;
  esac
done

repo=$(cd "$(dirname "$0")/.." && pwd)
shared=$(cd "$repo/../shared" 2>/dev/null && pwd) || { echo "shared/ not found beside $repo"; exit 2; }
work=$(mktemp -d /tmp/clinicalassist-stress-XXXXXX)
ln -s "$shared" "$work/shared"
git clone -q "$repo" "$work/repo" || exit 2
echo "== fresh clone of $(git -C "$work/repo" rev-parse --short HEAD) in $work/repo; $runs run(s) with $hogs CPU hog(s)"

hog_pids=()
stop_hogs() { for p in "${hog_pids[@]}"; do kill "$p" 2>/dev/null; done; wait "${hog_pids[@]}" 2>/dev/null; }
trap 'stop_hogs; [ $keep = 1 ] || rm -rf "$work"' EXIT
if [ "$hogs" -gt 0 ]; then
  if command -v stress-ng >/dev/null; then
    stress-ng --cpu "$hogs" --timeout 0 --quiet & hog_pids+=($!)
  else
    for _ in $(seq "$hogs"); do ( while :; do :; done ) & hog_pids+=($!); done
  fi
fi

cd "$work/repo" || exit 2
failures=0
for i in $(seq "$runs"); do
  log="$work/run-$i.log"
  start=$(date +%s)
  # The README's test command, exactly (the first run also restores and builds on the fresh clone).
  dotnet test ClinicalAssist.sln > "$log" 2>&1
  status=$?
  took=$(( $(date +%s) - start ))
  read -r passed failed skipped < <(grep -E '^(Passed|Failed)! +- ' "$log" | awk -F'[:,]' '
    { for (i = 1; i <= NF; i++) { gsub(/ /, "", $i) }
      for (i = 1; i < NF; i++) { if ($i ~ /Failed$/) f += $(i+1); if ($i ~ /Passed$/ && $i !~ /!/) p += $(i+1); if ($i ~ /Skipped$/) s += $(i+1) } }
    END { printf "%d %d %d\n", p, f, s }')
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  printf 'run %d: exit %d, %d passed, %d failed, %d skipped, %dm%02ds (load %s)\n' "$i" "$status" "$passed" "$failed" "$skipped" $((took / 60)) $((took % 60)) "$load"
  if [ "$status" -ne 0 ]; then
    failures=$((failures + 1))
    grep -E '^\s+Failed ' "$log" | head -10
    cp "$log" "/tmp/clinicalassist-stress-failed-run-$i.log"
  fi
done
echo "== $((runs - failures)) of $runs runs passed"
[ "$failures" -eq 0 ]
