"""R1–R5: what each adopted item earns, and in which quarter.

Everything here works on whole columns: rows are sorted once into a deterministic order (by record
id, adoption date, level, then title and informant), and every choice afterwards is positional
within that order, so no result depends on the order of the input rows.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scoring.errors import ScoringError
from scoring.method.points import scale_half_up, to_milli
from scoring.method.rules import Rules
from scoring.method.calendar import period_end

NO_LEVEL = -1


def arrow_strings(s: pd.Series) -> pa.Array:
    """A text column as one Arrow string array (zero-copy for Arrow-backed columns)."""
    arr = pa.array(s.array) if not isinstance(s.array, np.ndarray) else pa.array(s.to_numpy(dtype=object))
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pc.fill_null(arr.cast(pa.large_string()), "")


def key_codes(values: pd.Series, keys) -> np.ndarray:
    """Position of each value in ``keys`` (−1 when absent), hashed in Arrow."""
    found = pc.index_in(arrow_strings(values), value_set=pa.array([str(k) for k in keys], pa.large_string()))
    return pc.fill_null(found, -1).to_numpy(zero_copy_only=False).astype(np.int64)


def sorted_codes(values: pa.Array) -> tuple[np.ndarray, pa.Array]:
    """Integer codes in the values' lexicographic order, and the distinct values in that order."""
    if len(values) == 0:
        return np.zeros(0, dtype=np.int64), values
    codes = pc.rank(values, sort_keys="ascending", tiebreaker="dense").to_numpy().astype(np.int64) - 1
    first = np.empty(int(codes.max()) + 1, dtype=np.int64)
    first[codes[::-1]] = np.arange(len(codes))[::-1]
    return codes, values.take(pa.array(first))


def stable_order(keys: tuple[np.ndarray, ...]) -> np.ndarray:
    """``np.lexsort`` of integer keys given most significant first: one stable sort of a
    single int64 key when the keys fit in one (two to three times faster on a million rows).
    Dates (datetime64[ns] as int64) take part as whole days counted from the earliest."""
    n = len(keys[0])
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    packed = np.zeros(n, dtype=np.int64)
    bits = 0
    for k in keys:
        k = np.asarray(k, dtype=np.int64)
        lo = int(k.min())
        span = int(k.max()) - lo
        if span >= DAY and not (k % DAY).any():
            k, span = (k - lo) // DAY, span // DAY
        else:
            k = k - lo
        width = max(span, 1).bit_length()
        bits += width
        if bits > 62:
            return np.lexsort(tuple(np.asarray(x) for x in reversed(keys)))
        packed = (packed << width) | k
    return np.argsort(packed, kind="stable")


DAY = 86_400 * 10**9                 # nanoseconds


def row_is_late(subs: pd.DataFrame) -> np.ndarray:
    """R4 三(一)1「超时提供内容保障的，得分减半」: a row is late when its ``late`` field says so;
    where that field is empty, when its submission date is after its due date (both given)."""
    given = subs["late"]
    by_dates = (subs["submitted_on"] > subs["due_on"]).to_numpy(dtype=bool)   # NaT compares False
    return np.where(given.isna().to_numpy(), by_dates, given.fillna(False).to_numpy(dtype=bool))


def late_value_table(rules: Rules) -> tuple[np.ndarray, np.ndarray]:
    """附件 as arrays [column, level] of milli-points: (on time, late). R3 is applied by the rules;
    R4's factor is applied per cell, rounding half up to a thousandth (points.scale_half_up)."""
    table = rules.points_table_milli()
    on_time = np.array([[table[(c, lv)] for lv in rules.level_keys] for c in rules.column_keys], dtype=np.int64)
    late = np.asarray(scale_half_up(on_time, rules.late.factor), dtype=np.int64)
    return on_time, late


@dataclass(frozen=True)
class Items:
    """Per item-quarter earnings and per item facts, as positional arrays and frames."""

    earnings: pd.DataFrame      # one row per (item, quarter ≥ 1) that earned; codes + display columns
    items: pd.DataFrame         # one row per visible item: unit, column, first_in_year, late, solicited_in_year


def _deterministic_order(rec: np.ndarray, ns: np.ndarray, lvl: np.ndarray,
                         title: pa.Array, informant: pa.Array) -> np.ndarray:
    """Rows sorted by (record, date, level, title, informant); strings only for the rare ties."""
    order = stable_order((rec, ns, lvl))
    if len(order) < 2:
        return order
    r, d, lv = rec[order], ns[order], lvl[order]
    same = (r[1:] == r[:-1]) & (d[1:] == d[:-1]) & (lv[1:] == lv[:-1])
    if not same.any():
        return order
    # Tied rows (same record, date and level): order them by their text so input order cannot matter.
    tie = np.zeros(len(order), dtype=bool)
    tie[1:] |= same
    tie[:-1] |= same
    pos = np.flatnonzero(tie)
    block = np.cumsum(np.r_[True, ~same])[pos]
    sub = pd.DataFrame({"block": block, "title": title.take(pa.array(order[pos])).to_pylist(),
                        "inf": informant.take(pa.array(order[pos])).to_pylist(), "o": order[pos]})
    sub = sub.sort_values(["block", "title", "inf", "o"], kind="stable")
    # Within a block positions are contiguous, so writing the sorted rows back keeps the blocks in place.
    order = order.copy()
    order[pos] = sub["o"].to_numpy()
    return order


@dataclass(frozen=True)
class Rows:
    """The adoption rows a run sees, sorted into the deterministic order, as aligned arrays."""

    rec: np.ndarray
    ns: np.ndarray
    lvl: np.ndarray
    col: np.ndarray
    unit: np.ndarray
    period: np.ndarray          # 0 = an earlier year, else the quarter of the scored year
    src: np.ndarray             # position of each sorted row in ``title`` / ``informant`` (input order)
    title: pa.Array
    informant: pa.Array
    has_informant: np.ndarray   # per sorted row
    late_row: np.ndarray
    solicited_row: np.ndarray
    rec_names: pa.Array
    submitted: np.ndarray | None = None     # per sorted row, datetime64[ns] (NaT): R4's dates, shown
    due: np.ndarray | None = None
    rows_before_year: int = 0
    rows_after_run: int = 0

    def through(self, quarter: int, units: np.ndarray | None = None) -> Rows:
        """R1: the rows a run through an earlier ``quarter`` sees (the order is kept), optionally
        only those of some units (unit codes)."""
        m = self.period <= quarter
        if units is not None:
            wanted = np.zeros(int(max(self.unit.max(initial=-1), np.max(units, initial=-1))) + 1, dtype=bool)
            wanted[units] = True
            m &= wanted[self.unit]
        taken = {f: getattr(self, f)[m] for f in ("rec", "ns", "lvl", "col", "unit", "period", "src",
                                                  "has_informant", "late_row", "solicited_row")}
        taken.update({f: getattr(self, f)[m] for f in ("submitted", "due") if getattr(self, f) is not None})
        return Rows(**taken, title=self.title, informant=self.informant, rec_names=self.rec_names)


def visible_rows(subs: pd.DataFrame, unit_ids: pd.Index, rules: Rules, year: int, quarter: int) -> Rows:
    """R1「计分周期为季度」: a run through quarter Q sees only rows dated up to its end; rows of
    earlier years only say what was already earned (period 0)."""
    end = period_end(year, quarter)
    dates = subs["adopted_on"]
    ns_all = dates.to_numpy(dtype="datetime64[ns]").view(np.int64)
    visible = (dates < end).to_numpy(dtype=bool)
    years_all = dates.dt.year.to_numpy()
    s = subs if visible.all() else subs.loc[visible]
    period = np.where(years_all[visible] < year, 0, dates.dt.quarter.to_numpy()[visible]).astype(np.int64)
    lvl = key_codes(s["level"], rules.level_keys)
    col = key_codes(s["column"], rules.column_keys)
    unit = key_codes(s["unit_id"], unit_ids)
    _check_codes(s, lvl, col, unit)
    rec, rec_names = sorted_codes(arrow_strings(s["record_id"]))
    ns = ns_all[visible]
    title = arrow_strings(s["title"])
    informant = pc.utf8_trim_whitespace(arrow_strings(s["informant"]))
    o = _deterministic_order(rec, ns, lvl, title, informant)
    has_inf = pc.not_equal(informant, "").to_numpy(zero_copy_only=False) if len(o) else np.zeros(0, dtype=bool)
    return Rows(rec=rec[o], ns=ns[o], lvl=lvl[o], col=col[o], unit=unit[o], period=period[o], src=o,
                title=title, informant=informant, has_informant=has_inf[o], late_row=row_is_late(s)[o],
                solicited_row=s["solicited"].fillna(rules.reward.solicited_default).to_numpy(dtype=bool)[o],
                rec_names=rec_names,
                submitted=s["submitted_on"].to_numpy(dtype="datetime64[ns]")[o],
                due=s["due_on"].to_numpy(dtype="datetime64[ns]")[o],
                rows_before_year=int((visible & (years_all < year)).sum()),
                rows_after_run=int((~visible).sum()))


def late_items_changed(rows: Rows, quarter: int) -> np.ndarray:
    """Unit codes with an item whose lateness (R4: any row late) differs between all rows of the run
    and the rows dated through ``quarter`` — the only way a later row changes an earlier quarter's
    item points."""
    n = len(rows.rec)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    item_start = np.r_[True, rows.rec[1:] != rows.rec[:-1]]
    heads = np.flatnonzero(item_start)
    seen = rows.period <= quarter
    late_all = np.logical_or.reduceat(rows.late_row, heads)
    late_then = np.logical_or.reduceat(rows.late_row & seen, heads)
    seen_then = np.logical_or.reduceat(seen, heads)
    changed = seen_then & (late_all != late_then)
    return np.unique(rows.unit[heads][changed])


def item_earnings(rows: Rows, rules: Rules, detail: bool = True) -> Items:
    """R1–R5 for all items at once.

    R1「计分周期为季度」: points are earned in the quarter of the adoption that earns them.
    R2 附件注「被上级录用以最高分值计，不重复计算」: one item, one score — the first quarter earns the
    value of the highest level reached in it; a later higher adoption earns the difference in its
    own quarter. "Already earned" is the table value (× the late factor) of the level reached
    before, whatever caps or vetoes did to that quarter; adoptions of earlier years count as
    already earned and earn nothing for this year.
    R3: a "—" cell takes the highest lower level's value (rules.points_table_milli).
    R4 三(一)1「超时提供内容保障的，得分减半」: an item is late when any of its rows is late.
    """
    rec, ns, lvl, col, unit, period = rows.rec, rows.ns, rows.lvl, rows.col, rows.unit, rows.period
    title, informant, late_row, solicited_row = rows.title, rows.informant, rows.late_row, rows.solicited_row
    rec_names = rows.rec_names
    n = len(rec)

    # One item per record id: its head row is the earliest adoption.
    item_start = np.r_[True, rec[1:] != rec[:-1]] if n else np.array([], dtype=bool)
    item_of_row = np.cumsum(item_start) - 1
    heads = np.flatnonzero(item_start)
    n_items = len(heads)
    bad = (unit != unit[heads][item_of_row]) | (col != col[heads][item_of_row])
    if bad.any():
        ids = sorted(set(rec_names.take(pa.array(rec[bad])).to_pylist()))[:10]
        raise ScoringError("同一稿件编号的多条录用记录单位或栏目不一致：" + "、".join(map(str, ids)))
    # Per item "any of its rows": rows of an item are contiguous from its head row.
    any_row = lambda flags: np.logical_or.reduceat(flags, heads) if n else np.zeros(0, dtype=bool)
    item_late = any_row(late_row)
    reward_lvl = rules.level_rank(rules.reward.level)
    at_reward = lvl >= reward_lvl
    item_solicited = any_row(at_reward & solicited_row)
    reward_in_year = any_row(at_reward & (period >= 1))
    # The item's informant: the first non-empty one in row order (R2's order above).
    inf_rows = np.flatnonzero(rows.has_informant)
    item_inf_row = np.full(n_items, -1, dtype=np.int64)      # the row whose informant the item takes
    if len(inf_rows):
        first = np.r_[True, item_of_row[inf_rows][1:] != item_of_row[inf_rows][:-1]]
        item_inf_row[item_of_row[inf_rows[first]]] = inf_rows[first]

    items = pd.DataFrame({
        "unit_code": unit[heads], "col_code": col[heads],
        "first_in_year": period[heads] >= 1, "late": item_late,
        "solicited_in_year": item_solicited & reward_in_year,
    }, copy=False)   # fresh arrays: neither copied nor stacked into blocks

    # Highest level per (item, period): rows of one item are sorted by date, so periods are contiguous.
    grp_start = item_start | np.r_[True, period[1:] != period[:-1]] if n else item_start
    starts = np.flatnonzero(grp_start)
    g_lvl = np.maximum.reduceat(lvl, starts) if n else lvl
    g_of_row = np.cumsum(grp_start) - 1
    g_item = item_of_row[starts]
    # R2: the level reached so far (cumulative max within the item) and the one reached before.
    # Groups of one item are contiguous and items ascend, so a running max of (item, level) packed
    # into one number restarts at each item.
    n_lv = len(rules.level_keys)
    reached = np.maximum.accumulate(g_item * n_lv + g_lvl) - g_item * n_lv if n else g_lvl
    g_first = item_start[starts]
    before = np.where(g_first, NO_LEVEL, np.r_[NO_LEVEL, reached[:-1]])

    on_time, late_tab = late_value_table(rules)
    g_col = col[starts]
    g_late = item_late[g_item]
    value = lambda level: np.where(g_late, late_tab[g_col, level], on_time[g_col, level])
    v_now = value(reached)
    v_before = np.where(before == NO_LEVEL, 0, value(np.maximum(before, 0)))
    earned = np.maximum(v_now - v_before, 0)
    g_period = period[starts]
    earns = (g_period >= 1) & (earned > 0)

    # The adoption that earned: the first row of the group at the level reached in it.
    at_max = lvl == g_lvl[g_of_row]
    rows_at_max = np.flatnonzero(at_max)
    g_at_max = g_of_row[rows_at_max]
    first_at_max = rows_at_max[np.r_[True, g_at_max[1:] != g_at_max[:-1]]] if len(rows_at_max) else rows_at_max

    e = np.flatnonzero(earns)
    e = e[stable_order((unit[starts][e], g_period[e], rec[starts][e]))]     # by unit, quarter, record id
    e_rows = first_at_max[e]
    level_keys = np.array(rules.level_keys, dtype=object)
    column_keys = np.array(rules.column_keys, dtype=object)
    groups = np.array([rules.column(c).group for c in rules.column_keys], dtype=object)
    e_item = g_item[e]
    e_before = before[e]
    e_col = g_col[e]
    earnings = pd.DataFrame({
        "unit_code": unit[heads][e_item],
        "quarter": g_period[e],
        "col_code": e_col,
        "level_code": reached[e],
        "prev_code": e_before,
        "key": groups[e_col] == "key",
        "points": earned[e],
    }, copy=False)
    if detail:
        inf_row = item_inf_row[e_item]
        inf = informant.take(pa.array(rows.src[np.maximum(inf_row, 0)])) if n else informant
        inf = pc.if_else(pa.array(inf_row >= 0), inf, "") if n else inf
        earnings = earnings.assign(
            record_id=_arrow_series(rec_names.take(pa.array(rec[heads][e_item]))),
            column=pd.Categorical.from_codes(e_col, categories=pd.Index(list(column_keys), dtype=object)),
            level=pd.Categorical.from_codes(reached[e], categories=pd.Index(list(level_keys), dtype=object)),
            previous_level=pd.Categorical.from_codes(e_before + 1, categories=pd.Index([""] + list(level_keys),
                                                                                         dtype=object)),
            upgrade=e_before != NO_LEVEL,
            late=item_late[e_item],
            base_points=on_time[e_col, reached[e]],
            informant=_arrow_series(inf),
            title=_arrow_series(title.take(pa.array(rows.src[heads[e_item]]))),
            adopted_on=ns[e_rows].view("datetime64[ns]"),
            rec_code=rec[heads][e_item],
        )
    return Items(earnings=earnings, items=items)



def adoption_rows(rows: Rows, unit_ids: pd.Index, rules: Rules) -> pd.DataFrame:
    """Every adoption row the run sees (earlier years included), in R2's order (record id, date,
    level): what a unit's statement lists under each item — each adoption with its level and
    date, and the dates that made a row late (R4)."""
    n = len(rows.rec)
    nat = np.full(n, np.datetime64("NaT", "ns"))
    return pd.DataFrame({
        "record_id": _arrow_series(rows.rec_names.take(pa.array(rows.rec))) if n else pd.array([], dtype="string"),
        "unit_id": pd.Categorical.from_codes(rows.unit, categories=pd.Index(np.asarray(unit_ids), dtype=object)),
        "column": pd.Categorical.from_codes(rows.col, categories=pd.Index(list(rules.column_keys), dtype=object)),
        "level": pd.Categorical.from_codes(rows.lvl, categories=pd.Index(list(rules.level_keys), dtype=object)),
        "title": _arrow_series(rows.title.take(pa.array(rows.src))) if n else pd.array([], dtype="string"),
        "adopted_on": rows.ns.view("datetime64[ns]"),
        "submitted_on": rows.submitted if rows.submitted is not None else nat,
        "due_on": rows.due if rows.due is not None else nat,
        "late": np.asarray(rows.late_row, dtype=bool),
    })


def _arrow_series(arr: pa.Array) -> pd.arrays.ArrowStringArray:
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    return pd.arrays.ArrowStringArray(arr.cast(pa.large_string()))


def _check_codes(s: pd.DataFrame, lvl: np.ndarray, col: np.ndarray, unit: np.ndarray) -> None:
    # The loader resolves every name; anything left unresolved here is a bug upstream, said in Chinese.
    for what, codes, field in (("录用级别", lvl, "level"), ("栏目", col, "column"), ("单位", unit, "unit_id")):
        bad = codes < 0
        if bad.any():
            vals = sorted(set(s[field].to_numpy(dtype=object)[bad]))[:10]
            raise ScoringError(f"录用记录中有未知的{what}：" + "、".join(map(str, vals)))


def column_caps(earnings: pd.DataFrame, rules: Rules, n_units: int, quarter: int) -> list[tuple[int, str, np.ndarray]]:
    """R5 附件 序号8「0.5分/条（每季度10分封顶）」: earnings of a capped (column, level) — at that
    level only, so upgrade differences at higher levels are outside — are summed per unit and
    quarter after R4 and cut to the cap. Returns (column code, clause, cut[unit, quarter]) per cap."""
    out = []
    u = earnings["unit_code"].to_numpy()
    q = earnings["quarter"].to_numpy()
    c = earnings["col_code"].to_numpy()
    lv = earnings["level_code"].to_numpy()
    pts = earnings["points"].to_numpy()
    for cap in rules.column_caps:
        ci, li = rules.column_keys.index(cap.column), rules.level_rank(cap.level)
        m = (c == ci) & (lv == li)
        total = np.zeros((n_units, quarter + 1), dtype=np.int64)
        np.add.at(total, (u[m], q[m]), pts[m])
        cut = np.maximum(total - to_milli(cap.value), 0)[:, 1:]
        out.append((ci, cap.clause, cut))
    return out
