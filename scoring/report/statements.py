"""得分明细单: one statement per unit and quarter, built from the Result's ledger.

A statement retells, for one unit, the ledger rows of one quarter: every item that earned, every
cap, carry, deduction, floor, veto and reward, in the order the method applies them, so that the
figures a unit head reads add up to the score printed in the bulletin and in scores.csv (they
are the same ledger rows). Content only (:func:`statement_data` and each unit's HTML section);
scoring.render.statements lays them out as PDFs and the zip.

Speed: one WeasyPrint pass per unit costs 0.3–1 s, mostly layout set-up and font subsetting. So
units are rendered in chunks: each chunk is one HTML document, one statement per page group
(page numbers restart per unit), one WeasyPrint pass, then split into one PDF per unit with pypdf
by the named destination each statement starts with. Chunks run on a process pool.
"""
from __future__ import annotations

import datetime as _dt
import io
import re
import sys
import unicodedata
import zipfile
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable

import pandas as pd

from scoring.report import glyphs as fonts
from scoring.errors import ScoringError
from scoring.method.points import fmt, to_milli
from scoring.method.calendar import default_issue_date, quarter_zh, zh_date
from scoring.method.result import LEDGER_KINDS
import jinja2

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "statement"
# Beyond this many item lines the bulk of cheap, capped info items is shown per month (two-page
# limit); every one of them stays in ledger.csv and scores.xlsx.
ITEM_LINES_LIMIT = 24



# ---- the statement as data -------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One line of 得分计算. ``points`` moves the score when ``moves``; subtotals and facts don't."""

    label: str
    points: int                 # milli-points
    clause: str = ""
    note: str = ""
    moves: bool = True
    style: str = ""             # "" | "subtotal" | "total" | "veto" | "floored" | "info"


@dataclass(frozen=True)
class ItemLine:
    date: str
    column: str
    title: str
    level: str
    kind: str                   # 首次录用 / 升级（原常州市级） / 按月汇总 / 封顶核减
    late: str                   # 是 / 否 / ""
    base: str                   # table value shown, e.g. "0.5" or "4.5（差额）"
    points: int
    clause: str
    style: str = ""             # "" | "cap" | "group"


@dataclass(frozen=True)
class EventLine:
    date: str
    what: str
    count: str
    points: int
    clause: str
    veto: bool = False


@dataclass(frozen=True)
class TargetLine:
    column: str
    target: int
    done: int
    done_on_time: int
    status: str
    lagging: bool


@dataclass(frozen=True)
class Statement:
    unit_id: str
    unit_name: str
    category: str
    informant: str
    year: int
    quarter: int
    steps: tuple[Step, ...]
    items: tuple[ItemLine, ...]
    events: tuple[EventLine, ...]
    targets: tuple[TargetLine, ...]
    score: int
    ytd_total: int
    rank: int
    ytd_rank: int
    category_size: int
    carry_out: int
    adopted: int                # items that earned this quarter (grouped ones counted one by one)
    grouped: str = ""           # the sentence saying items were grouped by month, if they were
    veto_reason: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def moved(self) -> int:
        """Σ of the step lines that move the score: equals ``score`` (checked when built)."""
        return sum(s.points for s in self.steps if s.moves)


def _text(value: Any, warnings: list[str], what: str) -> str:
    """Untrusted text → printable text; glyphs the bundled fonts lack become 〓 and are reported."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    shown, missing = fonts.drawable(str(value))
    if missing:
        warnings.append(f"得分明细单（{what}）：字符 {fonts.describe(missing)} 无法用内置字体显示，"
                        f"已印作「{fonts.PLACEHOLDER}」")
    return shown


def _date(value: Any) -> str:
    if value is None or pd.isna(value):
        return ""
    ts = pd.Timestamp(value)
    return f"{ts.month}月{ts.day}日"


def _flag(value: Any) -> bool:
    return bool(value) if value is not None and not pd.isna(value) else False


def _col(frame: pd.DataFrame, name: str, default: Any = "") -> pd.Series:
    """A detail column of the ledger, or ``default`` where an engine version lacks it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series([default] * len(frame), index=frame.index, dtype=object)


def _group_names(rules) -> dict[str, str]:
    return {c.key: c.group for c in rules.columns}


def _category_name(rules, key: str) -> str:
    for c in rules.categories:
        if c.key == key:
            return c.name
    return key


def _kind_steps(rules, led: pd.DataFrame, warnings: list[str]) -> list[tuple[str, int, str, str]]:
    """(kind, Σ points, clauses, notes) per ledger kind of one unit-quarter, in the method's order."""

    order = {k: i for i, k in enumerate(LEDGER_KINDS)}
    out = []
    kinds = sorted(led["kind"].astype(str).unique(), key=lambda k: (order.get(k, len(order)), k))
    for k in kinds:
        rows = led[led["kind"] == k]
        clauses = "、".join(dict.fromkeys(c for c in rows["clause"].astype(str) if c))
        notes = "；".join(dict.fromkeys(_text(n, warnings, "说明") for n in _col(rows, "note").tolist() if n and not pd.isna(n)))
        out.append((k, int(rows["points"].sum()), clauses, notes))
    return out


def _steps(result, led: pd.DataFrame, q: pd.Series, warnings: list[str]) -> list[Step]:
    """得分计算, line by line, each from the ledger rows of its kind (so Σ moving lines == score).

    R6 K = 重点栏目, I = 信息报送 after R5; R7 B = K + I + C_in, G = min(B, 25); R8 carry-out;
    R9 S = max(G − D, 0) (扣完为止，负分不计); R10/R11 一票否决; R13 奖励; R14 全年封顶.
    """
    rules = result.rules
    groups = _group_names(rules)
    items = led[led["kind"] == "item"]
    item_group = _col(items, "column").astype(str).map(groups)
    key_pts = int(items.loc[item_group == "key", "points"].sum())
    info_pts = int(items.loc[item_group != "key", "points"].sum())
    by_kind = {k: (pts, clause, note) for k, pts, clause, note in _kind_steps(rules, led, warnings)}
    cap_q = fmt(to_milli(rules.caps.quarter.value))
    steps = [
        Step(f"{rules.groups['key'].name}得分", key_pts, rules.groups["key"].clause + "、附件"),
        Step(f"{rules.groups['info'].name}得分", info_pts, rules.groups["info"].clause + "、附件"),
    ]

    def take(kind: str, label: str, note: str = "", style: str = "", always: bool = False,
             clause: str = "") -> None:
        if kind in by_kind or always:
            pts, cl, ledger_note = by_kind.get(kind, (0, clause, ""))
            steps.append(Step(label, pts, cl or clause, note or ledger_note, style=style))

    caps = "、".join(f"{c.column}（{c.level}级）每季度{fmt(to_milli(c.value))}分封顶" for c in rules.column_caps)
    take("column_cap", "栏目封顶核减", caps)
    take("carry_in", "上季度结转", "上季度得满分后继续完成的重点栏目得分", always=True,
         clause=rules.carry_over.clause)
    moved = lambda: sum(s.points for s in steps if s.moves)  # noqa: E731
    steps.append(Step("加分合计", moved(), moves=False, style="subtotal"))
    take("quarter_cap", f"季度封顶核减（每季度最高{cap_q}分）", clause=rules.caps.quarter.clause)
    steps.append(Step(f"计入得分（封顶{cap_q}分）", moved(), moves=False, style="subtotal"))
    steps.append(Step("其中结转下季度", int(q.get("carry_out", 0)), rules.carry_over.clause,
                      "仅重点栏目得分可结转，计入下季度，不计入本季度得分", moves=False, style="info"))
    take("deduction", "扣分", "明细见“扣分及否决事项”", always=True, clause=rules.deductions.clause)
    take("floor", "扣完为止（负分不计）", "扣分超过计入得分的部分不计", style="floored")
    veto_note = _text(q.get("veto_reason", "") or "", warnings, "否决原因")
    take("veto", "一票否决", veto_note, style="veto")
    take("reward", "奖励", _reward_reason(rules))
    take("year_cap", f"全年封顶核减（全年最高{fmt(to_milli(rules.caps.year.value))}分）",
         clause=rules.caps.year.clause)
    known = {"item", "column_cap", "carry_in", "quarter_cap", "deduction", "floor", "veto", "reward", "year_cap"}
    for kind in by_kind:
        if kind not in known:     # a kind a later engine adds still shows, so the sum holds
            take(kind, kind)
    steps.append(Step("本季度得分", moved(), moves=False, style="total"))
    return steps


def _reward_reason(rules) -> str:
    r = rules.reward
    return (f"按时完成目标任务且全年约稿信息被{r.level}录用{r.min_solicited_adoptions}次以上，"
            f"第{r.quarter}季度得分计{fmt(to_milli(r.score))}分")


def _item_lines(result, led: pd.DataFrame, warnings: list[str], limit: int) -> tuple[list[ItemLine], str, int]:
    """Every item that earned in the quarter, then the cap lines; bulk capped items per month.

    附件 序号8 要闻动态 0.5分/条（每季度10分封顶）(R5): a unit can have hundreds of such items. Past
    ``limit`` lines, items of a capped cell (column, level of ``rules.column_caps``) that are first
    adoptions are summed per month (count and points); if that is not enough, so are the other
    lowest-level info items (重点领域 0.5分/条). The cap itself stays its own line, and every item
    stays one row of ledger.csv and scores.xlsx.
    """
    rules = result.rules
    items = led[led["kind"] == "item"].copy()
    n_items = len(items)
    col_order = {k: i for i, k in enumerate(rules.column_keys)}
    items["adopted_ts"] = pd.to_datetime(_col(items, "adopted_on", pd.NaT))
    items["col_rank"] = _col(items, "column").astype(str).map(col_order).fillna(len(col_order))
    items = items.sort_values(["adopted_ts", "col_rank", "ref"], kind="stable")
    grouped_sentence = ""
    bulk = pd.Series(False, index=items.index)
    if n_items > limit:
        first = ~_col(items, "upgrade", False).map(_flag).astype(bool)
        cols = _col(items, "column").astype(str)
        levels = _col(items, "level").astype(str)
        capped = pd.Series(False, index=items.index)
        for c in rules.column_caps:
            capped |= (cols == c.column) & (levels == c.level)
        bulk = capped & first
        months = items["adopted_ts"].dt.month
        if (~bulk).sum() + months[bulk].nunique() > limit:
            # Still too long: every first adoption of an info column at the lowest level, per month.
            info = cols.map(_group_names(rules)) == "info"
            bulk = (capped | (info & (levels == rules.level_keys[0]))) & first
    lines: list[ItemLine] = []
    shown = items[~bulk]
    for r in shown.itertuples(index=False):   # one statement: at most `limit` lines, not a hot path
        up = _flag(getattr(r, "upgrade", False))
        prev = getattr(r, "previous_level", "")
        prev = "" if prev is None or pd.isna(prev) else str(prev)
        kind = f"升级（原{prev}级）" if up and prev else ("升级" if up else "首次录用")
        late_v = getattr(r, "late", None)
        late = "" if late_v is None or pd.isna(late_v) else ("是" if bool(late_v) else "否")
        base = getattr(r, "base_points", None)
        base_s = "" if base is None or pd.isna(base) else fmt(int(base))
        if up and base_s:
            base_s += "（差额）"
        lines.append(ItemLine(_date(r.adopted_ts), str(r.column), _text(getattr(r, "title", ""), warnings, "标题"),
                              str(getattr(r, "level", "")), kind, late, base_s, int(r.points), str(r.clause)))
    if bulk.any():
        b = items[bulk]
        month = b["adopted_ts"].dt.month
        agg = (b.assign(month=month).groupby(["month", "column", "level"], sort=True)
                .agg(n=("points", "size"), pts=("points", "sum"), clause=("clause", "first")))
        for (m, col, lev), row in agg.iterrows():
            lines.append(ItemLine(f"{int(m)}月", str(col), f"本月共 {int(row.n)} 条（按月汇总）", str(lev), "按月汇总",
                                  "", "", int(row.pts), str(row.clause), style="group"))
        lines.sort(key=lambda ln: (ln.date.split("月")[0].rjust(2, "0"), ln.style == "group"))
        grouped_sentence = (f"本季度{'、'.join(sorted({f'{c}（{lv}级）' for c, lv in zip(b['column'], b['level'])}))}"
                            f"稿件共 {int(bulk.sum())} 条，明细单按月汇总列示（条数与得分）；"
                            f"逐条明细见 ledger.csv 与 scores.xlsx。")
    for r in led[led["kind"] == "column_cap"].itertuples(index=False):
        col = getattr(r, "column", "")
        lines.append(ItemLine("", "" if pd.isna(col) else str(col), "栏目封顶核减", str(getattr(r, "level", "") or ""),
                              "封顶核减", "", "", int(r.points), str(r.clause), style="cap"))
    for r in led[led["kind"] == "quarter_cap"].itertuples(index=False):
        lines.append(ItemLine("", "", "季度封顶核减", "", "封顶核减", "", "", int(r.points), str(r.clause), style="cap"))
    return lines, grouped_sentence, n_items


def _event_lines(result, led: pd.DataFrame, warnings: list[str]) -> list[EventLine]:
    """三(二) 扣分细则 and 一票否决: every event of the quarter with its penalty and clause."""
    events = led[led["kind"].isin(["deduction", "veto"])]
    names = {k: e.name for k, e in result.rules.events.items()}
    out = []
    for r in events.itertuples(index=False):
        etype = getattr(r, "event_type", "")
        etype = "" if etype is None or pd.isna(etype) else str(etype)
        note = _text(getattr(r, "note", ""), warnings, "说明")
        name = names.get(etype, etype)
        what = note if note.startswith(name) else "：".join(p for p in (name, note) if p)
        what = what or ("一票否决" if r.kind == "veto" else "扣分")
        cnt = getattr(r, "count", None)
        cnt = None if r.kind == "veto" else cnt
        when = getattr(r, "event_date", None)
        out.append(EventLine(_date(when), what, "" if cnt is None or pd.isna(cnt) else str(int(cnt)),
                             int(r.points), str(r.clause), veto=r.kind == "veto"))
    return out


def _target_lines(result, unit_id: str) -> list[TargetLine]:
    """R12 年度目标任务: done / target per column through the run's quarter."""
    t = result.targets
    if t is None or not len(t):
        return []
    t = t[t["unit_id"] == unit_id]
    col_order = {k: i for i, k in enumerate(result.rules.column_keys)}
    t = t.assign(col_rank=t["column"].astype(str).map(col_order)).sort_values(["col_rank", "column"], kind="stable")
    out = []
    for r in t.itertuples(index=False):
        met, lag = _flag(r.met), _flag(r.lagging)
        status = "已完成" if met else ("进度滞后" if lag else "进行中")
        if result.quarter == 4 and not met:
            status = "未完成"
        out.append(TargetLine(str(r.column), int(r.target), int(r.done), int(r.done_on_time), status, lag))
    return out


def statement_data(result, unit_id: str, quarter: int | None = None, *,
                   item_limit: int = ITEM_LINES_LIMIT, ledger: pd.DataFrame | None = None) -> Statement:
    """The statement of one unit for one quarter (default: the run's quarter), from the ledger.

    Raises ScoringError when the unit is not in the register, or when the ledger lines do not add
    up to the unit's score (an engine defect: the statement would mislead).
    """
    quarter = int(quarter or result.quarter)
    q_all = result.quarterly
    qrow = q_all[(q_all["unit_id"] == unit_id) & (q_all["quarter"] == quarter)]
    if len(qrow) != 1:
        raise ScoringError(f"单位「{unit_id}」在{result.year}年{quarter_zh(quarter)}没有得分记录")
    q = qrow.iloc[0]
    warnings: list[str] = []
    # ``ledger``: the unit's rows of the quarter, already cut (render_all splits the ledger once).
    led = result.ledger if ledger is None else ledger
    led = led[(led["unit_id"] == unit_id) & (led["quarter"] == quarter) & (led["year"] == result.year)]
    steps = _steps(result, led, q, warnings)
    items, grouped, n_items = _item_lines(result, led, warnings, item_limit)
    stmt_score = int(led["points"].sum())
    if stmt_score != int(q["score"]):
        raise ScoringError(f"单位「{unit_id}」明细合计 {fmt(stmt_score)} 分与本季度得分 {fmt(int(q['score']))} 分不符，"
                           f"请检查计分结果")
    units = result.units
    urow = units[units["unit_id"] == unit_id]
    informant = urow["informant"].iloc[0] if len(urow) and "informant" in urow.columns else ""
    same_cat = q_all[(q_all["quarter"] == quarter) & (q_all["category"] == q["category"])]
    return Statement(
        unit_id=_text(unit_id, warnings, "单位编码"),
        unit_name=_text(q["unit_name"], warnings, "单位名称"),
        category=_category_name(result.rules, str(q["category"])),
        informant=_text(informant, warnings, "信息员"),
        year=int(result.year), quarter=quarter,
        steps=tuple(steps), items=tuple(items),
        events=tuple(_event_lines(result, led, warnings)),
        targets=tuple(_target_lines(result, unit_id)) if quarter == result.quarter else (),
        score=int(q["score"]), ytd_total=int(q["ytd_total"]), rank=int(q["rank"]), ytd_rank=int(q["ytd_rank"]),
        category_size=int(len(same_cat)), carry_out=int(q["carry_out"]), adopted=n_items, grouped=grouped,
        veto_reason=_text(q.get("veto_reason", ""), warnings, "否决原因"),
        warnings=tuple(dict.fromkeys(warnings)),
    )


# ---- HTML ---------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _env():

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                             keep_trailing_newline=True)
    env.filters["pts"] = fmt
    env.filters["signed"] = lambda m: ("+" if int(m) > 0 else "") + fmt(m)
    env.filters["clause"] = _clause_shown
    return env


def _clause_shown(clause: str) -> str:
    """A bare part number (一 = 一、概述) reads as a dash in a table cell: say 办法第一部分."""
    return f"第{clause}部分" if clause in ("一", "二", "三", "四", "五", "六") else clause




def _section(stmt: Statement, rules, issuer: str, issue: _dt.date) -> str:
    return _env().get_template("statement.html.j2").render(
        s=stmt, quarter_zh=quarter_zh(stmt.quarter), rules_title=rules.meta.title, topic=rules.meta.topic,
        issuer=issuer, issue_zh=zh_date(issue), anchor=_anchor(stmt.unit_id))


def _anchor(unit_id: str) -> str:
    # Named destinations survive in the PDF; ids must be plain ASCII to be found again.
    return "unit-" + unit_id.encode("utf-8").hex()
