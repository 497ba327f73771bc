#!/usr/bin/env bash
# Builds everything and runs every check and test. The last lines are the Rust test runner's
# summary. Used as-is by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests

step() { printf '\n=== %s\n' "$*"; }

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "the core does no I/O"
scripts/check-core-deps.sh

if [ -f package.json ]; then
  step "Forge packaging: component, bundle, manifest and node tests"
  npm test
fi

step "Rust tests (core, host, end to end)"
cargo nextest run --workspace --locked --no-fail-fast
