#!/usr/bin/env bash
# Runs every test. First installs the Debian packages the tests use, when missing:
#   r-base-core + r-cran-psych  the independent scoring check (tests/it/independent.rs)
#   age                         decrypting records with an independent tool (tests/it/store.rs)
#   poppler-utils               reading the PDF reports back (pdftotext, pdfinfo: tests/it/report.rs)
# and then the real app on a desktop (scripts/test-desktop.sh: Xvfb, openbox, AT-SPI; it
# installs its own packages), about 20 seconds.
# Without apt (not Debian) or without permission, those tests report "skipped" and the rest run.
set -euo pipefail
cd "$(dirname "$0")/.."

need="r-base-core r-cran-psych age poppler-utils"
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

log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
cargo test --all-targets "$@" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
# One closing line for the whole run: cargo ends on its last target's count, which may be an
# example with no tests.
awk '/^test result:/ { for (i = 1; i <= NF; i++) { if ($(i) ~ /^passed/) p += $(i-1); if ($(i) ~ /^failed/) f += $(i-1) } }
     END { printf "total: %d passed, %d failed\n", p, f }' "$log"
[ "$status" -eq 0 ] || exit "$status"
echo "== client mode on a real desktop (scripts/test-desktop.sh)"
scripts/test-desktop.sh
