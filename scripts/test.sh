#!/usr/bin/env bash
# Runs every test. First installs the Debian packages the tests use, when missing:
#   r-base-core + r-cran-psych  the independent scoring check (tests/independent.rs)
# Without apt (not Debian) or without permission, those tests report "skipped" and the rest run.
set -euo pipefail
cd "$(dirname "$0")/.."

need="r-base-core r-cran-psych"
missing=""
for p in $need; do
  dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$missing" ] && command -v apt-get >/dev/null; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "scripts/test.sh: installing$missing" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

cargo test --all-targets "$@"
