#!/usr/bin/env bash
# The core must not depend on any crate that performs I/O (DESIGN.md, STYLE.md habit 2).
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='^(tokio|hyper|reqwest|axum|rusqlite|wasmtime|getrandom|mio|socket2|wasi) '
for target in x86_64-unknown-linux-gnu wasm32-unknown-unknown; do
  deps=$(cargo tree -p pam-approvals --features component -e normal --prefix none --target "$target" --locked | sort -u)
  if bad=$(grep -E "$forbidden" <<<"$deps"); then
    echo "the core depends on I/O crates for $target:"; echo "$bad"; exit 1
  fi
  echo "core dependencies for $target: $(wc -l <<<"$deps") crates, none doing I/O"
done
