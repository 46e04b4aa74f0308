"""得分明细单: one statement per unit and quarter, built from the Result.

A statement retells, for one unit, the ledger rows of one quarter: every item that earned (with its
稿件编号, each adoption with its level and date, the dates that made it late), every cap, carry,
deduction, floor, veto and reward, in the order the method applies them, so that the figures a
unit head reads add up to the score printed in the bulletin (they are the same ledger rows). A
fourth-quarter statement also says, in words, whether the year-end reward was granted and why, the
annual total, the rank and 优胜单位.

It is an official document: it cites the method's own numbering only (一, 三(一)1, 附件 序号8),
never the project's readings or file names. Content only (:func:`statement_data`, each unit's
HTML section and its item rows for the unit's workbook); scoring.render.statements lays them out.
"""
from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd

from scoring.errors import ScoringError
from scoring.method.calendar import period_end, quarter_zh, zh_date
from scoring.method.points import fmt, to_milli
from scoring.method.result import LEDGER_KINDS
from scoring.report import glyphs as fonts
from scoring.report.wording import environment

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "statement"
# A capped cell (要闻动态 at 溧阳市) with at least this many plain items (one adoption, on time, no
# upgrade) lists them in the compact table, two items to a row; fewer stay in the item table.
COMPACT_FROM = 10
QUARTERS_PER_YEAR = 4


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
    """One item of the quarter (or a cap line): what a unit needs to find it and check its points."""

    ref: str                    # 稿件编号
    title: str
    column: str
    level: str                  # the level it earned at
    adoptions: str              # 「溧阳市 1月22日 → 常州市 3月4日」
    kind: str                   # 首次录用 / 升级（原常州市级，计差额） / 不重复计分 / 封顶核减
    late: str                   # "" or 「报送 11月10日，计划 11月5日」 / 「录用记录标注超时」
    base: str                   # the table value, e.g. "0.5", "10（差额 5）"
    points: int
    clause: str
    style: str = ""             # "" | "cap" | "none" (earned nothing)
    date: str = ""              # the adoption that earned, 「10月3日」
    adopted_on: str = ""        # the same, ISO, for the workbook
    submitted_on: str = ""
    due_on: str = ""


@dataclass(frozen=True)
class CompactList:
    """The plain items of one capped cell, e.g. 要闻动态 at 溧阳市, listed two to a row."""

    column: str
    level: str
    value: str                  # "0.5"
    cap: str                    # "10"
    clause: str
    items: tuple[ItemLine, ...]
    cut: int = 0                # the cap's cut this quarter (≤ 0), shown on its own line above

    @property
    def points(self) -> int:
        return sum(i.points for i in self.items)

    @property
    def pairs(self) -> list[tuple[ItemLine, ItemLine | None]]:
        it = list(self.items)
        return [(it[i], it[i + 1] if i + 1 < len(it) else None) for i in range(0, len(it), 2)]


@dataclass(frozen=True)
class EventLine:
    date: str
    what: str
    note: str                   # the 说明 typed for the event
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
    met_on_time: bool = False


@dataclass(frozen=True)
class Condition:
    """One condition of the year-end reward (三(一)2), met or not, said in words."""

    what: str
    met: bool
    detail: str


@dataclass(frozen=True)
class YearEnd:
    """四、五 and 三(一)2 for a fourth-quarter statement."""

    reward: bool
    reward_text: str            # the sentence: granted or not, and why
    conditions: tuple[Condition, ...]
    total: int
    rank: int
    category: str
    category_size: int
    winner: bool
    winners: int                # the category's number of 优胜单位
    winner_text: str
    vetoes: tuple[str, ...]     # every veto of the year, with its 说明
    carry_text: str             # Q4's carry: 年末清零
    informants_text: str = ""   # 优秀信息员 of the unit, or why its informants are not eligible


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
    compact: tuple[CompactList, ...]
    events: tuple[EventLine, ...]
    targets: tuple[TargetLine, ...]
    score: int
    ytd_total: int
    rank: int
    ytd_rank: int
    category_size: int
    carry_out: int
    adopted: int                # items that earned this quarter
    year_end: YearEnd | None = None
    veto_reason: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def moved(self) -> int:
        """Σ of the step lines that move the score: equals ``score`` (checked when built)."""
        return sum(s.points for s in self.steps if s.moves)

    @property
    def all_items(self) -> tuple[ItemLine, ...]:
        """Every item line, the compact lists' too, in the order of the item table then the lists."""
        return tuple(i for i in self.items if i.style != "cap") + tuple(i for c in self.compact for i in c.items) \
            + tuple(i for i in self.items if i.style == "cap")


# ---- helpers ------------------------------------------------------------------------------------
def _blank(value: Any) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value))) or value == ""


def _text(value: Any, warnings: list[str], what: str) -> str:
    """Untrusted text → printable text; glyphs the bundled fonts lack become 〓 and are reported."""
    if _blank(value):
        return ""
    shown, missing = fonts.drawable(str(value))
    if missing:
        warnings.append(f"得分明细单（{what}）：字符 {fonts.describe(missing)} 无法用内置字体显示，"
                        f"已印作「{fonts.PLACEHOLDER}」")
    return shown


def _day(value: Any, year: int) -> str:
    """「1月22日」 within the statement's year, 「2022年12月1日」 otherwise."""
    if _blank(value):
        return ""
    ts = pd.Timestamp(value)
    return f"{ts.month}月{ts.day}日" if ts.year == year else f"{ts.year}年{ts.month}月{ts.day}日"


def _iso(value: Any) -> str:
    return "" if _blank(value) else pd.Timestamp(value).date().isoformat()


def _flag(value: Any) -> bool:
    return bool(value) if not _blank(value) else False


def _col(frame: pd.DataFrame, name: str, default: Any = "") -> pd.Series:
    """A detail column, or ``default`` where a hand-built table lacks it."""
    if name in frame.columns:
        return frame[name]
    return pd.Series([default] * len(frame), index=frame.index, dtype=object)


def _full_width(text: str) -> str:
    return text.replace("(", "（").replace(")", "）")


def _category_name(rules, key: str) -> str:
    for c in rules.categories:
        if c.key == key:
            return _full_width(c.name)
    return _full_width(key)


def _kind_sums(led: pd.DataFrame) -> dict[str, tuple[int, str]]:
    """(Σ points, clauses) per ledger kind of one unit-quarter."""
    out = {}
    for k, rows in led.groupby(led["kind"].astype(str), sort=False):
        clauses = "、".join(dict.fromkeys(c for c in rows["clause"].astype(str) if c))
        out[k] = (int(rows["points"].sum()), clauses)
    return out


# ---- 一、得分计算 ---------------------------------------------------------------------------------
def _steps(result, led: pd.DataFrame, q: pd.Series, year_end: YearEnd | None, veto_text: str) -> list[Step]:
    """得分计算, line by line, each from the ledger rows of its kind (so Σ moving lines == score):
    重点栏目 + 信息报送 − 栏目封顶 + 上季度结转 = 加分合计; − 季度封顶 = 计入得分 (三(一)1, 一);
    − 扣分, 扣完为止 (三(二)1); 一票否决 (三(二)2); 奖励 (三(一)2)."""
    rules = result.rules
    groups = {c.key: c.group for c in rules.columns}
    items = led[led["kind"] == "item"]
    item_group = _col(items, "column").astype(str).map(groups)
    key_pts = int(items.loc[item_group == "key", "points"].sum())
    info_pts = int(items.loc[item_group != "key", "points"].sum())
    by_kind = _kind_sums(led)
    cap_q = fmt(to_milli(rules.caps.quarter.value))
    steps = [
        Step(f"{rules.groups['key'].name}得分", key_pts, rules.groups["key"].clause + "、附件",
             "明细见“二、本季度计分稿件”"),
        Step(f"{rules.groups['info'].name}得分", info_pts, rules.groups["info"].clause + "、附件"),
    ]

    def take(kind: str, label: str, note: str = "", style: str = "", always: bool = False,
             clause: str = "") -> None:
        if kind in by_kind or always:
            pts, cl = by_kind.get(kind, (0, clause))
            steps.append(Step(label, pts, cl or clause, note, style=style))

    caps = "、".join(f"{c.column}（{c.level}级）每季度{fmt(to_milli(c.value))}分封顶" for c in rules.column_caps)
    take("column_cap", "栏目封顶核减", caps)
    take("carry_in", "上季度结转", "上季度得满分后继续完成的重点栏目得分", always=True,
         clause=rules.carry_over.clause)
    moved = lambda: sum(s.points for s in steps if s.moves)  # noqa: E731
    steps.append(Step("加分合计", moved(), moves=False, style="subtotal"))
    take("quarter_cap", f"季度封顶核减（每季度最高{cap_q}分）", clause=rules.caps.quarter.clause)
    steps.append(Step(f"计入得分（封顶{cap_q}分）", moved(), moves=False, style="subtotal"))
    carry = int(q.get("carry_out", 0))
    if year_end is not None:
        steps.append(Step("超出封顶的重点栏目得分", carry, rules.carry_over.clause, year_end.carry_text,
                          moves=False, style="info"))
    else:
        steps.append(Step("其中结转下季度", carry, rules.carry_over.clause,
                          "仅重点栏目得分可结转，计入下季度，不计入本季度得分", moves=False, style="info"))
    take("deduction", "扣分", "明细见“三、扣分及否决事项”", always=True, clause=rules.deductions.clause)
    take("floor", "扣完为止（负分不计）", "扣分超过计入得分的部分不计", style="floored")
    take("veto", "一票否决", veto_text, style="veto")
    take("reward", "奖励", year_end.reward_text if year_end is not None else _reward_rule(rules))
    ycut = -int(_col(led[led["kind"] == "year_cap"], "ytd_points", 0).fillna(0).sum()) if "year_cap" in by_kind else 0
    take("year_cap", f"全年封顶核减（全年最高{fmt(to_milli(rules.caps.year.value))}分）",
         f"只减全年累计分（减 {fmt(ycut)} 分），本季度得分不变", clause=rules.caps.year.clause)
    known = set(LEDGER_KINDS) - {"item"}
    for kind in by_kind:
        if kind not in known and kind != "item":   # a kind a later engine adds still shows, so the sum holds
            take(kind, kind)
    steps.append(Step("本季度得分", moved(), moves=False, style="total"))
    return steps


def _reward_rule(rules) -> str:
    r = rules.reward
    return (f"按时完成目标任务且全年约稿信息被省政府网站（{r.level}级）录用{r.min_solicited_adoptions}次以上，"
            f"{quarter_zh(r.quarter)}得分计{fmt(to_milli(r.score))}分")


# ---- 二、本季度计分稿件 --------------------------------------------------------------------------
@dataclass(frozen=True)
class _Adoption:
    record_id: str
    column: str
    level: str
    title: str
    adopted_on: Any             # pd.Timestamp
    submitted_on: Any
    due_on: Any
    late: bool


def _adoption_records(adoptions: pd.DataFrame, end: pd.Timestamp) -> dict[str, list[_Adoption]]:
    """The unit's adoption rows dated before ``end``, per record id, in R2's order (plain records:
    a statement walks them one by one)."""
    if not len(adoptions):
        return {}
    a = adoptions[pd.to_datetime(adoptions["adopted_on"]) < end]
    cols = [a[c].tolist() if c in a.columns else [None] * len(a) for c in
            ("record_id", "column", "level", "title", "adopted_on", "submitted_on", "due_on", "late")]
    out: dict[str, list[_Adoption]] = {}
    for rec, col, lv, title, ad, sub, due, late in zip(*cols):
        out.setdefault(str(rec), []).append(_Adoption(str(rec), str(col), str(lv), "" if _blank(title) else str(title),
                                                      ad, sub, due, _flag(late)))
    return out


def _adoption_text(rows: list[_Adoption], year: int) -> str:
    return " → ".join(f"{r.level} {_day(r.adopted_on, year)}" for r in rows)


def _late_text(rows: list[_Adoption], year: int) -> tuple[str, str, str]:
    """The dates that made an item late (三(一)1): each late row's 报送日期 and 计划完成日期."""
    parts, sub, due = [], "", ""
    for r in rows:
        if not r.late:
            continue
        if not _blank(r.submitted_on) and not _blank(r.due_on):
            parts.append(f"报送 {_day(r.submitted_on, year)}，计划 {_day(r.due_on, year)}")
            sub, due = sub or _iso(r.submitted_on), due or _iso(r.due_on)
        else:
            parts.append("录用记录标注超时")
    return "；".join(dict.fromkeys(parts)), sub, due


def _item_lines(result, led: pd.DataFrame, adoptions: pd.DataFrame, quarter: int,
                warnings: list[str]) -> tuple[list[ItemLine], list[CompactList], int]:
    """Every item of the quarter: those that earned (one line each, with every adoption), the ones
    adopted in the quarter that earned nothing (附件 注 不重复计算), the cap lines; the plain items of
    a capped cell in compact lists when there are many."""
    rules, year = result.rules, int(result.year)
    end = period_end(year, quarter)
    by_rec = _adoption_records(adoptions, end)
    col_order = {k: i for i, k in enumerate(rules.column_keys)}
    items = led[led["kind"] == "item"].copy()
    items["adopted_ts"] = pd.to_datetime(_col(items, "adopted_on", pd.NaT))
    items["col_rank"] = _col(items, "column").astype(str).map(col_order).fillna(len(col_order))
    items = items.sort_values(["col_rank", "adopted_ts", "ref"], kind="stable")
    lines: list[ItemLine] = []
    for r in items.itertuples(index=False):
        ref = str(r.ref)
        rows = by_rec.get(ref, [])
        up = _flag(getattr(r, "upgrade", False))
        prev = getattr(r, "previous_level", "")
        prev = "" if _blank(prev) else str(prev)
        kind = (f"升级（原{prev}级，计差额）" if prev else "升级（计差额）") if up else "首次录用"
        late_text, sub, due = _late_text(rows, year) if _flag(getattr(r, "late", False)) else ("", "", "")
        if _flag(getattr(r, "late", False)) and not late_text:
            late_text = "超时"
        base = getattr(r, "base_points", None)
        base_s = "" if _blank(base) else fmt(int(base))
        adopted = _adoption_text(rows, year) if rows else f"{getattr(r, 'level', '')} {_day(r.adopted_ts, year)}"
        lines.append(ItemLine(
            ref=_text(ref, warnings, "稿件编号"), title=_text(getattr(r, "title", ""), warnings, "标题"),
            column=str(r.column), level=str(getattr(r, "level", "")), adoptions=adopted, kind=kind,
            late=late_text, base=base_s, points=int(r.points), clause=str(r.clause),
            date=_day(r.adopted_ts, year), adopted_on=_iso(r.adopted_ts), submitted_on=sub, due_on=due))
    n_earned = len(lines)

    # Adopted in the quarter, earned nothing: already earned at that level or higher (附件 注), or
    # first adopted in an earlier year.
    earned_refs = set(items["ref"].astype(str))
    start = period_end(year, quarter - 1) if quarter > 1 else pd.Timestamp(year, 1, 1)
    for ref in sorted(by_rec):
        rows = by_rec[ref]
        now = [r for r in rows if pd.Timestamp(r.adopted_on) >= start]
        if ref in earned_refs or not now:
            continue
        first_year = pd.Timestamp(rows[0].adopted_on).year
        why = (f"{first_year}年已录用，不计入本年得分" if first_year < year else "已按同级或更高级别计分，不重复计算")
        last = now[-1]
        lines.append(ItemLine(
            ref=_text(ref, warnings, "稿件编号"), title=_text(rows[0].title, warnings, "标题"),
            column=last.column, level=last.level, adoptions=_adoption_text(rows, year),
            kind=why, late="", base="", points=0, clause=rules.upgrades.clause, style="none",
            date=_day(last.adopted_on, year), adopted_on=_iso(last.adopted_on)))

    compact: list[CompactList] = []
    for cap in rules.column_caps:
        plain = [i for i, ln in enumerate(lines[:n_earned])
                 if ln.column == cap.column and ln.level == cap.level and ln.kind == "首次录用"
                 and not ln.late and "→" not in ln.adoptions]
        if len(plain) >= COMPACT_FROM:
            value = rules.points_table_milli()[(cap.column, cap.level)]
            chosen = [lines[i] for i in plain]
            compact.append(CompactList(cap.column, cap.level, fmt(value), fmt(to_milli(cap.value)), cap.clause,
                                       tuple(sorted(chosen, key=lambda ln: (ln.adopted_on, ln.ref)))))
            drop = set(plain)
            lines = [ln for i, ln in enumerate(lines) if i not in drop]
            n_earned -= len(drop)

    cuts = led[led["kind"] == "column_cap"]
    compact = [CompactList(c.column, c.level, c.value, c.cap, c.clause, c.items,
                           int(cuts.loc[_col(cuts, "column").astype(str) == c.column, "points"].sum()))
               for c in compact]
    for r in cuts.itertuples(index=False):
        col = getattr(r, "column", "")
        lev = getattr(r, "level", "")
        lines.append(ItemLine("", "栏目封顶核减", "" if _blank(col) else str(col), "" if _blank(lev) else str(lev),
                              "", "封顶核减", "", "", int(r.points), str(r.clause), style="cap"))
    return lines, compact, int((led["kind"] == "item").sum())


# ---- 三、扣分及否决事项 -------------------------------------------------------------------------
def _event_lines(result, led: pd.DataFrame, warnings: list[str]) -> list[EventLine]:
    """三(二) 扣分细则 and 一票否决: every event of the quarter with its penalty, clause and 说明."""
    events = led[led["kind"].isin(["deduction", "veto"])]
    rules = result.rules
    out = []
    for r in events.itertuples(index=False):
        etype = getattr(r, "event_type", "")
        etype = "" if _blank(etype) else str(etype)
        ev = rules.events.get(etype)
        note = _text(getattr(r, "note", ""), warnings, "说明")
        if ev is not None:
            what = ev.name
            note = "" if note == ev.name else note
        else:           # a veto without an event: unmet targets, the engine's reason
            what, note = ("未完成年度目标任务" if r.kind == "veto" else "扣分"), note
        if r.kind == "veto":
            what += "（一票否决）"
        cnt = None if r.kind == "veto" else getattr(r, "count", None)
        out.append(EventLine(_day(getattr(r, "event_date", None), int(result.year)), what, note,
                             "" if _blank(cnt) else str(int(cnt)), int(r.points), str(r.clause),
                             veto=r.kind == "veto"))
    return out


# ---- 四、年度目标任务 and the year end ----------------------------------------------------------
def _target_lines(result, unit_id: str) -> list[TargetLine]:
    """年度目标任务: done / target per column through the run's quarter (三(二)2(2), 三(一)2)."""
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
        if result.quarter == QUARTERS_PER_YEAR and not met:
            status = "未完成"
        out.append(TargetLine(str(r.column), int(r.target), int(r.done), int(r.done_on_time), status, lag,
                              int(r.done_on_time) >= int(r.target)))
    return out


def _year_end(result, unit_id: str, q: pd.Series, targets: list[TargetLine], warnings: list[str]) -> YearEnd:
    """三(一)2 奖励, 四 年度累计得分与排名, 五 优胜单位, for a fourth-quarter statement."""
    rules = result.rules
    r = rules.reward
    a = result.annual
    arow = a[a["unit_id"] == unit_id]
    arow = arow.iloc[0] if len(arow) else None
    get = lambda k, d: d if arow is None or k not in arow.index or _blank(arow[k]) else arow[k]  # noqa: E731
    qs = result.quarterly
    mine = qs[qs["unit_id"] == unit_id].sort_values("quarter")
    annual_veto = bool(get("annual_veto", False))
    vetoes = []
    if annual_veto:
        vetoes.append("年度一票否决：" + _text(get("veto_reason", ""), warnings, "否决原因"))
    for row in mine.itertuples(index=False):
        if _flag(row.quarter_veto):
            # Under an annual veto a quarter's reason is the year's: the quarter is named only.
            vetoes.append(f"{quarter_zh(int(row.quarter))}另有季度一票否决（已随全年归零）" if annual_veto else
                          f"{quarter_zh(int(row.quarter))}一票否决：" + _text(row.veto_reason, warnings, "否决原因"))
    any_veto = annual_veto or bool(mine["quarter_veto"].map(_flag).any())

    on_time = all(t.met_on_time for t in targets)
    per_col = "；".join(f"{t.column}目标 {t.target} 条，按时完成 {t.done_on_time} 条"
                       f"（{'达到' if t.met_on_time else '未达到'}）" for t in targets)
    n_sol = int(get("solicited", 0))
    conditions = (
        Condition("按时完成年度目标任务", on_time, per_col or "本单位无年度目标任务"),
        Condition(f"省政府网站录用约稿信息（须{r.min_solicited_adoptions}条以上）",
                  n_sol >= r.min_solicited_adoptions, f"全年 {n_sol} 条"),
        Condition("全年无一票否决", not any_veto, "无" if not any_veto else "；".join(vetoes)),
    )
    granted = _flag(q.get("reward_granted", get("reward", False)))
    score_r = fmt(to_milli(r.score))
    if granted:
        reward_text = (f"获得年度奖励（三(一)2）：按时完成目标任务，省政府网站录用约稿信息 {n_sol} 条，全年无一票否决，"
                       f"第四季度得分计{score_r}分")
        if int(q.get("reward", 0)) == 0:
            reward_text += f"（本季度得分已为{score_r}分，未另加分）"
    else:
        missing = [c.what for c in conditions if not c.met]
        reward_text = "未获得年度奖励（三(一)2）：" + "、".join(
            {"按时完成年度目标任务": "未按时完成年度目标任务",
             f"省政府网站录用约稿信息（须{r.min_solicited_adoptions}条以上）":
                 f"省政府网站录用约稿信息 {n_sol} 条，不足{r.min_solicited_adoptions}条",
             "全年无一票否决": "全年有一票否决"}[m] for m in missing)
    cat = str(q["category"])
    n_win = next((c.winners for c in rules.categories if c.key == cat), 0)
    same = a[a["category"] == cat] if len(a) else a
    total, rank, winner = int(get("total", q["ytd_total"])), int(get("rank", q["ytd_rank"])), bool(get("winner", False))
    cat_name = _category_name(rules, cat)
    if winner:
        winner_text = f"全年累计 {fmt(total)} 分，{cat_name}第 {rank} 名，评为{result.year}年度优胜单位（五）。"
    else:
        why = ("全年累计得分为0" if total == 0 else f"{cat_name}评选前 {n_win} 名")
        winner_text = f"全年累计 {fmt(total)} 分，{cat_name}第 {rank} 名，未评为优胜单位（{why}）。"
    carry = int(q.get("carry_out", 0))
    carry_text = ("第四季度超出封顶的重点栏目得分不结转至下一年度，年末清零" if not rules.carry_over.across_years
                  else "结转至下一年度第一季度")
    if carry == 0:
        carry_text = "无" + ("（年末清零）" if not rules.carry_over.across_years else "")
    return YearEnd(reward=granted, reward_text=reward_text, conditions=conditions, total=total, rank=rank,
                   category=cat_name, category_size=int(len(same)), winner=winner, winners=n_win,
                   winner_text=winner_text, vetoes=tuple(vetoes), carry_text=carry_text,
                   informants_text=_informants_text(result, unit_id, warnings))


def _informants_text(result, unit_id: str, warnings: list[str]) -> str:
    """五 优秀信息员 for one unit: who was named, or that its informants were not eligible."""
    inf = result.informants
    if inf is None or not len(inf):
        return ""
    mine = inf[inf["unit_id"].astype(str) == unit_id]
    if "eligible" in mine.columns and len(mine) and not mine["eligible"].map(_flag).all():
        return "本单位本年度有涉密信息上网一票否决，信息员不参加优秀信息员评选（三(二)2(3)）。"
    best = mine[mine["excellent"].map(_flag)]
    if not len(best):
        return ""
    names = "、".join(f"{_text(r.informant, warnings, '信息员')}（全年信息得分 {fmt(int(r.points))} 分，第 {int(r.rank)} 名）"
                     for r in best.itertuples(index=False))
    return f"本单位信息员{names}评为{result.year}年度优秀信息员（五）。"


# ---- the statement --------------------------------------------------------------------------------
def statement_data(result, unit_id: str, quarter: int | None = None, *,
                   ledger: pd.DataFrame | None = None, adoptions: pd.DataFrame | None = None) -> Statement:
    """The statement of one unit for one quarter (default: the run's quarter), from the Result.

    ``ledger`` / ``adoptions``: the unit's rows, already cut (render_all splits the tables once).
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
    led = result.ledger if ledger is None else ledger
    led = led[(led["unit_id"] == unit_id) & (led["quarter"] == quarter) & (led["year"] == result.year)]
    adopt = result.adoptions if adoptions is None else adoptions
    adopt = adopt[adopt["unit_id"] == unit_id] if len(adopt) else adopt
    targets = _target_lines(result, unit_id) if quarter == result.quarter else []
    year_end = (_year_end(result, unit_id, q, targets, warnings)
                if quarter == result.quarter == QUARTERS_PER_YEAR else None)
    veto_text = _text(q.get("veto_reason", ""), warnings, "否决原因")
    steps = _steps(result, led, q, year_end, veto_text)
    items, compact, n_items = _item_lines(result, led, adopt, quarter, warnings)
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
        steps=tuple(steps), items=tuple(items), compact=tuple(compact),
        events=tuple(_event_lines(result, led, warnings)), targets=tuple(targets),
        score=int(q["score"]), ytd_total=int(q["ytd_total"]), rank=int(q["rank"]), ytd_rank=int(q["ytd_rank"]),
        category_size=int(len(same_cat)), carry_out=int(q["carry_out"]), adopted=n_items,
        year_end=year_end, veto_reason=veto_text, warnings=tuple(dict.fromkeys(warnings)),
    )


# ---- the unit's workbook: the same item rows ----------------------------------------------------
ITEM_SHEET_HEADERS: tuple[str, ...] = ("稿件编号", "标题", "栏目", "级别", "录用情况", "计分方式", "超时情况",
                                       "报送日期", "计划完成日期", "表定分值", "得分", "依据条款")


def item_rows(stmt: Statement) -> list[tuple]:
    """The statement's item lines as the rows of the unit's workbook (ITEM_SHEET_HEADERS), every
    item one row, the compact lists' too; points as numbers."""
    out = []
    for i in stmt.all_items:
        out.append((i.ref, i.title, i.column, i.level, i.adoptions, i.kind, i.late, i.submitted_on, i.due_on,
                    i.base, Decimal(i.points) / 1000, i.clause))
    return out


# ---- HTML ---------------------------------------------------------------------------------------
def _section(stmt: Statement, rules, issuer: str, issue: _dt.date, sample: bool = False) -> str:
    """The statement as HTML; ``sample``: computed from the sample data (stamped above the title)."""
    return environment(TEMPLATE_DIR).get_template("statement.html.j2").render(
        s=stmt, quarter_zh=quarter_zh(stmt.quarter), rules_title=rules.meta.title, topic=rules.meta.topic,
        issuer=issuer, issue_zh=zh_date(issue), anchor=_anchor(stmt.unit_id), sample=sample)


def _anchor(unit_id: str) -> str:
    # Named destinations survive in the PDF; ids must be plain ASCII to be found again.
    return "unit-" + unit_id.encode("utf-8").hex()
