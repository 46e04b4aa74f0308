"""Mid-quarter progress reminders (进度提醒): where each unit stands on a given day, so that fewer
units are caught out by the quarter's cap, lateness or the annual veto for unmet targets.

For every unit, as of a date (records and events dated after it are left out):
- the points so far this quarter (after deductions and vetoes) and what is still open to the
  quarter's cap (R7: cap − points counted before deductions; nothing in a vetoed quarter);
- each annual target (R12) with the records still needed, marked 「一票否决风险」 by the one pace
  rule the review page uses too (``method.annual.veto_at_risk``): at least one still needed and
  needed > done × days left in the year ÷ days gone;
- late items so far (R4), this quarter and this year;
- solicited adoptions by the province so far against the reward's threshold (R13 b);
- a short text per unit, ready to paste into a message.

The year-end judgements are not made mid-year: the quarter's points are scored with the unmet-
target veto and the reward left out (they are judged on the whole year, 三(二)2(2) and 三(一)2).
Pure: a function of the Dataset, the Rules and the date; no clock is read.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd

from scoring.method.annual import veto_at_risk, year_days
from scoring.method.calendar import quarter_name, zh_date
from scoring.method.engine import score
from scoring.method.points import fmt, to_float, to_milli
from scoring.method.rules import Rules, derive
from scoring.report.wording import environment

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "progress"
RISK = "一票否决风险"


@dataclass(frozen=True)
class TargetProgress:
    column: str
    unit: str                 # 期, 条 … (the column's unit)
    target: int
    done: int
    needed: int               # max(target − done, 0)
    by_year_end: str          # done + done × days left ÷ days gone, one decimal: where the pace so far leads
    at_risk: bool             # 一票否决风险


@dataclass(frozen=True)
class UnitProgress:
    unit_id: str
    unit_name: str
    category: str
    points: int               # this quarter so far, thousandths (after deductions and vetoes)
    deductions: int           # thousandths
    open: int                 # still open to the quarter's cap, thousandths
    veto: str                 # why the quarter or the year is vetoed, "" when not
    targets: tuple[TargetProgress, ...]
    late_quarter: int         # late items this quarter so far
    late_year: int            # late items this year so far
    solicited: int            # solicited adoptions by the province this year so far
    text: str                 # the reminder, ready to paste

    @property
    def at_risk(self) -> bool:
        return any(t.at_risk for t in self.targets)


@dataclass(frozen=True)
class Progress:
    as_of: dt.date
    year: int
    quarter: int
    days_gone: int
    days_left: int
    cap: int                  # the quarter's cap, thousandths
    reward_needed: int        # R13 (b): solicited adoptions the reward asks for
    reward_level: str
    late_words: str           # 「得分减半」 / 「按原分值的70%计分」
    issuer: str
    topic: str                # the rules' meta.topic: {topic}进度提醒
    units: tuple[UnitProgress, ...]

    @property
    def heading(self) -> str:
        return f"{self.topic}进度提醒"

    @property
    def title(self) -> str:
        return f"{self.heading}（截至{zh_date(self.as_of)}）"

    @property
    def quarter_title(self) -> str:
        return quarter_name(self.year, self.quarter)

    @property
    def risks(self) -> tuple[tuple[UnitProgress, TargetProgress], ...]:
        return tuple((u, t) for u in self.units for t in u.targets if t.at_risk)


# ---- the date ----------------------------------------------------------------------------------------
def latest_record_date(data) -> dt.date | None:
    """The latest adoption date in the data (else the latest event's), None when there is none."""
    for dates in (data.submissions["adopted_on"], data.events["date"]):
        dates = dates.dropna()
        if len(dates):
            return pd.Timestamp(dates.max()).date()
    return None


def as_of_data(data, as_of: dt.date):
    """The dataset as it stood on ``as_of``: adoptions and events dated after it left out."""
    end = pd.Timestamp(as_of)
    subs, events = data.submissions, data.events
    return replace(data, submissions=subs.loc[(subs["adopted_on"] <= end).fillna(False).to_numpy(bool)],
                   events=events.loc[(events["date"] <= end).fillna(False).to_numpy(bool)])


# ---- the content ---------------------------------------------------------------------------------------
def _late_words(rules: Rules) -> str:
    factor = Decimal(str(rules.late.factor))
    if factor == Decimal("0.5"):
        return "得分减半"
    return f"按原分值的{format((factor * 100).normalize(), 'f')}%计分"


def _pace(done: int, days_gone: int, days_left: int) -> str:
    at_end = Decimal(done) + Decimal(done * days_left) / Decimal(days_gone)
    return format(at_end.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP), "f")


def reminder_text(u: UnitProgress, p: Progress) -> str:
    """「昆仑街道：截至2月15日，本季度已得12.5分，距季度封顶25分还可计12.5分；在线访谈年度目标2期，
    已完成0期，请抓紧报送。」"""
    cap = fmt(p.cap)
    parts = [f"{u.unit_name}：截至{p.as_of.month}月{p.as_of.day}日，本季度已得{fmt(u.points)}分"
             + (f"（已扣{fmt(u.deductions)}分）" if u.deductions else "")
             + (f"，因{u.veto}" if u.veto else f"，距季度封顶{cap}分还可计{fmt(u.open)}分" if u.open
                else f"，已达季度封顶{cap}分")]
    open_targets = [t for t in u.targets if t.needed]
    if open_targets:
        parts.append("；".join(f"{t.column}年度目标{t.target}{t.unit}，已完成{t.done}{t.unit}"
                              + ("，按目前进度年底前难以完成，有一票否决风险" if t.at_risk else "")
                              for t in open_targets) + "，请抓紧报送")
    elif u.targets:
        parts.append("年度目标任务均已完成")
    if u.late_year:
        parts.append(f"本年已有{u.late_year}条内容超时报送（超时{p.late_words}），请按时报送")
    if u.solicited >= p.reward_needed:
        parts.append(f"省政府网站已录用约稿{u.solicited}次，已达到第四季度奖励所需的{p.reward_needed}次")
    else:
        parts.append(f"省政府网站已录用约稿{u.solicited}次，第四季度奖励需{p.reward_needed}次以上")
    return "；".join(parts) + "。"


def progress_report(data, rules: Rules, as_of: dt.date) -> Progress:
    """Every unit's progress as of ``as_of`` (see the module's docstring)."""
    year, quarter = as_of.year, (as_of.month - 1) // 3 + 1
    days_gone, days_left = year_days(as_of)
    # Judged on the whole year, not mid-year: the unmet-target veto and the reward.
    mid_year = derive(rules, {"targets": {"unmet_is_annual_veto": False}, "reward": {"score": 0}}, name="进度提醒")
    result = score(as_of_data(data, as_of), mid_year, year, quarter, restatements=False)
    q = result.quarterly[result.quarterly["quarter"] == quarter].set_index("unit_id")
    cap = to_milli(rules.caps.quarter.value)
    units_of = {c.key: c.unit for c in rules.columns}
    col_order = {c: i for i, c in enumerate(rules.column_keys)}
    targets: dict[str, list[TargetProgress]] = {}
    tf = result.targets.assign(_o=result.targets["column"].map(col_order)).sort_values(["unit_id", "_o"], kind="stable")
    for r in tf.to_dict("records"):
        target, done = int(r["target"]), int(r["done"])
        targets.setdefault(str(r["unit_id"]), []).append(TargetProgress(
            str(r["column"]), units_of.get(str(r["column"]), "条"), target, done, max(target - done, 0),
            _pace(done, days_gone, days_left), bool(veto_at_risk(target, done, days_gone, days_left))))
    e = result.earnings
    late = e[e["late"].astype(bool)]
    late_year = late.groupby(late["unit_id"].astype(str))["record_id"].nunique()
    late_q = late[late["quarter"] == quarter]
    late_quarter = late_q.groupby(late_q["unit_id"].astype(str))["record_id"].nunique()
    solicited = result.annual.set_index(result.annual["unit_id"].astype(str))["solicited"]
    p = Progress(as_of=as_of, year=year, quarter=quarter, days_gone=days_gone, days_left=days_left, cap=cap,
                 reward_needed=int(rules.reward.min_solicited_adoptions), reward_level=rules.reward.level,
                 late_words=_late_words(rules), issuer=rules.meta.issuer, topic=rules.meta.topic, units=())
    units = []
    for u in data.units.to_dict("records"):
        uid = str(u["unit_id"])
        row = q.loc[uid]
        vetoed = bool(row["quarter_veto"]) or bool(row["annual_veto"])
        unit = UnitProgress(
            unit_id=uid, unit_name=str(u["unit_name"]), category=str(u["category"]),
            points=int(row["score"]), deductions=int(row["deductions"]),
            open=0 if vetoed else max(cap - int(row["gross"]), 0),
            veto=str(row["veto_reason"]) if vetoed else "", targets=tuple(targets.get(uid, ())),
            late_quarter=int(late_quarter.get(uid, 0)), late_year=int(late_year.get(uid, 0)),
            solicited=int(solicited.get(uid, 0)), text="")
        units.append(replace(unit, text=reminder_text(unit, p)))
    return replace(p, units=tuple(units))


# ---- tables (points as decimals, Chinese headers: the workbook) --------------------------------------
def progress_sheets(p: Progress) -> list[tuple[str, pd.DataFrame]]:
    """The workbook: 单位进度, 年度目标 and 提醒文字."""
    units = pd.DataFrame([{
        "单位编码": u.unit_id, "单位": u.unit_name, "类别": u.category,
        "本季度已得分": to_float(u.points), "扣分": to_float(u.deductions), "距季度封顶还可计": to_float(u.open),
        "一票否决": u.veto, "本季度超时条数": u.late_quarter, "本年超时条数": u.late_year,
        "省级约稿录用次数": u.solicited, "奖励所需次数": p.reward_needed,
        "年度目标": RISK if u.at_risk else "", "提醒文字": u.text} for u in p.units])
    targets = pd.DataFrame([{
        "单位编码": u.unit_id, "单位": u.unit_name, "栏目": t.column, "年度目标": t.target, "已完成": t.done,
        "还需": t.needed, "按目前进度年底约可完成": float(t.by_year_end),
        "提示": RISK if t.at_risk else ("已完成" if not t.needed else "")}
        for u in p.units for t in u.targets],
        columns=["单位编码", "单位", "栏目", "年度目标", "已完成", "还需", "按目前进度年底约可完成", "提示"])
    texts = pd.DataFrame([{"单位编码": u.unit_id, "单位": u.unit_name, "提醒文字": u.text} for u in p.units])
    return [("单位进度", units), ("年度目标", targets), ("提醒文字", texts)]


def progress_txt(p: Progress) -> str:
    """The reminders as plain text, one paragraph per unit."""
    head = f"{p.title}\n本年已过{p.days_gone}天，还剩{p.days_left}天。\n"
    return head + "\n" + "\n\n".join(u.text for u in p.units) + "\n"


# ---- HTML --------------------------------------------------------------------------------------------
def progress_fragments(p: Progress) -> list[str]:
    """The document's parts (HTML fragments), rendered with the bulletin's look by the command."""
    html = environment(TEMPLATE_DIR).get_template("progress.html.j2").render(p=p, risk=RISK, zh_date=zh_date)
    return [part.strip() for part in html.split("<!-- part -->") if part.strip()]
