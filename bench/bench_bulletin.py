"""Benchmark the main job against its floor.

job   = the whole process `python -m scoring bulletin --statements no` for one quarter of the
        sample data (validate, papermill, nbconvert, WeasyPrint, manifest, swap);
floor = papermill executing a one-cell notebook (kernel start-up and teardown), in-process.
Median of N runs each, interleaved so machine load affects both alike. Target: job / floor ≤ 5.

    .venv/bin/python bench/bench_bulletin.py [--quarter 2023Q4] [--runs 5]

Writes bench/results/bench_bulletin.json (git-ignored).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_RATIO = 5.0


def one_cell_notebook(path: Path) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook

    nb = new_notebook(cells=[new_code_cell("x = 1")])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, str(path))
    return path


def floor_once(nb: Path, out: Path) -> float:
    import papermill as pm

    t0 = time.perf_counter()
    pm.execute_notebook(str(nb), str(out), kernel_name="python3", progress_bar=False, cwd=str(ROOT))
    return time.perf_counter() - t0


def job_once(data: Path, quarter: str, out: Path) -> float:
    cmd = [sys.executable, "-m", "scoring", "bulletin", "--data", str(data), "--quarter", quarter,
           "--out", str(out), "--statements", "no"]
    t0 = time.perf_counter()
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    took = time.perf_counter() - t0
    if done.returncode != 0:
        raise SystemExit(f"bulletin run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return took


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=ROOT / "data" / "sample")
    ap.add_argument("--quarter", default="2023Q4")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        nb = one_cell_notebook(tmp / "one_cell.ipynb")
        floor_once(nb, tmp / "warm.ipynb")                  # warm caches (imports, kernel spec)
        jobs, floors = [], []
        for i in range(args.runs):
            floors.append(floor_once(nb, tmp / f"floor{i}.ipynb"))
            jobs.append(job_once(args.data, args.quarter, tmp / "out"))
            print(f"run {i + 1}/{args.runs}: job {jobs[-1]:.2f} s, floor {floors[-1]:.2f} s", file=sys.stderr)
    job, floor = statistics.median(jobs), statistics.median(floors)
    ratio = job / floor
    result = {
        "benchmark": "bulletin", "quarter": args.quarter, "data": str(args.data), "runs": args.runs,
        "job_seconds": jobs, "floor_seconds": floors, "job_median": round(job, 3),
        "floor_median": round(floor, 3), "ratio": round(ratio, 2), "target_ratio": TARGET_RATIO,
        "met": ratio <= TARGET_RATIO, "python": platform.python_version(), "machine": platform.machine(),
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
    }
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench_bulletin.json").write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"main job (bulletin {args.quarter}, whole process): median {job:.2f} s")
    print(f"floor (papermill, one-cell notebook):       median {floor:.2f} s")
    print(f"ratio {ratio:.2f} (target ≤ {TARGET_RATIO:g}) — {'met' if ratio <= TARGET_RATIO else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
