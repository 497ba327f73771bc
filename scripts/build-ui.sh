#!/usr/bin/env bash
# Builds the Custom UI page "Manage JIT Access Request" into static/request/build/ (what the
# manifest's resource and the local host's /ui/request/ serve):
#   ui/ (crate pam-approvals-ui) for wasm32, release → wasm-bindgen --target web
#   static/request/src/{index.html,style.css,main.js} copied
#   static/request/src/bridge.js bundled with @forge/bridge by esbuild
# Does nothing when the build is newer than every input. Needs scripts/setup.sh and npm packages.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[build-ui] %s\n' "$*"; }

page=static/request
out=$page/build
target_dir=${CARGO_TARGET_DIR:-target}
# Kept outside the build folder, which Forge deploys as it is.
stamp=$target_dir/build-ui.stamp

changed_input() {
  [ ! -f "$stamp" ] || [ ! -f "$out/pam_approvals_ui_bg.wasm" ] && return 0
  # The core's and the page's Rust, the manifests, the page's files, the bridge's npm packages.
  [ -n "$(find ui src Cargo.toml Cargo.lock "$page/src" package-lock.json scripts/build-ui.sh \
    -path src/generated -prune -o -type f -newer "$stamp" -print -quit)" ]
}
if ! changed_input; then
  say "up to date: $out"
  exit 0
fi

wanted=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wanted" ]; then
  echo "[build-ui] wasm-bindgen $wanted (the version in Cargo.lock) is needed: run scripts/setup.sh" >&2
  exit 1
fi
if [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/@forge/bridge ]; then
  echo "[build-ui] esbuild and @forge/bridge are needed: run npm install" >&2
  exit 1
fi

say "compiling pam-approvals-ui for wasm32 (release, size-optimised)"
# Size matters more than speed for a page: optimise for size with LTO. Set here (cargo reads
# CARGO_PROFILE_* from the environment) because profiles live in the workspace's Cargo.toml; the
# wasm32 release build has its own folder, so no other build is rebuilt by it.
CARGO_PROFILE_RELEASE_OPT_LEVEL=s \
  CARGO_PROFILE_RELEASE_LTO=true \
  CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  cargo build --quiet --locked --release -p pam-approvals-ui --target wasm32-unknown-unknown

staging=$(mktemp -d "$page/.build.XXXXXX")
trap 'rm -rf "$staging"' EXIT
wasm-bindgen --target web --no-typescript --out-dir "$staging" \
  "$target_dir/wasm32-unknown-unknown/release/pam_approvals_ui.wasm"
cp "$page/src/index.html" "$page/src/style.css" "$page/src/main.js" "$staging/"
node_modules/.bin/esbuild "$page/src/bridge.js" --bundle --format=esm --platform=browser \
  --target=es2020 --minify --log-level=warning --outfile="$staging/bridge.js"

# Swap the finished build in, so the folder served is never half-written.
rm -rf "$out"
mv "$staging" "$out"
trap - EXIT
chmod 755 "$out"
mkdir -p "$target_dir"
touch "$stamp"

size() { printf '%s bytes (gzip %s)' "$(wc -c <"$1")" "$(gzip -9c "$1" | wc -c)"; }
say "built $out: pam_approvals_ui_bg.wasm $(size "$out/pam_approvals_ui_bg.wasm"), bridge.js $(size "$out/bridge.js")"
