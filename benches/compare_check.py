"""Checks that securebase, Polars and DuckDB agree on the scores, for benches/compare.sh.

    python3 benches/compare_check.py SECUREBASE.csv POLARS.csv DUCKDB.csv

The same ids in the same order; for every row, a score each tool gives (or none gives) agrees
to 1e-12 with securebase's. Exits 1 (and says where) when they do not.
"""

import sys

import polars as pl


def main():
    ours, *others = sys.argv[1:]
    scores = ["anxiety", "avoidance"]
    base = pl.read_csv(ours, columns=["id", *scores], schema_overrides={s: pl.Float64 for s in scores})
    ok = True
    for path in others:
        other = pl.read_csv(path, columns=["id", *scores], schema_overrides={s: pl.Float64 for s in scores})
        if other["id"].to_list() != base["id"].to_list():
            print(f"{path}: not the same ids in the same order as {ours}")
            ok = False
            continue
        for s in scores:
            a, b = base[s], other[s]
            scored_both = (a.is_not_null() & b.is_not_null()).sum()
            differ_in_scoring = (a.is_null() != b.is_null()).sum()
            worst = (a - b).abs().max() or 0.0
            print(
                f"{path}: {s}: {scored_both} rows scored by both, "
                f"{differ_in_scoring} scored by one only, largest difference {worst:.3g}"
            )
            if differ_in_scoring or worst > 1e-12:
                ok = False
    if not ok:
        print("the tools disagree")
        sys.exit(1)
    print(f"all agree on {base.height} rows")


if __name__ == "__main__":
    main()
