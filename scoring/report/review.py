"""The analyst's review page (核对清单, ``review.html``): what to check before the bulletin goes out.

Written by every run beside the bulletin and never sent to units. Pure functions of the Result,
the Dataset, the run's notes and its changes frame → :class:`Review` (small frozen dataclasses);
the wording is the template ``templates/review/review.html.j2`` (:func:`review_html`, the page CSS
passed in by the renderer, ``scoring.render.review``). No clock: the same inputs give the same page.

What the page holds:
- the sample marker file to delete when a copy of the sample has become real data;
- every note of the run (rows outside the year or after the quarter, rules used outside their
  years, a stale quarter, …; each with its file and rows), the left-out rows themselves, and the
  engine's own notes;
- units with no adoption records this quarter; records per unit and column against last quarter;
- units at risk of the annual veto for unmet targets (一票否决风险, :func:`veto_risk`);
- units with events this year but no informant in the register;
- the largest score and rank changes against last quarter;
- the changes against the published (else the replaced) version: the run's changes frame.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Sequence

import pandas as pd

from scoring.method.annual import veto_at_risk, year_days
from scoring.method.calendar import QUARTERS_PER_YEAR, quarter_name, quarter_zh
from scoring.method.result import Result
from scoring.report.wording import environment

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "review"
LEFT_OUT_SHOWN = 100          # left-out rows listed per reason; the rest are counted
MOVES_SHOWN = 10              # the largest score changes and rank changes listed


# ---- the page's content ------------------------------------------------------------------------------
@dataclass(frozen=True)
class LeftOutRow:
    file: str
    row: int
    record: str               # record_id / event_id
    unit: str                 # unit_id and name as registered
    date: str                 # ISO, "" when empty
    text: str                 # title (submissions) or type (events)


@dataclass(frozen=True)
class LeftOut:
    why: str                  # the reason, in Chinese
    rows: tuple[LeftOutRow, ...]
    more: int                 # rows beyond LEFT_OUT_SHOWN, not listed


@dataclass(frozen=True)
class SilentUnit:
    unit_id: str
    unit_name: str
    category: str
    last_quarter: int         # its adoption records last quarter
    year_so_far: int          # its adoption records in the year through this quarter


@dataclass(frozen=True)
class CountRow:
    unit_id: str
    unit_name: str
    cells: tuple[tuple[int, int], ...]      # (this quarter, last quarter) per shown column
    total: int
    total_before: int


@dataclass(frozen=True)
class Risk:
    unit_id: str
    unit_name: str
    column: str
    target: int
    done: int
    needed: int               # target − done
    pace: str                 # done × days_left ÷ days_gone, 2 decimals: what the pace so far adds by year end


@dataclass(frozen=True)
class VetoRisk:
    applies: bool             # the rules file vetoes the year for an unmet target (R11)
    as_of: dt.date
    days_gone: int
    days_left: int
    risks: tuple[Risk, ...]


@dataclass(frozen=True)
class NoInformant:
    unit_id: str
    unit_name: str
    events: int
    what: str                 # 「2023-01-20 类型」、… in date order


@dataclass(frozen=True)
class Move:
    unit_id: str
    unit_name: str
    category: str
    score_before: int         # thousandths
    score_after: int
    rank_before: int | None
    rank_after: int | None

    @property
    def score_change(self) -> int:
        return self.score_after - self.score_before

    @property
    def rank_change(self) -> int:
        """Places moved up (positive) or down (negative); 0 when either rank is missing."""
        if self.rank_before is None or self.rank_after is None:
            return 0
        return self.rank_before - self.rank_after


@dataclass(frozen=True)
class Change:
    unit_id: str
    unit_name: str
    quarter: str              # 2023年第三季度
    score: tuple[str, str]    # (before, after), as changes.csv shows them ("" = absent)
    ytd: tuple[str, str]
    rank: tuple[str, str]


@dataclass(frozen=True)
class Review:
    year: int
    quarter: int
    title: str                               # 2023年第四季度
    previous: str                            # the quarter compared with: 2023年第三季度
    marker: str                              # the sample marker file's path, "" when the data is not the sample
    marker_name: str
    notes: tuple[str, ...]                   # the run's notes, each with its file and rows
    engine_notes: tuple[str, ...]            # Result.notes
    left_out: tuple[LeftOut, ...]
    silent: tuple[SilentUnit, ...]
    columns: tuple[str, ...]                 # columns with records in either quarter
    counts: tuple[CountRow, ...]
    veto: VetoRisk
    no_informant: tuple[NoInformant, ...]
    score_moves: tuple[Move, ...]
    rank_moves: tuple[Move, ...]
    changes: tuple[Change, ...] | None       # None: a first run, nothing to compare with
    compared_with: str                       # 已发布版本（…） / 上次输出


# ---- pieces -----------------------------------------------------------------------------------------
def _s(value: Any) -> str:
    if value is None or value is pd.NA or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value)


def _date(value: Any) -> str:
    return "" if pd.isna(value) else pd.Timestamp(value).date().isoformat()


def previous_quarter(year: int, quarter: int) -> tuple[int, int]:
    return (year, quarter - 1) if quarter > 1 else (year - 1, QUARTERS_PER_YEAR)


def quarter_end(year: int, quarter: int) -> dt.date:
    return (pd.Timestamp(year=year, month=3 * quarter, day=1) + pd.offsets.MonthEnd(0)).date()


def _in_quarter(dates: pd.Series, year: int, quarter: int) -> pd.Series:
    return ((dates.dt.year == year) & (dates.dt.quarter == quarter)).fillna(False).astype(bool)


def _unit_names(data) -> dict[str, str]:
    return dict(zip(data.units["unit_id"].astype(str), data.units["unit_name"].astype(str)))


def _event_name(rules, key: str) -> str:
    event = rules.events.get(key) if rules is not None else None
    return event.name if event is not None else key


def left_out_rows(data, year: int, quarter: int, rules=None) -> tuple[LeftOut, ...]:
    """The rows the run leaves out, by reason, each with its file and row (the notes say the same
    in one line per file): adoptions before or after the year or after the quarter, events outside
    the year or after the quarter. Event types are shown by their names in ``rules``."""
    names = _unit_names(data)
    subs, events = data.submissions, data.events
    d, e = subs["adopted_on"], events["date"]
    groups = [
        (subs, d.dt.year < year, "adopted_on", "title",
         f"录用日期早于 {year} 年：只用于判断同一稿件此前是否已得分（R2），不计入 {year} 年得分"),
        (subs, d.dt.year > year, "adopted_on", "title", f"录用日期晚于 {year} 年：不计入 {year} 年得分（R1）"),
        (subs, (d.dt.year == year) & (d.dt.quarter > quarter), "adopted_on", "title",
         f"录用日期晚于{quarter_name(year, quarter)}末：本次未计入（R1）"),
        (subs, d.isna(), "adopted_on", "title", "录用日期为空：本次未计入"),
        (events, e.dt.year != year, "date", "type", f"扣分事项的日期不在 {year} 年：本次未计入（R1）"),
        (events, (e.dt.year == year) & (e.dt.quarter > quarter), "date", "type",
         f"扣分事项的日期晚于{quarter_name(year, quarter)}末：本次未计入（R1）"),
    ]
    out = []
    for frame, mask, date_col, text_col, why in groups:
        picked = frame.loc[mask.fillna(False).to_numpy(bool)]
        if not len(picked):
            continue
        picked = picked.sort_values(["_file", "_row"], kind="stable")
        id_col = "record_id" if "record_id" in picked.columns else "event_id"
        rows = tuple(LeftOutRow(file=_s(r["_file"]), row=int(r["_row"]), record=_s(r[id_col]),
                                unit=f"{_s(r['unit_id'])} {names.get(_s(r['unit_id']), '')}".strip(),
                                date=_date(r[date_col]),
                                text=_event_name(rules, _s(r[text_col])) if text_col == "type" else _s(r[text_col]))
                     for r in picked.head(LEFT_OUT_SHOWN).to_dict("records"))
        out.append(LeftOut(why, rows, max(len(picked) - LEFT_OUT_SHOWN, 0)))
    return tuple(out)


def _records(data, year: int, quarter: int) -> pd.DataFrame:
    subs = data.submissions
    return subs.loc[_in_quarter(subs["adopted_on"], year, quarter).to_numpy(bool)]


def silent_units(data, year: int, quarter: int) -> tuple[SilentUnit, ...]:
    """Units of the register with no adoption record dated in the quarter, in register order; with
    their records last quarter and in the year so far."""
    now = set(_records(data, year, quarter)["unit_id"].astype(str))
    py, pq = previous_quarter(year, quarter)
    before = _records(data, py, pq)["unit_id"].astype(str).value_counts()
    subs = data.submissions
    d = subs["adopted_on"]
    in_year = subs.loc[((d.dt.year == year) & (d.dt.quarter <= quarter)).fillna(False).to_numpy(bool), "unit_id"]
    year_counts = in_year.astype(str).value_counts()
    return tuple(SilentUnit(uid, _s(u["unit_name"]), _s(u["category"]), int(before.get(uid, 0)),
                            int(year_counts.get(uid, 0)))
                 for u in data.units.to_dict("records") if (uid := _s(u["unit_id"])) not in now)


def record_counts(data, columns: Sequence[str], year: int, quarter: int) -> tuple[tuple[str, ...], tuple[CountRow, ...]]:
    """Adoption records (rows of the submissions table) per unit and column, this quarter against
    last quarter (for the first quarter: the fourth of the year before, when the data holds it).
    Only columns with a record in either quarter are shown (in the rules' order); every unit is."""
    py, pq = previous_quarter(year, quarter)
    now = _records(data, year, quarter).groupby(["unit_id", "column"]).size()
    before = _records(data, py, pq).groupby(["unit_id", "column"]).size()
    used = {str(c) for _u, c in [*now.index, *before.index]}
    shown = tuple(c for c in columns if c in used) + tuple(sorted(used - set(columns)))
    rows = []
    for u in data.units.to_dict("records"):
        uid = _s(u["unit_id"])
        cells = tuple((int(now.get((uid, c), 0)), int(before.get((uid, c), 0))) for c in shown)
        rows.append(CountRow(uid, _s(u["unit_name"]), cells, sum(a for a, _ in cells), sum(b for _, b in cells)))
    return shown, tuple(rows)


def veto_risk(result: Result) -> VetoRisk:
    """一票否决风险 (R11: an unmet annual target zeroes the year's score): a unit and column are at
    risk when at least one record is still needed and the pace so far would not reach the target by
    the year's end — needed > done × days left in the year ÷ days gone (the same rule as the
    progress reminders: ``method.annual.veto_at_risk``).

    "As of" is the end of the bulletin's quarter, not the latest record's date: the bulletin speaks
    for the whole quarter, and a quarter whose records stop early is flagged as stale elsewhere.
    Days gone count 1 January through the quarter's end inclusive; days left, the days after it to
    31 December (2023Q2: 181 gone, 184 left). In the fourth quarter no day is left: every unmet
    target is the veto itself, no longer a risk."""
    year, quarter = int(result.year), int(result.quarter)
    as_of = quarter_end(year, quarter)
    days_gone, days_left = year_days(as_of)
    names = dict(zip(result.units["unit_id"].astype(str), result.units["unit_name"].astype(str)))
    order = {uid: i for i, uid in enumerate(names)}
    columns = {c: i for i, c in enumerate(result.rules.column_keys)}
    risks = []
    for r in result.targets.to_dict("records"):
        target, done = int(r["target"]), int(r["done"])
        if veto_at_risk(target, done, days_gone, days_left):
            pace = (Decimal(done * days_left) / Decimal(days_gone)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            uid = _s(r["unit_id"])
            risks.append(Risk(uid, names.get(uid, ""), _s(r["column"]), target, done, target - done, str(pace)))
    risks.sort(key=lambda k: (order.get(k.unit_id, len(order)), columns.get(k.column, len(columns)), k.column))
    return VetoRisk(bool(result.rules.targets.unmet_is_annual_veto), as_of, days_gone, days_left, tuple(risks))


def events_without_informant(data, year: int, quarter: int, rules=None) -> tuple[NoInformant, ...]:
    """Units with events (扣分事项) dated in the year through the quarter whose register names no
    informant (信息员 empty): no one to tell. Register order; the events in date order."""
    events = data.events
    d = events["date"]
    ev = events.loc[((d.dt.year == year) & (d.dt.quarter <= quarter)).fillna(False).to_numpy(bool)]
    ev = ev.sort_values(["date", "_file", "_row"], kind="stable")
    out = []
    for u in data.units.to_dict("records"):
        uid = _s(u["unit_id"])
        if _s(u["informant"]).strip():
            continue
        mine = ev[ev["unit_id"].astype(str) == uid]
        if len(mine):
            what = "；".join(f"{_date(r['date'])} {_event_name(rules, _s(r['type']))}" + (f"（{_s(r['note'])}）" if _s(r["note"]) else "")
                            for r in mine.to_dict("records"))
            out.append(NoInformant(uid, _s(u["unit_name"]), int(mine["count"].sum()), what))
    return tuple(out)


def _rank(value: Any) -> int | None:
    return None if value is None or value is pd.NA or pd.isna(value) else int(value)


def moves(result: Result) -> tuple[tuple[Move, ...], tuple[Move, ...]]:
    """(the largest score changes, the largest rank changes) of this quarter against the last one of
    the same year (none in the first quarter): at most MOVES_SHOWN each, largest first, units in
    register order among equals; units that did not move are left out. Ranks are within category."""
    q = result.quarterly
    if result.quarter <= 1:
        return (), ()
    now = q[q["quarter"] == result.quarter]
    before = q[q["quarter"] == result.quarter - 1].set_index("unit_id")
    all_moves = []
    for r in now.to_dict("records"):
        uid = r["unit_id"]
        if uid not in before.index:
            continue
        b = before.loc[uid]
        all_moves.append(Move(_s(uid), _s(r["unit_name"]), _s(r["category"]), int(b["score"]), int(r["score"]),
                              _rank(b["rank"]), _rank(r["rank"])))
    by_score = sorted((m for m in all_moves if m.score_change), key=lambda m: -abs(m.score_change))
    by_rank = sorted((m for m in all_moves if m.rank_change), key=lambda m: -abs(m.rank_change))
    return tuple(by_score[:MOVES_SHOWN]), tuple(by_rank[:MOVES_SHOWN])


def _quarter_label(text: str) -> str:
    try:
        return quarter_name(int(text[:4]), int(text[-1]))
    except (ValueError, IndexError):
        return text


def changes_of(frame: pd.DataFrame | None) -> tuple[Change, ...] | None:
    """The run's changes frame (columns of changes.csv) as rows for the page; None stays None."""
    if frame is None:
        return None
    return tuple(Change(_s(r["unit_id"]), _s(r["unit_name"]), _quarter_label(_s(r["quarter"])),
                        (_s(r["score_before"]), _s(r["score_after"])), (_s(r["ytd_before"]), _s(r["ytd_after"])),
                        (_s(r["rank_before"]), _s(r["rank_after"])))
                 for r in frame.to_dict("records"))


# ---- the whole page -----------------------------------------------------------------------------------
def review_page(result: Result, data, *, notes: Sequence[str] = (), changes: pd.DataFrame | None = None,
                compared_with: str = "", marker: Path | str | None = None) -> Review:
    """Everything the review page shows. ``notes``: the run's notes (each with its file and rows);
    ``changes``: the changes frame against the published (else replaced) version, None on a first
    run; ``marker``: the data folder's sample marker file, None when it has none (the notes that
    name it are left to the page's own box on it)."""
    year, quarter = int(result.year), int(result.quarter)
    columns, counts = record_counts(data, result.rules.column_keys, year, quarter)
    score_moves, rank_moves = moves(result)
    return Review(
        year=year, quarter=quarter, title=quarter_name(year, quarter),
        previous=quarter_name(*previous_quarter(year, quarter)),
        marker=str(marker) if marker else "", marker_name=Path(marker).name if marker else "",
        notes=tuple(dict.fromkeys(str(n) for n in notes if not (marker and str(marker) in str(n)))),
        engine_notes=tuple(result.notes), left_out=left_out_rows(data, year, quarter, result.rules),
        silent=silent_units(data, year, quarter),
        columns=columns, counts=counts, veto=veto_risk(result),
        no_informant=events_without_informant(data, year, quarter, result.rules),
        score_moves=score_moves, rank_moves=rank_moves, changes=changes_of(changes),
        compared_with=compared_with or "上次输出")


# ---- HTML -----------------------------------------------------------------------------------------------
def review_html(review: Review, css: str = "") -> str:
    """The review page as one self-contained HTML string (``css``: the project's page CSS)."""
    html = environment(TEMPLATE_DIR).get_template("review.html.j2").render(r=review, css=css, quarter_zh=quarter_zh(review.quarter))
    return "\n".join(line.rstrip() for line in html.splitlines()) + "\n"
