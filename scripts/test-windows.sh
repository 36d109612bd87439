#!/usr/bin/env bash
# Runs the project's own tests built for Windows (x86_64-pc-windows-gnu), under Wine. Tests
# that need a Linux program (pdftotext, R, age, cargo) are ignored there, and cargo prints why
# ("ignored, on Windows: ..."); the lock, atomic-write and kill tests run. Extra arguments go to `cargo test` (e.g. a test name).
# The test build takes about 10 minutes from cold here; the run about 5. Not part of CI, which
# builds, lints and smoke-tests the Windows build instead (see .ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/cross-env.sh
. scripts/wine-env.sh
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$PWD/scripts/wine/run"
# File and line in backtraces, no more: full debug info makes the MinGW test executables
# 26 GB together, and slow to link.
export CARGO_PROFILE_DEV_DEBUG=line-tables-only
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --locked --no-fail-fast --target x86_64-pc-windows-gnu -Zbuild-std=std,panic_abort,test \
  --target-dir "$cross_target_dir" "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed/) p += $(i-1); if ($(i) ~ /^failed/) f += $(i-1) } }
     /ignored, on Windows/ { s++ }
     END { printf "total (Windows, under Wine): %d passed, %d failed, %d ignored on Windows\n", p, f, s }' "$log"
exit "$status"
