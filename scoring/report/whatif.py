"""What-if analysis: score the same data under the rules and under variants of them, and compare.

Three lines in a fresh notebook::

    from scoring.report import whatif
    data = whatif.load("data/sample")
    whatif.compare(data, whatif.variant(late={"factor": 0.7}, name="超时七折"))

A variant is the base rules plus a small overlay (``rules.derive``), built in code with
:func:`variant` or read from ``params/variants/*.yaml`` with :func:`load_variants`. A
:class:`Comparison` holds, per variant, per-unit changes of quarter scores and of the annual total
(integer milli-points, shown with ``points.fmt``), rank changes within each category (R15), units
entering or leaving 优胜单位 (五), a one-line Chinese summary and a rich HTML view.

Only the ``load*`` functions read files; :func:`compare` and everything after it is pure.
``whatif_command`` is the ``python -m scoring whatif`` edge: papermill + the bulletin's template.
"""
from __future__ import annotations

import hashlib
import html
import io
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import pandas as pd

from scoring.report import glyphs as fonts

from scoring.method import points
from scoring.method import rules as rules_mod
from scoring.inputs.dataset import Dataset
from scoring.errors import RulesError, ScoringError
from scoring.method.rules import Rules
from scoring.method.calendar import YEAR_END_QUARTER
from scoring.method.calendar import numeral as chinese_numeral  # noqa: F401 - whatif's API (section numbers)
from scoring.inputs.loading import load_dataset
from scoring.inputs.rules_file import load_rules
from scoring.inputs.rules_file import load_variants, variant_files  # noqa: F401 - whatif's API (the notebook)
from scoring.method.engine import score
from matplotlib.figure import Figure
import matplotlib

ROOT = Path(__file__).resolve().parent.parent.parent
NOTEBOOK = ROOT / "notebooks" / "what_if.ipynb"

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
    return r.description or r.variant or "；".join(r.changes) or "变体"


def _signed(milli: int) -> str:
    return ("+" if milli > 0 else "") + points.fmt(milli)


def _mean_text(milli: pd.Series) -> str:
    """Mean of milli-points, exact when it is a whole thousandth, else 约 + two places (an average is
    not a score: the only figure this module ever rounds, and it says so)."""
    total, n = int(milli.sum()), len(milli)
    if total % n == 0:
        return _signed(total // n)
    q = (Decimal(total) / Decimal(n) / points.SCALE).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return "约" + ("+" if q > 0 else "") + format(q.normalize(), "f")


def _category_order(rules: Rules, frame: pd.DataFrame) -> pd.Series:
    order = {k: i for i, k in enumerate(rules.category_keys)}
    return frame["category"].map(order).fillna(len(order)).astype("int64")


@dataclass(frozen=True)
class VariantDiff:
    """One variant against the base, for ``year`` through ``quarter``.

    ``quarters``: one row per unit and quarter 1..quarter — unit_id, unit_name, category, quarter,
    score_base, score_variant, delta (milli), rank_base, rank_variant.
    ``totals``: one row per unit — unit_id, unit_name, category, total_base, total_variant, delta
    (milli, annual total through ``quarter``, R14), rank_base, rank_variant, rank_change (positive =
    moved up), winner_base, winner_variant (优胜单位; False before the year-end quarter).
    """

    rules: Rules
    base: Rules
    year: int
    quarter: int
    quarters: pd.DataFrame
    totals: pd.DataFrame

    @property
    def name(self) -> str:
        return self.rules.variant or _lead_in(self.rules)

    @property
    def winners_judged(self) -> bool:
        return self.quarter == YEAR_END_QUARTER

    # -- views ------------------------------------------------------------------------------------
    @property
    def quarter_changes(self) -> pd.DataFrame:
        return self.quarters[self.quarters["delta"] != 0].reset_index(drop=True)

    @property
    def total_changes(self) -> pd.DataFrame:
        return self.totals[self.totals["delta"] != 0].reset_index(drop=True)

    @property
    def rank_changes(self) -> pd.DataFrame:
        """R15 ranks by annual total within each category, where the variant moves a unit."""
        return self.totals[self.totals["rank_change"] != 0].reset_index(drop=True)

    @property
    def entering(self) -> pd.DataFrame:
        t = self.totals
        return t[t["winner_variant"] & ~t["winner_base"]].reset_index(drop=True)

    @property
    def leaving(self) -> pd.DataFrame:
        t = self.totals
        return t[t["winner_base"] & ~t["winner_variant"]].reset_index(drop=True)

    @property
    def unchanged(self) -> bool:
        return (self.quarter_changes.empty and self.total_changes.empty and self.rank_changes.empty
                and self.entering.empty and self.leaving.empty)

    def rank_changes_by_category(self) -> dict[str, int]:
        rc = self.rank_changes
        return {c: int((rc["category"] == c).sum()) for c in self.rules.category_keys
                if (rc["category"] == c).any()}

    # -- the one line -----------------------------------------------------------------------------
    def summary(self) -> str:
        """「要闻动态封顶提高到15分：12个单位得分上升，平均+1.8分，镇区街道排名变化3处」.

        得分 is the annual total through the compared quarter (R14); 排名 the rank by it within a
        category (R15); 优胜单位 only in the year-end comparison (五).
        """
        parts: list[str] = []
        tc = self.total_changes
        up, down = tc[tc["delta"] > 0], tc[tc["delta"] < 0]
        if len(up):
            parts.append(f"{len(up)}个单位得分上升，平均{_mean_text(up['delta'])}分")
        if len(down):
            parts.append(f"{len(down)}个单位得分下降，平均{_mean_text(down['delta'])}分")
        moved_only = set(self.quarter_changes["unit_id"]) - set(tc["unit_id"])
        if moved_only:
            parts.append(f"{len(moved_only)}个单位季度得分有变化但累计不变")
        by_cat = self.rank_changes_by_category()
        parts.extend(f"{c}排名变化{n}处" for c, n in by_cat.items())
        if parts and not by_cat:
            parts.append("排名无变化")
        if self.winners_judged:
            if len(self.entering):
                parts.append("优胜单位新增" + "、".join(self.entering["unit_name"]))
            if len(self.leaving):
                parts.append("优胜单位退出" + "、".join(self.leaving["unit_name"]))
        if not parts:
            parts.append("各单位得分、排名均无变化")
        return f"{_lead_in(self.rules)}：{'，'.join(parts)}"

    # -- HTML -------------------------------------------------------------------------------------
    def quarter_table_html(self) -> str:
        qc = self.quarter_changes
        if qc.empty:
            return "<p>各单位季度得分均无变化。</p>"
        return _table(qc, [("单位", "unit_name", "text"), ("类别", "category", "text"),
                           ("季度", "quarter", "quarter"), ("原得分", "score_base", "num"),
                           (f"{self.name}", "score_variant", "num"), ("变化", "delta", "signed"),
                           ("原排名", "rank_base", "int"), ("新排名", "rank_variant", "int")],
                      caption=f"{self.year}年各季度得分变化（仅列有变化的单位）")

    def total_table_html(self) -> str:
        tc = self.total_changes
        what = "全年总分" if self.winners_judged else f"截至第{self.quarter}季度累计得分"
        if tc.empty:
            return f"<p>各单位{what}均无变化。</p>"
        return _table(tc, [("单位", "unit_name", "text"), ("类别", "category", "text"),
                           (f"原{what}", "total_base", "num"), (self.name, "total_variant", "num"),
                           ("变化", "delta", "signed"), ("原排名", "rank_base", "int"),
                           ("新排名", "rank_variant", "int"), ("名次变化", "rank_change", "move")],
                      caption=f"{self.year}年{what}变化（仅列有变化的单位）")

    def rank_html(self) -> str:
        by_cat = self.rank_changes_by_category()
        if not by_cat:
            return "<p>各类别排名均无变化。</p>"
        return "\n".join(rank_chart_html(self, c) for c in by_cat)

    def winners_html(self) -> str:
        if not self.winners_judged:
            return f"<p>优胜单位在第{YEAR_END_QUARTER}季度（年度考核）评选，本次对比截至第{self.quarter}季度，不涉及。</p>"
        if self.entering.empty and self.leaving.empty:
            return "<p>优胜单位名单无变化。</p>"
        rows = pd.concat([self.entering.assign(move="新增"), self.leaving.assign(move="退出")],
                         ignore_index=True)
        return _table(rows, [("变动", "move", "text"), ("单位", "unit_name", "text"),
                             ("类别", "category", "text"), ("原全年总分", "total_base", "num"),
                             (self.name, "total_variant", "num"), ("原排名", "rank_base", "int"),
                             ("新排名", "rank_variant", "int")],
                      caption="优胜单位名单变化", css="compact")

    def html(self, heading: str = "h2", title: str | None = None) -> str:
        changes = "".join(f"<li><code>{html.escape(c)}</code></li>" for c in self.rules.changes)
        return "\n".join([
            '<section class="whatif">',
            f"<{heading}>{html.escape(title or self.name)}</{heading}>",
            f'<p class="opening">{html.escape(self.summary())}</p>',
            f'<div class="notes"><p>改动的规则项：</p><ul>{changes}</ul></div>' if changes else "",
            "<h3>（一）季度得分变化</h3>", self.quarter_table_html(),
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

    def summary(self) -> str:
        """One line per variant."""
        return "\n".join(d.summary() for d in self.diffs)

    def _stack(self, attr: str) -> pd.DataFrame:
        frames = [getattr(d, attr).assign(variant=d.name) for d in self.diffs]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()

    @property
    def quarter_changes(self) -> pd.DataFrame:
        return self._stack("quarter_changes")

    @property
    def total_changes(self) -> pd.DataFrame:
        return self._stack("total_changes")

    @property
    def rank_changes(self) -> pd.DataFrame:
        return self._stack("rank_changes")

    @property
    def entering(self) -> pd.DataFrame:
        return self._stack("entering")

    @property
    def leaving(self) -> pd.DataFrame:
        return self._stack("leaving")

    def overview(self) -> pd.DataFrame:
        """One row per variant: name, what it changes, counts, the summary line."""
        return pd.DataFrame({
            "variant": [d.name for d in self.diffs],
            "description": [d.rules.description for d in self.diffs],
            "changes": ["；".join(d.rules.changes) for d in self.diffs],
            "units_up": [int((d.totals["delta"] > 0).sum()) for d in self.diffs],
            "units_down": [int((d.totals["delta"] < 0).sum()) for d in self.diffs],
            "rank_changes": [len(d.rank_changes) for d in self.diffs],
            "entering": [len(d.entering) for d in self.diffs],
            "leaving": [len(d.leaving) for d in self.diffs],
            "summary": [d.summary() for d in self.diffs],
        })

    def overview_html(self) -> str:
        ov = self.overview()
        return _table(ov, [("变体", "variant", "text"), ("得分上升", "units_up", "int"),
                           ("得分下降", "units_down", "int"), ("排名变化", "rank_changes", "int"),
                           ("一句话结论", "summary", "text")],
                      caption=f"{self.year}年（截至第{self.quarter}季度）各规则变体与现行规则对比")

    def __repr__(self) -> str:
        what = "全年" if self.quarter == YEAR_END_QUARTER else f"截至第{self.quarter}季度"
        return f"<Comparison {self.year}年（{what}），{len(self.diffs)}个变体>\n{self.summary()}"

    def title_html(self) -> str:
        what = "全年" if self.quarter == YEAR_END_QUARTER else f"截至第{self.quarter}季度"
        return (f'<div class="title-block"><h1 class="doc-title">{HTML_TITLE}</h1>'
                f'<p class="doc-number">{self.year}年（{what}）</p></div>'
                f'<p class="opening">同一份数据分别按现行规则（《{html.escape(self.base.meta.title)}》'
                f'{html.escape(self.base.meta.status)}）和{len(self.diffs)}个规则变体计分，'
                "逐一列出各单位季度得分与累计得分的变化、类别内排名的变化和优胜单位名单的变化。</p>")

    def notes_html(self) -> str:
        what = "全年总分" if self.quarter == YEAR_END_QUARTER else f"截至第{self.quarter}季度的累计得分"
        return ('<div class="notes"><p>说明：「得分上升／下降」按各单位' + what +
                "计；排名为同一类别内按该得分的排名，并列者名次相同；「平均」为得分变化单位的平均变化，"
                "除不尽时保留两位小数并标注「约」，其余分值均按计算结果列示、不作舍入。"
                f"优胜单位仅在第{YEAR_END_QUARTER}季度（年度考核）对比。每个变体只改动所列规则项，"
                "其余规则与现行规则相同。</p></div>")

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
    base_result = score(data, base, year, quarter)
    diffs = tuple(diff(base_result, score(data, v, year, quarter)) for v in variants)
    return Comparison(base=base, year=year, quarter=quarter, diffs=diffs)


def diff(base_result: Any, variant_result: Any) -> VariantDiff:
    """Two engine Results of the same data, year and quarter → per-unit differences."""
    b, v = base_result, variant_result
    q = int(b.quarter)
    keys = ["unit_id", "quarter"]
    bq = b.quarterly[["unit_id", "unit_name", "category", "quarter", "score", "rank"]]
    vq = v.quarterly[keys + ["score", "rank"]]
    quarters = bq.merge(vq, on=keys, how="outer", suffixes=("_base", "_variant"), validate="one_to_one")
    quarters = _typed(quarters, ["score_base", "score_variant", "rank_base", "rank_variant"])
    quarters["delta"] = quarters["score_variant"] - quarters["score_base"]

    last = ["unit_id", "ytd_total", "ytd_rank"]
    bt = b.quarterly.loc[b.quarterly["quarter"] == q, ["unit_id", "unit_name", "category", "ytd_total", "ytd_rank"]]
    vt = v.quarterly.loc[v.quarterly["quarter"] == q, last]
    totals = bt.merge(vt, on="unit_id", how="outer", suffixes=("_base", "_variant"), validate="one_to_one")
    totals = totals.rename(columns={"ytd_total_base": "total_base", "ytd_total_variant": "total_variant",
                                    "ytd_rank_base": "rank_base", "ytd_rank_variant": "rank_variant"})
    totals = _typed(totals, ["total_base", "total_variant", "rank_base", "rank_variant"])
    totals["delta"] = totals["total_variant"] - totals["total_base"]
    totals["rank_change"] = totals["rank_base"] - totals["rank_variant"]
    judged = q == YEAR_END_QUARTER
    for side, res in (("base", b), ("variant", v)):
        w = res.annual.set_index("unit_id")["winner"].astype(bool) if judged else pd.Series(dtype=bool)
        totals[f"winner_{side}"] = totals["unit_id"].map(w).fillna(False).astype(bool)

    order = _category_order(b.rules, totals)
    totals = (totals.assign(_c=order).sort_values(["_c", "rank_base", "unit_id"], kind="stable")
              .drop(columns="_c").reset_index(drop=True))
    qorder = _category_order(b.rules, quarters)
    quarters = (quarters.assign(_c=qorder).sort_values(["_c", "unit_id", "quarter"], kind="stable")
                .drop(columns="_c").reset_index(drop=True))
    return VariantDiff(rules=v.rules, base=b.rules, year=int(b.year), quarter=q,
                       quarters=quarters, totals=totals)


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
    return {"svg.hashsalt": "liyang-whatif"}


def rank_figure(d: VariantDiff, category: str):
    """Slope chart of R15 ranks by annual total within ``category``: base (left) → variant (right).

    Units are placed by their order (ties broken by unit id) so names never overlap; labels carry
    the shared rank. Units that move are coloured, the rest grey.
    """

    t = d.totals[d.totals["category"] == category]
    partial = len(t) > MAX_CHART_UNITS
    if partial:
        t = t[t["rank_change"] != 0]
    left = t.sort_values(["rank_base", "unit_id"], kind="stable")["unit_id"].tolist()
    right = t.sort_values(["rank_variant", "unit_id"], kind="stable")["unit_id"].tolist()
    y_left = {u: i for i, u in enumerate(left)}
    y_right = {u: i for i, u in enumerate(right)}
    n = len(t)
    fig = Figure(figsize=(6.2, 0.9 + 0.26 * n))
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


def rank_chart_svg(d: VariantDiff, category: str) -> tuple[str, bool]:
    """The slope chart as inline SVG (text as paths, no date, fixed ids: byte-identical reruns)."""

    with matplotlib.rc_context(_chart_rc()):
        fig, partial = rank_figure(d, category)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata=fonts.SVG_METADATA)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg"):]
    # matplotlib numbers ids per file (text_1, clip paths …): prefix them so that several charts
    # inline in one page never clash.
    prefix = "w" + hashlib.sha1(f"{d.name}|{category}".encode("utf-8")).hexdigest()[:8] + "-"
    svg = re.sub(r'\bid="', f'id="{prefix}', svg)
    svg = svg.replace('href="#', f'href="#{prefix}').replace("url(#", f"url(#{prefix}")
    return svg, partial


def rank_chart_html(d: VariantDiff, category: str) -> str:
    svg, partial = rank_chart_svg(d, category)
    what = "全年总分" if d.winners_judged else f"截至第{d.quarter}季度累计得分"
    note = "（单位较多，仅画出名次变化的单位）" if partial else ""
    caption = f"{category}按{what}排名：现行规则（左）与「{d.name}」（右）{note}"
    table = _table(d.rank_changes[d.rank_changes["category"] == category],
                   [("单位", "unit_name", "text"), ("原排名", "rank_base", "int"),
                    ("新排名", "rank_variant", "int"), ("名次变化", "rank_change", "move"),
                    ("原得分", "total_base", "num"), ("新得分", "total_variant", "num")],
                   css="compact")
    return (f'<figure class="chart">{svg}<figcaption>{html.escape(_drawable(caption))}</figcaption></figure>'
            + table)
