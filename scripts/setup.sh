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
if [ -f package.json ]; then
  # npm ci refuses jco's lock file (see ../shared/FORGE-NOTES.md); install follows the lock.
  if [ ! -d node_modules ] || [ package.json -nt node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    say "installing npm packages"
    npm install --no-audit --no-fund
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
