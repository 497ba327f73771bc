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

step "Rust tests (core, host, end to end)"
cargo nextest run --workspace --locked --no-fail-fast
