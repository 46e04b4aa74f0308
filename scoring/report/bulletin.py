"""The quarterly bulletin's content (季度通报): one pure function per section, Result → HTML fragment.

Shape and wording follow shared/spec/bulletin.md; the HTML uses only the classes of
docs/ARCHITECTURE.md ("Bulletin HTML vocabulary"), styled by scoring/templates/bulletin/.
Every figure is shown with :func:`scoring.points.fmt` (never rounded); every piece of input text
goes through :func:`drawable` (〓 for glyphs the bundled fonts lack) and ``html.escape``.

Sections are numbered consecutively with Chinese numerals whatever optional sections are absent:
:func:`numbering` decides which sections an issue has, and each section function takes that map.
A section absent from the map returns "".
"""
from __future__ import annotations

import datetime as _dt
import html
import math
import re
import unicodedata
from typing import Mapping

import pandas as pd

from scoring.method.points import fmt, to_milli
from scoring.method.result import Result
from scoring.method.calendar import YEAR_END_QUARTER, numeral, quarter_name, zh_date

try:  # the render engineer's glyph check; identity until it lands
    from scoring.report.glyphs import drawable as _fonts_drawable
except ImportError:  # pragma: no cover - only while scoring/fonts.py is absent
    def _fonts_drawable(text: str) -> tuple[str, tuple[str, ...]]:
        return text, ()

DASH = "—"          # "no comparable figure" (first quarter's change)
# Row marks of the ranking tables: why 计入得分 − 扣分 ≠ 本季得分 in that row.
MARKS = {
    "veto": ("▲", "一票否决，本季得分计0分"),
    "floored": ("※", "扣完为止，负分不计"),
    "reward": ("★", "按时完成目标任务且省级约稿录用达到要求，第四季度得分按奖励分计"),
    "before_cap": ("†", "先扣分后封顶"),
}
SECTION_TITLES = {
    "overview": "总体情况",
    "ranking": "得分排名",
    "superior": "被上级采用情况",
    "problems": "存在问题",
    "progress": "目标任务完成进度",
    "annual": "年度考核结果",
    "next_steps": "下一步工作要求",
}


# ---- small helpers ------------------------------------------------------------------------------
def text(value: object) -> str:
    """Untrusted text → safe, printable HTML text (〓 for undrawable glyphs, then escaped)."""
    s = "" if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)
    return html.escape(_fonts_drawable(s)[0], quote=True)


def _num(milli: object) -> str:
    return fmt(int(milli))


def _cap_milli(result: Result) -> int:
    return to_milli(result.rules.caps.quarter.value)


def _change(now: int, before: int | None) -> str:
    if before is None:
        return DASH
    d = now - before
    return f"+{d}" if d > 0 else str(d)


_CELL = re.compile(r"<t[dh]\b[^>]*>(.*?)</t[dh]>", re.S)
_TAG = re.compile(r"<[^>]+>")
TEXT_WIDTH_EM = 46.5      # 156 mm of 9.5 pt table text (page.css)
CELL_PADDING_EM = 1.0     # 1.6 mm each side (page.css)


def _width_em(cell_html: str) -> float:
    """How wide a cell's text runs, in em: CJK, full-width and the marks (▲ ★ ※) one em, the rest
    (digits, Latin, the decimal point) about half."""
    shown = html.unescape(_TAG.sub("", cell_html))
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.55 for ch in shown)


def column_widths(headers: list[str], rows: list[str], numeric: set[int]) -> list[float]:
    """Each column's share of a full-width table, in per cent, from the text it holds.

    A header may take two lines; numbers never wrap (td.num), so numeric columns get what their
    widest number needs and the text columns share the rest in proportion to theirs (wrapping
    when it is too little). Worked out here rather than by the PDF renderer's automatic table
    layout, which measures every cell's text twice (a tenth of the bulletin's PDF time).
    """
    need = [max(math.ceil(_width_em(h) / 2), 2.0) for h in headers]
    for row in rows:
        for i, cell in enumerate(_CELL.findall(row)[:len(need)]):
            need[i] = max(need[i], _width_em(cell))
    need = [n + CELL_PADDING_EM for n in need]
    fixed = sum(n for i, n in enumerate(need) if i in numeric)
    free = sum(n for i, n in enumerate(need) if i not in numeric)
    if free and fixed < TEXT_WIDTH_EM:
        scale = max(TEXT_WIDTH_EM - fixed, 0) / free
        if scale < 1:                    # text columns wrap; numbers keep their width
            need = [n if i in numeric else n * scale for i, n in enumerate(need)]
    total = sum(need)
    return [round(100 * n / total, 2) for n in need]


def _table(headers: list[str], rows: list[str], css: str = "data", caption: str = "",
           numeric: set[int] | None = None) -> str:
    """A table: ``rows`` are ready-made ``<tr>`` strings; ``numeric`` header positions get td.num.
    A full-width ("data") table is laid out fixed, with :func:`column_widths`."""
    numeric = numeric or set()
    # Headers stay unclassed (centred, free to wrap) so the unit column keeps its width.
    head = "".join(f"<th>{h}</th>" for h in headers)
    cap = f"<caption>{caption}</caption>" if caption else ""
    cols = ""
    if css == "data":
        cols = "<colgroup>" + "".join(f'<col style="width: {w}%">' for w in column_widths(headers, rows, numeric)) \
            + "</colgroup>"
    return (f'<table class="{css}">{cap}{cols}<thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')


def _tr(cells: list[str], numeric: set[int], css: str = "") -> str:
    tds = "".join(f'<td class="num">{c}</td>' if i in numeric else f"<td>{c}</td>"
                  for i, c in enumerate(cells))
    cls = f' class="{css}"' if css else ""
    return f"<tr{cls}>{tds}</tr>"


def figure(svg: str | None, caption: str) -> str:
    """A chart (an <img> from scoring.charts, or inline SVG) with its caption; "" when there is none."""
    if not svg:
        return ""
    body = svg[svg.find("<svg"):] if "<svg" in svg else svg   # drop the XML prolog and doctype
    return f'<figure class="chart">{body}<figcaption>{caption}</figcaption></figure>'


def _heading(numbering: Mapping[str, str], key: str) -> str:
    return f"<h2>{numbering[key]}、{SECTION_TITLES[key]}</h2>"


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


def _group_of(result: Result) -> dict[str, str]:
    return {c.key: c.group for c in result.rules.columns}


def zero_adoption_units(result: Result) -> pd.DataFrame:
    """Units none of whose items earned in this quarter (附件2 零录用单位名单), in register order."""
    earned = set(_earnings(result, result.quarter)["unit_id"])
    cur = _this_quarter(result)
    return cur[~cur["unit_id"].isin(earned)]


# ---- which sections this issue has --------------------------------------------------------------
def numbering(result: Result, next_steps: str = "") -> dict[str, str]:
    """Section key → Chinese numeral, for the sections this issue has, numbered consecutively.

    目标任务完成进度 appears in Q1–Q3 when targets were set; 年度考核结果 only in Q4;
    下一步工作要求 only when the parameters give text.
    """
    keys = ["overview", "ranking", "superior", "problems"]
    if result.quarter < YEAR_END_QUARTER and len(result.targets):
        keys.append("progress")
    if result.quarter == YEAR_END_QUARTER:
        keys.append("annual")
    if next_steps and next_steps.strip():
        keys.append("next_steps")
    return {k: numeral(i) for i, k in enumerate(keys, 1)}


# ---- title block --------------------------------------------------------------------------------
def bulletin_title(result: Result) -> str:
    """溧阳市人民政府门户网站内容保障2023年第三季度通报 — the method's subject plus the quarter.

    No book-title marks: a document's own title stands bare (GB/T 9704); 《》 only quote other texts.
    """
    title = result.rules.meta.title
    subject = title.removesuffix("考评办法").removesuffix("办法")
    return f"{subject}{quarter_name(result.year, result.quarter)}通报"


def section_title(result: Result, issue_number: str, issue_date: str, doc_number: str = "",
                  issuer: str = "") -> str:
    """Title, number line (第3期 and 文号), issuer and date, then the opening sentence."""
    number = f"第{text(str(issue_number).strip())}期"
    if doc_number and doc_number.strip():
        number += f"　{text(doc_number.strip())}"
    issuer = issuer.strip() or result.rules.meta.issuer
    return (f'<div class="title-block"><h1 class="doc-title">{text(bulletin_title(result))}</h1>'
            f'<p class="doc-number">{number}</p>'
            f'<p class="issuer-line">{text(issuer)}　　{zh_date(issue_date)}</p></div>'
            f'<p class="opening">根据《{text(result.rules.meta.title)}》，现将'
            f'{quarter_name(result.year, result.quarter)}各单位门户网站内容保障情况通报如下。</p>')


# ---- 一、总体情况 ----------------------------------------------------------------------------------
def adoption_counts(result: Result, by: str, quarter: int) -> pd.Series:
    """Items that earned in ``quarter``, counted by ``level`` or ``column`` in the rules' order.

    附件注 / R2: an upgrade counts at its new level in the quarter it happened.
    """
    keys = result.rules.level_keys if by == "level" else result.rules.column_keys
    return _earnings(result, quarter)[by].value_counts().reindex(list(keys), fill_value=0).astype("int64")


def section_overview(result: Result, numbering: Mapping[str, str], chart: str | None = None) -> str:
    """一、总体情况: adoptions by level and by column against last quarter, full and zero units."""
    if "overview" not in numbering:
        return ""
    q = result.quarter
    has_before = q > 1
    parts = [_heading(numbering, "overview")]
    by_level = adoption_counts(result, "level", q)
    before_level = adoption_counts(result, "level", q - 1) if has_before else None
    total = int(by_level.sum())
    before_total = int(before_level.sum()) if has_before else None
    groups = _group_of(result)
    by_column = adoption_counts(result, "column", q)
    group_counts = by_column.groupby(by_column.index.map(groups)).sum()
    level_txt = "、".join(f"{text(lv)} {int(n)} 条" for lv, n in by_level.items())
    group_txt = "、".join(f"{text(result.rules.groups[g].name)} {int(group_counts.get(g, 0))} 条"
                         for g in ("key", "info"))
    if before_total is None:
        trend = "（本年度无上季度数据可比）"
    elif total == before_total:
        trend = "，与上季度持平"
    else:
        trend = f"，较上季度{'增加' if total > before_total else '减少'} {abs(total - before_total)} 条"
    cur = _this_quarter(result)
    cap = _cap_milli(result)
    full = int((cur["score"] >= cap).sum())
    zero = len(zero_adoption_units(result))
    parts.append(
        f"<p>{quarter_name(result.year, q)}，各单位信息被录用并计分共 {total} 条（{level_txt}）{trend}；"
        f"其中{group_txt}。被上级录用后升级的信息，按新的录用级别计入升级当季。</p>"
        f"<p>全市共 {len(cur)} 个单位参加考评，其中 {full} 个单位本季得分达到封顶 {fmt(cap)} 分，"
        f"{zero} 个单位本季度无信息被录用（名单见附件2）。</p>")

    def rows(now: pd.Series, before: pd.Series | None) -> list[str]:
        out = []
        for key, n in now.items():
            b = None if before is None else int(before[key])
            out.append(_tr([text(key), str(int(n)), DASH if b is None else str(b), _change(int(n), b)],
                           {1, 2, 3}))
        b_total = None if before is None else int(before.sum())
        out.append(_tr(["合计", str(int(now.sum())), DASH if b_total is None else str(b_total),
                        _change(int(now.sum()), b_total)], {1, 2, 3}))
        return out

    parts.append(_table(["录用级别", "本季度（条）", "上季度（条）", "增减"], rows(by_level, before_level),
                        css="compact", caption="表1　分级别录用情况", numeric={1, 2, 3}))
    before_column = adoption_counts(result, "column", q - 1) if has_before else None
    parts.append(_table(["栏目", "本季度（条）", "上季度（条）", "增减"], rows(by_column, before_column),
                        css="compact", caption="表2　分栏目录用情况", numeric={1, 2, 3}))
    parts.append(figure(chart, f"图1　{quarter_name(result.year, q)}分栏目、分级别录用情况"))
    return "".join(parts)


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


def _marks_legend(used: list[str]) -> str:
    if not used:
        return ""
    items = "；".join(f"{MARKS[m][0]} {MARKS[m][1]}" for m in MARKS if m in used)
    return f"<p>注：{items}。</p>"


def ranking_table(result: Result, category: str, caption: str = "") -> tuple[str, list[str]]:
    """One category's ranking table and the marks it uses. R15: ties share the best rank."""
    cur = _this_quarter(result)
    cur = cur[cur["category"] == category].sort_values(["rank", "_order"], kind="stable")
    cap = fmt(_cap_milli(result))
    headers = ["排名", "单位", "重点栏目", "信息报送", "上季结转", f"计入得分(封顶{cap})", "结转下季",
               "扣分", "本季得分", "全年累计"]
    numeric = {0, 2, 3, 4, 5, 6, 7, 8, 9}
    order = result.rules.deductions.order
    rows, used = [], []
    for r in cur.to_dict("records"):
        mark = row_mark(r, order)
        if mark and mark not in used:
            used.append(mark)
        score = _num(r["score"]) + (MARKS[mark][0] if mark else "")
        css = {"veto": "veto", "floored": "floored"}.get(mark, "")
        rows.append(_tr([str(int(r["rank"])), text(r["unit_name"]), _num(r["key_points"]),
                         _num(r["info_points"]), _num(r["carry_in"]), _num(r["gross"]),
                         _num(r["carry_out"]), _num(r["deductions"]), score, _num(r["ytd_total"])],
                        numeric, css))
    return _table(headers, rows, caption=caption, numeric=numeric), used


def section_ranking(result: Result, numbering: Mapping[str, str],
                    charts: Mapping[str, str] | None = None, progress_chart: str | None = None) -> str:
    """二、得分排名: per category a table (sorted by rank) and its chart (charts[category])."""
    if "ranking" not in numbering:
        return ""
    charts = charts or {}
    parts = [_heading(numbering, "ranking")]
    present = set(result.quarterly["category"])
    cats = [c for c in result.rules.categories if c.key in present]
    for i, cat in enumerate(cats, 1):
        table, used = ranking_table(result, cat.key, caption=f"表{i + 2}　{text(cat.name)}得分排名")
        parts.append(f"<h3>（{numeral(i)}）{text(cat.name)}</h3>{table}{_marks_legend(used)}")
        parts.append(figure(charts.get(cat.key), f"图{i + 1}　{text(cat.name)}本季得分"))
    if progress_chart:
        n = len(cats) + 1
        parts.append(f"<h3>（{numeral(n)}）全年累计得分走势</h3>")
        parts.append(figure(progress_chart, f"图{len(cats) + 2}　各类别单位全年累计得分（第一季度至第"
                                            f"{numeral(result.quarter)}季度）"))
    return "".join(parts)


# ---- 三、被上级采用情况 ------------------------------------------------------------------------------
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


def section_superior(result: Result, numbering: Mapping[str, str]) -> str:
    """三、被上级采用情况: e.g. 市农业农村局 常州市 3 条."""
    if "superior" not in numbering:
        return ""
    upper = list(result.rules.level_keys[1:])
    counts = superior_adoptions(result)
    parts = [_heading(numbering, "superior")]
    if counts.empty:
        parts.append(f"<p>本季度各单位无信息被{'、'.join(text(u) for u in upper)}录用。</p>")
        return "".join(parts)
    totals = {lv: int(counts[lv].sum()) for lv in upper}
    parts.append("<p>本季度共有 {n} 个单位的信息被上级录用，{lv}。</p>".format(
        n=len(counts), lv="，".join(f"被{text(lv)}录用 {totals[lv]} 条" for lv in upper)))
    lines = []
    for uid, r in counts.iterrows():
        detail = "、".join(f"{text(lv)} {int(r[lv])} 条" for lv in upper if int(r[lv]))
        lines.append(f"{text(r['unit_name'])}（{detail}）")
    parts.append(f"<p>{'；'.join(lines)}。</p>")
    numeric = set(range(1, len(upper) + 2))
    rows = [_tr([text(r["unit_name"])] + [str(int(r[lv])) for lv in upper] + [str(int(r["total"]))],
                numeric) for _, r in counts.iterrows()]
    parts.append(_table(["单位"] + [f"{text(lv)}录用（条）" for lv in upper] + ["合计（条）"], rows,
                        css="compact", caption="被上级录用信息统计", numeric=numeric))
    return "".join(parts)


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


def _zeroed(reason: str) -> str:
    """The reason, saying that the year's score is zeroed unless it says so already."""
    return reason if "归零" in reason else f"{reason}，本年度得分归零"


def problem_line(result: Result, row: Mapping[str, object]) -> str:
    """「市司法局：内容不准确被常州通报 1 次，扣 10 分」, then date and note in brackets."""
    events = result.rules.events
    etype = str(row.get("event_type") or "")
    unit = text(row["unit_name"])
    count = row.get("count")
    count = int(count) if count is not None and not pd.isna(count) else 1
    if row["kind"] == "deduction":
        what = text(events[etype].name if etype in events else etype)
        head = f"{unit}：{what} {count} 次，扣 {_num(row['points'])} 分"
    else:
        ev = events.get(etype)
        scope = "本年度各季度得分及全年得分归零" if (ev is None or ev.veto == "year") else "本季度得分计0分"
        if ev is not None:
            head = f"{unit}：{text(ev.name)}，一票否决，{scope}"
        else:   # no event: an unmet annual target (R11); the engine's reason says what and why
            head = f"{unit}：{_zeroed(text(row.get('note')) or '未完成年度目标任务')}"
    details = []
    date = row.get("event_date")
    if date is not None and not pd.isna(date):
        details.append(zh_date(pd.Timestamp(date).date()))
    note = row.get("note")
    note = "" if note is None or pd.isna(note) else str(note).strip()
    # A veto row's note is the engine's own reason (already said above); an empty event note
    # comes back as the event's name.
    if row["kind"] == "deduction" and note and not (etype in events and note == events[etype].name):
        details.append(text(note))
    return head + (f"（{'，'.join(details)}）" if details else "")


def section_problems(result: Result, numbering: Mapping[str, str]) -> str:
    """四、存在问题: every deduction (三(二)1) and veto (三(二)2) of the quarter; vetoes stand out."""
    if "problems" not in numbering:
        return ""
    rows = problems(result)
    parts = [_heading(numbering, "problems")]
    if rows.empty:
        parts.append("<p>本季度未发现扣分或一票否决事项。</p>")
        return "".join(parts)
    n_units = rows["unit_id"].nunique()
    n_veto = int((rows["kind"] == "veto").sum())
    total = int(rows.loc[rows["kind"] == "deduction", "points"].sum())
    summary = "，".join(([f"合计扣 {fmt(total)} 分"] if total else []) + ([f"一票否决 {n_veto} 起"] if n_veto else []))
    parts.append(f"<p>本季度共有 {n_units} 个单位存在扣分或一票否决事项，{summary}，具体如下：</p>")
    items = [f'<li class="veto">{problem_line(result, r)}</li>' if r["kind"] == "veto"
             else f"<li>{problem_line(result, r)}</li>" for r in rows.to_dict("records")]
    parts.append(f'<ul class="problems">{"".join(items)}</ul>')
    return "".join(parts)


# ---- 五、目标任务完成进度 (Q1–Q3) --------------------------------------------------------------------
def section_progress(result: Result, numbering: Mapping[str, str]) -> str:
    """五、目标任务完成进度: done / target per column; 进度滞后 when done < target × quarter / 4 (R12)."""
    if "progress" not in numbering:
        return ""
    t = result.targets
    cols = [c for c in result.rules.column_keys if c in set(t["column"])]
    names = result.units.set_index("unit_id")["unit_name"]
    order = {u: i for i, u in enumerate(result.units["unit_id"])}
    cells = (t["done"].astype("int64").astype(str) + "/" + t["target"].astype("int64").astype(str))
    grid = t.assign(cell=cells).pivot(index="unit_id", columns="column", values="cell")
    lag = t.groupby("unit_id")["lagging"].any()
    uids = sorted(grid.index, key=lambda u: order.get(u, len(order)))
    numeric = set(range(1, len(cols) + 1))
    rows = []
    for uid in uids:
        cells_u = [grid.at[uid, c] if isinstance(grid.at[uid, c], str) else DASH for c in cols]
        flag = '<span class="lagging">进度滞后</span>' if bool(lag[uid]) else "正常"
        rows.append(_tr([text(names.get(uid, uid))] + cells_u + [flag], numeric))
    n_lag = int(lag.sum())
    parts = [_heading(numbering, "progress"),
             f"<p>截至{quarter_name(result.year, result.quarter)}末，{len(uids)} 个有年度目标任务的单位中，"
             f"{n_lag} 个单位进度滞后（某一栏目完成数低于全年目标按季度进度应完成数）。表中为“已完成/全年目标”（条）。</p>",
             _table(["单位"] + [text(c) for c in cols] + ["进度"], rows, css="compact",
                    caption="年度目标任务完成进度", numeric=numeric)]
    return "".join(parts)


# ---- 年度考核结果 (Q4 only) -------------------------------------------------------------------------
def section_annual(result: Result, numbering: Mapping[str, str]) -> str:
    """年度考核结果 (四 年度考核, 五 鼓励激励): totals and ranks, 优胜单位, 优秀信息员, units zeroed."""
    if "annual" not in numbering:
        return ""
    a = result.annual
    order = {u: i for i, u in enumerate(result.units["unit_id"])}
    a = a.assign(_order=a["unit_id"].map(order))
    q = result.quarterly
    per_q = q.pivot(index="unit_id", columns="quarter", values="score")
    quarters = sorted(per_q.columns)
    parts = [_heading(numbering, "annual"), "<h3>（一）年度得分与排名</h3>"]
    headers = ["排名", "单位"] + [f"第{numeral(int(k))}季度" for k in quarters] + ["全年得分"]
    numeric = {0} | set(range(2, len(headers)))
    present = set(a["category"])
    for cat in [c for c in result.rules.categories if c.key in present]:
        rows = []
        for r in a[a["category"] == cat.key].sort_values(["rank", "_order"], kind="stable").to_dict("records"):
            veto = bool(r["annual_veto"])
            total = _num(r["total"]) + (MARKS["veto"][0] if veto else "")
            rows.append(_tr([str(int(r["rank"])), text(r["unit_name"])]
                            + [_num(per_q.at[r["unit_id"], k]) for k in quarters] + [total],
                            numeric, "veto" if veto else ""))
        parts.append(_table(headers, rows, caption=f"{text(cat.name)}年度得分排名", numeric=numeric))
    if bool(a["annual_veto"].any()):
        parts.append(f"<p>注：{MARKS['veto'][0]} 一票否决，本年度得分归零。</p>")

    parts.append("<h3>（二）优胜单位</h3>")
    lines = []
    for cat in result.rules.categories:
        w = a[(a["category"] == cat.key) & a["winner"].astype(bool)].sort_values(["rank", "_order"], kind="stable")
        names = "、".join(text(n) for n in w["unit_name"]) or "无"
        lines.append(f"{text(cat.name)}（{len(w)} 个）：{names}")
    parts.append(f"<p>根据全年信息汇总分值，评选{'；'.join(lines)}。</p>")

    parts.append("<h3>（三）优秀信息员</h3>")
    inf = result.informants
    ex = inf[inf["excellent"].astype(bool)].sort_values(["rank", "unit_id", "informant"], kind="stable")
    if ex.empty:
        parts.append("<p>本年度无优秀信息员。</p>")
    else:
        rows = [_tr([str(int(r["rank"])), text(r["informant"]), text(r["unit_name"]), _num(r["points"])],
                    {0, 3}) for r in ex.to_dict("records")]
        parts.append(_table(["排名", "信息员", "单位", "全年信息得分"], rows, css="compact",
                            caption="优秀信息员", numeric={0, 3}))

    parts.append("<h3>（四）一票否决单位</h3>")
    vetoed = a[a["annual_veto"].astype(bool)].sort_values("_order", kind="stable")
    if vetoed.empty:
        parts.append("<p>本年度无单位被一票否决。</p>")
    else:
        items = "".join(f'<li class="veto">{text(r["unit_name"])}：{_zeroed(text(r["veto_reason"]) or "一票否决")}</li>'
                        for r in vetoed.to_dict("records"))
        parts.append(f'<ul class="problems">{items}</ul>')
    return "".join(parts)


# ---- 六、下一步工作要求 -----------------------------------------------------------------------------
def section_next_steps(result: Result, numbering: Mapping[str, str], next_steps: str = "") -> str:
    """下一步工作要求: the parameters' text, paragraphs separated by blank lines."""
    if "next_steps" not in numbering or not next_steps.strip():
        return ""
    paras = [p.strip() for p in next_steps.replace("\r\n", "\n").split("\n\n") if p.strip()]
    body = "".join(f"<p>{text(p).replace(chr(10), '<br>')}</p>" for p in paras)
    return _heading(numbering, "next_steps") + body


# ---- 说明 ----------------------------------------------------------------------------------------
def readings(result: Result) -> list[str]:
    """How the ambiguous clauses were read (rules.md R2, R3, R5, R8, R9), worded from the rules."""
    r = result.rules
    cap = fmt(to_milli(r.caps.quarter.value))
    key = r.groups["key"].name
    out = []
    if r.carry_over.enabled:
        out.append(f"本季度得满{cap}分后继续完成{key}的，超出部分中只有{key}得分结转下一季度"
                   f"（可连续结转，不跨年度，被一票否决的季度不结转），信息报送得分不结转")
    else:
        out.append(f"季度得分超过{cap}分的部分不结转")
    if r.deductions.order == "after_cap":
        out.append(f"扣分在封顶之后扣减，即本季得分＝计入得分－扣分，扣完为止、负分不计；"
                   f"扣分不减少结转下季的分值，也不顺延到下一季度")
    else:
        out.append(f"扣分在封顶之前扣减，即本季得分为加分合计减去扣分后再按{cap}分封顶，负分不计；"
                   f"结转下季的分值不受扣分影响")
    out.append("同一信息被更高级别录用的，以最高分值计、不重复计算：在升级当季按新级别计入分值差额")
    nulls = [(c.key, lv) for c in r.columns for lv, p in c.points.items() if p is None]
    if nulls:
        out.append("加分明细表中标“—”的级别，按其下一级别的分值计分")
    for cc in r.column_caps:
        out.append(f"{cc.column}被{cc.level}录用的得分每季度封顶{fmt(to_milli(cc.value))}分，"
                   f"被更高级别录用的不受此限")
    if r.late.factor != 1:
        out.append(f"超时提供内容保障的，得分乘以{fmt(to_milli(r.late.factor))}")
    out.append(f"表中“{DASH}”表示无可比数据（如第一季度没有上季度数据）")
    return out


def section_notes(result: Result) -> str:
    """说明: the readings, a rules variant if any, and the engine's notes (restated quarters …)."""
    r = result.rules
    paras = [f"<p>说明：{'；'.join(readings(result))}。</p>"]
    if r.variant:
        changes = "；".join(text(c) for c in r.changes)
        paras.append(f"<p>本通报按规则变体「{text(r.variant)}」计算（{changes}）。</p>")
    if result.notes:
        paras.append("<p>" + "".join(f"{text(n)}{'' if str(n).endswith('。') else '。'}"
                                     for n in result.notes) + "</p>")
    return f'<div class="notes">{"".join(paras)}</div>'


# ---- 附件 ----------------------------------------------------------------------------------------
def attachment_scores(result: Result, charts: Mapping[str, str] | None = None) -> str:
    """附件1 全部单位得分明细表: every unit, every quarter's score, the YTD total and rank."""
    charts = charts or {}
    q = result.quarterly
    per_q = q.pivot(index="unit_id", columns="quarter", values="score")
    quarters = sorted(per_q.columns)
    cur = _this_quarter(result)
    cat_order = {c.key: i for i, c in enumerate(result.rules.categories)}
    cur = cur.assign(_cat=cur["category"].map(cat_order)).sort_values(["_cat", "ytd_rank", "_order"], kind="stable")
    names = _category_names(result)
    headers = ["序号", "单位", "类别"] + [f"第{numeral(int(k))}季度" for k in quarters] + ["全年累计", "类别内排名"]
    numeric = {0} | set(range(3, len(headers)))
    rows = []
    for i, r in enumerate(cur.to_dict("records"), 1):
        veto = bool(r["annual_veto"]) or bool(r["quarter_veto"])
        rows.append(_tr([str(i), text(r["unit_name"]), text(names.get(r["category"], r["category"]))]
                        + [_num(per_q.at[r["unit_id"], k]) for k in quarters]
                        + [_num(r["ytd_total"]), str(int(r["ytd_rank"]))],
                        numeric, "veto" if veto else ""))
    parts = ['<section class="attachment"><h2>附件1</h2>',
             f"<h3>{quarter_name(result.year, result.quarter)}全部单位得分明细表</h3>",
             _table(headers, rows, caption="全部单位得分明细（分）", numeric=numeric)]
    for i, cat in enumerate([c for c in result.rules.categories if c.key in charts], 1):
        parts.append(figure(charts[cat.key], f"附图{i}　{text(cat.name)}本季得分构成"))
    parts.append("</section>")
    return "".join(parts)


def attachment_zero(result: Result) -> str:
    """附件2 零录用单位名单: units none of whose items earned this quarter."""
    z = zero_adoption_units(result)
    names = _category_names(result)
    parts = ['<section class="attachment"><h2>附件2</h2>',
             f"<h3>{quarter_name(result.year, result.quarter)}零录用单位名单</h3>"]
    if z.empty:
        parts.append("<p>本季度所有单位均有信息被录用。</p>")
    else:
        rows = [_tr([str(i), text(r["unit_name"]), text(names.get(r["category"], r["category"]))], {0})
                for i, r in enumerate(z.to_dict("records"), 1)]
        parts.append(_table(["序号", "单位", "类别"], rows, css="compact",
                            caption=f"零录用单位（共 {len(z)} 个）", numeric={0}))
    parts.append("</section>")
    return "".join(parts)


# ---- 附件说明, 落款 and 抄送 ------------------------------------------------------------------------
def attachment_list(result: Result) -> str:
    """附件说明 under the body text (GB/T 9704): the attachments by number and name."""
    return ("<p>附件：1. 全部单位得分明细表</p>"
            "<p>　　　2. 零录用单位名单</p>")


def signature(result: Result, issue_date: str, issuer: str = "") -> str:
    """落款: issuer and date, right-aligned."""
    issuer = issuer.strip() or result.rules.meta.issuer
    return f'<div class="signature"><p>{text(issuer)}</p><p>{zh_date(issue_date)}</p></div>'


def copy_to(cc: str = "") -> str:
    """抄送 (版记, after the attachments); "" when the parameters give none."""
    cc = (cc or "").strip().rstrip("。")
    return f'<p class="cc">抄送：{text(cc)}。</p>' if cc else ""
