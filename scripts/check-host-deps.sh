#!/usr/bin/env bash
# A deployment of the host never links a sandbox (ARCHITECTURE.md, "host/"): built without its
# default `sandbox` feature, pam-approvals-host depends on no sandbox crate nor the contract
# checks that only the sandboxes use. With the feature (the default), the sandboxes are there.
set -euo pipefail
cd "$(dirname "$0")/.."
forbidden='^(pam-sandboxes|pam-contracts-check|jsonschema) '
deployment=$(cargo tree -p pam-approvals-host --no-default-features -e normal --prefix none --locked | sort -u)
if bad=$(grep -E "$forbidden" <<<"$deployment"); then
  echo "pam-approvals-host --no-default-features links sandbox crates:"; echo "$bad"; exit 1
fi
echo "host dependencies without the sandbox feature: $(wc -l <<<"$deployment") crates, no sandbox"
with_sandbox=$(cargo tree -p pam-approvals-host -e normal --prefix none --locked | sort -u)
if ! grep -qE '^pam-sandboxes ' <<<"$with_sandbox"; then
  echo "the default build of pam-approvals-host has no sandboxes: is the sandbox feature still default?"; exit 1
fi
echo "host dependencies with the sandbox feature (default): $(wc -l <<<"$with_sandbox") crates, pam-sandboxes among them"
