"""ECR-R scale means with Polars, for benches/compare.sh: the same two scores as
`securebase score -i ecr-r` (anxiety = items 1-18, avoidance = items 19-36, reversed items
as 8 - x, the mean of the answered items, not scored when more than 20 % of a scale's 18
items, that is more than 3, are missing).

    python3 benches/polars_score.py INPUT.csv OUTPUT.csv

Prints the seconds from scanning to the written file (the interpreter's start and the
import of polars excluded) on standard output.
"""

import sys
import time

import polars as pl

REVERSED = {9, 11, 20, 22, 26, 27, 28, 29, 30, 31, 33, 34, 35, 36}
SCALES = {"anxiety": range(1, 19), "avoidance": range(19, 37)}


def keyed(q):
    col = pl.col(f"q{q}")
    return (8 - col) if q in REVERSED else col


def scale(items):
    items = list(items)
    answered = pl.sum_horizontal([pl.col(f"q{q}").is_not_null() for q in items])
    total = pl.sum_horizontal([keyed(q) for q in items])
    allowed = len(items) * 20 // 100
    return pl.when(len(items) - answered <= allowed).then(total / answered)


def main():
    source, target = sys.argv[1], sys.argv[2]
    started = time.perf_counter()
    (
        pl.scan_csv(source, schema_overrides={f"q{q}": pl.Int16 for q in range(1, 37)})
        .select(
            "id",
            "site",
            *[scale(items).alias(name) for name, items in SCALES.items()],
        )
        .sink_csv(target)
    )
    print(f"{time.perf_counter() - started:.4f}")


if __name__ == "__main__":
    main()
