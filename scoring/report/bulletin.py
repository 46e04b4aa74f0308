"""The quarterly bulletin (季度通报): its sections in order, and what each section shows.

:data:`SECTIONS` is the bulletin, part by part, in reading order: key, heading, content function,
template, the quarters it appears in. Everything that prints the bulletin walks that one list:
the notebook (one cell per section, :func:`render_section`), hence bulletin.html and bulletin.pdf,
and the Word copy (scoring.render.docx, :func:`document`). Sections are numbered 一、二、… once,
from the list, whatever optional sections an issue leaves out (:func:`numbering`).

A content function computes a section's figures and rows from the Result (every point shown with
:func:`scoring.method.points.fmt`, never rounded; every piece of input text made drawable, 〓 for
glyphs the bundled fonts lack); the section's template (templates/bulletin/<key>.j2) says the
sentences. Shape and wording follow shared/spec/bulletin.md.
"""
from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import pandas as pd

from scoring.method.calendar import YEAR_END_QUARTER, default_issue_date, quarter_name, zh_date
from scoring.method.points import fmt, to_milli
from scoring.method.result import Result
from scoring.report import charts
from scoring.report.charts import Chart, ChartRef
from scoring.report.glyphs import drawable
from scoring.report.sections import Block, Row, Rows, Section, lay_out, number_captions, to_html
from scoring.report.sections import numbering as _numbering

DASH = "—"          # "no comparable figure" (first quarter's change; a column without a target)
# What every document computed from the sample data says (the title and statement templates say it too).
SAMPLE_STAMP = "样例数据，非正式通报"
TOTAL = "合计"
LAGGING = "进度滞后"
ON_PACE = "正常"
# Row marks: why a row's 计入得分 − 扣分 ≠ 本季得分 (the templates say what each means).
MARKS = {"veto": "▲", "floored": "※", "reward": "★", "before_cap": "†"}


# ---- the issue's parameters ---------------------------------------------------------------------
@dataclass(frozen=True)
class Issue:
    """What this issue says about itself (the notebook's parameters): 期号, date, 文号, issuer
    (落款), 抄送, 下一步工作要求 (paragraphs separated by blank lines); ``sample``: computed from the
    sample data (stamped 样例数据，非正式通报); ``corrections``: the figures changed since the published
    version (更正说明), one mapping per unit and quarter with the columns of changes.csv."""
    number: str
    date: _dt.date
    doc_number: str = ""
    issuer: str = ""
    cc: str = ""
    next_steps: str = ""
    sample: bool = False
    corrections: tuple[Mapping[str, str], ...] = ()


def issue(result: Result, *, issue_number: object = "", issue_date: object = "", doc_number: str = "",
          cc: str = "", next_steps: str = "", issuer: str = "", sample_data: bool = False,
          corrections: Sequence[Mapping[str, Any]] = ()) -> Issue:
    """The issue's parameters, defaults filled in: number = the quarter's, date = the 10th of the
    month after the quarter (never today), issuer = the rules file's ``meta.issuer``."""
    if isinstance(issue_date, _dt.date):
        date = issue_date
    elif str(issue_date or "").strip():
        date = _dt.date.fromisoformat(str(issue_date).strip()[:10])
    else:
        date = default_issue_date(int(result.year), int(result.quarter))
    return Issue(number=str(issue_number if issue_number is not None else "").strip() or str(result.quarter),
                 date=date, doc_number=doc_number_brackets(str(doc_number or "").strip()),
                 issuer=str(issuer or "").strip() or result.rules.meta.issuer,
                 cc=str(cc or "").strip(), next_steps=str(next_steps or ""), sample=bool(sample_data),
                 corrections=tuple({k: str(v) for k, v in row.items()} for row in corrections or ()))


# The year of a 发文字号 in any bracket a user may type: [2023] ［2023］ (2023) （2023） 【2023】 〔2023〕.
_DOC_YEAR = re.compile(r"[\[［(（【〔〖]\s*(\d{4})\s*[\]］)）】〕〗]")


def doc_number_brackets(text: str) -> str:
    """A 发文字号 with its year in 〔〕 as GB/T 9704 7.2.4 writes it: 溧大数[2023]3号 → 溧大数〔2023〕3号."""
    return _DOC_YEAR.sub(r"〔\1〕", text)


# ---- small helpers --------------------------------------------------------------------------------
def _t(value: object) -> str:
    """Input text as printed: "" for a missing value, 〓 for a glyph the bundled fonts lack."""
    s = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return drawable(s)[0]


def _num(milli: object) -> str:
    return fmt(int(milli))


def _cap(result: Result) -> str:
    return fmt(to_milli(result.rules.caps.quarter.value))


def _change(now: int, before: int | None) -> str:
    if before is None:
        return DASH
    d = now - before
    return f"+{d}" if d > 0 else str(d)


def _rows(rows: list[Row], numeric: set[int]) -> Rows:
    return Rows(tuple(rows), frozenset(numeric))


def _present_categories(result: Result) -> list:
    present = set(result.quarterly["category"])
    return [c for c in result.rules.categories if c.key in present]


def _category_names(result: Result) -> dict[str, str]:
    return {c.key: c.name for c in result.rules.categories}


def _this_quarter(result: Result) -> pd.DataFrame:
    """This quarter's rows of every unit, in the register's order."""
    q = result.quarterly
    cur = q[q["quarter"] == result.quarter]
    order = {u: i for i, u in enumerate(result.units["unit_id"])}
    return cur.assign(_order=cur["unit_id"].map(order)).sort_values(["_order", "unit_id"], kind="stable")


def _earnings(result: Result, quarter: int) -> pd.DataFrame:
    e = result.earnings
    return e[e["quarter"] == quarter]


def zero_adoption_units(result: Result) -> pd.DataFrame:
    """Units none of whose items earned in this quarter (附件2 零录用单位名单), in register order."""
    earned = set(_earnings(result, result.quarter)["unit_id"])
    cur = _this_quarter(result)
    return cur[~cur["unit_id"].isin(earned)]


def bulletin_title(result: Result) -> str:
    """The document's title: the rules' ``meta.subject`` plus the quarter (…2023年第三季度通报).
    No book-title marks: a document's own title stands bare (GB/T 9704); 《》 only quote other texts."""
    return "".join(title_lines(result))


def title_lines(result: Result) -> list[str]:
    """The title as it is set: the subject on one line, the quarter and 通报 on the next, so that a
    line never breaks inside a word such as 「第一季度」 (GB/T 9704 7.3.1: a title that takes more
    than one line is broken where the meaning allows)."""
    return [result.rules.meta.subject, f"{quarter_name(result.year, result.quarter)}通报"]


# ---- title block ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class TitleContent:
    title: str          # title_lines joined by a line break: the method's subject, then the quarter
    number: str         # 3 (第3期)
    doc_number: str     # 文号, "" when none
    issuer: str
    date: str           # 2023年10月10日
    method: str         # the method's title, quoted in the opening
    quarter: str        # 2023年第三季度
    topic: str          # what the units are reported on (各单位…情况)
    sample: bool        # computed from the sample data: stamped on the first page


def title_content(result: Result, issue: Issue) -> TitleContent:
    return TitleContent(title="\n".join(_t(line) for line in title_lines(result)), number=_t(issue.number), doc_number=_t(issue.doc_number),
                        issuer=_t(issue.issuer), date=zh_date(issue.date), method=_t(result.rules.meta.title),
                        quarter=quarter_name(result.year, result.quarter), topic=_t(result.rules.meta.topic),
                        sample=issue.sample)


# ---- 更正说明 ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CorrectionRow:
    unit: str
    quarter: str                       # 第三季度
    figures: list[tuple[str, str, str, str]]  # (score / ytd / rank, its name, before, after) that differ


@dataclass(frozen=True)
class CorrectionsContent:
    rows: list[CorrectionRow]


CORRECTED_FIGURES = (("score", "得分"), ("ytd", "全年累计得分"), ("rank", "类别内排名"))


def corrections_content(result: Result, issue: Issue) -> CorrectionsContent:
    """更正说明: every unit and quarter whose figures differ from the published version, before → after
    (only the figures that differ; "" where a side has none)."""
    rows = []
    for row in issue.corrections:
        year, _, q = str(row.get("quarter", "")).partition("Q")
        figures = [(key, name, _t(row.get(f"{key}_before", "")), _t(row.get(f"{key}_after", "")))
                   for key, name in CORRECTED_FIGURES
                   if row.get(f"{key}_before", "") != row.get(f"{key}_after", "")]
        label = quarter_name(int(year), int(q)) if year.isdigit() and q.isdigit() else _t(row.get("quarter", ""))
        rows.append(CorrectionRow(unit=_t(row.get("unit_name", "")), quarter=label, figures=figures))
    return CorrectionsContent(rows=rows)


def _has_corrections(result: Result, issue: Issue) -> bool:
    return bool(issue.corrections)


# ---- 一、总体情况 ----------------------------------------------------------------------------------
def adoption_counts(result: Result, by: str, quarter: int) -> pd.Series:
    """Items that earned in ``quarter``, counted by ``level`` or ``column`` in the rules' order.

    附件注 / R2: an upgrade counts at its new level in the quarter it happened.
    """
    keys = result.rules.level_keys if by == "level" else result.rules.column_keys
    return _earnings(result, quarter)[by].value_counts().reindex(list(keys), fill_value=0).astype("int64")


@dataclass(frozen=True)
class OverviewContent:
    quarter: str                        # 2023年第三季度
    total: int                          # items counted this quarter
    before_total: int | None            # last quarter's (None in the first quarter)
    levels: list[tuple[str, int]]       # (level, items) in the rules' order
    groups: list[tuple[str, int]]       # (重点栏目 / 信息报送, items)
    units: int                          # units taking part
    full: int                           # units at the quarter cap
    cap: str
    zero: int                           # units with nothing adopted (附件2)
    first: bool                         # the year's first quarter: no 上季度 to compare with
    by_level: Rows
    by_column: Rows
    chart: ChartRef


def overview_content(result: Result, issue: Issue) -> OverviewContent:
    """一、总体情况: adoptions by level and by column against last quarter, full and zero units."""
    q = result.quarter
    has_before = q > 1
    by_level = adoption_counts(result, "level", q)
    before_level = adoption_counts(result, "level", q - 1) if has_before else None
    by_column = adoption_counts(result, "column", q)
    before_column = adoption_counts(result, "column", q - 1) if has_before else None
    groups = {c.key: c.group for c in result.rules.columns}
    group_counts = by_column.groupby(by_column.index.map(groups)).sum()
    cur = _this_quarter(result)

    def rows(now: pd.Series, before: pd.Series | None) -> Rows:
        """(name, this quarter, last quarter, change); in the first quarter (name, this quarter):
        a column of 「—」 says nothing."""
        out = []
        for key, n in [*now.items(), (TOTAL, now.sum())]:
            cells = (_t(key) if key != TOTAL else TOTAL, str(int(n)))
            if before is not None:
                b = int(before.sum()) if key == TOTAL else int(before[key])
                cells += (str(b), _change(int(n), b))
            out.append(Row(cells))
        return _rows(out, {1, 2, 3} if before is not None else {1})

    return OverviewContent(
        quarter=quarter_name(result.year, q), total=int(by_level.sum()),
        before_total=int(before_level.sum()) if before_level is not None else None,
        levels=[(_t(lv), int(n)) for lv, n in by_level.items()],
        groups=[(_t(result.rules.groups[g].name), int(group_counts.get(g, 0))) for g in ("key", "info")],
        units=len(cur), full=int((cur["score"] >= to_milli(result.rules.caps.quarter.value)).sum()),
        cap=_cap(result), zero=len(zero_adoption_units(result)), first=not has_before,
        by_level=rows(by_level, before_level), by_column=rows(by_column, before_column),
        chart=ChartRef(Chart.ADOPTIONS))


# ---- 二、得分排名 ----------------------------------------------------------------------------------
def row_mark(row: Mapping[str, object], order: str) -> str:
    """Why a row's 计入得分 − 扣分 differs from its 本季得分 ('' when it does not).

    R9 扣完为止，负分不计 (floor); R10/R11 一票否决; R13 奖励; the before_cap order of 三(二)1.
    """
    if bool(row["quarter_veto"]) or bool(row["annual_veto"]):
        return "veto"
    if bool(row.get("reward_granted", False)) or int(row["reward"]) != 0:
        return "reward"
    if bool(row["floored"]):
        return "floored"
    if int(row["gross"]) - int(row["deductions"]) != int(row["score"]) and order != "after_cap":
        return "before_cap"
    return ""


def ranking_rows(result: Result, category: str) -> tuple[Rows, list[str]]:
    """One category's ranking rows (by rank; R15: ties share the best rank) and the marks used,
    in the order of :data:`MARKS`."""
    cur = _this_quarter(result)
    cur = cur[cur["category"] == category].sort_values(["rank", "_order"], kind="stable")
    order = result.rules.deductions.order
    rows, used = [], set()
    for r in cur.to_dict("records"):
        mark = row_mark(r, order)
        used.add(mark)
        rows.append(Row((str(int(r["rank"])), _t(r["unit_name"]), _num(r["key_points"]), _num(r["info_points"]),
                         _num(r["carry_in"]), _num(r["gross"]), _num(r["carry_out"]), _num(r["deductions"]),
                         _num(r["score"]) + MARKS.get(mark, ""), _num(r["ytd_total"])),
                        mark=mark if mark in ("veto", "floored") else ""))
    return _rows(rows, {0, 2, 3, 4, 5, 6, 7, 8, 9}), [m for m in MARKS if m in used]


@dataclass(frozen=True)
class CategoryRanking:
    name: str
    rows: Rows
    marks: list[str]        # keys of MARKS used in the rows
    chart: ChartRef


@dataclass(frozen=True)
class RankingContent:
    cap: str
    quarter: int
    categories: list[CategoryRanking]
    progress: ChartRef      # year-to-date totals of every category


def ranking_content(result: Result, issue: Issue) -> RankingContent:
    """二、得分排名: per category a table (sorted by rank) and its chart, then the year so far."""
    cats = []
    for cat in _present_categories(result):
        rows, marks = ranking_rows(result, cat.key)
        cats.append(CategoryRanking(_t(cat.name), rows, marks, ChartRef(Chart.RANKING, cat.key)))
    return RankingContent(cap=_cap(result), quarter=int(result.quarter), categories=cats,
                          progress=ChartRef(Chart.PROGRESS))


# ---- 三、被上级录用情况 ------------------------------------------------------------------------------
def superior_adoptions(result: Result) -> pd.DataFrame:
    """Per unit, items of this quarter counted at each level above the lowest (R2, highest level)."""
    upper = list(result.rules.level_keys[1:])
    e = _earnings(result, result.quarter)
    e = e[e["level"].isin(upper)]
    counts = pd.crosstab(e["unit_id"], e["level"]).reindex(columns=upper, fill_value=0)
    counts["total"] = counts.sum(axis=1)
    cur = _this_quarter(result).set_index("unit_id")
    counts = counts.join(cur[["unit_name", "_order"]], how="left")
    return counts.sort_values(["total", "_order"], ascending=[False, True], kind="stable")


@dataclass(frozen=True)
class SuperiorContent:
    levels: list[str]                                   # the levels above the lowest
    totals: list[tuple[str, int]]                       # (level, items) over all units
    units: list[tuple[str, list[tuple[str, int]]]]      # (unit, [(level, items) where items > 0])
    rows: Rows


def superior_content(result: Result, issue: Issue) -> SuperiorContent:
    """三、被上级录用情况: e.g. 市农业农村局（常州市 3 条）."""
    upper = list(result.rules.level_keys[1:])
    counts = superior_adoptions(result)
    records = list(counts.iterrows())
    return SuperiorContent(
        levels=[_t(lv) for lv in upper],
        totals=[(_t(lv), int(counts[lv].sum())) for lv in upper],
        units=[(_t(r["unit_name"]), [(_t(lv), int(r[lv])) for lv in upper if int(r[lv])]) for _, r in records],
        rows=_rows([Row((_t(r["unit_name"]), *(str(int(r[lv])) for lv in upper), str(int(r["total"]))))
                    for _, r in records], set(range(1, len(upper) + 2))))


# ---- 四、存在问题 ----------------------------------------------------------------------------------
def problems(result: Result) -> pd.DataFrame:
    """This quarter's deductions and vetoes from the ledger, one row per event (or standing veto).

    Columns: unit_id, unit_name, kind ('deduction' | 'veto'), event_type, count, event_date,
    note, points (milli, positive = deducted), ref, clause.
    """
    led = result.ledger
    rows = led[(led["quarter"] == result.quarter) & led["kind"].isin(["deduction", "veto"])].copy()
    rows = rows.drop_duplicates(subset=["unit_id", "kind", "ref", "event_type"], keep="first")
    names = result.units.set_index("unit_id")["unit_name"]
    rows["unit_name"] = rows["unit_id"].map(names)
    rows["points"] = -rows["points"].astype("int64")
    rows["_vetofirst"] = rows["kind"] != "veto"
    return rows.sort_values(["_vetofirst", "event_date", "unit_id", "ref"], kind="stable",
                            na_position="last")


@dataclass(frozen=True)
class Problem:
    """One line of 四、存在问题: 「市司法局：内容不准确被常州通报 1 次，扣 10 分（2023年8月15日，…）」."""
    unit: str
    veto: bool
    event: str              # the event type's name; "" for a veto without an event (R11)
    count: int
    points: str             # deducted (deductions only)
    whole_year: bool        # a veto zeroing the whole year (else the quarter)
    reason: str             # a veto without an event: the engine's reason
    says_zeroed: bool       # the reason says 归零 already
    details: list[str]      # date, the event's note


def problem(result: Result, row: Mapping[str, object]) -> Problem:
    events = result.rules.events
    etype = str(row.get("event_type") or "")
    ev = events.get(etype)
    count = row.get("count")
    note = row.get("note")
    note = "" if note is None or pd.isna(note) else str(note).strip()
    details = []
    date = row.get("event_date")
    if date is not None and not pd.isna(date):
        details.append(zh_date(pd.Timestamp(date).date()))
    # An event's note (deduction or veto) is the 说明 typed for it; an empty one comes back as the
    # event's name. A veto without an event (unmet targets) has the engine's reason (below).
    if (row["kind"] == "deduction" or ev is not None) and note and not (ev is not None and note == ev.name):
        details.append(_t(note))
    reason = _t(row.get("note")) if row["kind"] == "veto" and ev is None else ""
    deduction = row["kind"] == "deduction"
    return Problem(unit=_t(row["unit_name"]), veto=not deduction,
                   event=_t(ev.name) if ev is not None else (_t(etype) if deduction else ""),
                   count=int(count) if count is not None and not pd.isna(count) else 1,
                   points=_num(row["points"]), whole_year=ev is None or ev.veto == "year",
                   reason=reason, says_zeroed="归零" in reason, details=details)


@dataclass(frozen=True)
class ProblemsContent:
    units: int              # units with a deduction or veto
    deducted: str           # points deducted in all ("" when none)
    vetoes: int
    lines: list[Problem]    # vetoes first, then by date


def problems_content(result: Result, issue: Issue) -> ProblemsContent:
    """四、存在问题: every deduction (三(二)1) and veto (三(二)2) of the quarter; vetoes stand out."""
    rows = problems(result)
    total = int(rows.loc[rows["kind"] == "deduction", "points"].sum())
    return ProblemsContent(units=int(rows["unit_id"].nunique()), deducted=fmt(total) if total else "",
                           vetoes=int((rows["kind"] == "veto").sum()),
                           lines=[problem(result, r) for r in rows.to_dict("records")])


# ---- 五、目标任务完成进度 (Q1–Q3) --------------------------------------------------------------------
@dataclass(frozen=True)
class ProgressContent:
    quarter: str
    units: int              # units with targets
    lagging: int
    columns: list[str]
    rows: Rows              # unit, done/target per column, 进度滞后 | 正常


def progress_content(result: Result, issue: Issue) -> ProgressContent:
    """五、目标任务完成进度: done / target per column; 进度滞后 when done < target × quarter / 4 (R12)."""
    t = result.targets
    cols = [c for c in result.rules.column_keys if c in set(t["column"])]
    names = result.units.set_index("unit_id")["unit_name"]
    order = {u: i for i, u in enumerate(result.units["unit_id"])}
    cells = t["done"].astype("int64").astype(str) + "/" + t["target"].astype("int64").astype(str)
    grid = t.assign(cell=cells).pivot(index="unit_id", columns="column", values="cell")
    lag = t.groupby("unit_id")["lagging"].any()
    uids = sorted(grid.index, key=lambda u: order.get(u, len(order)))
    rows = []
    for uid in uids:
        cells_u = [grid.at[uid, c] if isinstance(grid.at[uid, c], str) else DASH for c in cols]
        lagging = bool(lag[uid])
        rows.append(Row((_t(names.get(uid, uid)), *cells_u, LAGGING if lagging else ON_PACE),
                        flagged=frozenset({len(cols) + 1}) if lagging else frozenset()))
    return ProgressContent(quarter=quarter_name(result.year, result.quarter), units=len(uids),
                           lagging=int(lag.sum()), columns=[_t(c) for c in cols],
                           rows=_rows(rows, set(range(1, len(cols) + 1))))


# ---- 年度考核结果 (Q4 only) -------------------------------------------------------------------------
@dataclass(frozen=True)
class AnnualContent:
    quarters: list[int]
    categories: list[tuple[str, Rows]]          # (category, rows by annual rank)
    any_veto: bool
    winners: list[tuple[str, list[str]]]        # (category, 优胜单位) for every category of the rules
    informants: Rows                            # 优秀信息员
    vetoed: list[tuple[str, str, bool]]         # (unit, reason, the reason says 归零 already)


def annual_content(result: Result, issue: Issue) -> AnnualContent:
    """年度考核结果 (四 年度考核, 五 鼓励激励): totals and ranks, 优胜单位, 优秀信息员, units zeroed."""
    a = result.annual
    order = {u: i for i, u in enumerate(result.units["unit_id"])}
    a = a.assign(_order=a["unit_id"].map(order))
    per_q = result.quarterly.pivot(index="unit_id", columns="quarter", values="score")
    quarters = sorted(int(k) for k in per_q.columns)
    numeric = {0} | set(range(2, len(quarters) + 3))
    present = set(a["category"])
    categories = []
    for cat in [c for c in result.rules.categories if c.key in present]:
        rows = []
        for r in a[a["category"] == cat.key].sort_values(["rank", "_order"], kind="stable").to_dict("records"):
            veto = bool(r["annual_veto"])
            rows.append(Row((str(int(r["rank"])), _t(r["unit_name"]), *(_num(per_q.at[r["unit_id"], k]) for k in quarters),
                             _num(r["total"]) + (MARKS["veto"] if veto else "")), mark="veto" if veto else ""))
        categories.append((_t(cat.name), _rows(rows, numeric)))
    winners = []
    for cat in result.rules.categories:
        w = a[(a["category"] == cat.key) & a["winner"].astype(bool)].sort_values(["rank", "_order"], kind="stable")
        winners.append((_t(cat.name), [_t(n) for n in w["unit_name"]]))
    inf = result.informants
    ex = inf[inf["excellent"].astype(bool)].sort_values(["rank", "unit_id", "informant"], kind="stable")
    informants = _rows([Row((str(int(r["rank"])), _t(r["informant"]), _t(r["unit_name"]), _num(r["points"])))
                        for r in ex.to_dict("records")], {0, 3})
    vetoed = []
    for r in a[a["annual_veto"].astype(bool)].sort_values("_order", kind="stable").to_dict("records"):
        reason = _t(r["veto_reason"])
        vetoed.append((_t(r["unit_name"]), reason, "归零" in reason))
    return AnnualContent(quarters=quarters, categories=categories, any_veto=bool(a["annual_veto"].any()),
                         winners=winners, informants=informants, vetoed=vetoed)


# ---- 六、下一步工作要求 -----------------------------------------------------------------------------
def next_steps_content(result: Result, issue: Issue) -> list[list[str]]:
    """下一步工作要求: the parameters' text; paragraphs separated by blank lines, each a list of lines."""
    paras = [p.strip() for p in issue.next_steps.replace("\r\n", "\n").split("\n\n") if p.strip()]
    return [_t(p).split("\n") for p in paras]


# ---- 说明 ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class NotesContent:
    """How the ambiguous clauses were read (rules.md R2, R3, R5, R8, R9), a rules variant if any,
    and the engine's notes (restated quarters …)."""
    cap: str
    key_group: str                          # 重点栏目
    carry_over: bool
    after_cap: bool                         # deductions after the quarter cap
    dash_levels: bool                       # 附件 has "—" cells
    column_caps: list[tuple[str, str, str]]  # (column, level, cap)
    late_factor: str                        # "" when late items count in full
    variant: str
    changes: list[str]
    notes: list[str]


def notes_content(result: Result, issue: Issue) -> NotesContent:
    r = result.rules
    return NotesContent(
        cap=_cap(result), key_group=_t(r.groups["key"].name), carry_over=bool(r.carry_over.enabled),
        after_cap=r.deductions.order == "after_cap",
        dash_levels=any(p is None for c in r.columns for p in c.points.values()),
        column_caps=[(_t(cc.column), _t(cc.level), fmt(to_milli(cc.value))) for cc in r.column_caps],
        late_factor=fmt(to_milli(r.late.factor)) if r.late.factor != 1 else "",
        variant=_t(r.variant or ""), changes=[_t(c) for c in r.change_words], notes=[_t(n) for n in result.notes])


# ---- 附件 list, 落款, 附件1, 附件2, 抄送 --------------------------------------------------------------
def no_content(result: Result, issue: Issue) -> None:
    """A part whose template needs nothing but the words it says (附件 list)."""
    return None


@dataclass(frozen=True)
class SignatureContent:
    issuer: str
    date: str


def signature_content(result: Result, issue: Issue) -> SignatureContent:
    """落款: issuer and date, right-aligned."""
    return SignatureContent(issuer=_t(issue.issuer), date=zh_date(issue.date))


@dataclass(frozen=True)
class ScoresContent:
    quarter: str
    quarters: list[int]
    rows: Rows
    charts: list[tuple[str, ChartRef]]      # (category, its score make-up chart)


def scores_content(result: Result, issue: Issue) -> ScoresContent:
    """附件1 全部单位得分明细表: every unit, every quarter's score, the YTD total and rank."""
    per_q = result.quarterly.pivot(index="unit_id", columns="quarter", values="score")
    quarters = sorted(int(k) for k in per_q.columns)
    cur = _this_quarter(result)
    cat_order = {c.key: i for i, c in enumerate(result.rules.categories)}
    cur = cur.assign(_cat=cur["category"].map(cat_order)).sort_values(["_cat", "ytd_rank", "_order"], kind="stable")
    names = _category_names(result)
    rows = []
    for i, r in enumerate(cur.to_dict("records"), 1):
        veto = bool(r["annual_veto"]) or bool(r["quarter_veto"])
        rows.append(Row((str(i), _t(r["unit_name"]), _t(names.get(r["category"], r["category"])),
                         *(_num(per_q.at[r["unit_id"], k]) for k in quarters),
                         _num(r["ytd_total"]), str(int(r["ytd_rank"]))), mark="veto" if veto else ""))
    return ScoresContent(quarter=quarter_name(result.year, result.quarter), quarters=quarters,
                         rows=_rows(rows, {0} | set(range(3, len(quarters) + 5))),
                         charts=[(_t(c.name), ChartRef(Chart.MAKEUP, c.key)) for c in _present_categories(result)])


@dataclass(frozen=True)
class ZeroContent:
    quarter: str
    rows: Rows


def zero_content(result: Result, issue: Issue) -> ZeroContent:
    """附件2 零录用单位名单: units none of whose items earned this quarter."""
    names = _category_names(result)
    rows = [Row((str(i), _t(r["unit_name"]), _t(names.get(r["category"], r["category"]))))
            for i, r in enumerate(zero_adoption_units(result).to_dict("records"), 1)]
    return ZeroContent(quarter=quarter_name(result.year, result.quarter), rows=_rows(rows, {0}))


@dataclass(frozen=True)
class ImprintContent:
    """版记 (GB/T 9704 7.4), after the attachments, between rules: 抄送 (when the parameters give it),
    then 印发机关 and 印发日期 on one line."""
    cc: str             # without its closing 。 (the template adds one); "" when none
    issuer: str
    date: str           # 2023年10月10日


def imprint_content(result: Result, issue: Issue) -> ImprintContent:
    return ImprintContent(cc=_t(issue.cc.strip().rstrip("。")), issuer=_t(issue.issuer), date=zh_date(issue.date))


# ---- the sections, in order -----------------------------------------------------------------------
def _has_targets(result: Result, issue: Issue) -> bool:
    return len(result.targets) > 0


def _has_next_steps(result: Result, issue: Issue) -> bool:
    return bool(issue.next_steps.strip())


BEFORE_YEAR_END = frozenset(range(1, YEAR_END_QUARTER))
YEAR_END = frozenset({YEAR_END_QUARTER})

SECTIONS: tuple[Section, ...] = (
    Section("title", "", title_content, "title.j2"),
    Section("corrections", "", corrections_content, "corrections.j2", needs=_has_corrections),
    Section("overview", "总体情况", overview_content, "overview.j2"),
    Section("ranking", "得分排名", ranking_content, "ranking.j2"),
    Section("superior", "被上级录用情况", superior_content, "superior.j2"),
    Section("problems", "存在问题", problems_content, "problems.j2"),
    Section("progress", "目标任务完成进度", progress_content, "progress.j2", BEFORE_YEAR_END, _has_targets),
    Section("annual", "年度考核结果", annual_content, "annual.j2", YEAR_END),
    Section("next_steps", "下一步工作要求", next_steps_content, "next_steps.j2", needs=_has_next_steps),
    Section("notes", "", notes_content, "notes.j2"),
    Section("attachments", "", no_content, "attachments.j2"),
    Section("signature", "", signature_content, "signature.j2"),
    Section("scores", "", scores_content, "scores.j2"),
    Section("zero", "", zero_content, "zero.j2"),
    Section("cc", "", imprint_content, "imprint.j2"),       # 版记: 抄送, 印发机关 and 印发日期
)
BY_KEY = {s.key: s for s in SECTIONS}


def present_sections(result: Result, issue: Issue) -> list[Section]:
    """The sections this issue has, in order."""
    return [s for s in SECTIONS if s.present(result, issue)]


def numbering(result: Result, issue: Issue) -> dict[str, str]:
    """Section key → Chinese numeral, for the numbered sections this issue has, consecutively.

    目标任务完成进度 appears in Q1–Q3 when targets were set; 年度考核结果 only in Q4;
    下一步工作要求 only when the parameters give text.
    """
    return _numbering(present_sections(result, issue))


def _lay_out_section(section: Section, result: Result, issue: Issue, numbers: Mapping[str, str]) -> tuple[Block, ...]:
    number = numbers.get(section.key)
    return lay_out(section.template, c=section.content(result, issue), marks=MARKS, dash=DASH,
                   heading=f"{number}、{section.heading}" if number else "")


# The last issue laid out: the notebook asks for its sections one cell at a time, and a section's
# table and figure numbers depend on every section before it.
_LAST: list[tuple[Result, Issue, dict[str, tuple[Block, ...]]]] = []


def laid_out(result: Result, issue: Issue) -> dict[str, tuple[Block, ...]]:
    """Every section this issue has → its blocks, tables and figures numbered in reading order
    (表1, 表2 … and 图1 …; in the attachments 附表1 … and 附图1 …: sections.number_captions).
    Pure; the last issue's blocks are kept, so that asking for each section in turn lays the
    document out once."""
    if _LAST and _LAST[0][0] is result and _LAST[0][1] == issue:
        return _LAST[0][2]
    present = present_sections(result, issue)
    numbers = _numbering(present)
    parts = number_captions([_lay_out_section(s, result, issue, numbers) for s in present])
    out = {s.key: part for s, part in zip(present, parts)}
    _LAST[:] = [(result, issue, out)]
    return out


def section_blocks(key: str, result: Result, issue: Issue) -> tuple[Block, ...]:
    """The blocks of section ``key`` (see scoring.report.sections); () when this issue has no such
    section."""
    if not BY_KEY[key].present(result, issue):
        return ()
    return laid_out(result, issue)[key]


def document(result: Result, issue: Issue) -> list[Block]:
    """Every block of the bulletin, section after section (the Word copy)."""
    return [block for blocks in laid_out(result, issue).values() for block in blocks]


def render_section(key: str, result: Result, issue: Issue,
                   picture: Callable[[Result, ChartRef], str] = charts.picture) -> str:
    """Section ``key`` as the bulletin's HTML ("" when this issue has no such section); each chart
    is drawn by ``picture`` (the PNG <img> of scoring.report.charts)."""
    blocks = section_blocks(key, result, issue)
    return to_html(blocks, lambda ref: picture(result, ref)) if blocks else ""


def issue_params(params: Mapping[str, Any]) -> dict[str, Any]:
    """The notebook's parameters that :func:`issue` takes, from a mapping holding them (and others)."""
    keys = ("issue_number", "issue_date", "doc_number", "cc", "next_steps", "issuer", "sample_data", "corrections")
    return {k: params[k] for k in keys if k in params}
