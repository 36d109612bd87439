# Sourced by the scripts that run the Windows build under Wine (test-windows.sh,
# smoke-windows.sh). Installs Debian's Wine when missing and sets up a Wine prefix of the
# project's own in target/wine (created once, about half a minute), with the two things
# Debian's Wine 8.0 lacks for a Rust program (see ../shared/PLATFORMS.md): ProcessPrng
# (scripts/wine/process-prng.c) and zlib1.dll. After sourcing, `wine PROGRAM.exe ARGS`.

wine_need="wine wine64 libz-mingw-w64 gcc-mingw-w64-x86-64-posix"
wine_missing=""
for p in $wine_need; do
  dpkg -s "$p" >/dev/null 2>&1 || wine_missing="$wine_missing $p"
done
if [ -n "$wine_missing" ]; then
  wine_sudo=""
  [ "$(id -u)" -eq 0 ] || wine_sudo="sudo"
  echo "$0: installing$wine_missing" >&2
  $wine_sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $wine_sudo apt-get install -y -qq --no-install-recommends $wine_missing >/dev/null
fi

export WINEPREFIX="${WINEPREFIX:-$PWD/target/wine}"
export WINEDEBUG="${WINEDEBUG:--all}"
# No Mono or Gecko: nothing here needs them, and their installers would wait for a click.
export WINEDLLOVERRIDES="${WINEDLLOVERRIDES:-mscoree,mshtml=}"
# Wine's console programs need no display; the GUI gets one from xvfb-run where it is shown.
wine_system32="$WINEPREFIX/drive_c/windows/system32"
if [ ! -f "$wine_system32/bcryptprimitives.dll" ]; then
  echo "$0: setting up the Wine prefix $WINEPREFIX" >&2
  mkdir -p "$WINEPREFIX"
  wineboot --init >/dev/null 2>&1 || true
  wineserver -w
  x86_64-w64-mingw32-gcc-posix -shared -O2 -o "$wine_system32/bcryptprimitives.dll" \
    scripts/wine/process-prng.c -lbcrypt
  cp /usr/x86_64-w64-mingw32/lib/zlib1.dll "$wine_system32/"
fi

# A Unix path as the Windows program sees it (Z:\...). winepath prints nothing now and then
# while a wineserver is still starting or stopping (seen once here, right after the MSI
# build); it is asked again, and says so if it never answers.
winpath() {
  local path tries
  for tries in 1 2 3; do
    path=$(winepath -w "$1" 2>/dev/null) && [ -n "$path" ] && { printf '%s\n' "$path"; return 0; }
    sleep "$tries"
  done
  echo "winpath: winepath gave no Windows path for $1" >&2
  return 1
}
