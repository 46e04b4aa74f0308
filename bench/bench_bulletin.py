"""Benchmark the main job against its floor (bench/common.py's compare(): alternating runs, medians).

measured = the whole process ``python -m scoring bulletin --statements no`` for one quarter of the
           sample data (check and score, papermill, nbconvert, WeasyPrint, tables, Word, manifest, swap);
floor    = papermill's own command line as installed, nothing patched or left out:
           ``python -m papermill one_cell.ipynb out.ipynb -k python3`` (interpreter start, papermill
           import, kernel start-up and teardown, one cell). The least any papermill job costs here.
Target (issue): measured / floor ≤ 5.

Also reported: papermill executing the same one-cell notebook in-process (kernel only), and the
job's ratio to it.

Before timing, the package's byte-code is compiled (as scripts/bootstrap.sh does on install), so
that neither the first run nor a PYTHONDONTWRITEBYTECODE environment times the compiler.

    .venv/bin/python bench/bench_bulletin.py [--quarter 2023Q4] [--runs 5]

Writes bench/results/bench_bulletin.json (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import papermill as pm
from nbformat.v4 import new_code_cell, new_notebook

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import RESULTS, ROOT, compare  # noqa: E402

TARGET_RATIO = 5.0


def one_cell_notebook(path: Path) -> Path:
    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def in_process_floor(nb: Path, out: Path, runs: int) -> list[float]:
    times = []
    for _ in range(runs + 1):                            # the first run only warms caches
        t0 = time.perf_counter()
        pm.execute_notebook(str(nb), str(out), kernel_name="python3", progress_bar=False, cwd=str(ROOT))
        times.append(time.perf_counter() - t0)
    return times[1:]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "sample")
    ap.add_argument("--quarter", default="2023Q4")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-bulletin-") as tmp:
        tmp = Path(tmp)
        nb = one_cell_notebook(tmp / "one_cell.ipynb")
        job = [sys.executable, "-m", "scoring", "bulletin", "--data", str(args.data), "--quarter", args.quarter,
               "--out", str(tmp / "out"), "--statements", "no"]
        floor = [sys.executable, "-m", "papermill", str(nb), str(tmp / "floor.ipynb"), "-k", "python3"]
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "scoring")], check=True,
                       stdout=subprocess.DEVNULL)
        inproc = in_process_floor(nb, tmp / "inproc.ipynb", min(args.runs, 3))
        extra = {"quarter": args.quarter, "data": str(args.data),
                 "in_process_floor_median_s": round(statistics.median(inproc), 3),
                 "when": time.strftime("%Y-%m-%dT%H:%M:%S")}
        res = compare("bench_bulletin", job, floor, repeat=args.runs, limit=TARGET_RATIO, extra=extra)
    res["ratio_to_in_process_floor"] = round(res["measured_median_s"] / res["in_process_floor_median_s"], 2)
    (RESULTS / "bench_bulletin.json").write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"(papermill in-process, one cell: median {res['in_process_floor_median_s']} s → "
          f"ratio {res['ratio_to_in_process_floor']})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
