#!/usr/bin/env bash
# Screenshots of the real window under Xvfb, for people to look at: docs/screenshots/*.png.
#   scripts/screenshots.sh            # every screen at 1280x800, some at 1024x768
# Needs: xvfb xauth imagemagick (Debian); installs them when missing and allowed.
set -euo pipefail
cd "$(dirname "$0")/.."
need="xvfb xauth imagemagick"
dpkg -s $need >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null; }
cargo build --quiet --example screenshots
export XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"; unset WAYLAND_DISPLAY DISPLAY
out=docs/screenshots
mkdir -p "$out"
shot() { # name screen width height [scale]
  local name=$1 screen=$2 w=$3 h=$4 scale=${5:-1.0}
  xvfb-run -a -s "-screen 0 ${w}x${h}x24" bash -c \
    "./target/debug/examples/screenshots $screen $w $h $scale & p=\$!; sleep 5; import -window root '$out/$name.png'; kill \$p; wait \$p" \
    >/dev/null 2>&1 || true
  echo "$out/$name.png"
}
for s in first-run unlock forgot recovery-sheet settings-remove clients client setup setup-ecrrs instruments typed-path settings results results-intake results-norms settings-norms results-clinic-figures results-rq results-ecrrs results-rfq handover greeting instructions item interrupted choice block block-item end paper-setup paper-entry paper-mismatch couple; do
  shot "$s" "$s" 1280 800
done
# The Clinicians page is the top of Settings.
cp "$out/settings.png" "$out/clinicians.png"
shot settings-reliability-full settings-reliability 1280 1800
convert docs/screenshots/settings-reliability-full.png -crop 1280x900+0+900 +repage docs/screenshots/settings-reliability.png && rm docs/screenshots/settings-reliability-full.png
shot item-largest-text item 1280 800 1.75
shot item-1024 item 1024 768
shot item-largest-text-1024 item 1024 768 1.75
# Every client-mode screen holds together at the largest text (issue 16): these three show it.
shot greeting-largest-text greeting 1280 800 1.75
shot interrupted-largest-text-1024 interrupted 1024 768 1.75
shot item-largest-text-900 item 900 600 1.75
shot clients-1024 clients 1024 768
shot client-1024 client 1024 768
shot results-1024 results 1024 768
shot setup-1024 setup 1024 768
# The PDF report's first pages, from the same demo data (needs poppler-utils' pdftoppm).
cargo build --quiet --bin securebase
tmp=$(mktemp -d)
cp -r target/screenshot-data/demo "$tmp/demo" && rm -f "$tmp/demo/lock"
SECUREBASE_PASSPHRASE="demo passphrase" ./target/debug/securebase --data-dir "$tmp/demo" report \
  --client C-1042 --output "$tmp/report.pdf" \
  --note "Intake at the clinic; referred by the GP. Attachment-focused therapy since spring."
pdftoppm -png -r 80 -f 1 -l 2 "$tmp/report.pdf" "$tmp/page"
cp "$tmp/page-1.png" "$out/report-page-1.png"; cp "$tmp/page-2.png" "$out/report-page-2.png"
echo "$out/report-page-1.png $out/report-page-2.png"
# The recovery sheet (a new one for the demo folder copy; its code is nobody's).
SECUREBASE_PASSPHRASE="demo passphrase" SECUREBASE_CLINICIAN="Dr Maya Okafor" \
  ./target/debug/securebase --data-dir "$tmp/demo" recovery new --output "$tmp/sheet.pdf" >/dev/null
pdftoppm -png -r 80 -f 1 -l 1 "$tmp/sheet.pdf" "$tmp/sheet"
cp "$tmp/sheet-1.png" "$out/recovery-sheet-pdf.png"
echo "$out/recovery-sheet-pdf.png"
# A couple's report: C-1042 and C-1007 of the demo folder copy linked as partners.
SECUREBASE_PASSPHRASE="demo passphrase" ./target/debug/securebase --data-dir "$tmp/demo" couple link \
  --client C-1042 --client C-1007 >/dev/null
SECUREBASE_PASSPHRASE="demo passphrase" ./target/debug/securebase --data-dir "$tmp/demo" report \
  --couple C-1042 --output "$tmp/couple.pdf"
pdftoppm -png -r 80 -f 1 -l 1 "$tmp/couple.pdf" "$tmp/couple"
cp "$tmp/couple-1.png" "$out/couple-report.png"
echo "$out/couple-report.png"
rm -rf "$tmp"
