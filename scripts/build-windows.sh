#!/usr/bin/env bash
# Builds the Windows executables from this Debian machine: x86_64-pc-windows-gnu, release.
#   target/cross/x86_64-pc-windows-gnu/release/securebase.exe      the command line (console)
#   target/cross/x86_64-pc-windows-gnu/release/securebase-app.exe  the app (no console window)
# Installs what it needs when missing (Debian's rustc-web/rust-web-src 1.96 pair and MinGW;
# see scripts/cross-env.sh). Extra arguments go to cargo. About 7 minutes from cold here.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/cross-env.sh
cargo build --release --locked --target x86_64-pc-windows-gnu \
  -Zbuild-std=std,panic_abort --target-dir "$cross_target_dir" "$@"
out="$cross_target_dir/x86_64-pc-windows-gnu/release"
ls -l "$out/securebase.exe" "$out/securebase-app.exe"
