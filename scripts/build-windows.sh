#!/usr/bin/env bash
# Builds the Windows executables from this Debian machine: x86_64-pc-windows-gnu, release
# (or the profile SECUREBASE_BUILD_PROFILE names: smoke is CI's).
#   target/cross/x86_64-pc-windows-gnu/release/securebase.exe      the command line (console)
#   target/cross/x86_64-pc-windows-gnu/release/securebase-app.exe  the app (no console window)
# Installs what it needs when missing (Debian's rustc-web/rust-web-src 1.96 pair and MinGW;
# see scripts/cross-env.sh). Extra arguments go to cargo. About 7 minutes from cold here.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/cross-env.sh
cargo build --profile "$build_profile" --locked --target x86_64-pc-windows-gnu \
  -Zbuild-std=std,panic_abort --target-dir "$cross_target_dir" "$@"
ls -l "$windows_out/securebase.exe" "$windows_out/securebase-app.exe"
