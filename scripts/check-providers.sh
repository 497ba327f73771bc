#!/usr/bin/env bash
# Each provider is one folder, one cargo feature and one line in the provider table: the core
# must build (natively and as the wasm component) with any one of them turned off, with no
# warnings, so that nothing outside a provider's folder depends on it.
set -euo pipefail
cd "$(dirname "$0")/.."
providers=(epm pra keeper)
for off in "${providers[@]}"; do
  on=()
  for p in "${providers[@]}"; do [ "$p" = "$off" ] || on+=("$p"); done
  features=$(IFS=,; echo "${on[*]}")
  for target in x86_64-unknown-linux-gnu wasm32-unknown-unknown; do
    extra=()
    [ "$target" = wasm32-unknown-unknown ] && extra=(--features component)
    out=$(cargo check -p pam-approvals --lib --locked --no-default-features ${features:+--features "$features"} \
      "${extra[@]}" --target "$target" --message-format short 2>&1) || { echo "$out"; echo "the core does not build without $off ($target)"; exit 1; }
    if grep -q "^warning\|: warning:" <<<"$out"; then
      echo "$out"; echo "the core builds with warnings without $off ($target)"; exit 1
    fi
    echo "the core builds without $off for $target"
  done
done
