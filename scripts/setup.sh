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

# The UI page (scripts/build-ui.sh) needs the wasm-bindgen CLI of exactly the wasm-bindgen
# version in Cargo.lock. Without --locked: with it the install fails here (FORGE-NOTES.md).
wasm_bindgen=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ -n "$wasm_bindgen" ] && [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wasm_bindgen" ]; then
  say "installing wasm-bindgen-cli $wasm_bindgen (one time, a few minutes)"
  cargo install wasm-bindgen-cli --version "$wasm_bindgen"
fi

# npm packages: the UI build bundles @forge/bridge with esbuild; the tests need the rest.
# `npm ci` installs exactly package-lock.json (which records every optional platform package,
# so npm sees it in sync) and never rewrites it. Skipped when node_modules was installed from
# this very package.json and lock: npm's own node_modules/.package-lock.json is there and the
# stamp written after the last install holds their current hash.
if [ -f package.json ]; then
  stamp=node_modules/.setup-lock.sha256
  lock_hash=$(cat package.json package-lock.json | sha256sum | cut -d' ' -f1)
  if [ ! -f node_modules/.package-lock.json ] || [ "$(cat "$stamp" 2>/dev/null)" != "$lock_hash" ]; then
    say "installing npm packages (npm ci)"
    npm ci --no-audit --no-fund
    echo "$lock_hash" >"$stamp"
  fi
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
  # Debian's Chromium for the browser tests (playwright-core drives it; never a downloaded one).
  if [ ! -x /usr/bin/chromium ]; then
    say "installing Debian's chromium (one time, under a minute)"
    as_root=(); [ "$(id -u)" -eq 0 ] || as_root=(sudo)
    "${as_root[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y -qq chromium
  fi
fi
