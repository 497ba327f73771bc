#!/usr/bin/env bash
# Fuzzes every parser of outside input with libFuzzer (cargo-fuzz; the targets are in fuzz/,
# docs/fuzzing.md says what each covers and what the long runs found).
# Usage: scripts/fuzz.sh [--seconds N] [--clean] [target...]
#   --seconds N   how long each target runs (default 600); every target when none is named.
#   --clean       removes the instrumented build afterwards (CI: a few GB less disk at the peak).
# Installs what it needs, skipping what is there: a nightly toolchain (rustup); without one
# (rustup's server unreachable) the stable toolchain with RUSTC_BOOTSTRAP=1, which cargo-fuzz's
# unstable flags need; and cargo-fuzz (pinned, into a local root). Targets are built without a
# sanitizer (`--sanitizer none`: the code is safe Rust, and it is what works on stable).
# Each target starts from its committed seeds (fuzz/corpus/<target>/), copied to a scratch
# directory so that the committed corpus stays small. Prints each target's executions and a
# final summary line; exits nonzero if any target crashed, panicked or hung (the artifact
# that did it is named in the output, under fuzz/artifacts/<target>/).
set -euo pipefail
cd "$(dirname "$0")/.."

CARGO_FUZZ_VERSION=0.13.2

say() { printf '[fuzz] %s\n' "$*"; }

seconds=600
clean=false
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
    --seconds=*) seconds=${1#--seconds=}; shift ;;
    --clean) clean=true; shift ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    -*) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
    *) targets+=("$1"); shift ;;
  esac
done
case "$seconds" in ''|*[!0-9]*) echo "--seconds needs a whole number of seconds" >&2; exit 2 ;; esac

target_base=${CARGO_TARGET_DIR:-$PWD/target}
target_dir=$target_base/fuzz
work=$target_dir/runs
tools=${FUZZ_TOOLS_DIR:-$target_base/fuzz-tools}

# The toolchain: nightly when there is one or rustup can fetch it; else stable, bootstrapped.
# FUZZ_TOOLCHAIN=stable skips nightly (to check the fallback).
toolchain=()
if [ "${FUZZ_TOOLCHAIN:-}" != stable ] && command -v rustup >/dev/null 2>&1; then
  if rustup run nightly rustc --version >/dev/null 2>&1; then
    toolchain=(+nightly)
  else
    say "installing a nightly toolchain (rustup, minimal profile)"
    # Bounded: where rustup's server is out of reach, fall back at once rather than wait.
    if timeout 180 rustup toolchain install nightly --profile minimal; then
      toolchain=(+nightly)
    fi
  fi
fi
if [ ${#toolchain[@]} -eq 0 ]; then
  say "no nightly toolchain: using stable with RUSTC_BOOTSTRAP=1 (cargo-fuzz passes unstable flags)"
  export RUSTUP_TOOLCHAIN=stable RUSTC_BOOTSTRAP=1
fi
say "toolchain: $(rustc "${toolchain[@]}" --version)"

# cargo-fuzz, pinned, in a local root.
export PATH="$tools/bin:$PATH"
if [ "$(cargo fuzz --version 2>/dev/null | awk '{print $2}')" != "$CARGO_FUZZ_VERSION" ]; then
  say "installing cargo-fuzz $CARGO_FUZZ_VERSION into $tools (one time, a few minutes)"
  CARGO_TARGET_DIR=$target_base/fuzz-tools-build cargo install cargo-fuzz --locked \
    --version "=$CARGO_FUZZ_VERSION" --root "$tools"
fi

cd fuzz
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo "${toolchain[@]}" fuzz list)
fi

# cargo fuzz <command> with this script's options, then the rest (`--` and libFuzzer's flags).
# FUZZ_CODEGEN_UNITS: cargo-fuzz builds with 1 (fastest targets, slowest build); CI's short
# runs use 16, where the build is most of the time.
fuzz() {
  local command=$1
  shift
  cargo "${toolchain[@]}" fuzz "$command" --sanitizer none --codegen-units "${FUZZ_CODEGEN_UNITS:-1}" \
    --target-dir "$target_dir" "$@"
}

start=$(date +%s)
say "building ${#targets[@]} targets (release, debug assertions, no sanitizer)"
fuzz build
say "built in $(( $(date +%s) - start )) s; each target runs ${seconds} s"

failed=()
total=0
mkdir -p "$work/logs"
for target in "${targets[@]}"; do
  corpus=$work/corpus/$target
  rm -rf "$corpus"
  mkdir -p "$corpus"
  if [ -d "corpus/$target" ]; then cp -R "corpus/$target/." "$corpus/"; fi
  log=$work/logs/$target.log
  # -timeout: an input that runs longer than 30 s is a hang (reported as a crash).
  if fuzz run "$target" "$corpus" -- -max_total_time="$seconds" -timeout=30 -print_final_stats=1 >"$log" 2>&1; then
    status=ok
  else
    status=FAILED
    failed+=("$target")
  fi
  runs=$(awk '/^stat::number_of_executed_units:/ { print $2 }' "$log" | tail -n1)
  runs=${runs:-0}
  total=$((total + runs))
  printf '[fuzz] %-18s %s: %s executions in %s s, corpus %s inputs\n' "$target" "$status" "$runs" "$seconds" \
    "$(find "$corpus" -type f | wc -l)"
  if [ "$status" = FAILED ]; then
    grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written to|^artifact_prefix' "$log" | head -n 20 || true
    echo "  (the whole output: $log)"
  fi
done

elapsed=$(( $(date +%s) - start ))
if $clean; then
  # The logs and artifacts stay (a failure's are what to look at).
  rm -rf "$target_dir/x86_64-unknown-linux-gnu" "$target_dir/release" "$work/corpus"
fi
if [ ${#failed[@]} -gt 0 ]; then
  say "FAILED: ${failed[*]} (${#failed[@]} of ${#targets[@]} targets; $total executions in ${elapsed} s)"
  exit 1
fi
say "${#targets[@]} targets, ${seconds} s each: $total executions, no crash, panic or hang (${elapsed} s in all)"
