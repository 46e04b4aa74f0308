"""What-if analysis: score the same data under the rules and under variants of them, and compare.

Three lines in a fresh notebook::

    from scoring import whatif
    data = whatif.load("data/sample")
    whatif.compare(data, whatif.variant(late={"factor": 0.7}, name="超时七折"))

A variant is the base rules plus a small overlay (``rules.derive``), built in code with
:func:`variant` or read from ``params/variants/*.yaml`` with :func:`load_variants`. A
:class:`Comparison` holds, per variant, what changes for each unit: quarter scores, the points
carried into the next quarter (R8), vetoes, the total through the quarter, ranks within each
category (R15), the year-end reward (R13) and 优胜单位 (五); what the variant changes, in words
(:func:`describe_changes`); a one-line Chinese summary and a rich HTML view. Its tables
(``quarter_changes``, ``annual_changes``, …) hold points as decimals under Chinese labels, ready
to show or save; the frames underneath (``quarters_milli``, ``totals_milli``) stay in thousandths.

Only the ``load*`` functions read files; :func:`compare` and everything after it is pure.
``python -m scoring whatif`` (scoring.run.whatif) renders :meth:`Comparison.fragments`. The words for
what a variant changes are scoring.method.rule_words' (``describe_changes``, re-exported here).
"""
from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import pandas as pd

from scoring.report import charts, page
from scoring.report import glyphs as fonts

from scoring.method import points
from scoring.method import rules as rules_mod
from scoring.inputs.dataset import Dataset
from scoring.errors import RulesError, ScoringError
from scoring.method.rules import Rules
from scoring.method.rule_words import describe_changes  # whatif's API too
from scoring.method.calendar import YEAR_END_QUARTER, quarter_zh
from scoring.method.calendar import numeral as chinese_numeral  # whatif's API too (section numbers)
from scoring.inputs.loading import load_dataset
from scoring.inputs.rules_file import load_rules
from scoring.inputs.rules_file import load_variants, variant_files  # noqa: F401 - whatif's API (the notebook)
from scoring.method.engine import score
from matplotlib.figure import Figure
import matplotlib


HTML_TITLE = "考评规则变体对比分析"


# ---- loading: the files are read by scoring.inputs -----------------------------------------------
def load(path: str | Path, rules: Rules | None = None) -> Dataset:
    """Read and validate a dataset folder (CSV files or one workbook) with the default rules."""
    return load_dataset(Path(path), rules or load_rules())


def variant(overlay: Mapping[str, Any] | None = None, /, *, name: str = "", description: str = "",
            base: Rules | None = None, **sections: Any) -> Rules:
    """A variant of ``base`` (default: the default rules file) in code.

    ``variant(late={"factor": 0.7}, name="超时七折")``; keyed lists are overlaid by key
    (``column_caps={"要闻动态": {"value": 15}}``) and replaced by a list (``column_caps=[]`` removes
    every column cap). The description is the lead-in of the summary line (default: the name).
    """
    body = {**dict(overlay or {}), **sections}
    return rules_mod.derive(base if base is not None else load_rules(), body,
                            name=name or "变体", description=description)


# ---- the comparison (pure) ----------------------------------------------------------------------
def _lead_in(r: Rules) -> str:
    return r.description or r.variant or "变体"


def _signed(milli: int) -> str:
    return ("+" if milli > 0 else "") + points.fmt(milli)


def _mean_text(milli: pd.Series) -> str:
    """The mean of milli-points for prose, rounded to one decimal place for reading (「平均约+0.7分」;
    「约」 whenever rounding changed it). Tables show every figure exact."""
    total, n = int(milli.sum()), len(milli)
    q = (Decimal(total) / Decimal(n) / points.SCALE).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    exact = q * points.SCALE * n == total
    text = format(q.normalize(), "f") if q else "0"
    return ("" if exact else "约") + ("+" if q > 0 else "") + text


def _category_order(rules: Rules, frame: pd.DataFrame) -> pd.Series:
    order = {k: i for i, k in enumerate(rules.category_keys)}
    return frame["category"].map(order).fillna(len(order)).astype("int64")


def _veto_text(quarter_veto: pd.Series, annual_veto: pd.Series) -> pd.Series:
    out = pd.Series("", index=quarter_veto.index, dtype=object)
    out = out.where(~quarter_veto.astype(bool), "本季度一票否决")
    return out.where(~annual_veto.astype(bool), "全年一票否决")


def _yes(flag: pd.Series) -> pd.Series:
    return flag.map({True: "是", False: "否"})


# The comparison's tables as shown and saved: points as decimals (12.25), Chinese column labels.
QUARTER_LABELS = {
    "unit_id": "单位编码", "unit_name": "单位", "category": "类别", "quarter": "季度",
    "score_base": "原得分", "score_variant": "新得分", "delta": "得分变化",
    "carry_base": "原结转下季度", "carry_variant": "新结转下季度", "carry_delta": "结转变化",
    "veto_base": "原一票否决", "veto_variant": "新一票否决", "rank_base": "原排名", "rank_variant": "新排名",
}
ANNUAL_LABELS = {
    "unit_id": "单位编码", "unit_name": "单位", "category": "类别",
    "total_base": "原累计得分", "total_variant": "新累计得分", "delta": "得分变化",
    "rank_base": "原排名", "rank_variant": "新排名", "rank_change": "名次变化（正数为上升）",
    "annual_veto_base": "原全年一票否决", "annual_veto_variant": "新全年一票否决",
    "winner_base": "原为优胜单位", "winner_variant": "新为优胜单位",
    "reward_base": "原获第四季度奖励", "reward_variant": "新获第四季度奖励",
}
WINNER_LABELS = {"move": "变动", **{k: ANNUAL_LABELS[k] for k in
                 ("unit_id", "unit_name", "category", "total_base", "total_variant", "rank_base", "rank_variant")}}
POINT_COLUMNS = ("score_base", "score_variant", "delta", "carry_base", "carry_variant", "carry_delta",
                 "total_base", "total_variant")


def _shown(frame: pd.DataFrame, labels: Mapping[str, str]) -> pd.DataFrame:
    """Internal columns (thousandths) → the shown table: points as decimals, yes/no as 是/否,
    the labels' columns in their order."""
    out = pd.DataFrame(index=frame.index)
    for col, label in labels.items():
        if col not in frame.columns:
            continue
        values = frame[col]
        if col in POINT_COLUMNS:
            values = points.to_float(values.astype("int64"))
        elif values.dtype == bool:
            values = _yes(values)
        out[label] = values
    return out.reset_index(drop=True)


@dataclass(frozen=True)
class VariantDiff:
    """One variant against the base, for ``year`` through ``quarter``.

    The tables to show or save (points as decimals, Chinese labels): :attr:`quarter_changes`,
    :attr:`annual_changes`, :attr:`rank_changes`, :attr:`winner_changes`.
    Underneath, in integer thousandths (for arithmetic, English columns):
    ``quarters_milli``: one row per unit and quarter 1..quarter — unit_id, unit_name, category,
    quarter, score_base, score_variant, delta, carry_base, carry_variant (R8, carried out of the
    quarter), carry_delta, veto_base, veto_variant (「本季度一票否决」「全年一票否决」 or ""), rank_base,
    rank_variant.
    ``totals_milli``: one row per unit — unit_id, unit_name, category, total_base, total_variant,
    delta (the annual total through ``quarter``, R14), rank_base, rank_variant, rank_change
    (positive = moved up), annual_veto_*, winner_* (优胜单位) and reward_* (R13; both False
    before the year-end quarter).
    """

    rules: Rules
    base: Rules
    year: int
    quarter: int
    quarters_milli: pd.DataFrame
    totals_milli: pd.DataFrame

    @property
    def name(self) -> str:
        return self.rules.variant or _lead_in(self.rules)

    @property
    def winners_judged(self) -> bool:
        return self.quarter == YEAR_END_QUARTER

    @property
    def rule_changes(self) -> tuple[str, ...]:
        """What the variant changes, in words (:func:`describe_changes`)."""
        return describe_changes(self.base, self.rules)

    # -- rows that changed, in thousandths --------------------------------------------------------
    def _quarter_rows(self) -> pd.DataFrame:
        q = self.quarters_milli
        moved = (q["delta"] != 0) | (q["carry_delta"] != 0) | (q["veto_base"] != q["veto_variant"])
        return q[moved].reset_index(drop=True)

    def _total_rows(self) -> pd.DataFrame:
        t = self.totals_milli
        moved = ((t["delta"] != 0) | (t["rank_change"] != 0) | (t["winner_base"] != t["winner_variant"])
                 | (t["annual_veto_base"] != t["annual_veto_variant"]) | (t["reward_base"] != t["reward_variant"]))
        return t[moved].reset_index(drop=True)

    def _rank_rows(self) -> pd.DataFrame:
        return self.totals_milli[self.totals_milli["rank_change"] != 0].reset_index(drop=True)

    def _entering(self) -> pd.DataFrame:
        t = self.totals_milli
        return t[t["winner_variant"] & ~t["winner_base"]].reset_index(drop=True)

    def _leaving(self) -> pd.DataFrame:
        t = self.totals_milli
        return t[t["winner_base"] & ~t["winner_variant"]].reset_index(drop=True)

    def _units(self, frame: pd.DataFrame) -> set[str]:
        return set(frame["unit_id"].astype(str))

    # -- the tables to show or save ---------------------------------------------------------------
    @property
    def quarter_changes(self) -> pd.DataFrame:
        """Every unit and quarter whose score, carry into the next quarter (R8) or veto changes."""
        return _shown(self._quarter_rows(), QUARTER_LABELS)

    @property
    def annual_changes(self) -> pd.DataFrame:
        """Every unit whose total through the quarter, rank, annual veto, reward or 优胜单位 changes
        (the last three columns only at the year end, when they are judged)."""
        labels = ANNUAL_LABELS if self.winners_judged else {
            k: v for k, v in ANNUAL_LABELS.items() if not k.startswith(("winner_", "reward_"))}
        return _shown(self._total_rows(), labels)

    total_changes = annual_changes

    @property
    def rank_changes(self) -> pd.DataFrame:
        """R15 ranks by the total within each category, where the variant moves a unit."""
        keep = ("unit_id", "unit_name", "category", "rank_base", "rank_variant", "rank_change", "total_base",
                "total_variant")
        return _shown(self._rank_rows(), {k: ANNUAL_LABELS[k] for k in keep})

    @property
    def winner_changes(self) -> pd.DataFrame:
        """Units entering (新增) or leaving (退出) 优胜单位 (only at the year end)."""
        rows = pd.concat([self._entering().assign(move="新增"), self._leaving().assign(move="退出")],
                         ignore_index=True)
        return _shown(rows, WINNER_LABELS)

    @property
    def entering(self) -> pd.DataFrame:
        return _shown(self._entering(), WINNER_LABELS)

    @property
    def leaving(self) -> pd.DataFrame:
        return _shown(self._leaving(), WINNER_LABELS)

    @property
    def unchanged(self) -> bool:
        return self._quarter_rows().empty and self._total_rows().empty

    @property
    def changed_units(self) -> int:
        """Units with any change: a quarter's score, carry or veto, the total, rank, reward or 优胜单位."""
        return len(self._units(self._quarter_rows()) | self._units(self._total_rows()))

    def rank_changes_by_category(self) -> dict[str, int]:
        rc = self._rank_rows()
        return {c: int((rc["category"] == c).sum()) for c in self.rules.category_keys
                if (rc["category"] == c).any()}

    # -- the one line -----------------------------------------------------------------------------
    def summary(self) -> str:
        """「要闻动态封顶提高到15分：12个单位有变化，12个单位得分上升，平均约+1.8分，镇区街道排名变化3处」.

        得分 is the annual total through the compared quarter (R14); 排名 the rank by it within a
        category (R15); 优胜单位 and the reward only in the year-end comparison (五, R13). The
        average is rounded for reading; the tables are exact.
        """
        parts: list[str] = []
        n = self.changed_units
        if n:
            parts.append(f"共{n}个单位有变化")
        t = self.totals_milli
        up, down = t[t["delta"] > 0], t[t["delta"] < 0]
        if len(up):
            parts.append(f"{len(up)}个单位得分上升，平均{_mean_text(up['delta'])}分")
        if len(down):
            parts.append(f"{len(down)}个单位得分下降，平均{_mean_text(down['delta'])}分")
        q = self.quarters_milli
        moved_only = self._units(q[q["delta"] != 0]) - self._units(t[t["delta"] != 0])
        if moved_only:
            parts.append(f"{len(moved_only)}个单位季度得分有变化但累计不变")
        carry = q[q["carry_delta"] != 0]
        if len(carry):
            more, less = self._units(carry[carry["carry_delta"] > 0]), self._units(carry[carry["carry_delta"] < 0])
            words = [f"{len(more)}个单位结转下季度的分数增加" if more else "",
                     f"{len(less - more)}个单位结转下季度的分数减少" if less - more else ""]
            parts.extend(w for w in words if w)
        vetoes = self._units(q[q["veto_base"] != q["veto_variant"]])
        if vetoes:
            parts.append(f"{len(vetoes)}个单位一票否决情况有变化")
        by_cat = self.rank_changes_by_category()
        parts.extend(f"{c}排名变化{n}处" for c, n in by_cat.items())
        if parts and not by_cat:
            parts.append("排名无变化")
        if self.winners_judged:
            gained = t[t["reward_variant"] & ~t["reward_base"]]
            lost = t[t["reward_base"] & ~t["reward_variant"]]
            if len(gained):
                parts.append("新增获第四季度奖励：" + "、".join(gained["unit_name"]))
            if len(lost):
                parts.append("不再获第四季度奖励：" + "、".join(lost["unit_name"]))
            if len(self._entering()):
                parts.append("优胜单位新增" + "、".join(self._entering()["unit_name"]))
            if len(self._leaving()):
                parts.append("优胜单位退出" + "、".join(self._leaving()["unit_name"]))
        if not parts:
            parts.append("各单位得分、结转、排名均无变化")
        return f"{_lead_in(self.rules)}：{'，'.join(parts)}"

    # -- HTML -------------------------------------------------------------------------------------
    def changes_html(self) -> str:
        words = self.rule_changes
        if not words:
            return "<p>与现行规则相同，没有改动的规则项。</p>"
        return ('<div class="notes"><p>改动的规则项（其余规则与现行规则相同）：</p><ul>'
                + "".join(f"<li>{html.escape(w)}</li>" for w in words) + "</ul></div>")

    def quarter_table_html(self) -> str:
        qc = self._quarter_rows()
        if qc.empty:
            return "<p>各单位季度得分、结转和一票否决情况均无变化。</p>"
        spec = [("单位", "unit_name", "text"), ("类别", "category", "text"), ("季度", "quarter", "quarter"),
                ("原得分", "score_base", "num"), ("新得分", "score_variant", "num"), ("变化", "delta", "signed"),
                ("原结转下季度", "carry_base", "num"), ("新结转下季度", "carry_variant", "num")]
        if (qc["veto_base"] != qc["veto_variant"]).any():
            spec += [("原一票否决", "veto_base", "text"), ("新一票否决", "veto_variant", "text")]
        spec += [("原排名", "rank_base", "int"), ("新排名", "rank_variant", "int")]
        return _table(qc, spec, caption=f"{self.year}年各季度得分与结转变化（仅列有变化的单位；"
                                        f"原＝现行规则，新＝「{self.name}」）")

    def total_table_html(self) -> str:
        tc = self._total_rows()
        what = "全年总分" if self.winners_judged else f"截至第{self.quarter}季度累计得分"
        if tc.empty:
            return f"<p>各单位{what}和排名均无变化。</p>"
        spec = [("单位", "unit_name", "text"), ("类别", "category", "text"),
                (f"原{what}", "total_base", "num"), (f"新{what}", "total_variant", "num"),
                ("变化", "delta", "signed"), ("原排名", "rank_base", "int"),
                ("新排名", "rank_variant", "int"), ("名次变化", "rank_change", "move")]
        if (tc["annual_veto_base"] != tc["annual_veto_variant"]).any():
            spec += [("原全年一票否决", "annual_veto_base", "yes"), ("新全年一票否决", "annual_veto_variant", "yes")]
        if self.winners_judged and (tc["reward_base"] != tc["reward_variant"]).any():
            spec += [("原获奖励", "reward_base", "yes"), ("新获奖励", "reward_variant", "yes")]
        return _table(tc, spec, caption=f"{self.year}年{what}变化（仅列有变化的单位）")

    def rank_html(self) -> str:
        by_cat = self.rank_changes_by_category()
        if not by_cat:
            return "<p>各类别排名均无变化。</p>"
        return "\n".join(rank_chart_html(self, c) for c in by_cat)

    def winners_html(self) -> str:
        if not self.winners_judged:
            return f"<p>优胜单位在第{YEAR_END_QUARTER}季度（年度考核）评选，本次对比截至第{self.quarter}季度，不涉及。</p>"
        if self._entering().empty and self._leaving().empty:
            return "<p>优胜单位名单无变化。</p>"
        rows = pd.concat([self._entering().assign(move="新增"), self._leaving().assign(move="退出")],
                         ignore_index=True)
        return _table(rows, [("变动", "move", "text"), ("单位", "unit_name", "text"),
                             ("类别", "category", "text"), ("原全年总分", "total_base", "num"),
                             ("新全年总分", "total_variant", "num"), ("原排名", "rank_base", "int"),
                             ("新排名", "rank_variant", "int")],
                      caption="优胜单位名单变化", css="compact")

    def html(self, heading: str = "h2", title: str | None = None) -> str:
        return "\n".join([
            '<section class="whatif">',
            f"<{heading}>{html.escape(title or self.name)}</{heading}>",
            f'<p class="opening">{html.escape(self.summary())}</p>',
            self.changes_html(),
            "<h3>（一）季度得分与结转变化</h3>", self.quarter_table_html(),
            "<h3>（二）累计得分变化</h3>", self.total_table_html(),
            "<h3>（三）类别内排名变化</h3>", self.rank_html(),
            "<h3>（四）优胜单位变化</h3>", self.winners_html(),
            "</section>"])

    def _repr_html_(self) -> str:
        return self.html()

    def __repr__(self) -> str:
        return f"<VariantDiff {self.year}年第{self.quarter}季度> {self.summary()}"


@dataclass(frozen=True)
class Comparison:
    """The base result against each variant (``diffs`` in the order given)."""

    base: Rules
    year: int
    quarter: int
    diffs: tuple[VariantDiff, ...]

    def __iter__(self) -> Iterator[VariantDiff]:
        return iter(self.diffs)

    def __len__(self) -> int:
        return len(self.diffs)

    def __getitem__(self, key: int | str) -> VariantDiff:
        if isinstance(key, int):
            return self.diffs[key]
        for d in self.diffs:
            if key in (d.name, d.rules.variant, d.rules.description):
                return d
        raise KeyError(key)

    @property
    def period(self) -> str:
        """「2023年全年」 or 「2023年截至第三季度」."""
        return f"{self.year}年" + ("全年" if self.quarter == YEAR_END_QUARTER else f"截至{quarter_zh(self.quarter)}")

    def summary(self) -> str:
        """One line per variant."""
        return "\n".join(d.summary() for d in self.diffs)

    def _stack(self, attr: str) -> pd.DataFrame:
        frames = []
        for d in self.diffs:
            frame = getattr(d, attr)            # a fresh table each time
            frame.insert(0, "规则变体", d.name)
            frames.append(frame)
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @property
    def quarter_changes(self) -> pd.DataFrame:
        return self._stack("quarter_changes")

    @property
    def annual_changes(self) -> pd.DataFrame:
        return self._stack("annual_changes")

    total_changes = annual_changes

    @property
    def rank_changes(self) -> pd.DataFrame:
        return self._stack("rank_changes")

    @property
    def winner_changes(self) -> pd.DataFrame:
        return self._stack("winner_changes")

    def rule_changes(self) -> pd.DataFrame:
        """One row per variant and changed rule, in words."""
        rows = [(d.name, w) for d in self.diffs for w in (d.rule_changes or ("（无改动）",))]
        return pd.DataFrame(rows, columns=["规则变体", "改动的规则"])

    def overview(self) -> pd.DataFrame:
        """One row per variant: its name, what it changes (in words), counts, the summary line."""
        t = lambda d: d.totals_milli
        return pd.DataFrame({
            "规则变体": [d.name for d in self.diffs],
            "改动的规则": ["；".join(d.rule_changes) for d in self.diffs],
            "有变化的单位": [d.changed_units for d in self.diffs],
            "得分上升": [int((t(d)["delta"] > 0).sum()) for d in self.diffs],
            "得分下降": [int((t(d)["delta"] < 0).sum()) for d in self.diffs],
            "结转有变化": [len(d._units(d.quarters_milli[d.quarters_milli["carry_delta"] != 0])) for d in self.diffs],
            "排名变化": [len(d._rank_rows()) for d in self.diffs],
            "优胜单位新增": [len(d._entering()) for d in self.diffs],
            "优胜单位退出": [len(d._leaving()) for d in self.diffs],
            "一句话结论": [d.summary() for d in self.diffs],
        })

    def overview_html(self) -> str:
        return _table(self.overview(), [("规则变体", "规则变体", "text"), ("改动的规则", "改动的规则", "text"),
                                        ("有变化的单位", "有变化的单位", "int"), ("得分上升", "得分上升", "int"),
                                        ("得分下降", "得分下降", "int"), ("结转有变化", "结转有变化", "int"),
                                        ("排名变化", "排名变化", "int")],
                      caption=f"{self.period}各规则变体与现行规则对比")

    def sheets(self) -> list[tuple[str, pd.DataFrame]]:
        """The workbook of all changes: (sheet name, table) — points as decimals, Chinese labels."""
        return [("总体对比", self.overview()), ("规则改动", self.rule_changes()),
                ("季度得分与结转变化", self.quarter_changes), ("累计得分变化", self.annual_changes),
                ("排名变化", self.rank_changes), ("优胜单位变化", self.winner_changes)]

    def __repr__(self) -> str:
        return f"<Comparison {self.period}，{len(self.diffs)}个变体>\n{self.summary()}"

    def title_html(self) -> str:
        return (f'<div class="title-block"><h1 class="doc-title">{HTML_TITLE}</h1>'
                f'<p class="doc-number">{self.period}</p></div>'
                f'<p class="opening">同一份数据分别按现行规则（《{html.escape(self.base.meta.title)}》'
                f'{html.escape(self.base.meta.status)}）和{len(self.diffs)}个规则变体计分，'
                "逐一列出各单位季度得分、结转下季度的分数、一票否决情况和累计得分的变化，类别内排名的变化和优胜单位名单的变化。</p>")

    def notes_html(self) -> str:
        what = "全年总分" if self.quarter == YEAR_END_QUARTER else f"截至第{self.quarter}季度的累计得分"
        return ('<div class="notes"><p>说明：「得分上升／下降」按各单位' + what +
                "计；排名为同一类别内按该得分的排名，并列者名次相同；「结转下季度」为季度得满分后转入下一季度的重点栏目得分。"
                "文字中的「平均」为得分变化单位的平均变化，保留一位小数，不是整数或一位小数时标注「约」；"
                "表格中的分值均按计算结果列示、不作舍入。"
                f"优胜单位和第四季度奖励仅在第{YEAR_END_QUARTER}季度（年度考核）对比。每个变体只改动所列规则项，"
                "其余规则与现行规则相同。</p></div>")

    def fragments(self) -> list[str]:
        """The document, part by part (the notebook shows each; the command renders them)."""
        return ([self.title_html(), f"<h2>一、总体对比</h2>{self.overview_html()}"
                 + "".join(f'<p class="opening">{html.escape(d.summary())}</p>' for d in self.diffs)]
                + [d.html(title=f"{chinese_numeral(i)}、{d.name}") for i, d in enumerate(self.diffs, start=2)]
                + [self.notes_html()])

    def _repr_html_(self) -> str:
        return "\n".join([self.overview_html()] + [d.html(heading="h3") for d in self.diffs])


def default_period(data: Dataset, rules: Rules) -> tuple[int, int]:
    """The latest year with data, through its latest quarter with data (R1); the rules' last year
    and the year-end quarter when the data are empty."""
    dates = pd.concat([data.submissions["adopted_on"], data.events["date"]], ignore_index=True).dropna()
    if dates.empty:
        return max(rules.meta.years), YEAR_END_QUARTER
    year = int(dates.dt.year.max())
    return year, int(dates[dates.dt.year == year].dt.quarter.max())


def _base_of(variants: Sequence[Rules]) -> Rules:
    sources = {v.source for v in variants}
    if len(sources) != 1:
        raise RulesError("各变体来自不同的基础规则文件，请用 base= 指定对比的基础规则："
                         + "、".join(sorted(s or "(内存)" for s in sources)))
    source = sources.pop()
    return load_rules(source or None)


def compare(data: Dataset, *variants: Rules, base: Rules | None = None, year: int | None = None,
            quarter: int | None = None) -> Comparison:
    """Score ``data`` under ``base`` and under each variant; what changes, per unit and category.

    ``base`` defaults to the rules file the variants were derived from; ``year``/``quarter`` to the
    latest quarter with data (:func:`default_period`).
    """

    if not variants:
        raise RulesError("请至少给出一个规则变体，例如 whatif.variant(late={'factor': 0.7}, name='超时七折')")
    base = base if base is not None else _base_of(variants)
    if year is None or quarter is None:
        dy, dq = default_period(data, base)
        year, quarter = (dy if year is None else year), (dq if quarter is None else quarter)
    base_result = score(data, base, year, quarter, restatements=False)
    diffs = tuple(diff(base_result, score(data, v, year, quarter, restatements=False)) for v in variants)
    return Comparison(base=base, year=year, quarter=quarter, diffs=diffs)


def diff(base_result: Any, variant_result: Any) -> VariantDiff:
    """Two engine Results of the same data, year and quarter → per-unit differences."""
    b, v = base_result, variant_result
    q = int(b.quarter)
    keys = ["unit_id", "quarter"]

    def quarter_side(res: Any, first: bool) -> pd.DataFrame:
        f = res.quarterly
        out = f[(["unit_id", "unit_name", "category", "quarter"] if first else keys) + ["score", "carry_out", "rank"]]
        return out.assign(veto=_veto_text(f["quarter_veto"], f["annual_veto"])).rename(columns={"carry_out": "carry"})

    quarters = quarter_side(b, True).merge(quarter_side(v, False), on=keys, how="outer",
                                           suffixes=("_base", "_variant"), validate="one_to_one")
    quarters = _typed(quarters, ["score_base", "score_variant", "carry_base", "carry_variant", "rank_base", "rank_variant"])
    quarters["delta"] = quarters["score_variant"] - quarters["score_base"]
    quarters["carry_delta"] = quarters["carry_variant"] - quarters["carry_base"]

    def total_side(res: Any, first: bool) -> pd.DataFrame:
        f = res.quarterly.loc[res.quarterly["quarter"] == q]
        cols = (["unit_id", "unit_name", "category"] if first else ["unit_id"]) + ["ytd_total", "ytd_rank", "annual_veto"]
        return f[cols].rename(columns={"ytd_total": "total", "ytd_rank": "rank"})

    totals = total_side(b, True).merge(total_side(v, False), on="unit_id", how="outer",
                                       suffixes=("_base", "_variant"), validate="one_to_one")
    totals = _typed(totals, ["total_base", "total_variant", "rank_base", "rank_variant"])
    totals["delta"] = totals["total_variant"] - totals["total_base"]
    totals["rank_change"] = totals["rank_base"] - totals["rank_variant"]
    judged = q == YEAR_END_QUARTER
    for side, res in (("base", b), ("variant", v)):
        totals[f"annual_veto_{side}"] = totals[f"annual_veto_{side}"].astype(bool)
        for col in ("winner", "reward"):
            flag = res.annual.set_index("unit_id")[col].astype(bool) if judged else pd.Series(dtype=bool)
            totals[f"{col}_{side}"] = totals["unit_id"].map(flag).fillna(False).astype(bool)

    # Plain object strings: the frames are small and filtered often (the explorer redraws from them).
    for frame in (quarters, totals):
        for col in ("unit_id", "unit_name", "category", "veto_base", "veto_variant"):
            if col in frame.columns:
                frame[col] = frame[col].astype(object)
    order = _category_order(b.rules, totals)
    totals = (totals.assign(_c=order).sort_values(["_c", "rank_base", "unit_id"], kind="stable")
              .drop(columns="_c").reset_index(drop=True))
    qorder = _category_order(b.rules, quarters)
    quarters = (quarters.assign(_c=qorder).sort_values(["_c", "unit_id", "quarter"], kind="stable")
                .drop(columns="_c").reset_index(drop=True))
    return VariantDiff(rules=v.rules, base=b.rules, year=int(b.year), quarter=q,
                       quarters_milli=quarters, totals_milli=totals)


def _typed(frame: pd.DataFrame, cols: list[str]) -> pd.DataFrame:
    # Both results score the same register, so an outer merge has no gaps; fail loudly if it does.
    if frame[cols].isna().any().any():
        raise ScoringError("对比的两次计分单位名册不一致，无法对比")
    return frame.astype({c: "int64" for c in cols})


# ---- HTML and charts ----------------------------------------------------------------------------
def _drawable(text: str) -> str:
    return fonts.drawable(text)[0]


def _cell(value: Any, kind: str) -> str:
    if kind == "num":
        return f'<td class="num">{points.fmt(int(value))}</td>'
    if kind == "signed":
        return f'<td class="num">{_signed(int(value))}</td>'
    if kind == "int":
        return f'<td class="num">{int(value)}</td>'
    if kind == "quarter":
        return f'<td class="num">第{int(value)}季度</td>'
    if kind == "yes":
        return f"<td>{'是' if bool(value) else '否'}</td>"
    if kind == "move":
        n = int(value)
        return f'<td class="num">{"↑" + str(n) if n > 0 else "↓" + str(-n) if n < 0 else "—"}</td>'
    return f"<td>{html.escape(_drawable(str(value)))}</td>"


def _table(frame: pd.DataFrame, spec: list[tuple[str, str, str]], caption: str = "", css: str = "data") -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h, _, _ in spec)
    # Rows are few (changed units only); building cells per row here is display, not a hot path.
    body = "".join("<tr>" + "".join(_cell(row[c], k) for _, c, k in spec) + "</tr>"
                   for row in frame.to_dict("records"))
    cap = f"<caption>{html.escape(caption)}</caption>" if caption else ""
    return f'<table class="{css}">{cap}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


MAX_CHART_UNITS = 30        # beyond this many units, the slope chart shows only the units that move


def _chart_rc() -> dict[str, Any]:
    fonts.setup_matplotlib()
    return {}


def rank_figure(d: VariantDiff, category: str):
    """Slope chart of R15 ranks by annual total within ``category``: base (left) → variant (right).

    Units are placed by their order (ties broken by unit id) so names never overlap; labels carry
    the shared rank. Units that move are coloured, the rest grey.
    """

    t = d.totals_milli[d.totals_milli["category"] == category]
    partial = len(t) > MAX_CHART_UNITS
    if partial:
        t = t[t["rank_change"] != 0]
    left = t.sort_values(["rank_base", "unit_id"], kind="stable")["unit_id"].tolist()
    right = t.sort_values(["rank_variant", "unit_id"], kind="stable")["unit_id"].tolist()
    y_left = {u: i for i, u in enumerate(left)}
    y_right = {u: i for i, u in enumerate(right)}
    n = len(t)
    fig = Figure(figsize=(page.TEXT_WIDTH_MM / 25.4, 0.9 + 0.26 * n))
    ax = fig.add_subplot()
    for row in t.to_dict("records"):   # one line per unit of a category: a few dozen at most
        u, ch = row["unit_id"], row["rank_change"]
        color = "#1f5fa8" if ch > 0 else "#c8501e" if ch < 0 else "#b0b0b0"
        width = 1.8 if ch else 0.8
        y0, y1 = y_left[u], y_right[u]
        ax.plot([0, 1], [y0, y1], color=color, lw=width, marker="o", ms=3)
        name = _drawable(row["unit_name"])
        ax.text(-0.04, y0, f"{row['rank_base']}  {name}", ha="right", va="center", fontsize=8,
                color="black" if ch else "#666666")
        ax.text(1.04, y1, f"{row['rank_variant']}  {name}", ha="left", va="center", fontsize=8,
                color="black" if ch else "#666666")
    ax.set_xlim(-0.9, 1.9)
    ax.set_ylim(n - 0.5, -1.2)
    ax.text(0, -0.9, "现行规则", ha="center", va="bottom", fontsize=9)
    ax.text(1, -0.9, _drawable(d.name), ha="center", va="bottom", fontsize=9)
    ax.axis("off")
    fig.subplots_adjust(left=0.01, right=0.99, top=0.98, bottom=0.02)
    return fig, partial


def rank_chart_png(d: VariantDiff, category: str) -> tuple[bytes, float, bool]:
    """The slope chart as an RGB PNG without metadata, as the bulletin's charts are
    (``charts._png``: byte-identical reruns, and WeasyPrint places it as it is, where an SVG's
    glyph outlines took it seconds each). Returns (png, width in pt, partial)."""

    with matplotlib.rc_context(_chart_rc()):
        fig, partial = rank_figure(d, category)
        png = charts._png(fig)
    return png, fig.get_figwidth() * 72, partial


def rank_chart_html(d: VariantDiff, category: str) -> str:
    png, width_pt, partial = rank_chart_png(d, category)
    data = base64.b64encode(png).decode("ascii")
    what = "全年总分" if d.winners_judged else f"截至第{d.quarter}季度累计得分"
    note = "（单位较多，仅画出名次变化的单位）" if partial else ""
    caption = f"{category}按{what}排名：现行规则（左）与「{d.name}」（右）{note}"
    ranks = d._rank_rows()
    table = _table(ranks[ranks["category"] == category],
                   [("单位", "unit_name", "text"), ("原排名", "rank_base", "int"),
                    ("新排名", "rank_variant", "int"), ("名次变化", "rank_change", "move"),
                    ("原得分", "total_base", "num"), ("新得分", "total_variant", "num")],
                   css="compact")
    img = f'<img class="chart" alt="" style="width: {width_pt:.2f}pt" src="data:image/png;base64,{data}">'
    return (f'<figure class="chart">{img}<figcaption>{html.escape(_drawable(caption))}</figcaption></figure>'
            + table)
