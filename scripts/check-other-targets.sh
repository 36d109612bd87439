#!/usr/bin/env bash
# clippy (warnings denied) for the systems this machine cannot run natively: Windows
# (x86_64-pc-windows-gnu) and macOS (aarch64-apple-darwin: checked only, as it cannot be linked
# here without Apple's SDK). All targets (tests, benches, examples) unless --no-tests, which
# lints the library and the executables only. Give targets as arguments to check only those.
# About 5 minutes per target from cold here; the std of each target is built once.
#   scripts/check-other-targets.sh                               # both, all targets
#   scripts/check-other-targets.sh --no-tests aarch64-apple-darwin
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/cross-env.sh
which=(--all-targets)
std=std,panic_abort,test
if [ "${1:-}" = "--no-tests" ]; then
  which=(--lib --bins)
  std=std,panic_abort
  shift
fi
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64-pc-windows-gnu aarch64-apple-darwin)
for target in "${targets[@]}"; do
  echo "== clippy ${which[*]} --target $target"
  cargo clippy --locked "${which[@]}" --target "$target" -Zbuild-std="$std" \
    --target-dir "$cross_target_dir" -- -D warnings
done
