"""Exploring the rules: the main numbers of the method as knobs, and what the data scores under
them — the rankings, the units that change and the 优胜单位 list — against the rules as they are.

Pure: :class:`Knobs` → Rules (``rules.derive``) → one scoring → :func:`whatif.diff` against the
base scored once → HTML. The widgets that turn the knobs live in ``scoring.render.explore``;
notebooks/explore.ipynb only calls them. One update is one scoring of the year (≈35 ms for a city)
and a page of tables, well under half a second.
"""
from __future__ import annotations

import html
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import pandas as pd

from scoring.method import points
from scoring.method.annual import winners as winners_of
from scoring.method.calendar import YEAR_END_QUARTER, quarter_zh
from scoring.method.engine import score
from scoring.method.rules import Rules, derive
from scoring.report.whatif import VariantDiff, _table, default_period, diff

INFO_COLUMN = "要闻动态"          # the column whose quarterly cap (R5) is a knob
VARIANT_NAME = "调整后的规则"


@dataclass(frozen=True)
class Knobs:
    """The main numbers of the method, as the explorer turns them."""

    quarter_cap: float                       # 一: a quarter scores at most this
    info_cap: float | None                   # R5: 要闻动态's quarterly cap; None = no cap
    late_factor: float                       # R4: a late item keeps this share of its points
    reward_threshold: int                    # R13 (b): solicited province adoptions for the reward
    carry_over: bool                         # R8: points over the cap carry into the next quarter
    deductions: str                          # R9: "after_cap" | "before_cap"
    winners: tuple[tuple[str, int], ...]     # 五: 优胜单位 per category (category key, count)

    @classmethod
    def of(cls, rules: Rules) -> Knobs:
        cap = _info_cap(rules)
        return cls(quarter_cap=float(rules.caps.quarter.value), info_cap=None if cap is None else float(cap.value),
                   late_factor=float(rules.late.factor), reward_threshold=int(rules.reward.min_solicited_adoptions),
                   carry_over=bool(rules.carry_over.enabled), deductions=rules.deductions.order,
                   winners=tuple((c.key, c.winners) for c in rules.categories))

    def with_(self, **changes: Any) -> Knobs:
        if "winners" in changes and isinstance(changes["winners"], dict):
            changes["winners"] = tuple({**dict(self.winners), **changes["winners"]}.items())
        return replace(self, **changes)


def _info_cap(rules: Rules):
    caps = [c for c in rules.column_caps if c.column == INFO_COLUMN]
    return caps[0] if caps else None


def _same(a: float, b: float) -> bool:
    return points.to_milli(a) == points.to_milli(b)


def overlay(base: Rules, k: Knobs) -> dict[str, Any]:
    """The knobs as an overlay of ``base`` (``rules.derive``): only what differs."""
    now = Knobs.of(base)
    out: dict[str, Any] = {}
    if not _same(k.quarter_cap, now.quarter_cap):
        out["caps"] = {"quarter": {"value": k.quarter_cap}}
    if k.info_cap != now.info_cap and not (k.info_cap is not None and now.info_cap is not None
                                           and _same(k.info_cap, now.info_cap)):
        others = [c.model_dump() for c in base.column_caps if c.column != INFO_COLUMN]
        if k.info_cap is None:
            out["column_caps"] = others
        elif now.info_cap is not None:
            out["column_caps"] = {INFO_COLUMN: {"value": k.info_cap}}
        else:
            col = base.column(INFO_COLUMN)
            out["column_caps"] = others + [{"column": INFO_COLUMN, "level": base.level_keys[0], "value": k.info_cap,
                                            "clause": col.clause, "text": col.text}]
    if not _same(k.late_factor, now.late_factor):
        out["late"] = {"factor": k.late_factor}
    if k.reward_threshold != now.reward_threshold:
        out["reward"] = {"min_solicited_adoptions": int(k.reward_threshold)}
    if k.carry_over != now.carry_over:
        out["carry_over"] = {"enabled": bool(k.carry_over)}
    if k.deductions != now.deductions:
        out["deductions"] = {"order": k.deductions}
    changed = {key: {"winners": int(n)} for key, n in k.winners if dict(now.winners).get(key) != n}
    if changed:
        out["categories"] = changed
    return out


def rules_for(base: Rules, k: Knobs) -> Rules:
    """The rules with the knobs turned (RulesError, in Chinese, for a combination the rules refuse)."""
    return derive(base, overlay(base, k), name=VARIANT_NAME, description=VARIANT_NAME)


@dataclass(frozen=True)
class View:
    knobs: Knobs
    diff: VariantDiff
    html: str


class Explorer:
    """The data scored once under ``base``; :meth:`view` scores it under turned knobs and compares."""

    def __init__(self, data, base: Rules, year: int | None = None, quarter: int | None = None) -> None:
        if year is None or quarter is None:
            dy, dq = default_period(data, base)
            year, quarter = (dy if year is None else year), (dq if quarter is None else quarter)
        self.data, self.base, self.year, self.quarter = data, base, int(year), int(quarter)
        self.base_result = score(data, base, self.year, self.quarter, restatements=False)

    @property
    def knobs(self) -> Knobs:
        return Knobs.of(self.base)

    def view(self, k: Knobs) -> View:
        rules = rules_for(self.base, k)
        d = diff(self.base_result, score(self.data, rules, self.year, self.quarter, restatements=False))
        return View(k, d, view_html(d, rules))


# ---- the page -------------------------------------------------------------------------------------------
def _what(d: VariantDiff) -> str:
    return "全年总分" if d.quarter == YEAR_END_QUARTER else f"截至{quarter_zh(d.quarter)}累计得分"


def _winner_flags(t: pd.DataFrame, side: str, rules: Rules) -> np.ndarray:
    """优胜单位 by the totals through the compared quarter (五; R15 ranks): the engine judges them at
    the year end only; before it, the same rule on the totals so far, for reference."""
    return winners_of(t[f"total_{side}"].to_numpy(), t[f"rank_{side}"].to_numpy(), t["category"].to_numpy(dtype=object),
                      rules)


def rankings_html(d: VariantDiff, rules: Rules) -> str:
    """Per category, every unit in its new order: rank, total, the old rank and the move, 优胜."""
    t = d.totals_milli.assign(win_new=_winner_flags(d.totals_milli, "variant", rules),
                              win_old=_winner_flags(d.totals_milli, "base", d.base))
    t["mark"] = np.where(t["win_new"] & ~t["win_old"], "优胜（新增）",
                         np.where(t["win_new"], "优胜", np.where(t["win_old"], "退出优胜", "")))
    parts = []
    for c in rules.categories:
        rows = t[t["category"] == c.key].sort_values(["rank_variant", "unit_id"], kind="stable")
        if rows.empty:
            continue
        parts.append(_table(rows, [("名次", "rank_variant", "int"), ("单位", "unit_name", "text"),
                                   (_what(d), "total_variant", "num"), ("原得分", "total_base", "num"),
                                   ("原名次", "rank_base", "int"), ("名次变化", "rank_change", "move"),
                                   ("优胜单位", "mark", "text")],
                            caption=f"{c.name}排名（按{_what(d)}，优胜单位{c.winners}个）",
                            css="compact"))
    return "\n".join(parts)


def winners_html(d: VariantDiff, rules: Rules) -> str:
    t = d.totals_milli
    new, old = _winner_flags(t, "variant", rules), _winner_flags(t, "base", d.base)
    note = "" if d.quarter == YEAR_END_QUARTER else f"（优胜单位在第四季度评选；这里按截至{quarter_zh(d.quarter)}的累计得分，仅供参考）"
    items = []
    for c in rules.categories:
        mine = t["category"].to_numpy() == c.key
        names = [html.escape(n) + ("（新增）" if not o else "") for n, w, o in
                 zip(t["unit_name"][mine], new[mine], old[mine]) if w]
        gone = [html.escape(n) for n, w, o in zip(t["unit_name"][mine], new[mine], old[mine]) if o and not w]
        items.append(f"<li>{html.escape(c.name)}：{'、'.join(names) or '无'}"
                     + (f"；退出：{'、'.join(gone)}" if gone else "") + "</li>")
    return f"<p>优胜单位{note}：</p><ul>{''.join(items)}</ul>"


def view_html(d: VariantDiff, rules: Rules) -> str:
    words = d.rule_changes
    head = ("<p>规则与现行规则相同。</p>" if not words else
            "<p>调整的规则：" + "；".join(html.escape(w) for w in words) + "。</p>")
    return "\n".join([
        '<section class="whatif">', head, f'<p class="opening">{html.escape(d.summary())}</p>',
        "<h3>优胜单位</h3>", winners_html(d, rules),
        "<h3>有变化的单位</h3>", d.total_table_html(), d.quarter_table_html(),
        "<h3>各类别排名</h3>", rankings_html(d, rules),
        "</section>"])
