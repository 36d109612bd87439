#!/usr/bin/env bash
# Rules of the code's shape that the compiler does not check, as greps over src/ (fails, naming
# file and line, when one is broken; run by scripts/check.sh and so by CI):
# - no audit write is dropped: `let _ = … audit(` is refused (a failure becomes a notice or an
#   error; see app::note_audit);
# - every SECUREBASE_* environment variable is read in src/env.rs only, by its one parser.
#   scripts/check-layers.sh [ROOT]
set -uo pipefail
root=${1:-"$(dirname "$0")/.."}
cd "$root" || exit 2
status=0
refuse() { # what, grep -E pattern, paths...
  local what=$1 pattern=$2
  shift 2
  local hits
  if hits=$(grep -rnE "$pattern" "$@"); then
    printf '%s\n' "$hits" | sed "s|^|layers: $what: |"
    status=1
  fi
}
refuse "an audit write is dropped" 'let _ = .*audit' src
refuse "an environment variable read outside src/env.rs" \
  '"SECUREBASE_' $(find src -name '*.rs' ! -path src/env.rs)
exit $status
