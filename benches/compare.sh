#!/usr/bin/env bash
# `securebase score` against Polars and DuckDB on the same ECR-R file, in the same run.
#
#   benches/compare.sh [ROWS] [RUNS]      # default 1,000,000 rows, 7 paired runs (at least 5)
#
# Generates ROWS realistic rows (examples/gen_ecr_r.rs), checks that the three tools agree on
# every score (to 1e-12, and on which rows are scored), then runs the three RUNS times,
# interleaved (the order rotates from run to run), and prints median times, median per-run
# ratios and peak memory (GNU time, when /usr/bin/time is there).
#
# Python with polars and duckdb: BENCH_PYTHON (default python3), e.g.
#   python3 -m venv /tmp/venv-bench && /tmp/venv-bench/bin/pip install polars duckdb
#   BENCH_PYTHON=/tmp/venv-bench/bin/python benches/compare.sh
#
# Not run in CI (it takes a minute and needs Python packages). Results: docs/performance.md.
set -euo pipefail
cd "$(dirname "$0")/.."
rows=${1:-1000000}
runs=${2:-7}
py=${BENCH_PYTHON:-python3}
if [ "$runs" -lt 5 ]; then
  echo "compare.sh: at least 5 runs, please" >&2
  exit 2
fi
"$py" -c 'import polars, duckdb' 2>/dev/null || {
  echo "compare.sh: $py cannot import polars and duckdb; set BENCH_PYTHON (see the top of this file)" >&2
  exit 2
}

cargo build --release --quiet --bin securebase --example gen_ecr_r
mkdir -p bench-data
data=bench-data/ecr-r-$rows.csv
[ -s "$data" ] || ./target/release/examples/gen_ecr_r "$rows" > "$data"
out=bench-data/compare
mkdir -p "$out"
bin=./target/release/securebase
echo "input: $data ($(du -h "$data" | cut -f1), $rows rows); $(nproc) cores; $("$py" -c 'import polars, duckdb; print("polars", polars.__version__, "duckdb", duckdb.__version__)')"

# One timed run of a tool, appended to $timings: run, tool, start, end, in-process seconds
# (the Python tools print their own time, from reading to the written file, without the
# interpreter's start and the import), peak memory in KiB.
timer=()
[ -x /usr/bin/time ] && timer=(/usr/bin/time -f '%M' -o "$out/mem")
measure() {
  local run=$1 tool=$2 inner=- mem=- start end
  start=$EPOCHREALTIME
  case $tool in
    securebase) "${timer[@]}" "$bin" score -i ecr-r --input "$data" > "$out/securebase.csv" ;;
    securebase-o) "${timer[@]}" "$bin" score -i ecr-r --input "$data" -o "$out/securebase-o.csv" ;;
    polars) inner=$("${timer[@]}" "$py" benches/polars_score.py "$data" "$out/polars.csv") ;;
    duckdb) inner=$("${timer[@]}" "$py" benches/duckdb_score.py "$data" "$out/duckdb.csv") ;;
  esac
  end=$EPOCHREALTIME
  [ ${#timer[@]} -gt 0 ] && mem=$(tail -1 "$out/mem")
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$run" "$tool" "$start" "$end" "$inner" "$mem" >> "$timings"
}

timings=$out/timings.tsv
: > "$timings"
echo "checking that the tools agree…"
for tool in securebase securebase-o polars duckdb; do measure warm-up $tool; done
cmp "$out/securebase.csv" "$out/securebase-o.csv"
"$py" benches/compare_check.py "$out/securebase.csv" "$out/polars.csv" "$out/duckdb.csv"

: > "$timings"
tools=(securebase polars duckdb securebase-o)
for ((r = 0; r < runs; r++)); do
  for ((k = 0; k < ${#tools[@]}; k++)); do
    measure "$r" "${tools[$(((k + r) % ${#tools[@]}))]}"
  done
done

"$py" - "$timings" "$runs" <<'EOF'
import statistics, sys
from collections import defaultdict

rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
runs = int(sys.argv[2])
wall, inner, mem = defaultdict(dict), defaultdict(dict), defaultdict(list)
for r, tool, start, end, i, m in rows:
    wall[tool][r] = float(end) - float(start)
    if i != "-":
        inner[tool][r] = float(i)
    if m != "-":
        mem[tool].append(int(m))
med = lambda xs: statistics.median(xs)
print(f"\n{runs} paired runs, medians (wall = the whole process, as a user waits for it):")
print(f"{'':28} {'wall':>8} {'in-process':>11} {'peak memory':>12}")
names = {
    "securebase": "securebase (stdout > file)",
    "securebase-o": "securebase (-o, fsynced)",
    "polars": "Polars",
    "duckdb": "DuckDB",
}
for tool in ["securebase", "securebase-o", "polars", "duckdb"]:
    w = med(wall[tool].values())
    i = f"{med(inner[tool].values()):.3f} s" if inner[tool] else "-"
    m = f"{max(mem[tool]) / 1024:.0f} MiB" if mem[tool] else "-"
    print(f"{names[tool]:28} {w:6.3f} s {i:>11} {m:>12}")
print("\nmedian of the per-run ratios (other tool's time / securebase's, stdout > file):")
for tool in ["polars", "duckdb"]:
    by_wall = med(wall[tool][r] / wall["securebase"][r] for r in wall["securebase"])
    by_inner = med(inner[tool][r] / wall["securebase"][r] for r in wall["securebase"])
    with_o = med(wall[tool][r] / wall["securebase-o"][r] for r in wall["securebase"])
    print(f"  {names[tool]:7} {by_wall:5.2f}x wall, {by_inner:5.2f}x its in-process time; "
          f"{with_o:5.2f}x wall against securebase -o")
EOF
