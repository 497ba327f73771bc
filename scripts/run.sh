#!/usr/bin/env bash
# Builds everything and runs the local Forge-style host with its embedded sandbox Jira.
# Extra arguments go to `serve` (e.g. --listen 127.0.0.1:9090). Ctrl-C stops it.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
# The Custom UI pages, served by the host at /ui/request/ and /ui/admin/ (skipped when up to date).
scripts/build-ui.sh
exec cargo run --release -p pam-approvals-host -- serve --sandbox \
  --listen "${PAM_LISTEN:-127.0.0.1:8080}" --data-dir "${PAM_DATA_DIR:-.pam-approvals}" "$@"
