#!/usr/bin/env bash
# The per-user MSI installed under Wine in a fresh prefix, and the installed app's first
# screen under Xvfb: docs/screenshots/windows-first-run.png. Run after `scripts/package.sh`.
set -euo pipefail
cd "$(dirname "$0")/.."
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
msi="dist/securebase-$version-x64-user.msi"
[ -f "$msi" ] || { echo "$0: no $msi; run scripts/package.sh first" >&2; exit 1; }
need="xvfb xauth imagemagick"
dpkg -s $need >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null; }
export WINEPREFIX="$PWD/target/wine-screenshot"
rm -rf "$WINEPREFIX"
. scripts/wine-env.sh
wine msiexec /i "$(winpath "$msi")" /qn
app="$WINEPREFIX/drive_c/users/$(id -un)/AppData/Local/Programs/securebase/securebase-app.exe"
[ -f "$app" ] || { echo "$0: the MSI did not install $app" >&2; exit 1; }
# Wine's desktop process, started by msiexec without a display, would keep the window from
# ever showing: start afresh inside Xvfb.
wineserver -k 2>/dev/null || true
export XDG_RUNTIME_DIR; XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY
mkdir -p docs/screenshots
out=docs/screenshots/windows-first-run.png
# Shot every 2 s until the window has drawn (many colours, not a black screen), 3 min at most
# (the first start in a new prefix is slow).
xvfb-run -a -s "-screen 0 1280x800x24" bash -c "
  wine '$app' >/dev/null 2>&1 &
  for i in \$(seq 90); do
    sleep 2
    import -window root '$out'
    [ \$(identify -format %k '$out') -gt 100 ] && break
  done
  sleep 2; import -window root '$out'
  wineserver -k"
echo "$out: the installed securebase-app.exe ($(identify -format '%wx%h' "$out"))"
