"""The audit ledger: one row for every point that moved, with the clause that moved it.

Σ points per (unit, quarter) == the quarter's score, for every unit and quarter: items, the
column cap (R5), the carry brought in (R8), the quarter cap (R7), deductions (R9), the floor that
restores a score to 0 (R9 负分不计), a veto taking away what was left (R10/R11) and the reward (R13).
The year cap (R14) changes only the YTD total: its row carries points 0 and the cut in
``ytd_points``, so that Σ ytd_points over quarters 1..q == ytd_total after q.
Built column-wise (text as Arrow arrays) so a million items cost well under a second.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.method.computation import Computation
from scoring.method.points import fmt, fmt_series, to_milli
from scoring.method.result import LEDGER_COLUMNS, LEDGER_DETAIL, LEDGER_KINDS
from scoring.method.rules import Rules

KIND_ORDER = {k: i for i, k in enumerate(LEDGER_KINDS)}
TEXT = ("kind", "ref", "clause", "column", "level", "title", "late_factor", "informant", "note",
        "previous_level", "event_type")
INTS = ("_unit", "quarter", "_kind", "_sub", "points", "base_points", "count", "ytd_points")
UNIQUE_TEXT = ("ref", "title")          # one value per item: kept as Arrow text
FLAGS = ("late", "upgrade", "_is_item", "_is_event")
DATES = ("adopted_on", "event_date")
NAT = np.datetime64("NaT", "ns")


def _text(values: Any, n: int, unique: bool = False) -> Any:
    """A text column of a part: Arrow text for per-row values (ref, title), else (codes, categories)."""
    if unique:
        if isinstance(values, (pa.Array, pa.ChunkedArray)):
            arr = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
            return pc.fill_null(arr.cast(pa.large_string()), "")
        if isinstance(values, str):
            return pa.array([values], pa.large_string()).take(pa.array(np.zeros(n, dtype=np.int64)))
        return pa.array(np.asarray(values, dtype=object), pa.large_string())
    if isinstance(values, tuple):
        return values
    if isinstance(values, str):
        return np.broadcast_to(np.int64(0), (n,)), [values]
    if isinstance(values, (pa.Array, pa.ChunkedArray)):
        enc = pc.fill_null(values, "").dictionary_encode()
        if isinstance(enc, pa.ChunkedArray):
            enc = enc.combine_chunks()
        return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), enc.dictionary.to_pylist()
    codes, uniq = pd.factorize(np.asarray(values, dtype=object))
    return codes.astype(np.int64), [str(x) for x in uniq]


def _lookup(table: list[str], codes: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """table[codes], kept as codes: no million Python strings."""
    return np.asarray(codes, dtype=np.int64), list(table)


def _part(n: int, **cols: Any) -> dict[str, Any]:
    cols.setdefault("ytd_points", cols.get("points", 0))
    out: dict[str, Any] = {}
    for c in TEXT:
        out[c] = _text(cols.get(c, ""), n, unique=c in UNIQUE_TEXT)
    # A value given once stays a read-only broadcast view: it takes memory only once concatenated.
    for c in INTS:
        out[c] = np.broadcast_to(np.asarray(cols.get(c, 0), dtype=np.int64), (n,))
    for c in FLAGS:
        out[c] = np.broadcast_to(np.asarray(cols.get(c, False), dtype=bool), (n,))
    for c in DATES:
        out[c] = np.broadcast_to(np.asarray(cols.get(c, NAT), dtype="datetime64[ns]"), (n,))
    return out


def _concat_categorical(parts: list[tuple[np.ndarray, list[str]]], order: np.ndarray) -> pd.Categorical:
    index: dict[str, int] = {}
    codes = []
    for c, cats in parts:
        remap = np.array([index.setdefault(x, len(index)) for x in cats], dtype=np.int64)
        codes.append(remap[c] if len(c) else c)
    allc = np.concatenate(codes)[order]
    return pd.Categorical.from_codes(allc, categories=pd.Index(list(index), dtype=object))


def _fmt(milli: np.ndarray) -> np.ndarray:
    return fmt_series(pd.Series(np.asarray(milli, dtype=np.int64))).to_numpy(dtype=object)


def _items(run: Computation, units: pd.DataFrame, rules: Rules) -> dict[str, Any]:
    """Kind ``item``: what each item earned in its quarter (R2–R4), with its table value and factor."""
    e = run.items.earnings
    n = len(e)
    n_lv = len(rules.level_keys)
    col = e["col_code"].to_numpy()
    late = e["late"].to_numpy(dtype=bool)
    upgrade = e["upgrade"].to_numpy(dtype=bool)
    clause_tab = [rules.column(c).clause + ("；" + rules.late.clause if lt else "")
                  + ("；" + rules.upgrades.clause if up else "")
                  for c in rules.column_keys for lt in (False, True) for up in (False, True)]
    level_code = e["level_code"].to_numpy()
    prev_code = e["prev_code"].to_numpy(dtype=np.int64)
    note_tab = [""] + [f"由{a}升至{b}，计差额（R2）" for a in rules.level_keys for b in rules.level_keys]
    note_code = np.where(upgrade, 1 + np.maximum(prev_code, 0) * n_lv + level_code, 0)
    unit_inf = pa.array(units["informant"].fillna("").to_numpy(dtype=object), pa.large_string())
    inf = pa.array(e["informant"].array).cast(pa.large_string()) if n else pa.array([], pa.large_string())
    if n:
        inf = pc.if_else(pc.equal(inf, ""), unit_inf.take(pa.array(e["unit_code"].to_numpy())), inf)
    pts = e["points"].to_numpy(dtype=np.int64)
    return _part(
        n, _unit=e["unit_code"].to_numpy(), quarter=e["quarter"].to_numpy(), _kind=KIND_ORDER["item"],
        _sub=e["rec_code"].to_numpy(), kind="item" if n else [], ref=pa.array(e["record_id"].array),
        points=pts, clause=_lookup(clause_tab, col * 4 + late * 2 + upgrade),
        column=(col.astype(np.int64), list(rules.column_keys)), level=(level_code.astype(np.int64), list(rules.level_keys)),
        adopted_on=e["adopted_on"].to_numpy(dtype="datetime64[ns]"), title=pa.array(e["title"].array),
        base_points=e["base_points"].to_numpy(dtype=np.int64),
        late_factor=_lookup(["1", fmt(to_milli(rules.late.factor))], late.astype(np.int64)),
        late=late, upgrade=upgrade, _is_item=True, informant=inf, note=_lookup(note_tab, note_code),
        previous_level=(prev_code + 1, [""] + list(rules.level_keys)), ytd_points=pts)


def _grid_part(mask: np.ndarray, kind: str, points: np.ndarray, clause: str, note: Any, **cols: Any) -> dict:
    """One row per (unit, quarter) where ``mask`` holds; arrays [unit, q] are picked at those cells."""
    u, q = np.nonzero(mask)
    pick = lambda v: v[u, q] if isinstance(v, np.ndarray) and v.ndim == 2 else v
    return _part(len(u), _unit=u, quarter=q + 1, _kind=KIND_ORDER[kind], kind=kind, points=pick(points),
                 clause=pick(clause), note=pick(note), **{k: pick(v) for k, v in cols.items()})


def _others(run: Computation, rules: Rules) -> list[dict]:
    qa = run.qa
    n_units, nq = qa.score.shape
    parts = []
    for col_code, clause, cut in run.caps:
        cap = next(c for c in rules.column_caps if c.column == rules.column_keys[col_code])
        parts.append(_grid_part(cut > 0, "column_cap", -cut, clause,
                                f"{cap.column}（{cap.level}级）每季度封顶 {fmt(to_milli(cap.value))} 分（R5）",
                                column=cap.column, level=cap.level, _sub=col_code))
    parts.append(_grid_part(qa.carry_in != 0, "carry_in", qa.carry_in, rules.carry_over.clause,
                            "上季度重点栏目超出封顶部分结转（R8）"))
    cap_text = f"季度封顶 {fmt(to_milli(rules.caps.quarter.value))} 分（R7）"
    carry_note = np.where(qa.carry_out > 0, cap_text + "，其中 " + _fmt(qa.carry_out.ravel()).reshape(qa.carry_out.shape)
                          + " 分结转下季度（R8）", cap_text)
    parts.append(_grid_part(qa.quarter_cap != 0, "quarter_cap", qa.quarter_cap, rules.caps.quarter.clause, carry_note))

    ev = run.events.rows
    ded = ev[(ev["veto"] == "") & (ev["points"] > 0)]
    note = np.where(ded["note"].to_numpy(dtype=object) == "", ded["name"].to_numpy(dtype=object),
                    ded["note"].to_numpy(dtype=object))
    parts.append(_part(len(ded), _unit=ded["unit_code"].to_numpy(), quarter=ded["quarter"].to_numpy(),
                       _kind=KIND_ORDER["deduction"], _sub=ded.index.to_numpy(), kind="deduction",
                       ref=ded["event_id"].to_numpy(dtype=object), points=-ded["points"].to_numpy(dtype=np.int64),
                       clause=ded["clause"].to_numpy(dtype=object), event_type=ded["type"].to_numpy(dtype=object),
                       count=ded["count"].to_numpy(), event_date=ded["date"].to_numpy(dtype="datetime64[ns]"),
                       note=note, _is_event=True))
    parts.append(_grid_part(qa.floor > 0, "floor", qa.floor, rules.deductions.clause,
                            "扣完为止，负分不计（R9）"))

    # Veto rows: the event that vetoed (the earliest), or the unmet targets (no event).
    e_id = ev["event_id"].to_numpy(dtype=object)
    e_clause = ev["clause"].to_numpy(dtype=object)
    e_type = ev["type"].to_numpy(dtype=object)
    e_date = ev["date"].to_numpy(dtype="datetime64[ns]")
    which = np.where(run.annual_veto[:, None], run.events.year_veto_event[:, None],
                     run.events.quarter_veto_event)                                 # event row or -1
    has = which >= 0
    pick = lambda arr, default: np.where(has, arr[np.maximum(which, 0)] if len(arr) else default, default)
    reason = np.where(run.annual_veto[:, None], run.annual_reason[:, None], run.events.quarter_veto_reason)
    # A vetoing event's row says what was typed for it (else its name), as a deduction's does; a
    # veto without an event (unmet targets) says the engine's reason.
    e_note = ev["note"].fillna("").astype(str).str.strip().to_numpy(dtype=object)
    e_note = np.where(e_note == "", ev["name"].to_numpy(dtype=object), e_note)
    note = np.where(has, e_note[np.maximum(which, 0)] if len(e_note) else "", reason)
    parts.append(_grid_part(qa.vetoed, "veto", -qa.before_veto, pick(e_clause, rules.targets.clause), note,
                            ref=pick(e_id, ""), event_type=pick(e_type, ""), event_date=pick(e_date, NAT),
                            _is_event=has))

    if nq >= rules.reward.quarter:
        granted = np.zeros((n_units, nq), dtype=bool)
        granted[:, rules.reward.quarter - 1] = run.reward_granted
        parts.append(_grid_part(granted, "reward", qa.reward, rules.reward.clause,
                                f"年度奖励：第{rules.reward.quarter}季度得分计 "
                                f"{fmt(to_milli(rules.reward.score))} 分（R13）"))
    ycap = run.year_cut > 0
    ynote = (f"全年封顶 {fmt(to_milli(rules.caps.year.value))} 分，累计分扣减 "
             + _fmt(run.year_cut.ravel()).reshape(run.year_cut.shape) + " 分（R14）")
    parts.append(_grid_part(ycap, "year_cap", np.zeros_like(run.year_cut), rules.caps.year.clause, ynote,
                            ytd_points=-run.year_cut))
    return parts


def build_ledger(run: Computation, units: pd.DataFrame, rules: Rules, year: int) -> pd.DataFrame:
    """Every point that moved, sorted by unit, quarter, the order the method applies things, then ref."""
    parts = [_items(run, units, rules)] + _others(run, rules)
    keys = {c: np.concatenate([p.pop(c) for p in parts]) for c in ("_unit", "quarter", "_kind", "_sub")}
    # One int64 key (unit, quarter, kind, sub); items come pre-sorted, so a stable sort is nearly a merge.
    prefix = (keys["_unit"] * 8 + keys["quarter"]) * 16 + keys["_kind"]
    shift = int(keys["_sub"].max(initial=0)).bit_length()
    if len(prefix) and int(prefix.max()).bit_length() + shift < 63:
        order = np.argsort((prefix << shift) + keys["_sub"], kind="stable")
    else:
        order = np.lexsort((keys["_sub"], keys["_kind"], keys["quarter"], keys["_unit"]))
    del prefix
    take = pa.array(order)
    n = len(order)
    unit_ids = units["unit_id"].to_numpy(dtype=object)

    # Each column is gathered, put in order and its parts let go before the next (peak memory).
    def text(c: str):
        if c in UNIQUE_TEXT:
            return pd.arrays.ArrowStringArray(pa.concat_arrays([p.pop(c) for p in parts]).take(take))
        return _concat_categorical([p.pop(c) for p in parts], order)

    def num(c: str) -> np.ndarray:
        return np.concatenate([p.pop(c) for p in parts])[order]

    cols: dict[str, Any] = {"_unit": keys.pop("_unit")[order], "quarter": keys.pop("quarter")[order]}
    del keys
    for c in ("_is_item", "_is_event", "count"):
        cols[c] = num(c)
    is_item, is_event, count = cols["_is_item"], cols["_is_event"], cols["count"]
    df = pd.DataFrame({
        "unit_id": pd.Categorical.from_codes(cols["_unit"], categories=pd.Index(unit_ids, dtype=object)),
        "year": np.full(n, year, dtype=np.int64), "quarter": cols["quarter"],
        "kind": text("kind"), "ref": text("ref"), "points": num("points"), "clause": text("clause"),
        "column": text("column"), "level": text("level"), "adopted_on": num("adopted_on"),
        "title": text("title"),
        "base_points": pd.arrays.IntegerArray(num("base_points"), ~is_item),
        "late_factor": text("late_factor"),
        "late": pd.arrays.BooleanArray(num("late"), ~is_item),
        "upgrade": pd.arrays.BooleanArray(num("upgrade"), ~is_item),
        "informant": text("informant"), "note": text("note"), "previous_level": text("previous_level"),
        "event_type": text("event_type"),
        "count": pd.arrays.IntegerArray(np.where(count > 0, count, 0), ~(is_event & (count > 0))),
        "event_date": num("event_date"), "ytd_points": num("ytd_points"),
    }, copy=False)   # fresh arrays: neither copied nor stacked into blocks
    return df[list(LEDGER_COLUMNS + LEDGER_DETAIL)]
