#!/usr/bin/env bash
# Rules of the code's shape that the compiler does not check, as greps over src/ (fails, naming
# file and line, when one is broken; run by scripts/check.sh and so by CI):
# - no audit write is dropped: `let _ = … audit(` is refused (a failure becomes a notice or an
#   error; see app::note_audit);
# - every SECUREBASE_* environment variable is read in src/env.rs only, by its one parser;
# - views draw: nothing under src/app/views reaches the store (the `Store` type, the app's
#   `.store`, or `administrations_of`, which reads and decrypts), the whole app
#   (`SecurebaseApp`) or the workspace's key (`Keys`, `.keys`); they get their page's state and
#   a `ViewCx`, read the workspace's `Records`, and ask (`Command::Read`) for what is missing;
# - arrows point down: each top-level module uses (`crate::…`, outside comments) only the
#   modules of its row below, the table of ARCHITECTURE.md "Layers". Only src/main.rs knows both
#   the command line and the app.
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
# module: the modules it may use.
allowed="
core:
env:
atomic:
safe_read:
catalog: core safe_read
store: atomic core env safe_read
chart: core
results: catalog chart core store
export: atomic catalog chart core results store
cli: atomic catalog chart core env export results safe_read store
app: atomic catalog chart core env export results safe_read store
"
modules=$(printf '%s\n' "$allowed" | sed -n 's/^\([a-z_]*\):.*/\1/p')
for path in src/*; do
  module=$(basename "$path" .rs)
  case $module in main | lib | bin) continue ;; esac
  row=$(printf '%s\n' "$allowed" | grep "^$module:") || {
    echo "layers: $path is not in the table of allowed arrows"; status=1; continue; }
  may=" $(printf '%s' "${row#*:}") $module "
  while IFS= read -r hit; do
    [ -n "$hit" ] || continue
    used=$(printf '%s' "$hit" | grep -oE 'crate::[a-z_]+' | sed 's/crate:://' | sort -u)
    for u in $used; do
      printf '%s\n' $modules | grep -qx "$u" || continue
      case "$may" in *" $u "*) ;; *) echo "layers: $module may not use $u: $hit"; status=1 ;; esac
    done
  done < <(grep -rnHE 'crate::[a-z_]+' "$path" | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//')
done
refuse "a view touches the store" 'administrations_of\(|\bStore\b|\.store\b' src/app/views src/app/widgets.rs
refuse "a view takes the whole app or the key" '\bSecurebaseApp\b|\bKeys\b([^:]|$)|\.keys\b' src/app/views src/app/widgets.rs
exit $status
