#!/usr/bin/env bash
# Builds the Custom UI pages into static/<resource>/build/ (what the manifest's resources and the
# local host's /ui/<resource>/ serve):
#   request: "Manage JIT Access Request" (jira:issueAction)
#   admin:   the configuration page (jira:adminPage)
#   keeper:  "Keeper approval" (jira:issuePanel)
# ui/ (crate pam-approvals-ui) is compiled once, for wasm32, release → wasm-bindgen --target web:
# every page loads the same WebAssembly, which runs the page its index.html names
# (`<html data-page>`). One build instead of one per page divides the compile time on CI's 2
# cores; most of the size is the core's code, which every page needs anyway. Each build folder
# gets its own copy, because Forge deploys each resource folder on its own.
#   static/<page>/src/index.html, static/request/src/{style.css,main.js} (shared),
#   static/admin/src/admin.css and static/keeper/src/icon.svg copied;
#   static/request/src/bridge.js (shared) bundled with @forge/bridge by esbuild.
# Does nothing when every build is newer than every input. Needs scripts/setup.sh and npm
# packages.
set -euo pipefail
cd "$(dirname "$0")/.."

say() { printf '[build-ui] %s\n' "$*"; }

pages=(request admin keeper)
shared=static/request/src
target_dir=${CARGO_TARGET_DIR:-target}
# Kept outside the build folders, which Forge deploys as they are.
stamp=$target_dir/build-ui.stamp

changed_input() {
  [ ! -f "$stamp" ] && return 0
  for page in "${pages[@]}"; do
    [ ! -f "static/$page/build/pam_approvals_ui_bg.wasm" ] && return 0
  done
  # The core's and the pages' Rust, the manifests, the pages' files, the bridge's npm packages.
  [ -n "$(find ui src Cargo.toml Cargo.lock static/request/src static/admin/src static/keeper/src package-lock.json \
    scripts/build-ui.sh -path src/generated -prune -o -type f -newer "$stamp" -print -quit)" ]
}
if ! changed_input; then
  say "up to date: static/{$(IFS=,; echo "${pages[*]}")}/build"
  exit 0
fi

wanted=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/[^0-9.]/, ""); print; exit }' Cargo.lock)
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$wanted" ]; then
  echo "[build-ui] wasm-bindgen $wanted (the version in Cargo.lock) is needed: run scripts/setup.sh" >&2
  exit 1
fi
if [ ! -x node_modules/.bin/esbuild ] || [ ! -d node_modules/@forge/bridge ]; then
  echo "[build-ui] esbuild and @forge/bridge are needed: run scripts/setup.sh (npm ci)" >&2
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

# Everything is made in staging folders first, so a failure leaves the served builds as they were.
common=$(mktemp -d "$target_dir/build-ui.XXXXXX")
staged=()
cleanup() { rm -rf "$common" "${staged[@]}"; }
trap cleanup EXIT
wasm-bindgen --target web --no-typescript --out-dir "$common" \
  "$target_dir/wasm32-unknown-unknown/release/pam_approvals_ui.wasm"
cp "$shared/style.css" "$shared/main.js" "$common/"
node_modules/.bin/esbuild "$shared/bridge.js" --bundle --format=esm --platform=browser \
  --target=es2020 --minify --log-level=warning --outfile="$common/bridge.js"

for page in "${pages[@]}"; do
  staging=$(mktemp -d "static/$page/.build.XXXXXX")
  staged+=("$staging")
  cp "$common"/* "$staging/"
  cp "static/$page/src/index.html" "$staging/"
  if [ "$page" = admin ]; then cp static/admin/src/admin.css "$staging/"; fi
  # The panel's icon (manifest.yml: `icon: resource:keeper;icon.svg`).
  if [ "$page" = keeper ]; then cp static/keeper/src/icon.svg "$staging/"; fi
done

# Swap the finished builds in, so a folder served is never half-written.
for i in "${!pages[@]}"; do
  out=static/${pages[$i]}/build
  rm -rf "$out"
  mv "${staged[$i]}" "$out"
  chmod 755 "$out"
done
staged=()
mkdir -p "$target_dir"
touch "$stamp"

size() { printf '%s bytes (gzip %s)' "$(wc -c <"$1")" "$(gzip -9c "$1" | wc -c)"; }
for page in "${pages[@]}"; do
  out=static/$page/build
  say "built $out: pam_approvals_ui_bg.wasm $(size "$out/pam_approvals_ui_bg.wasm"), bridge.js $(size "$out/bridge.js")"
done
