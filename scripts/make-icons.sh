#!/usr/bin/env bash
# Renders the app icon (assets/icon/securebase.svg) into the files the builds use, which are
# committed so that no build needs these tools: securebase-256.png (the window icon and the
# Linux package's icon) and securebase.ico (the Windows executable, shortcut and installer).
# Needs librsvg2-bin (rsvg-convert) and imagemagick (convert). Run after changing the SVG.
set -euo pipefail
cd "$(dirname "$0")/../assets/icon"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for size in 16 24 32 48 64 128 256; do
  rsvg-convert -w "$size" -h "$size" securebase.svg -o "$tmp/$size.png"
done
cp "$tmp/256.png" securebase-256.png
convert "$tmp"/{16,24,32,48,64,128,256}.png securebase.ico
ls -l securebase-256.png securebase.ico
