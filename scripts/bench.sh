#!/usr/bin/env bash
# Runs every benchmark of issue 6 and writes bench/RESULTS.md and bench/burst-latency.svg:
#   1. core cost per "ticket created" webhook: native, wasmtime, Node (jco) — criterion;
#   2. cold start (wasmtime, Node, the host binary) and sizes;
#   3. the burst: 1,000 webhooks + 200 duplicates at concurrency 16 through a local host;
#   4. calls per operation; 5. memory.
# Measuring takes a few minutes on 2 cores; the first release build takes longer. Extra
# arguments go to `pam-bench run` (--reps N, --burst-reps N, --out DIR).
# PAM_BENCH_MACHINE=quiet|loaded states the machine's state instead of guessing it from the
# load average.
set -euo pipefail
cd "$(dirname "$0")/.."
started="$(date +%s)"
target_dir="${CARGO_TARGET_DIR:-target}"

# The Node figures use jco, a devDependency of the Forge side.
if command -v node >/dev/null && [ ! -d node_modules/@bytecodealliance/jco-transpile ]; then
  npm ci --no-audit --no-fund
fi

echo "== build (release): the host binary, pam-bench and the criterion benchmark"
cargo build --release --locked -p pam-approvals-host -p pam-approvals-bench --bins
cargo bench --locked -p pam-approvals-bench --bench core --no-run

# Measuring starts here; RESULTS.md reports the time from this point.
export PAM_BENCH_STARTED_AT="$(date +%s)"
echo "== 1. core cost per webhook (criterion)"
cargo bench --locked -p pam-approvals-bench --bench core

echo "== 2-5. cold start, sizes, calls per operation, burst, memory"
"$target_dir/release/pam-bench" run --host-bin "$target_dir/release/pam-approvals-host" "$@"

now="$(date +%s)"
echo "== done: builds $(( PAM_BENCH_STARTED_AT - started )) s, measuring $(( now - PAM_BENCH_STARTED_AT )) s; see bench/RESULTS.md and bench/burst-latency.svg"
