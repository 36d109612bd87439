#!/usr/bin/env bash
# Measures the desktop app under Xvfb (release build, software OpenGL):
#   1. start to first frame (5 launches; the first after dropping the page cache when allowed);
#   2. resident memory after unlocking a data folder of 1,000 clients x 10 administrations;
#   3. CPU used over 10 s while the window sits idle on the client list.
# Targets: first frame < 1 s, resident memory < 150 MB, idle CPU < 1 %.
# Needs xvfb, xauth, xdotool (installed when missing and allowed). Builds target/bench-store
# through `cargo bench --bench store` when it is not there.
set -euo pipefail
cd "$(dirname "$0")/.."
need="xvfb xauth xdotool"
dpkg -s $need >/dev/null 2>&1 || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $need >/dev/null; }
cargo build --release --quiet --bin securebase
[ -f target/bench-store/securebase.json ] || cargo bench --quiet --bench store
export XDG_RUNTIME_DIR=$(mktemp -d); chmod 700 "$XDG_RUNTIME_DIR"; unset WAYLAND_DISPLAY DISPLAY
export SECUREBASE_PRINT_TIMING=1
xvfb-run -a -s "-screen 0 1280x800x24" bash -s <<'INNER'
set -u
bin=./target/release/securebase
data=target/bench-store
for i in 1 2 3 4 5; do
  if [ "$i" = 1 ]; then sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null && echo "(page cache dropped: cold start)"; fi
  $bin --data-dir "$data" 2> /tmp/securebase-perf.log & p=$!
  for _ in $(seq 50); do grep -q "first frame" /tmp/securebase-perf.log && break; sleep 0.1; done
  echo "launch $i: $(grep -o 'first frame after [0-9]* ms' /tmp/securebase-perf.log)"
  if [ "$i" -lt 5 ]; then kill $p; wait $p 2>/dev/null; fi
done
win=$(xdotool search --sync --onlyvisible --name securebase | head -1)
xdotool windowfocus "$win" 2>/dev/null || true; sleep 0.5
xdotool type --delay 20 "benchmark passphrase"; xdotool key Return
sleep 6
echo "after unlocking 1,000 clients: $(grep VmRSS /proc/$p/status | awk '{printf "%.0f MB resident", $2/1024}'), peak $(grep VmHWM /proc/$p/status | awk '{printf "%.0f MB", $2/1024}')"
ticks=$(getconf CLK_TCK)
t1=$(awk '{print $14+$15}' /proc/$p/stat); sleep 10; t2=$(awk '{print $14+$15}' /proc/$p/stat)
echo "idle for 10 s: $(awk -v a="$t1" -v b="$t2" -v t="$ticks" 'BEGIN{printf "%.2f %% of one core", (b-a)/t/10*100}')"
import -window root /tmp/securebase-perf.png 2>/dev/null || true
kill $p; wait $p 2>/dev/null
INNER
