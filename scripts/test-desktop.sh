#!/usr/bin/env bash
# The real app on a real desktop, under Xvfb with the accessibility bus on:
# - tests/desktop/screen_reader.py: the client form as a screen reader gets it, read and driven
#   through AT-SPI alone (issue 16); it writes the tree of one item screen to $A11Y_DUMP
#   (default: a temporary file; docs/accessibility-tree.txt is a copy);
# - tests/desktop/client_mode.py: client mode with openbox and an xterm beside it, driven
#   through AT-SPI and xdotool (REDTEAM H2, L14).
#   scripts/test-desktop.sh [BINARY [APP]]   # default target/debug/securebase (built if missing);
#                                            # APP: another build to run as the app in
#                                            # client_mode.py (to see it fail)
# Needs: xvfb xauth openbox xdotool xterm python3-pyatspi at-spi2-core dbus (Debian); installs
# them when missing and allowed. Called by scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
need="xvfb xauth openbox xdotool xterm python3-pyatspi at-spi2-core dbus"
if ! dpkg -s $need >/dev/null 2>&1; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends $need >/dev/null
fi
bin=${1:-target/debug/securebase}
[ -x "$bin" ] || cargo build --quiet --bin securebase
bin=$(realpath "$bin")
app=$(realpath "${2:-$bin}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export XDG_RUNTIME_DIR="$work/run" HOME="$work/home"
mkdir -p "$XDG_RUNTIME_DIR" "$HOME"
chmod 700 "$XDG_RUNTIME_DIR"
unset WAYLAND_DISPLAY DISPLAY SECUREBASE_PASSPHRASE
data="$work/data"
pass="desktop-test-passphrase"
name="Alex Doe"
# A folder with one client; a low scrypt cost (a debug build allows it) keeps each unlock quick.
SECUREBASE_DATA=$data SECUREBASE_PASSPHRASE=$pass SECUREBASE_SCRYPT_WORK_FACTOR=10 \
  SECUREBASE_CLINICIAN="Test Clinician" "$bin" init >/dev/null
printf '%s\n' "$name" > "$work/name"
SECUREBASE_DATA=$data SECUREBASE_PASSPHRASE=$pass "$bin" client add --name "$name" >/dev/null
# The screen reader's own folder, with another client.
reader_data="$work/reader-data"
reader_name="Sam Roe"
SECUREBASE_DATA=$reader_data SECUREBASE_PASSPHRASE=$pass SECUREBASE_SCRYPT_WORK_FACTOR=10 \
  SECUREBASE_CLINICIAN="Test Clinician" "$bin" init >/dev/null
SECUREBASE_DATA=$reader_data SECUREBASE_PASSPHRASE=$pass "$bin" client add --name "$reader_name" >/dev/null
dump=$(realpath -m "${A11Y_DUMP:-$work/accessibility-tree.txt}")
cat > "$work/session.sh" <<INNER
set -e
# What a screen reader does: turn the accessibility bus on, so that AccessKit publishes.
gdbus call --session --dest org.a11y.Bus --object-path /org/a11y/bus \
  --method org.freedesktop.DBus.Properties.Set org.a11y.Status IsEnabled "<true>" >/dev/null
/usr/bin/python3 "$PWD/tests/desktop/screen_reader.py" "$bin" "$reader_data" "$pass" "$reader_name" "$dump"
openbox >/dev/null 2>&1 &
sleep 1
xterm -T other >/dev/null 2>&1 &
sleep 1
/usr/bin/python3 "$PWD/tests/desktop/client_mode.py" "$bin" "$data" "$pass" "$name" "$app"
INNER
timeout 300 dbus-run-session -- xvfb-run -a -s "-screen 0 1280x800x24" bash "$work/session.sh" 2> "$work/stderr" || {
  status=$?
  grep -v 'dbus-daemon\|Openbox-Message\|SpiRegistry' "$work/stderr" >&2 || true
  for f in "$work"/app-*.log; do [ -f "$f" ] && { echo "== $f" >&2; tail -20 "$f" >&2; }; done
  exit "$status"
}
