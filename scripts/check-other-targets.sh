#!/usr/bin/env bash
# clippy (all targets, warnings denied) for the systems this machine cannot run natively:
# Windows (x86_64-pc-windows-gnu) and macOS (aarch64-apple-darwin: checked only, as it cannot be
# linked here without Apple's SDK). Give targets as arguments to check only those.
# About 4 minutes per target from cold here; the std of each target is built once.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/cross-env.sh
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(x86_64-pc-windows-gnu aarch64-apple-darwin)
for target in "${targets[@]}"; do
  echo "== clippy --all-targets --target $target"
  cargo clippy --locked --all-targets --target "$target" -Zbuild-std=std,panic_abort,test \
    --target-dir "$cross_target_dir" -- -D warnings
done
