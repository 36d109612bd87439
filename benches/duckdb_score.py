"""ECR-R scale means with DuckDB, for benches/compare.sh: the same two scores as
`securebase score -i ecr-r` (see benches/polars_score.py for the rule).

    python3 benches/duckdb_score.py INPUT.csv OUTPUT.csv

Prints the seconds from reading to the written file (the interpreter's start and the import
of duckdb excluded) on standard output.
"""

import sys
import time

import duckdb

REVERSED = {9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36}
SCALES = {"anxiety": range(1, 19), "avoidance": range(19, 37)}


def scale(name, items):
    items = list(items)
    keyed = [f"(8 - q{q})" if q in REVERSED else f"q{q}" for q in items]
    total = " + ".join(f"coalesce({k}, 0)" for k in keyed)
    answered = " + ".join(f"(q{q} IS NOT NULL)::INTEGER" for q in items)
    allowed = len(items) * 20 // 100
    return (
        f"CASE WHEN {len(items)} - ({answered}) <= {allowed} "
        f"THEN ({total})::DOUBLE / ({answered}) END AS {name}"
    )


def main():
    source, target = sys.argv[1], sys.argv[2]
    types = ", ".join(f"'q{q}': 'SMALLINT'" for q in range(1, 37))
    query = f"""
        COPY (
            SELECT id, site, {", ".join(scale(n, i) for n, i in SCALES.items())}
            FROM read_csv('{source}', header = true, types = {{{types}}})
        ) TO '{target}' (HEADER, DELIMITER ',')
    """
    started = time.perf_counter()
    duckdb.connect().execute(query)
    print(f"{time.perf_counter() - started:.4f}")


if __name__ == "__main__":
    main()
