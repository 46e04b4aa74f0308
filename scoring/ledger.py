"""The audit ledger: one row for every point that moved, with the clause that moved it.

Σ points per (unit, quarter) == the quarter's score; Σ ytd_points through quarter q == ytd_total.
The year cap (R14) changes only the YTD total, so its row carries points 0 and the cut in ytd_points.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .points import fmt
from .result import LEDGER_COLUMNS, LEDGER_DETAIL, LEDGER_KINDS
from .rules import Rules

if TYPE_CHECKING:  # pragma: no cover
    from .engine import _Run

KIND_ORDER = {k: i for i, k in enumerate(LEDGER_KINDS)}
STRING_COLUMNS = ("unit_id", "kind", "ref", "clause", "column", "level", "title", "late_factor", "informant",
                  "note", "previous_level", "event_type")


def _item_part(run: "_Run", units: pd.DataFrame, rules: Rules, year: int) -> dict[str, np.ndarray]:
    e = run.items.earnings
    n = len(e)
    n_lv = len(rules.level_keys)
    col = e["col_code"].to_numpy()
    late = e["late"].to_numpy(dtype=bool)
    upgrade = e["upgrade"].to_numpy(dtype=bool)
    # Small lookup tables instead of per-row string building.
    clause_tab = np.array([rules.column(c).clause + ("；" + rules.late.clause if lt else "")
                           + ("；" + rules.upgrades.clause if up else "")
                           for c in rules.column_keys for lt in (False, True) for up in (False, True)], dtype=object)
    clause = clause_tab[col * 4 + late * 2 + upgrade]
    prev = e["previous_level"].to_numpy(dtype=object)
    level_code = e["level_code"].to_numpy()
    prev_code = pd.Categorical(prev, categories=list(rules.level_keys)).codes.astype(np.int64)
    note_tab = np.array([f"{a}→{b}，补计差额（R2）" for a in rules.level_keys for b in rules.level_keys], dtype=object)
    note = np.where(upgrade, note_tab[np.maximum(prev_code, 0) * n_lv + level_code], "")
    factor = np.where(late, fmt(_milli_factor(rules)), "1")
    unit_inf = units["informant"].to_numpy(dtype=object)
    inf = e["informant"].to_numpy(dtype=object)
    inf = np.where(inf == "", unit_inf[e["unit_code"].to_numpy()], inf)
    pts = e["points"].to_numpy(dtype=np.int64)
    return {
        "_unit": e["unit_code"].to_numpy(), "quarter": e["quarter"].to_numpy(dtype=np.int64),
        "_kind": np.zeros(n, dtype=np.int64), "_sub": e["rec_code"].to_numpy(dtype=np.int64),
        "kind": np.full(n, "item", dtype=object), "ref": e["record_id"].to_numpy(dtype=object),
        "points": pts, "clause": clause, "column": e["column"].to_numpy(dtype=object),
        "level": e["level"].to_numpy(dtype=object), "adopted_on": e["adopted_on"].to_numpy(dtype="datetime64[ns]"),
        "title": e["title"].to_numpy(dtype=object), "base_points": e["base_points"].to_numpy(dtype=np.int64),
        "_has_base": np.ones(n, dtype=bool), "late_factor": factor, "late": late, "upgrade": upgrade,
        "_is_item": np.ones(n, dtype=bool), "informant": inf, "note": note, "previous_level": prev,
        "event_type": np.full(n, "", dtype=object), "count": np.zeros(n, dtype=np.int64),
        "event_date": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), "ytd_points": pts,
    }


def _milli_factor(rules: Rules) -> int:
    from .points import to_milli
    return to_milli(rules.late.factor)


class _Rows:
    """Collects the few non-item rows (per unit and quarter, per event) as plain lists."""

    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, unit: int, quarter: int, kind: str, points: int, clause: str, sub: int = 0, **detail) -> None:
        self.rows.append({"_unit": unit, "quarter": quarter, "_kind": KIND_ORDER[kind], "_sub": sub,
                          "kind": kind, "points": int(points), "clause": clause,
                          "ytd_points": int(detail.pop("ytd_points", points)), **detail})


def _other_part(run: "_Run", rules: Rules) -> dict[str, np.ndarray]:
    qa = run.qa
    out = _Rows()
    cap_clause = {c: cl for c, cl, _ in run.caps}
    for col_code, clause, cut in run.caps:
        for u, q in zip(*np.nonzero(cut)):
            cap = next(c for c in rules.column_caps if c.column == rules.column_keys[col_code])
            out.add(u, q + 1, "column_cap", -cut[u, q], clause, col_code, column=cap.column, level=cap.level,
                    note=f"{cap.column}（{cap.level}级）每季度封顶 {fmt(_to_milli(cap.value))} 分（R5）")
    del cap_clause
    for u, q in zip(*np.nonzero(qa.carry_in)):
        out.add(u, q + 1, "carry_in", qa.carry_in[u, q], rules.carry_over.clause, note="上季度重点栏目结转（R8）")
    for u, q in zip(*np.nonzero(qa.quarter_cap)):
        c_out = qa.carry_out[u, q]
        note = f"季度封顶 {fmt(_to_milli(rules.caps.quarter.value))} 分（R7）" + (
            f"，其中 {fmt(c_out)} 分结转下季度（R8）" if c_out else "")
        out.add(u, q + 1, "quarter_cap", qa.quarter_cap[u, q], rules.caps.quarter.clause, note=note)
    ev = run.events.rows
    for i, r in enumerate(ev.itertuples(index=False)):   # events are few: one row per deduction event
        if r.veto == "" and r.points:
            out.add(r.unit_code, r.quarter, "deduction", -r.points, r.clause, i, ref=r.event_id,
                    event_type=r.type, count=r.count, event_date=r.date, note=r.note or r.name)
    for u, q in zip(*np.nonzero(qa.floor * ~qa.vetoed)):
        out.add(u, q + 1, "floor", qa.floor[u, q], rules.deductions.clause, note="扣完为止，负分不计（R9）")
    first_q = ev[ev["veto"] == "quarter"].drop_duplicates(["unit_code", "quarter"])
    qref = {(u, q): (eid, cl, t, d) for u, q, eid, cl, t, d in
            zip(first_q["unit_code"], first_q["quarter"], first_q["event_id"], first_q["clause"], first_q["type"],
                first_q["date"])}
    first_y = ev[ev["veto"] == "year"].sort_values(["unit_code", "date", "event_id"], kind="stable") \
        .drop_duplicates(["unit_code"])
    yref = {u: (eid, cl, t, d) for u, eid, cl, t, d in
            zip(first_y["unit_code"], first_y["event_id"], first_y["clause"], first_y["type"], first_y["date"])}
    for u, q in zip(*np.nonzero(qa.vetoed)):
        if run.annual_veto[u]:
            eid, clause, etype, d = yref.get(u, ("", rules.targets.clause, "", pd.NaT))
            note = run.annual_reason[u]
        else:
            eid, clause, etype, d = qref[(u, q + 1)]
            note = run.events.quarter_veto_reason[u, q]
        out.add(u, q + 1, "veto", -qa.before_veto[u, q], clause, ref=eid, event_type=etype, event_date=d, note=note)
    if run.quarter >= rules.reward.quarter:
        rq = rules.reward.quarter - 1
        for u in np.flatnonzero(run.reward_granted):
            out.add(u, rq + 1, "reward", qa.reward[u, rq], rules.reward.clause,
                    note=f"年度奖励：第{rq + 1}季度得分计 {fmt(_to_milli(rules.reward.score))} 分（R13）")
    for u, q in zip(*np.nonzero(run.year_cut)):
        out.add(u, q + 1, "year_cap", 0, rules.caps.year.clause, ytd_points=-run.year_cut[u, q],
                note=f"全年封顶 {fmt(_to_milli(rules.caps.year.value))} 分，累计分扣减 {fmt(run.year_cut[u, q])} 分（R14）")
    df = pd.DataFrame(out.rows)
    n = len(df)
    get = lambda c, default, dtype: (df[c].fillna(default).to_numpy(dtype=dtype) if c in df  # noqa: E731
                                     else np.full(n, default, dtype=dtype))
    return {
        "_unit": get("_unit", 0, np.int64), "quarter": get("quarter", 0, np.int64),
        "_kind": get("_kind", 0, np.int64), "_sub": get("_sub", 0, np.int64),
        "kind": get("kind", "", object), "ref": get("ref", "", object), "points": get("points", 0, np.int64),
        "clause": get("clause", "", object), "column": get("column", "", object), "level": get("level", "", object),
        "adopted_on": np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]"), "title": np.full(n, "", dtype=object),
        "base_points": np.zeros(n, dtype=np.int64), "_has_base": np.zeros(n, dtype=bool),
        "late_factor": np.full(n, "", dtype=object), "late": np.zeros(n, dtype=bool),
        "upgrade": np.zeros(n, dtype=bool), "_is_item": np.zeros(n, dtype=bool),
        "informant": np.full(n, "", dtype=object), "note": get("note", "", object),
        "previous_level": np.full(n, "", dtype=object), "event_type": get("event_type", "", object),
        "count": get("count", 0, np.int64),
        "event_date": (pd.to_datetime(df["event_date"]).to_numpy(dtype="datetime64[ns]") if "event_date" in df
                       else np.full(n, np.datetime64("NaT"), dtype="datetime64[ns]")),
        "ytd_points": get("ytd_points", 0, np.int64),
    }


def _to_milli(v) -> int:
    from .points import to_milli
    return to_milli(v)


def build_ledger(run: "_Run", units: pd.DataFrame, rules: Rules, year: int) -> pd.DataFrame:
    """Every point that moved, in the order the method applies it within each unit and quarter."""
    a, b = _item_part(run, units, rules, year), _other_part(run, rules)
    cols = {k: np.concatenate([a[k], b[k]]) for k in a}
    order = np.lexsort((cols["_sub"], cols["_kind"], cols["quarter"], cols["_unit"]))
    cols = {k: v[order] for k, v in cols.items()}
    unit_ids = units["unit_id"].to_numpy(dtype=object)
    n = len(order)
    out = {
        "unit_id": unit_ids[cols["_unit"]], "year": np.full(n, year, dtype=np.int64), "quarter": cols["quarter"],
        "kind": cols["kind"], "ref": cols["ref"], "points": cols["points"], "clause": cols["clause"],
        "column": cols["column"], "level": cols["level"], "adopted_on": cols["adopted_on"], "title": cols["title"],
        "base_points": pd.array(np.where(cols["_has_base"], cols["base_points"], 0), dtype="Int64"),
        "late_factor": cols["late_factor"],
        "late": pd.array(cols["late"], dtype="boolean"), "upgrade": pd.array(cols["upgrade"], dtype="boolean"),
        "informant": cols["informant"], "note": cols["note"], "previous_level": cols["previous_level"],
        "event_type": cols["event_type"], "count": pd.array(cols["count"], dtype="Int64"),
        "event_date": cols["event_date"], "ytd_points": cols["ytd_points"],
    }
    df = pd.DataFrame(out)
    # Item-only details are missing (NA) on other rows; event-only details missing on items.
    not_item = ~cols["_is_item"]
    df.loc[not_item, ["base_points", "late", "upgrade"]] = pd.NA
    df.loc[cols["event_type"] == "", "count"] = pd.NA
    for c in STRING_COLUMNS:
        df[c] = df[c].astype("string")
    return df[list(LEDGER_COLUMNS + LEDGER_DETAIL)]
