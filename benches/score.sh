#!/usr/bin/env bash
# Benchmark of `securebase score`: wall time and peak memory for N ECR-R rows.
#
#   benches/score.sh            # 1,000,000 rows (the issue's target: < 1.5 s, < 64 MB)
#   benches/score.sh 100000     # any N
#
# Needs GNU time (/usr/bin/time, Debian package `time`); uses hyperfine when installed.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000000}
mkdir -p bench-data
data=bench-data/ecr-r-$n.csv
cargo build --release --quiet --bin securebase --example gen_ecr_r
[ -s "$data" ] || ./target/release/examples/gen_ecr_r "$n" > "$data"
echo "input: $data ($(du -h "$data" | cut -f1), $n rows)"
bin=./target/release/securebase
if command -v hyperfine >/dev/null; then
  hyperfine --warmup 1 --runs 5 \
    "$bin score --instrument ecr-r --input $data --output bench-data/out.csv"
fi
/usr/bin/time -f 'one run: %e s wall, %M KB peak resident memory' \
  "$bin" score --instrument ecr-r --input "$data" --output bench-data/out.csv
/usr/bin/time -f 'JSON:    %e s wall, %M KB peak resident memory' \
  "$bin" score --instrument ecr-r --input "$data" --output bench-data/out.json --format json
echo "rows out: $(($(wc -l < bench-data/out.csv) - 1))"
