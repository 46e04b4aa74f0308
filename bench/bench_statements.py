"""Unit statements (得分明细单) against the bulletin they go with, measured in the same run.

    .venv/bin/python bench/bench_statements.py [--data data/sample] [--quarter 2023Q4]
                                               [--workers 2] [--chunk N] [--repeat 1]

1. ``python -m scoring bulletin --statements no`` on the dataset (a subprocess: the user's
   command, cold start included);
2. ``statements.render_all`` for every unit of the register on the same quarter's Result
   (in-process; loading and scoring are timed apart, as the pipeline has them already).
Target (issue 14): (2) ≤ 1.5 × (1), both measured in this one run (a ratio: the machine's load
cancels out). The fourth quarter by default: its statements are the longest (the year-end part).
Also prints the largest statement PDF, statements.zip and bulletin.pdf against their size limits
(100 KB, 8 MB, 1 MB). Prints the figures and the ratio, and one JSON line. Not a test: timings go here, never in
tests/.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from scoring.inputs.rules_file import load_rules

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.inputs.loading import load_dataset  # noqa: E402
from scoring.method import engine  # noqa: E402
from scoring.render import statements  # noqa: E402


TARGET = 1.5              # all statements ≤ 1.5 × one bulletin run without statements


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "sample")
    ap.add_argument("--quarter", default="2023Q4")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--chunk", type=int, default=None)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    year, quarter = int(args.quarter[:4]), int(args.quarter[-1])

    bulletin_s, render_s = [], []
    with tempfile.TemporaryDirectory(prefix="bench-statements-") as tmp:
        for i in range(args.repeat):
            t0 = time.perf_counter()
            proc = subprocess.run([sys.executable, "-m", "scoring", "bulletin", "--data", str(args.data),
                                   "--quarter", args.quarter, "--statements", "no", "--out", f"{tmp}/b{i}"],
                                  cwd=ROOT, capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
            bulletin_s.append(time.perf_counter() - t0)
            if proc.returncode != 0:
                print(proc.stderr[-2000:], file=sys.stderr)
                raise SystemExit(f"bulletin run failed with exit status {proc.returncode}")

            rules = load_rules()
            t1 = time.perf_counter()
            data = load_dataset(args.data, rules, year=year)
            result = engine.score(data, rules, year, quarter)
            score_s = time.perf_counter() - t1
            t2 = time.perf_counter()
            paths = statements.render_all(result, Path(tmp) / f"s{i}", progress=False, workers=args.workers,
                                          chunk_size=args.chunk)
            render_s.append(time.perf_counter() - t2)
            largest = max(p.stat().st_size for p in paths[:-1])
            bulletin_pdf = max(Path(tmp, f"b{i}").rglob("bulletin.pdf")).stat().st_size
            zip_size = paths[-1].stat().st_size
    b, r = min(bulletin_s), min(render_s)
    n = len(paths) - 1
    print(f"bulletin --statements no : {b:6.1f} s")
    print(f"render_all ({n} units)    : {r:6.1f} s   (load + score before it: {score_s:.1f} s)")
    print(f"ratio                     : {r / b:6.2f} × (target ≤ {TARGET})")
    print(f"largest statement PDF     : {largest / 1000:6.1f} KB (limit 100)")
    print(f"statements.zip            : {zip_size / 1e6:6.2f} MB (limit 8)")
    print(f"bulletin.pdf              : {bulletin_pdf / 1e6:6.2f} MB (limit 1)")
    print(json.dumps({"bench": "statements", "units": n, "quarter": args.quarter, "workers": args.workers,
                      "bulletin_no_statements_s": round(b, 2), "render_all_s": round(r, 2),
                      "ratio": round(r / b, 3), "target": TARGET, "largest_pdf_bytes": largest,
                      "zip_bytes": zip_size, "bulletin_pdf_bytes": bulletin_pdf, "cpus": os.cpu_count(),
                      "load_avg": [round(x, 2) for x in os.getloadavg()]}, ensure_ascii=False))


if __name__ == "__main__":
    main()
