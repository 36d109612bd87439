#!/usr/bin/env bash
# Makes securebase's packages into dist/, from a clean clone, on Debian:
#   securebase-VERSION-x64-user.msi     Windows, per user: no administrator rights, installs under
#                                       %LOCALAPPDATA%\Programs\securebase, Start Menu shortcut
#   securebase-VERSION-x64-machine.msi  Windows, per machine (IT): Program Files, silent install,
#                                       DATAFOLDER=... sets every user's data folder
#   securebase-VERSION-windows-x64.zip  Windows, portable: the executables, README, licences
#   securebase_VERSION_amd64.deb        Debian and Ubuntu
#   SHA256SUMS                          all of them, for `sha256sum -c SHA256SUMS`
# `--windows` makes the Windows packages only (what CI installs under Wine, built with
# SECUREBASE_BUILD_PROFILE=smoke: see Cargo.toml).
#
# Authenticode: with SECUREBASE_SIGN_PFX (and its password; see scripts/sign.sh) the .exe files
# and both MSIs are signed and each signature is checked; without it they are unsigned.
# Installs what it needs from Debian when missing (wixl, dpkg-dev, and what the builds need).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/sign.sh

windows_only=false
case "${1:-}" in
  --windows) windows_only=true ;;
  "") ;;
  *) echo "usage: $0 [--windows]" >&2; exit 2 ;;
esac

version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -n 1)
need="wixl dpkg-dev python3"
missing=""
for p in $need; do dpkg -s "$p" >/dev/null 2>&1 || missing="$missing $p"; done
if [ -n "$missing" ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "$0: installing$missing" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi
signing_wanted && sign_prepare

dist=dist
work=target/package
rm -rf "$dist" "$work"
mkdir -p "$dist" "$work/bin" "$work/docs"

# --- Windows ------------------------------------------------------------------------------
scripts/build-windows.sh >&2
built=target/cross/x86_64-pc-windows-gnu/${SECUREBASE_BUILD_PROFILE:-release}
for exe in securebase.exe securebase-app.exe; do
  # Symbols out (24 MB -> about a third); what Windows needs is all kept.
  x86_64-w64-mingw32-strip -o "$work/bin/$exe" "$built/$exe"
  signing_wanted && sign_file "$work/bin/$exe"
done

crlf() { sed 's/\r*$/\r/' "$1" > "$2"; }
# The README is a front door to docs/: the packages carry the whole manual in one file.
cat README.md docs/install.md docs/user-guide.md docs/data-folder.md docs/command-line.md \
  docs/reports-and-exports.md docs/scoring.md docs/performance.md > "$work/manual.md"
crlf "$work/manual.md" "$work/docs/README.txt"
crlf LICENSE-MIT "$work/docs/LICENSE-MIT.txt"
crlf LICENSE-APACHE "$work/docs/LICENSE-APACHE.txt"
scripts/third-party-licenses.py x86_64-pc-windows-gnu "$work/third-party-windows.txt"
crlf "$work/third-party-windows.txt" "$work/docs/THIRD-PARTY-LICENSES.txt"

for scope in user machine; do
  msi="$dist/securebase-$version-x64-$scope.msi"
  # Paths relative to this folder: wixl 0.101 takes no absolute ones.
  wixl -a x64 -D Scope="$scope" -D Version="$version" -D Bin="$work/bin" -D Docs="$work/docs" \
    -D Icon=assets/icon/securebase.ico -o "$msi" packaging/windows/securebase.wxs
  signing_wanted && sign_file "$msi"
done

portable="securebase-$version-windows-x64"
mkdir -p "$work/$portable"
cp "$work/bin/"*.exe "$work/docs/"*.txt "$work/$portable/"
(cd "$work" && python3 -m zipfile -c "../../$dist/$portable.zip" "$portable")

# --- Linux (.deb) -------------------------------------------------------------------------
if ! $windows_only; then
  cargo build --release --locked --bin securebase >&2
  deb="$work/deb"
  install -D -m 0755 -s target/release/securebase "$deb/usr/bin/securebase"
  install -D -m 0644 packaging/linux/securebase.desktop "$deb/usr/share/applications/securebase.desktop"
  install -D -m 0644 assets/icon/securebase-256.png "$deb/usr/share/icons/hicolor/256x256/apps/securebase.png"
  install -D -m 0644 assets/icon/securebase.svg "$deb/usr/share/icons/hicolor/scalable/apps/securebase.svg"
  doc="$deb/usr/share/doc/securebase"
  install -d "$doc"
  {
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: securebase"
    echo
    echo "Files: *"
    echo "Copyright: 2026 the securebase developers"
    echo "License: MIT or Apache-2.0"
    echo " The MIT licence:"
    sed 's/^$/./; s/^/ /' LICENSE-MIT
    echo " ."
    echo " The Apache licence 2.0: /usr/share/common-licenses/Apache-2.0"
    echo
    echo "Files: third-party (compiled in)"
    echo "License: various"
    echo " Every crate and font in the executable, with its licence, is listed in"
    echo " /usr/share/doc/securebase/THIRD-PARTY-LICENSES.gz"
  } > "$doc/copyright"
  scripts/third-party-licenses.py x86_64-unknown-linux-gnu "$doc/THIRD-PARTY-LICENSES"
  gzip -9n "$doc/THIRD-PARTY-LICENSES"
  gzip -9n -c README.md > "$doc/README.md.gz"
  for page in docs/*.md; do gzip -9n -c "$page" > "$doc/$(basename "$page").gz"; done

  # Linked libraries (libc, libgcc) as dpkg-shlibdeps finds them; the ones the window loads at
  # run time with dlopen, which no tool can see, by hand: OpenGL (GLX and EGL, with Mesa's
  # drivers), X11 and its extensions, xkbcommon, Wayland, D-Bus.
  mkdir -p "$work/debian"
  printf 'Source: securebase\n\nPackage: securebase\nArchitecture: amd64\n' > "$work/debian/control"
  shlibs=$(cd "$work" && dpkg-shlibdeps -O -e deb/usr/bin/securebase 2> shlibdeps.log \
    | sed -n 's/^shlibs:Depends=//p') || { cat "$work/shlibdeps.log" >&2; exit 1; }
  [ -n "$shlibs" ] || { echo "$0: dpkg-shlibdeps found no libraries" >&2; cat "$work/shlibdeps.log" >&2; exit 1; }
  runtime="libegl1, libgl1, libgl1-mesa-dri, libx11-6, libx11-xcb1, libxcursor1, libxi6, libxrender1, libxcb1, libxkbcommon0, libxkbcommon-x11-0, libwayland-client0, libwayland-egl1, libdbus-1-3"
  size=$(du -sk --exclude=DEBIAN "$deb" | cut -f1)
  install -d "$deb/DEBIAN"
  cat > "$deb/DEBIAN/control" <<CONTROL
Package: securebase
Version: $version
Architecture: amd64
Maintainer: securebase developers <developers@securebase.app>
Installed-Size: $size
Depends: $shlibs, $runtime
Recommends: xdg-desktop-portal-gtk | xdg-desktop-portal-backend
Section: science
Priority: optional
Homepage: https://securebase.app
Description: adult attachment assessment for clinicians
 securebase scores self-report attachment questionnaires (ECR-R, ECR-RS, RQ,
 RFQ-8 and others), places the client on the two attachment dimensions,
 anxiety and avoidance, with their uncertainty, and follows the client over
 the course of therapy. Records are encrypted at rest; a locked, accessible
 client mode lets the client answer on the clinician's computer. Reports are
 PDF, exports CSV, JSON and HL7 FHIR R4. The command line scores CSV files of
 many respondents for research.
CONTROL
  dpkg-deb --root-owner-group -Zxz --build "$deb" "$dist/securebase_${version}_amd64.deb" >&2
fi

(cd "$dist" && sha256sum -- * > SHA256SUMS && sha256sum -c --quiet SHA256SUMS)
ls -l "$dist"
