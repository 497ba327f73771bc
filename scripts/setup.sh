#!/usr/bin/env bash
# Installs what building and testing need, idempotently: each step is skipped when already done.
# Usage: scripts/setup.sh [--tests]   (--tests adds what only the test suite needs)
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[setup] %s\n' "$*"; }

if ! rustup target list --installed 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  say "adding the wasm32-unknown-unknown Rust target"
  rustup target add wasm32-unknown-unknown
fi

if [ "${1:-}" = "--tests" ]; then
  for component in rustfmt clippy; do
    if ! rustup component list --installed 2>/dev/null | grep -q "^$component"; then
      say "adding rustup component $component"
      rustup component add "$component"
    fi
  done
  if ! cargo nextest --version >/dev/null 2>&1; then
    say "installing cargo-nextest (one time, a few minutes)"
    cargo install --locked cargo-nextest
  fi
  if [ -f package.json ]; then
    # npm ci refuses jco's lock file (see ../shared/FORGE-NOTES.md); install follows the lock.
    if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
      say "installing npm packages"
      npm install --no-audit --no-fund
    fi
  fi
fi
