"""Speed at province scale: the whole `python -m scoring score` process for a full year.

Floor: a process that only reads the same CSV files with pandas and does one groupby.
Must reach: ratio ≤ 4 and peak memory ≤ 2 GB.

    python bench/bench_score.py [--repeat 5]
"""
from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import ROOT, compare  # noqa: E402
from make_province import make  # noqa: E402

DATA = ROOT / "bench" / "data" / "province"
FLOOR = """
import pandas as pd, sys
d = sys.argv[1]
t = {n: pd.read_csv(f"{d}/{n}.csv", dtype=str, keep_default_na=False) for n in ("units", "submissions", "events", "targets")}
print(t["submissions"].groupby("unit_id").size().sum())
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    if not (DATA / "submissions.csv").exists():
        print("generating the province-scale dataset …", file=sys.stderr)
        make(DATA)
    py = sys.executable
    with tempfile.TemporaryDirectory() as out:
        res = compare("score_province",
                      [py, "-m", "scoring", "score", "--data", str(DATA), "--year", "2023", "--quarter", "4",
                       "--out", out],
                      [py, "-c", FLOOR, str(DATA)], repeat=a.repeat, limit=4.0)
    if res["peak_rss_mb"] > 2048:
        print(f"peak memory {res['peak_rss_mb']} MB is over 2 GB", file=sys.stderr)


if __name__ == "__main__":
    main()
