#!/usr/bin/env bash
# Runs the resilience tests of issue 12 at full size on the local host (debug build, as CI
# runs them) with their output shown, and writes their figures (lost, duplicates, retries,
# time to drain) to docs/resilience.md. CI runs the same tests through scripts/test.sh; this
# script only adds the report. PAM_RESILIENCE_SCALE scales the sizes (default 1).
set -euo pipefail
cd "$(dirname "$0")/.."
log=$(mktemp)
trap 'rm -f "$log"' EXIT
load_before=$(cut -d' ' -f1 /proc/loadavg)
cargo test --locked -p pam-approvals-host --test resilience -- --nocapture --test-threads 1 2>&1 | tee "$log"
load_after=$(cut -d' ' -f1 /proc/loadavg)
grep '^figures: ' "$log" | sed 's/^figures: //' |
  node scripts/resilience-report.mjs "$(git rev-parse --short HEAD)" "$load_before" "$load_after" > docs/resilience.md
echo "== wrote docs/resilience.md"
