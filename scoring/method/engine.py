"""The scoring engine: Dataset + Rules + year + quarter → Result (docs/ARCHITECTURE.md, "Result").

Pure: no file access, inputs are never changed, and every number comes from the Rules object.
All arithmetic is in int64 milli-points. The concerns live in their own modules:
items (R1–R5), quarters (R6–R11, R14, R15), annual (R11–R13, 优胜单位, 优秀信息员), ledger.
"""
from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd

from scoring.method import annual as annual_mod
from scoring.method import items as items_mod
from scoring.method import quarters as quarters_mod
from scoring.errors import ScoringError
from scoring.method.computation import Computation
from scoring.method.ledger import build_ledger
from scoring.method.result import (
    ANNUAL_COLUMNS,
    EARNINGS_COLUMNS,
    QUARTERLY_COLUMNS,
    QUARTERLY_EXTRA,
    TARGET_COLUMNS,
    Result,
)
from scoring.method.rules import Rules
from scoring.method.calendar import quarter_zh


def score(data, rules: Rules, year: int, quarter: int, *, restatements: bool = True) -> Result:
    """Score ``year`` through ``quarter`` (R1–R15). ``restatements`` adds a note naming units whose
    earlier-quarter scores differ from what a run through that earlier quarter gave."""
    if not isinstance(year, (int, np.integer)) or isinstance(year, bool):
        raise ScoringError(f"年度须为整数：{year!r}")
    if quarter not in (1, 2, 3, 4):
        raise ScoringError(f"季度须为 1 至 4：{quarter!r}")
    year, quarter = int(year), int(quarter)
    units = _register(data.units, rules)
    unit_ids = pd.Index(units["unit_id"].to_numpy(dtype=object))
    rows = items_mod.visible_rows(data.submissions, unit_ids, rules, year, quarter)
    run = _compute(rows, data, unit_ids, units, rules, year, quarter, detail=True)

    notes = list(_notes(rows, run, rules, year, quarter))
    if restatements and quarter > 1:
        notes.extend(_restatements(rows, data, unit_ids, units, rules, year, run))

    quarterly = _quarterly_frame(run, units, rules, year)
    ledger = build_ledger(run, units, rules, year)
    earnings = _earnings_frame(run.items.earnings, unit_ids)
    annual = _annual_frame(run, units, rules)
    informants = annual_mod.informant_points(run.items.earnings, units["informant"].to_numpy(dtype=object),
                                             unit_ids, units["unit_name"].to_numpy(dtype=object), rules)
    targets = _targets_frame(run.progress, unit_ids)
    return Result(rules=rules, year=year, quarter=quarter, units=data.units, quarterly=quarterly, ledger=ledger,
                  earnings=earnings, annual=annual, informants=informants, targets=targets, notes=tuple(notes))


def _register(units: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """二 计分对象: every unit of the register is scored, also with 0 (sorted by id for determinism)."""
    if units["unit_id"].duplicated().any():
        dup = sorted(set(units.loc[units["unit_id"].duplicated(), "unit_id"]))[:10]
        raise ScoringError("单位名册中单位编码重复：" + "、".join(dup))
    bad = ~units["category"].isin(list(rules.category_keys))
    if bad.any():
        raise ScoringError("单位名册中有未知的单位类别：" + "、".join(sorted(set(units.loc[bad, "category"]))[:10]))
    return units.sort_values("unit_id", kind="stable", ignore_index=True)


def _compute(rows: items_mod.Rows, data, unit_ids: pd.Index, units: pd.DataFrame, rules: Rules,
             year: int, quarter: int, detail: bool) -> Computation:
    n_units = len(unit_ids)
    it = items_mod.item_earnings(rows, rules, detail=detail)
    e = it.earnings
    # R6: K and I per unit and quarter, R5's column caps taken off their group.
    K = np.zeros((n_units, quarter + 1), dtype=np.int64)
    I = np.zeros((n_units, quarter + 1), dtype=np.int64)
    key = e["key"].to_numpy(dtype=bool)
    u, q, p = e["unit_code"].to_numpy(), e["quarter"].to_numpy(), e["points"].to_numpy(dtype=np.int64)
    np.add.at(K, (u[key], q[key]), p[key])
    np.add.at(I, (u[~key], q[~key]), p[~key])
    K, I = K[:, 1:], I[:, 1:]
    caps = items_mod.column_caps(e, rules, n_units, quarter)
    for col_code, _clause, cut in caps:
        if rules.column(rules.column_keys[col_code]).group == "key":
            K = K - cut
        else:
            I = I - cut
    ev = quarters_mod.events_in_run(data.events, unit_ids, rules, year, quarter)
    progress = annual_mod.target_progress(data.targets, it.items, unit_ids, rules, year, quarter)
    t_veto, t_reason = annual_mod.unmet_target_veto(progress, n_units, rules, quarter)
    annual_veto = ev.year_veto | t_veto
    reason = np.where(ev.year_veto & t_veto, ev.year_veto_reason + "；" + t_reason,
                      np.where(ev.year_veto, ev.year_veto_reason, t_reason))
    vetoed = ev.quarter_veto | annual_veto[:, None]
    any_veto = ev.quarter_veto.any(axis=1) | annual_veto
    granted = annual_mod.reward_granted(progress, it.items, any_veto, rules, quarter)
    qa = quarters_mod.quarter_arithmetic(K, I, ev.deductions, vetoed, granted, rules)
    ytd, cut = quarters_mod.year_to_date(qa.score, rules)
    return Computation(quarter, it, K, I, caps, ev, progress, annual_veto, reason, granted, qa, ytd, cut)


def _quarterly_frame(run: Computation, units: pd.DataFrame, rules: Rules, year: int) -> pd.DataFrame:
    n_units, nq = run.K.shape
    qa = run.qa
    rep = lambda a: np.repeat(np.asarray(a), nq)
    flat = lambda a: np.asarray(a).reshape(-1)
    info_capped = np.zeros((n_units, nq), dtype=np.int64)
    for col_code, _clause, cut in run.caps:
        if rules.column(rules.column_keys[col_code]).group == "info":
            info_capped += cut
    qreason = run.events.quarter_veto_reason
    areason = np.broadcast_to(run.annual_reason[:, None], (n_units, nq))
    veto_reason = np.where(run.annual_veto[:, None], areason, qreason)
    reward_q = np.zeros((n_units, nq), dtype=bool)
    if nq >= rules.reward.quarter:
        reward_q[:, rules.reward.quarter - 1] = run.reward_granted
    df = pd.DataFrame({
        "unit_id": pd.array(rep(units["unit_id"].to_numpy(dtype=object)), dtype="string"),
        "unit_name": pd.array(rep(units["unit_name"].to_numpy(dtype=object)), dtype="string"),
        "category": pd.array(rep(units["category"].to_numpy(dtype=object)), dtype="string"),
        "year": np.full(n_units * nq, year, dtype=np.int64),
        "quarter": np.tile(np.arange(1, nq + 1, dtype=np.int64), n_units),
        "key_points": flat(run.K), "info_points": flat(run.I), "carry_in": flat(qa.carry_in),
        "bonus": flat(qa.bonus), "gross": flat(qa.gross), "carry_out": flat(qa.carry_out),
        "deductions": flat(run.events.deductions),
        "quarter_veto": flat(run.events.quarter_veto),
        "annual_veto": rep(run.annual_veto),
        "reward": flat(qa.reward), "score": flat(qa.score), "ytd_total": flat(run.ytd),
        "info_capped": flat(info_capped), "floored": flat((qa.floor > 0) & ~qa.vetoed),
        "veto_reason": pd.array(flat(veto_reason), dtype="string"),
        "reward_granted": flat(reward_q),
    })
    group = df["quarter"].astype(str) + "|" + df["category"]
    df["rank"] = quarters_mod.min_rank(df["score"].to_numpy(), group.to_numpy())
    df["ytd_rank"] = quarters_mod.min_rank(df["ytd_total"].to_numpy(), group.to_numpy())
    cat_order = {c: i for i, c in enumerate(rules.category_keys)}
    df["_cat"] = df["category"].map(cat_order)
    df = df.sort_values(["quarter", "_cat", "rank", "unit_id"], kind="stable", ignore_index=True)
    return df[list(QUARTERLY_COLUMNS + QUARTERLY_EXTRA)]


def _earnings_frame(e: pd.DataFrame, unit_ids: pd.Index) -> pd.DataFrame:
    # Already sorted by unit, quarter and record id (items.item_earnings).
    codes = e["unit_code"].to_numpy()
    out = e.assign(unit_id=pd.Categorical.from_codes(codes, categories=pd.Index(np.asarray(unit_ids), dtype=object)))
    return out[list(EARNINGS_COLUMNS)].reset_index(drop=True)


def _annual_frame(run: Computation, units: pd.DataFrame, rules: Rules) -> pd.DataFrame:
    """四 年度考核: annual totals (R14) and ranks (R15) per category; 五 优胜单位."""
    total = run.ytd[:, -1]
    category = units["category"].to_numpy(dtype=object)
    rank = quarters_mod.min_rank(total, category)
    df = pd.DataFrame({
        "unit_id": units["unit_id"].astype("string"), "unit_name": units["unit_name"].astype("string"),
        "category": units["category"].astype("string"), "total": total, "rank": rank,
        "winner": annual_mod.winners(total, rank, category, rules),
        "annual_veto": run.annual_veto, "veto_reason": pd.array(run.annual_reason, dtype="string"),
        "reward": run.reward_granted,
        "solicited": annual_mod.solicited_counts(run.items.items, len(units)).astype(np.int64),
    })
    cat_order = {c: i for i, c in enumerate(rules.category_keys)}
    df = df.assign(_cat=df["category"].map(cat_order)).sort_values(["_cat", "rank", "unit_id"], kind="stable",
                                                                   ignore_index=True)
    return df[list(ANNUAL_COLUMNS)]


def _targets_frame(progress: pd.DataFrame, unit_ids: pd.Index) -> pd.DataFrame:
    df = progress.assign(unit_id=pd.array(np.asarray(unit_ids)[progress["unit_code"].to_numpy()], dtype="string"))
    return df[list(TARGET_COLUMNS)].reset_index(drop=True)


def _notes(rows: items_mod.Rows, run: Computation, rules: Rules, year: int, quarter: int) -> list[str]:
    notes = []
    if not rules.covers_year(year):
        notes.append(f"规则文件「{rules.meta.id}」适用年度为 {'、'.join(map(str, rules.meta.years))}，"
                     f"本次按其计算 {year} 年。")
    if rows.rows_before_year:
        notes.append(f"{rows.rows_before_year} 条录用记录早于 {year} 年，仅作为“已得分”计入（R2），不计入本年得分。")
    if rows.rows_after_run:
        notes.append(f"{rows.rows_after_run} 条录用记录晚于 {year} 年第{quarter}季度末（或日期为空），本次未计入（R1）。")
    if run.events.other_years:
        notes.append(f"{run.events.other_years} 条扣分事项不在 {year} 年，本次未计入（R1）。")
    return notes




def _restatements(rows: items_mod.Rows, data, unit_ids: pd.Index, units: pd.DataFrame, rules: Rules,
                  year: int, run: Computation) -> list[str]:
    """Earlier quarters are recomputed from today's data; name the units whose score for an earlier
    quarter differs from what a run through that quarter gives.

    Through quarter q, a run sees the same K, I, D and quarter vetoes for quarters 1..q, except that
    (1) an annual veto may not have happened yet (events dated later; targets judged only with Q4),
    and (2) an item may not yet be late (its late row is dated later). (1) is recomputed from this
    run's arrays; units touched by (2) are scored again from their rows through q. A variant whose
    reward falls before the run's end is scored again in full.
    """
    notes = []
    names = units["unit_name"].to_numpy(dtype=object)
    n_units = len(unit_ids)
    ev = run.events.rows
    for q in range(1, run.quarter):
        if rules.reward.quarter <= q:
            earlier = _compute(rows.through(q), data, unit_ids, units, rules, year, q, detail=False)
            then = earlier.qa.score[:, q - 1]
        else:
            year_veto = np.zeros(n_units, dtype=bool)
            year_veto[ev.loc[(ev["veto"] == "year") & (ev["quarter"] <= q), "unit_code"].to_numpy()] = True
            vetoed = run.events.quarter_veto[:, :q] | year_veto[:, None]
            qa = quarters_mod.quarter_arithmetic(run.K[:, :q], run.I[:, :q], run.events.deductions[:, :q], vetoed,
                                                 np.zeros(n_units, dtype=bool), rules)
            then = qa.score[:, q - 1].copy()
            late = items_mod.late_items_changed(rows, q)
            if len(late):
                ids = np.asarray(unit_ids, dtype=object)[late]
                sub = replace(data, events=data.events[data.events["unit_id"].isin(ids)],
                              targets=data.targets[data.targets["unit_id"].isin(ids)])
                earlier = _compute(rows.through(q, late), sub, unit_ids, units, rules, year, q, detail=False)
                then[late] = earlier.qa.score[late, q - 1]
        diff = np.flatnonzero(then != run.qa.score[:, q - 1])
        if len(diff):
            shown = "、".join(names[diff[:20]]) + (f"等 {len(diff)} 个单位" if len(diff) > 20 else "")
            why = []
            if run.annual_veto[diff].any():
                why.append("年度一票否决")
            if (~run.annual_veto[diff]).any():
                why.append("后来录入或更正的记录")
            notes.append(f"{quarter_zh(q)}得分已按现有数据重算，与截至{quarter_zh(q)}的计算结果不同的单位：{shown}"
                         + f"（原因含：{'、'.join(why)}）。")
    return notes
