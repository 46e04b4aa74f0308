"""A province-scale synthetic dataset for the speed benchmark (seeded, written as CSV).

≥ 10,000 units, ≥ 1,000,000 item rows, ≥ 100,000 events and 20,000 targets for one year, with
the date spellings of the data contract mixed in as real exports have them.

    python bench/make_province.py [--out bench/data/province] [--seed 7]
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS_KEY = ["在线访谈", "政策简明问答图解", "意见征集", "调查问卷", "新闻发布会", "专题专栏", "网上直播"]
COLUMNS_INFO = ["要闻动态", "重点领域"]
EVENT_TYPES = ["no_informant", "no_plan", "late_material", "content_error", "stale_column",
               "veto_quarter", "veto_classified"]


def _spell_dates(dates: pd.Series, rng: np.random.Generator) -> pd.Series:
    """Mostly ISO; 1 in 10 in each of the other spellings the contract allows."""
    iso = dates.dt.strftime("%Y-%m-%d")
    pick = rng.integers(0, 10, len(dates))
    y, m, d = dates.dt.year.astype(str), dates.dt.month.astype(str), dates.dt.day.astype(str)
    out = iso.where(pick > 3, y + "/" + m + "/" + d)
    out = out.where(pick != 1, y + "." + m + "." + d)
    out = out.where(pick != 2, y + "年" + m + "月" + d + "日")
    out = out.where(pick != 3, dates.dt.strftime("%Y%m%d"))
    return out


def make(out: Path, seed: int = 7, n_units: int = 10_000, n_items: int = 1_000_000,
         n_events: int = 100_000, n_targets: int = 20_000) -> None:
    rng = np.random.default_rng(seed)
    out.mkdir(parents=True, exist_ok=True)
    cats = np.array(["镇区街道", "市级机关部门", "群团"])
    unit_ids = np.char.add("P", np.char.zfill(np.arange(1, n_units + 1).astype(str), 5))
    units = pd.DataFrame({
        "unit_id": unit_ids,
        "unit_name": np.char.add("单位", np.arange(1, n_units + 1).astype(str)),
        "category": cats[rng.choice(3, n_units, p=[0.3, 0.6, 0.1])],
        "informant": np.char.add("信息员", np.arange(1, n_units + 1).astype(str)),
        "aliases": "",
    })
    units.to_csv(out / "units.csv", index=False)

    # Items: ~85% of rows single adoptions, the rest a second (higher) adoption of an earlier item.
    n_first = int(n_items * 0.9)
    day = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n_first), unit="D")
    col_p = np.array([0.005, 0.02, 0.01, 0.01, 0.01, 0.01, 0.005, 0.58, 0.34])
    cols = np.array(COLUMNS_KEY + COLUMNS_INFO)[rng.choice(9, n_first, p=col_p / col_p.sum())]
    first = pd.DataFrame({
        "record_id": np.char.add("R", np.arange(n_first).astype(str)),
        "unit_id": unit_ids[rng.integers(0, n_units, n_first)],
        "column": cols,
        "level": np.array(["溧阳市", "常州市", "江苏省"])[rng.choice(3, n_first, p=[0.93, 0.06, 0.01])],
        "adopted_on": day,
    })
    again = first.sample(n_items - n_first, random_state=seed).copy()
    again["level"] = np.where(rng.random(len(again)) < 0.8, "常州市", "江苏省")
    again["adopted_on"] = again["adopted_on"] + pd.to_timedelta(rng.integers(0, 60, len(again)), unit="D")
    again["adopted_on"] = again["adopted_on"].clip(upper=pd.Timestamp("2023-12-31"))
    subs = pd.concat([first, again], ignore_index=True)
    subs["title"] = "关于" + subs["column"] + "的信息"
    subs["late"] = np.where(rng.random(len(subs)) < 0.05, "是", "")
    subs["solicited"] = ""
    subs["informant"] = ""
    subs["adopted_on"] = _spell_dates(subs["adopted_on"], rng)
    subs.to_csv(out / "submissions.csv", index=False)

    ev_day = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 365, n_events), unit="D")
    ev = pd.DataFrame({
        "event_id": np.char.add("E", np.arange(n_events).astype(str)),
        "unit_id": unit_ids[rng.integers(0, n_units, n_events)],
        "date": _spell_dates(pd.Series(ev_day), rng),
        "type": np.array(EVENT_TYPES)[rng.choice(7, n_events, p=[0.2, 0.2, 0.3, 0.1, 0.19, 0.007, 0.003])],
        "count": rng.integers(1, 3, n_events),
        "note": "检查发现",
    })
    ev.to_csv(out / "events.csv", index=False)

    tg = pd.DataFrame({
        "unit_id": np.repeat(unit_ids[: n_targets // 2], 2),
        "year": 2023,
        "column": np.tile(["要闻动态", "重点领域"], n_targets // 2),
        "target": rng.integers(1, 30, n_targets),
    })
    tg.to_csv(out / "targets.csv", index=False)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "data" / "province")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    make(a.out, a.seed)
    print(f"written to {a.out}")


if __name__ == "__main__":
    main()
