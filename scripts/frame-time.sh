#!/usr/bin/env bash
# Frame time with the results page open (five ECR-Rs: plane, chart over time, change table),
# repainting continuously as if something animated (SECUREBASE_FRAME_STATS), in the real window
# under Xvfb with Mesa's software OpenGL. Prints, per 200 frames, the median and 95th
# percentile of eframe's whole-frame CPU time (UI, layout, tessellation and painting) and of
# the app's own UI code. Target: frame median under 4 ms; the charts are rendered once, not per
# frame. Needs xvfb and xauth (installed when missing and allowed).
set -euo pipefail
cd "$(dirname "$0")/.."
need="xvfb xauth"
dpkg -s $need >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null; }
cargo build --release --quiet --example screenshots
export XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"; unset WAYLAND_DISPLAY DISPLAY
export SECUREBASE_FRAME_STATS=200
screen=${1:-results}
xvfb-run -a -s "-screen 0 1280x800x24" bash -c \
  "./target/release/examples/screenshots $screen 1280 800 2> /tmp/securebase-frames.log & p=\$!; sleep 15; kill \$p; wait \$p" \
  >/dev/null 2>&1 || true
grep '^frames:' /tmp/securebase-frames.log
