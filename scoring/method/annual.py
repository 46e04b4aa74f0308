"""R11–R13 and 四/五: targets, the annual veto for unmet targets, the year-end reward,
优胜单位 and 优秀信息员."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd

from scoring.errors import ScoringError
from scoring.method.quarters import min_rank
from scoring.method.rules import Rules
from scoring.method.calendar import QUARTERS_PER_YEAR

NAME_SEPARATORS = re.compile(r"[、,，;；/／|｜]+")   # 「张三、李四」: several people share one item


def target_progress(targets: pd.DataFrame, items: pd.DataFrame, unit_ids: pd.Index, rules: Rules,
                    year: int, quarter: int) -> pd.DataFrame:
    """R12 年度目标任务: a target (unit, year, column, count) is met when the unit's items of that
    column first adopted in the year number at least the count; ``done_on_time`` counts only items
    that are not late (R13(a)「按时完成」); lagging = done < target × quarter / 4.
    Several rows for one (unit, column) keep the largest target (order-independent)."""
    t = targets.loc[(targets["year"] == year).to_numpy(dtype=bool)]
    unit = unit_ids.get_indexer(t["unit_id"])
    col = pd.Categorical(t["column"], categories=list(rules.column_keys)).codes.astype(np.int64)
    if (unit < 0).any() or (col < 0).any():
        raise ScoringError("年度目标中有未知的单位或栏目")
    n_cols = len(rules.column_keys)
    key = items["unit_code"].to_numpy() * n_cols + items["col_code"].to_numpy()
    first = items["first_in_year"].to_numpy(dtype=bool)
    on_time = first & ~items["late"].to_numpy(dtype=bool)
    size = len(unit_ids) * n_cols
    done_all = np.bincount(key[first], minlength=size)
    done_ot = np.bincount(key[on_time], minlength=size)
    df = pd.DataFrame({"unit_code": unit, "col_code": col, "target": t["target"].to_numpy(dtype=np.int64)})
    df = df.groupby(["unit_code", "col_code"], as_index=False, sort=True)["target"].max()
    k = df["unit_code"].to_numpy() * n_cols + df["col_code"].to_numpy()
    df["column"] = pd.array(np.array(rules.column_keys, dtype=object)[df["col_code"].to_numpy()], dtype="string")
    df["done"] = done_all[k].astype(np.int64)
    df["done_on_time"] = done_ot[k].astype(np.int64)
    df["met"] = df["done"] >= df["target"]
    df["met_on_time"] = df["done_on_time"] >= df["target"]
    df["lagging"] = df["done"] * QUARTERS_PER_YEAR < df["target"] * quarter
    return df


def year_days(as_of: dt.date) -> tuple[int, int]:
    """(days gone, days left) of ``as_of``'s year: 1 January through ``as_of`` inclusive, and the
    days after it to 31 December (2023-06-30: 181 and 184; 2023-11-15: 319 and 46)."""
    gone = (as_of - dt.date(as_of.year, 1, 1)).days + 1
    left = (dt.date(as_of.year, 12, 31) - as_of).days
    return gone, left


def veto_at_risk(target, done, days_gone: int, days_left: int):
    """一票否决风险 (R11: an unmet annual target zeroes the year's score), the one rule the review
    page and the progress reminders share: at least one record is still needed and the pace so far
    would not reach the target by the year's end — needed > done × days left ÷ days gone, compared
    in whole numbers as needed × days gone > done × days left. Scalars or arrays alike."""
    needed = np.asarray(target) - np.asarray(done)
    return (needed > 0) & (needed * days_gone > np.asarray(done) * days_left)


def solicited_counts(items: pd.DataFrame, n_units: int) -> np.ndarray:
    """R13 (b) per unit: items adopted at the reward level (or above) in the year and solicited."""
    return np.bincount(items.loc[items["solicited_in_year"].to_numpy(dtype=bool), "unit_code"].to_numpy(),
                       minlength=n_units)


def unmet_target_veto(progress: pd.DataFrame, n_units: int, rules: Rules, quarter: int) -> tuple[np.ndarray, np.ndarray]:
    """R11 三(二)2(2)「未完成本单位内容保障年度目标任务的，本年度得分归零」: judged only once the
    run includes Q4. Returns (vetoed[unit], reason[unit])."""
    vetoed = np.zeros(n_units, dtype=bool)
    reason = np.full(n_units, "", dtype=object)
    if quarter < QUARTERS_PER_YEAR or not rules.targets.unmet_is_annual_veto:
        return vetoed, reason
    unmet = progress[~progress["met"]]
    if len(unmet):
        texts = (unmet["column"] + " " + unmet["done"].astype(str) + "/" + unmet["target"].astype(str))
        joined = texts.groupby(unmet["unit_code"].to_numpy()).agg("、".join)
        vetoed[joined.index.to_numpy()] = True
        reason[joined.index.to_numpy()] = ["未完成年度目标任务（" + s + "），全年得分归零" for s in joined]
    return vetoed, reason


def reward_granted(progress: pd.DataFrame, items: pd.DataFrame, any_veto: np.ndarray, rules: Rules,
                   quarter: int) -> np.ndarray:
    """R13 三(一)2「按时完成目标任务且全年约稿信息被省政府网站录用过5次以上的，第四季度得分计25分」:
    only in a run that includes the reward quarter; (a) every target met counting on-time items
    only; (b) at least ``min_solicited_adoptions`` items adopted at the reward level (or above) by a
    row dated in the year and solicited; (c) no veto of any kind in the year."""
    n_units = len(any_veto)
    if quarter < rules.reward.quarter:
        return np.zeros(n_units, dtype=bool)
    missed = np.zeros(n_units, dtype=bool)
    bad = progress.loc[~progress["met_on_time"], "unit_code"].to_numpy()
    missed[bad] = True
    solicited = solicited_counts(items, n_units)
    return ~missed & (solicited >= rules.reward.min_solicited_adoptions) & ~any_veto


def winners(total: np.ndarray, rank: np.ndarray, category: np.ndarray, rules: Rules) -> np.ndarray:
    """五 鼓励激励「以信息汇总分值为依据评选若干优胜单位」: the top N of each category by annual
    total (R15 ranks, so a tie at the boundary lets all tied units in); a total of 0 never wins."""
    n = pd.Series({c.key: c.winners for c in rules.categories}).reindex(category).to_numpy(dtype=np.int64)
    return (rank <= n) & (total > 0)


def informant_points(earnings: pd.DataFrame, unit_informant: np.ndarray, unit_ids: pd.Index,
                     unit_names: np.ndarray, rules: Rules) -> pd.DataFrame:
    """五「优秀信息员」: informants ranked by the points their items earned in the year (after R4,
    before caps). A name within a unit is one person; an empty cell falls back to the unit
    register's informant; 「张三、李四」 share an item's points equally — in whole thousandths, the
    remainder going one thousandth each to the names written first."""
    u = earnings["unit_code"].to_numpy()
    # Cells as codes into a small table of distinct texts; empty → the register's informant.
    cell_codes, cell_texts = pd.factorize(earnings["informant"].fillna("")) if len(earnings) else (np.zeros(0, np.int64), [])
    texts = np.concatenate([np.asarray(cell_texts, dtype=object), unit_informant.astype(object)])
    # Emptiness judged once per distinct text, then spread by code (no million-element object array).
    empty = (np.asarray(cell_texts, dtype=object) == "")[cell_codes] if len(earnings) else np.zeros(0, dtype=bool)
    cell = np.where(empty, len(cell_texts) + u, cell_codes)
    # Items of one unit with the same cell and the same points split identically: count them.
    df = pd.DataFrame({"unit_code": u, "cell": cell, "points": earnings["points"].to_numpy(dtype=np.int64)})
    combos = df.groupby(["unit_code", "cell", "points"], sort=True).size().reset_index(name="items")
    # Split each distinct cell text once.
    used = np.unique(combos["cell"].to_numpy())
    split = [(c, pos, name, 0) for c in used
             for pos, name in enumerate(dict.fromkeys(x.strip() for x in NAME_SEPARATORS.split(texts[c]) if x.strip()))]
    names = pd.DataFrame(split, columns=["cell", "pos", "informant", "n"])
    names["n"] = names.groupby("cell")["pos"].transform("size")
    per = combos.merge(names, on="cell", how="inner")
    pts, n, pos = per["points"].to_numpy(), per["n"].to_numpy(), per["pos"].to_numpy()
    per["points"] = (pts // n + (pos < pts % n)) * per["items"].to_numpy()
    per = per.groupby(["unit_code", "informant"], as_index=False, sort=True)["points"].sum()
    codes = per["unit_code"].to_numpy(dtype=np.int64)
    out = pd.DataFrame({
        "unit_id": pd.array(np.asarray(unit_ids, dtype=object)[codes], dtype="string"),
        "unit_name": pd.array(unit_names[codes], dtype="string"),
        "informant": pd.array(per["informant"].to_numpy(dtype=object), dtype="string"),
        "points": per["points"].to_numpy(dtype=np.int64),
    })
    out["rank"] = min_rank(out["points"].to_numpy(), np.zeros(len(out), dtype=np.int64))
    out["excellent"] = (out["rank"] <= rules.annual.informants) & (out["points"] > 0)
    return out.sort_values(["rank", "unit_id", "informant"], kind="stable", ignore_index=True)
