"""R6–R11: a unit's quarter, from its item points to its score; R14's year cap.

Arrays are [unit, quarter-1]; the only loop is over the quarters of the run, because R8's carry
runs from one quarter into the next.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.errors import ScoringError
from scoring.method.calendar import period_end
from scoring.method.points import to_milli
from scoring.method.rules import Rules


@dataclass(frozen=True)
class EventsInRun:
    rows: pd.DataFrame          # events of the year up to the run's end, with unit_code, quarter, points, veto
    deductions: np.ndarray      # D[unit, q] milli (R9)
    quarter_veto: np.ndarray    # bool[unit, q] (R10)
    year_veto: np.ndarray       # bool[unit] (R11, the event kind)
    quarter_veto_reason: np.ndarray   # object[unit, q]
    year_veto_reason: np.ndarray      # object[unit]
    quarter_veto_event: np.ndarray    # int[unit, q]: row of ``rows`` that vetoed the quarter, or -1
    year_veto_event: np.ndarray       # int[unit]: row of ``rows`` that vetoed the year, or -1
    other_years: int


def _when_and_note(date, note) -> str:
    """The vetoing event's date and the 说明 typed for it: 「2023-08-08，涉密文件上网」."""
    note = "" if note is None or (not isinstance(note, str) and pd.isna(note)) else str(note).strip()
    return f"{date:%Y-%m-%d}" + (f"，{note}" if note else "")


def events_in_run(events: pd.DataFrame, unit_ids: pd.Index, rules: Rules, year: int, quarter: int) -> EventsInRun:
    """R1: an event counts in the quarter of its date; a run sees events of its year up to its end.
    R9 三(二)1「逐项扣分」: D = Σ penalty × count. R10 三(二)2(1) and R11 三(二)2(3): veto kinds
    from the rules (``veto: quarter`` / ``veto: year``)."""
    n_units = len(unit_ids)
    date = events["date"]
    in_year = (date.dt.year == year).to_numpy(dtype=bool)
    other_years = int((~in_year).sum())
    ev = events.loc[in_year & (date < period_end(year, quarter)).to_numpy(dtype=bool)]
    unit = unit_ids.get_indexer(ev["unit_id"])
    if (unit < 0).any():
        bad = sorted(set(ev["unit_id"].to_numpy(dtype=object)[unit < 0]))[:10]
        raise ScoringError("扣分事项中有未知的单位：" + "、".join(map(str, bad)))
    codes = ev["type"].to_numpy(dtype=object)
    unknown = sorted({c for c in set(codes) if c not in rules.events})
    if unknown:
        raise ScoringError("扣分事项中有未知的事项类型：" + "、".join(unknown))
    penalty = pd.Series(rules.penalties_milli, dtype="int64")
    veto = pd.Series(rules.veto_codes, dtype=object)
    q = ev["date"].dt.quarter.to_numpy().astype(np.int64)
    count = ev["count"].to_numpy(dtype=np.int64)
    pts = penalty.reindex(codes).fillna(0).to_numpy(dtype=np.int64) * count
    vkind = veto.reindex(codes).fillna("").to_numpy(dtype=object)
    rows = pd.DataFrame({
        "event_id": ev["event_id"].to_numpy(dtype=object), "unit_code": unit, "quarter": q,
        "type": codes, "count": count, "points": pts, "veto": vkind,
        "date": ev["date"].to_numpy(), "note": ev["note"].to_numpy(dtype=object),
        "clause": pd.Series({k: e.clause for k, e in rules.events.items()}, dtype=object).reindex(codes).to_numpy(),
        "name": pd.Series({k: e.name for k, e in rules.events.items()}, dtype=object).reindex(codes).to_numpy(),
    })
    # Deterministic order for "which veto": earliest date, then id, then note.
    rows = rows.sort_values(["unit_code", "quarter", "date", "event_id", "type", "note", "count"], kind="stable",
                            ignore_index=True)
    D = np.zeros((n_units, quarter), dtype=np.int64)
    np.add.at(D, (rows["unit_code"].to_numpy(), rows["quarter"].to_numpy() - 1), rows["points"].to_numpy())
    # Which event vetoed, chosen here once (the ledger books that one): the first in the order above.
    qv = np.zeros((n_units, quarter), dtype=bool)
    qreason = np.full((n_units, quarter), "", dtype=object)
    qevent = np.full((n_units, quarter), -1, dtype=np.int64)
    first_q = rows[rows["veto"] == "quarter"].drop_duplicates(["unit_code", "quarter"])
    qv[first_q["unit_code"].to_numpy(), first_q["quarter"].to_numpy() - 1] = True
    qevent[first_q["unit_code"].to_numpy(), first_q["quarter"].to_numpy() - 1] = first_q.index.to_numpy()
    qreason[first_q["unit_code"].to_numpy(), first_q["quarter"].to_numpy() - 1] = [
        f"{n}（{_when_and_note(d, t)}），本季度一票否决" for n, d, t in zip(first_q["name"], first_q["date"], first_q["note"])]
    yv = np.zeros(n_units, dtype=bool)
    yreason = np.full(n_units, "", dtype=object)
    yevent = np.full(n_units, -1, dtype=np.int64)
    first_y = rows[rows["veto"] == "year"].sort_values(["unit_code", "date", "event_id"], kind="stable") \
        .drop_duplicates(["unit_code"])
    yv[first_y["unit_code"].to_numpy()] = True
    yevent[first_y["unit_code"].to_numpy()] = first_y.index.to_numpy()
    yreason[first_y["unit_code"].to_numpy()] = [f"{n}（{_when_and_note(d, t)}），全年得分归零"
                                              for n, d, t in zip(first_y["name"], first_y["date"], first_y["note"])]
    return EventsInRun(rows, D, qv, yv, qreason, yreason, qevent, yevent, other_years)


@dataclass(frozen=True)
class QuarterArithmetic:
    carry_in: np.ndarray
    bonus: np.ndarray
    gross: np.ndarray
    carry_out: np.ndarray
    quarter_cap: np.ndarray     # ledger amount (≤ 0)
    floor: np.ndarray           # ledger amount (≥ 0)
    before_veto: np.ndarray     # the score a veto takes away
    vetoed: np.ndarray
    reward: np.ndarray          # points the reward added (≥ 0)
    score: np.ndarray


def quarter_arithmetic(K: np.ndarray, I: np.ndarray, D: np.ndarray, vetoed: np.ndarray,
                       reward_granted: np.ndarray, rules: Rules) -> QuarterArithmetic:
    """R6 K, I; R7 B = K + I + C_in, G = min(B, cap); R8 三(一)1「本季度得满分后仍继续完成重点栏目的，
    可自动进入下一季度累计计分」: C_out = min(max(B − cap, 0), K + C_in), none out of a vetoed quarter;
    R9 三(二)1「当季度扣完为止」: after_cap S = max(G − D, 0), before_cap S = min(max(B − D, 0), cap);
    R10/R11 a vetoed quarter scores 0; R13 三(一)2 the reward quarter's score becomes the reward
    score where granted (never lowered by it)."""
    cap = to_milli(rules.caps.quarter.value)
    n_units, nq = K.shape
    out = {k: np.zeros((n_units, nq), dtype=np.int64) for k in
           ("carry_in", "bonus", "gross", "carry_out", "quarter_cap", "floor", "before_veto", "reward", "score")}
    c_in = np.zeros(n_units, dtype=np.int64)
    after_cap = rules.deductions.order == "after_cap"
    for q in range(nq):
        b = K[:, q] + I[:, q] + c_in
        g = np.minimum(b, cap)
        if rules.carry_over.enabled:
            c_out = np.where(vetoed[:, q], 0, np.minimum(np.maximum(b - cap, 0), K[:, q] + c_in))
        else:
            c_out = np.zeros(n_units, dtype=np.int64)
        d = D[:, q]
        if after_cap:
            pre = np.maximum(g - d, 0)
            floor = np.maximum(d - g, 0)
            qcap = g - b
        else:
            lifted = np.maximum(b - d, 0)
            floor = np.maximum(d - b, 0)
            pre = np.minimum(lifted, cap)
            qcap = pre - lifted
        s = np.where(vetoed[:, q], 0, pre)
        reward = np.zeros(n_units, dtype=np.int64)
        if q + 1 == rules.reward.quarter:
            reward = np.where(reward_granted, np.maximum(to_milli(rules.reward.score) - s, 0), 0)
        for k, v in (("carry_in", c_in), ("bonus", b), ("gross", g), ("carry_out", c_out), ("quarter_cap", qcap),
                     ("floor", floor), ("before_veto", pre), ("reward", reward), ("score", s + reward)):
            out[k][:, q] = v
        c_in = c_out
    return QuarterArithmetic(vetoed=vetoed, **out)


def year_to_date(score: np.ndarray, rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """R14 一「全年100分封顶」: YTD total after quarter q = min(Σ S over 1..q, year cap).
    Returns (ytd[unit, q], cut booked in quarter q, ≥ 0)."""
    cum = np.cumsum(score, axis=1)
    ytd = np.minimum(cum, to_milli(rules.caps.year.value))
    over = cum - ytd
    cut = np.diff(over, axis=1, prepend=0)
    return ytd, cut


def min_rank(values: np.ndarray, group: np.ndarray) -> np.ndarray:
    """R15: ranks within a group, highest first, ties share the best rank (1, 2, 2, 4)."""
    s = pd.Series(values)
    return s.groupby(group).rank(method="min", ascending=False).to_numpy(dtype=np.int64) \
        if len(values) else np.zeros(0, dtype=np.int64)
