"""Engine speed on a synthetic year: 10,000 units, 1,000,000 adoption rows, 100,000 events.

    .venv/bin/python bench/bench_engine.py [--units N] [--rows N] [--events N] [--out DIR]
    .venv/bin/python bench/bench_engine.py --cli      # whole `python -m scoring score` vs read_csv + groupby

Prints the time of each stage (build, score, write), or with --cli the wall time of the whole
command against a plain pandas read of the same CSV files. Not a test: timings go here, never in tests/.
"""
from __future__ import annotations

import argparse
import tempfile
import time

import numpy as np
import pandas as pd

from scoring.inputs.rules_file import load_rules
from scoring.inputs.dataset import make_dataset


def synthetic(rules, n_units: int, n_rows: int, n_events: int, year: int = 2023, seed: int = 0):
    rng = np.random.default_rng(seed)
    cats = np.array(rules.category_keys, dtype=object)
    units = pd.DataFrame({
        "unit_id": [f"U{i:05d}" for i in range(n_units)],
        "unit_name": [f"单位{i:05d}" for i in range(n_units)],
        "category": cats[rng.integers(0, len(cats), n_units)],
        "informant": [f"信息员{i}" for i in range(n_units)],
    })
    n_items = int(n_rows * 0.9)
    cols = np.array(rules.column_keys, dtype=object)
    levels = np.array(rules.level_keys, dtype=object)
    item_unit = rng.integers(0, n_units, n_items)
    item_col = rng.choice(len(cols), n_items, p=np.r_[[0.02] * 7, [0.6, 0.26]])
    item_day = rng.integers(0, 365, n_items)
    # 90% first adoptions, 10% extra rows at a higher level some days later.
    extra = rng.integers(0, n_items, n_rows - n_items)
    rec = np.r_[np.arange(n_items), extra]
    lvl = np.r_[rng.choice(3, n_items, p=[0.9, 0.08, 0.02]), np.full(len(extra), 2)]
    day = np.r_[item_day, np.minimum(item_day[extra] + rng.integers(0, 120, len(extra)), 364)]
    base = np.datetime64(f"{year}-01-01")
    late = rng.random(n_rows) < 0.05
    subs = pd.DataFrame({
        "record_id": np.char.add("R", rec.astype(str)).astype(object),
        "unit_id": units["unit_id"].to_numpy()[item_unit[rec]],
        "column": cols[item_col[rec]], "level": levels[lvl],
        "adopted_on": base + day.astype("timedelta64[D]"),
        "title": np.char.add("标题", rec.astype(str)).astype(object),
        "late": pd.array(np.where(late, True, None), dtype="boolean"),
        "informant": np.where(rng.random(n_rows) < 0.5, "", "张三、李四"),
    })
    ev_codes = np.array(list(rules.events), dtype=object)
    p = np.array([0.0 if rules.events[c].veto else 1.0 for c in ev_codes])
    p = p / p.sum() * 0.999
    p[[i for i, c in enumerate(ev_codes) if rules.events[c].veto]] = 0.0005
    events = pd.DataFrame({
        "event_id": [f"E{i}" for i in range(n_events)],
        "unit_id": units["unit_id"].to_numpy()[rng.integers(0, n_units, n_events)],
        "date": base + rng.integers(0, 365, n_events).astype("timedelta64[D]"),
        "type": rng.choice(ev_codes, n_events, p=p / p.sum()),
        "count": rng.integers(1, 3, n_events),
    })
    targets = pd.DataFrame({"unit_id": units["unit_id"].to_numpy()[: n_units // 2], "year": year,
                            "column": "要闻动态", "target": rng.integers(0, 60, n_units // 2)})
    return make_dataset(units, subs, events, targets)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=10_000)
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--quarter", type=int, default=4)
    ap.add_argument("--no-restatements", action="store_true")
    ap.add_argument("--out", default=None)
    ap.add_argument("--cli", action="store_true")
    a = ap.parse_args()
    if a.cli:
        return cli_ratio(a)
    from scoring.method.engine import score
    from scoring.render.tables import write_scores
    rules = load_rules()
    t = time.perf_counter()
    data = synthetic(rules, a.units, a.rows, a.events)
    print(f"build dataset   {time.perf_counter() - t:6.2f} s")
    t = time.perf_counter()
    res = score(data, rules, 2023, a.quarter, restatements=not a.no_restatements)
    print(f"score           {time.perf_counter() - t:6.2f} s  ({len(res.ledger):,} ledger rows)")
    out = a.out or tempfile.mkdtemp()
    t = time.perf_counter()
    write_scores(res, out)
    print(f"write_scores    {time.perf_counter() - t:6.2f} s  → {out}")


BASELINE = """
import pandas as pd, sys
d = sys.argv[1]
s = pd.read_csv(d + '/submissions.csv'); e = pd.read_csv(d + '/events.csv'); u = pd.read_csv(d + '/units.csv')
s.groupby(['unit_id', 'column']).size(); e.groupby(['unit_id', 'type']).size()
"""


def cli_ratio(a) -> None:
    import subprocess
    import sys
    from pathlib import Path
    rules = load_rules()
    data = synthetic(rules, a.units, a.rows, a.events)
    folder = Path(tempfile.mkdtemp())
    for name in ("units", "submissions", "events", "targets"):
        df = getattr(data, name).drop(columns=["_file", "_row"])
        for c in df.columns:
            if str(df[c].dtype).startswith("datetime"):
                df[c] = df[c].dt.strftime("%Y-%m-%d")
        df.to_csv(folder / f"{name}.csv", index=False)

    def wall(cmd) -> float:
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - t

    base = min(wall([sys.executable, "-c", BASELINE, str(folder)]) for _ in range(2))
    ours = min(wall([sys.executable, "-m", "scoring", "score", "--data", str(folder), "--year", "2023",
                     "--quarter", str(a.quarter), "--out", str(folder / "out")]) for _ in range(2))
    print(f"read_csv + groupby {base:6.2f} s\nscoring score      {ours:6.2f} s\nratio              {ours / base:6.2f}")


if __name__ == "__main__":
    main()
