"""Shared helpers for the benchmarks: time whole processes, report ratios to a floor run alongside.

Machines here are shared and noisy, so every figure is a ratio to a floor measured in the same run,
runs alternate between the measured command and the floor, and the median of N is reported.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def run_once(cmd: list[str], cwd: Path = ROOT, env: dict | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (bytes) of one whole process."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - t0
    err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise SystemExit(f"command failed ({proc.returncode}): {' '.join(cmd)}\n{err[-3000:]}")
    return elapsed, usage.ru_maxrss * 1024   # ru_maxrss is KiB on Linux


def compare(name: str, measured: list[str], floor: list[str], repeat: int = 5, limit: float | None = None,
            extra: dict | None = None, other_floors: dict[str, list[str]] | None = None) -> dict:
    """Alternate measured/floor runs; report medians, the ratio and peak memory; write JSON.

    ``other_floors``: further floors (name → command) run in the same rounds, reported with the
    measured command's ratio to each (``other_floors`` in the JSON); the limit applies to ``floor``.
    """
    m_times, f_times, m_rss = [], [], []
    o_times: dict[str, list[float]] = {k: [] for k in (other_floors or {})}
    for i in range(repeat):
        ft, _ = run_once(floor)
        for key, cmd in (other_floors or {}).items():
            o_times[key].append(run_once(cmd)[0])
        mt, rss = run_once(measured)
        f_times.append(ft)
        m_times.append(mt)
        m_rss.append(rss)
        others = "".join(f", {k} {v[-1]:.2f} s" for k, v in o_times.items())
        print(f"  run {i + 1}/{repeat}: measured {mt:.2f} s, floor {ft:.2f} s{others}", file=sys.stderr)
    res = {
        "benchmark": name,
        "measured_cmd": " ".join(measured),
        "floor_cmd": " ".join(floor),
        "measured_median_s": round(statistics.median(m_times), 3),
        "floor_median_s": round(statistics.median(f_times), 3),
        "ratio": round(statistics.median(m_times) / statistics.median(f_times), 2),
        "peak_rss_mb": round(max(m_rss) / 2**20, 1),
        "limit_ratio": limit,
        "runs": repeat,
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        **(extra or {}),
    }
    if other_floors:
        res["other_floors"] = {
            k: {"cmd": " ".join(other_floors[k]), "median_s": round(statistics.median(v), 3),
                "ratio": round(statistics.median(m_times) / statistics.median(v), 2)}
            for k, v in o_times.items()}
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.json").write_text(json.dumps(res, ensure_ascii=False, indent=2), encoding="utf-8")
    verdict = "" if limit is None else ("  OK" if res["ratio"] <= limit else f"  OVER LIMIT {limit}")
    print(f"{name}: measured {res['measured_median_s']} s vs floor {res['floor_median_s']} s → "
          f"ratio {res['ratio']}, peak {res['peak_rss_mb']} MB{verdict}")
    for k, o in res.get("other_floors", {}).items():
        print(f"  vs {k}: floor {o['median_s']} s → ratio {o['ratio']}")
    return res
