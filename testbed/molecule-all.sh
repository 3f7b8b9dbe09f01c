#!/usr/bin/env bash
# Run molecule scenarios, MOLECULE_JOBS at a time (default 1: one after the other, output as it
# comes). With more than one job each scenario writes .tmp/molecule/<scenario>.log, a line is
# printed as each one ends (with its time), and the log of every failed one is shown at the end.
# Scenarios use their own container names, so they can run side by side on one podman.
#   usage: testbed/molecule-all.sh SCENARIO...
set -uo pipefail
jobs="${MOLECULE_JOBS:-1}"
logs="$(cd "$(dirname "$0")/.." && pwd)/.tmp/molecule"
mkdir -p "$logs"
if [ "$jobs" -le 1 ]; then
  for s in "$@"; do
    echo "[molecule] scenario $s"
    molecule test -s "$s" || exit 1
  done
  exit 0
fi
# shellcheck disable=SC2317  # run_one is called by xargs through bash -c
run_one() {
  local s="$1" start=$SECONDS rc
  molecule test -s "$s" >"$logs/$s.log" 2>&1
  rc=$?
  echo "[molecule] scenario $s: $([ "$rc" -eq 0 ] && echo passed || echo "FAILED (rc $rc)") in $((SECONDS - start)) s"
  return "$rc"
}
export -f run_one
export logs
echo "[molecule] $# scenarios, $jobs at a time; logs in $logs/"
if printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'run_one "$@"' _ {}; then
  exit 0
fi
for s in "$@"; do
  if grep -q "Molecule executed 1 scenario (.*1 failed" "$logs/$s.log" 2>/dev/null || ! grep -q "successful=" "$logs/$s.log" 2>/dev/null; then
    echo "[molecule] ===== $s: last 150 lines of $logs/$s.log"
    tail -n 150 "$logs/$s.log"
  fi
done
exit 1
