#!/usr/bin/env bash
# The checks CI runs, in the same order. Run before every commit.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo fmt --all -- --check
scripts/check-layers.sh
cargo clippy --all-targets -- -D warnings
cargo clippy --no-default-features -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --quiet
scripts/test.sh
