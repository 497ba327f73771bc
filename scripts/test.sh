#!/usr/bin/env bash
# Builds everything and runs every check and test. The last lines are the Rust test runner's
# summary. Used as-is by CI (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests

step() { printf '\n=== %s\n' "$*"; }

step "UI pages: build (static/request/build, static/admin/build)"
scripts/build-ui.sh

step "format"
cargo fmt --all -- --check

step "lint"
cargo clippy --workspace --all-targets --locked -- -D warnings
cargo clippy -p pam-approvals-ui --target wasm32-unknown-unknown --all-targets --locked -- -D warnings

step "the core does no I/O"
scripts/check-core-deps.sh

step "each provider can be left out of the core"
scripts/check-providers.sh

step "a deployment of the host links no sandbox"
scripts/check-host-deps.sh
cargo clippy -p pam-approvals-host --no-default-features --lib --bins --locked -- -D warnings

if [ -f package.json ]; then
  step "Forge packaging: component, bundle, manifest and node tests"
  npm test

  step "UI page in Chromium: page tests and end to end on the local host"
  npm run test:browser
fi

# Each libFuzzer target (fuzz/) for a short while: no crash, panic or hang on its seeds and what
# it finds from them. 5 s each because the instrumented build is most of this step (about
# 16 min on the shared 2-core machine it was measured on, docs/fuzzing.md); 16 codegen units
# shorten that build. Longer runs: scripts/fuzz.sh (600 s per target by default).
step "fuzzing: each target for 5 s"
FUZZ_CODEGEN_UNITS=16 scripts/fuzz.sh --seconds 5 --clean

step "Rust tests (core, host, end to end)"
cargo nextest run --workspace --locked --no-fail-fast
