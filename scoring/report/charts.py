"""The bulletin's charts: matplotlib figures, each drawn once as a PNG placed by an <img> tag.

The same picture serves the HTML (a data: URI, 200 dpi: sharp on high-density screens), the PDF
(WeasyPrint places an RGB PNG's data as it is) and the Word copy. Text is drawn in the bundled
Noto Sans CJK SC (fonts.setup_matplotlib); the PNG carries no metadata, so the same Result gives
the same bytes. Every chart fits the A4 text width of GB/T 9704 (156 mm) and is at most 110 mm
high, so none splits across pages. One weight only: nothing bold.

Figures are made with matplotlib's object-oriented API (``Figure``, ``fig.subplots``), as its
documentation advises for code that only saves pictures: no pyplot, so no global figure registry
to close figures in, no interactive backend to choose, and nothing of pyplot's to import.
"""
from __future__ import annotations

import base64
import enum
import hashlib
import io
from dataclasses import dataclass
from typing import Callable, Mapping

import matplotlib
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from scoring.report import glyphs as fonts
from scoring.report import page
from scoring.method.points import to_float, to_milli
from scoring.method.result import Result

MM = 1 / 25.4
WIDTH_MM = page.TEXT_WIDTH_MM     # GB/T 9704 text width
MAX_HEIGHT_MM = 110     # a chart never splits across pages
BAR_MM = 5.2            # height per bar in the horizontal bar charts
FONT_PT = 7.5

# Colours chosen to stay apart in greyscale print as well.
KEY = "#1f4e79"
INFO = "#6fa8dc"
CARRY = "#b7b7b7"
DEDUCT = "#c0392b"
SCORE = "#2e75b6"
VETO = "#7f7f7f"
CAP = "#c0392b"
LEVEL_COLOURS = ("#9dc3e6", "#2e75b6", "#1f3864")
DPI = 200               # 1228 px across the text width: print quality, sharp on 2x screens


def _setup() -> None:
    fonts.setup_matplotlib()
    matplotlib.rcParams.update({
        "font.size": FONT_PT, "axes.titlesize": FONT_PT + 1, "axes.titleweight": "normal",
        "axes.labelweight": "normal", "figure.titleweight": "normal",
        "axes.spines.top": False, "axes.spines.right": False,
        "legend.frameon": False, "legend.fontsize": FONT_PT,
    })


# ---- the charts by name: the one registry the sections, the HTML and the Word copy use -----------
class Chart(enum.Enum):
    """Every chart of the bulletin; the value is its name (with the category appended for the
    charts drawn once per category)."""
    ADOPTIONS = "adoptions"        # (d) 一、总体情况
    RANKING = "ranking"            # (a) 二、得分排名, per category
    PROGRESS = "ytd-progress"      # (c) 二、得分排名
    MAKEUP = "makeup"              # (b) 附件1, per category


@dataclass(frozen=True)
class ChartRef:
    """One picture: a chart, and the category for the per-category ones."""
    chart: Chart
    category: str = ""

    @property
    def name(self) -> str:
        return f"{self.chart.value}-{self.category}" if self.category else self.chart.value

    @property
    def key(self) -> str:
        """The picture's ``data-chart`` key, by which the Word copy finds the notebook's copy."""
        return chart_key(self.name)


def chart_key(name: str) -> str:
    """The key (``data-chart``) of the chart called ``name`` (:attr:`ChartRef.name`)."""
    return "c" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8] + "-"


_prefix = chart_key     # the name the drawing code uses


def _image(fig: Figure, name: str) -> str:
    """The figure as an <img> of its PNG (:func:`_png`), as wide as the figure."""
    png = _png(fig)
    width_pt = fig.get_figwidth() * 72
    data = base64.b64encode(png).decode("ascii")
    return (f'<img class="chart" data-chart="{_prefix(name)}" alt="" style="width: {width_pt:.2f}pt" '
            f'src="data:image/png;base64,{data}">')


def _png(fig: Figure) -> bytes:
    """The figure at DPI as an RGB PNG without metadata (the figure is opaque white).

    The layout (constrained) is worked out once and the figure then drawn once: savefig with a
    layout engine would draw the whole figure twice, once without output only to lay it out.

    Why not SVG for the HTML and a PNG for print: drawing every chart twice was a third of the
    notebook's time, and WeasyPrint draws SVG glyph outline by glyph outline (seconds a bulletin);
    RGB rather than RGBA, because WeasyPrint (70) re-compresses an RGB PNG once but splits an RGBA
    one into colour and mask and compresses both."""

    engine = fig.get_layout_engine()
    if engine is not None:
        engine.execute(fig)
        fig.set_layout_engine(None)
    raw = io.BytesIO()
    fig.savefig(raw, format="rgba", dpi=DPI)
    width, height = int(fig.get_figwidth() * DPI), int(fig.get_figheight() * DPI)
    rgba = Image.frombuffer("RGBA", (width, height), raw.getbuffer(), "raw", "RGBA", 0, 1)
    buf = io.BytesIO()
    rgba.convert("RGB").save(buf, format="PNG")
    return buf.getvalue()


def _figure(height_mm: float) -> tuple[Figure, Axes]:
    h = min(max(height_mm, 35), MAX_HEIGHT_MM)
    fig = Figure(figsize=(WIDTH_MM * MM, h * MM), dpi=DPI, layout="constrained")
    return fig, fig.subplots()


def _bars(ax: Axes, y, width, *, left=0.0, color, label: str | None = None, height: float = 0.65) -> None:
    """Horizontal bars as barh draws them (centred on ``y``, no edge), as one collection: barh
    makes an artist per bar and updates the axes' limits for each (every chart sets its limits)."""
    y = np.asarray(y, dtype=float)
    x0 = np.broadcast_to(np.asarray(left, dtype=float), y.shape)
    x1 = x0 + np.asarray(width, dtype=float)
    y0, y1 = y - height / 2, y + height / 2
    corners = np.stack([np.column_stack(xy) for xy in ((x0, y0), (x1, y0), (x1, y1), (x0, y1))], axis=1)
    ax.add_collection(PolyCollection(corners, facecolors=color, edgecolors="none", linewidths=0, label=label),
                      autolim=False)


def _cap(result: Result) -> float:
    return float(to_float(to_milli(result.rules.caps.quarter.value)))


def _drawable(s: str) -> str:
    return fonts.drawable(str(s))[0]


def _current(result: Result, category: str) -> pd.DataFrame:
    q = result.quarterly
    cur = q[(q["quarter"] == result.quarter) & (q["category"] == category)]
    order = {u: i for i, u in enumerate(result.units["unit_id"])}
    # Best at the top: barh draws the first row at the bottom, so sort descending then reverse.
    cur = cur.assign(_order=cur["unit_id"].map(order)).sort_values(["rank", "_order"], kind="stable")
    return cur.iloc[::-1]


def _vetoed(cur: pd.DataFrame) -> np.ndarray:
    return (cur["quarter_veto"].astype(bool) | cur["annual_veto"].astype(bool)).to_numpy()


def _label(v: float) -> str:
    return f"{v:g}"


def score_ranking(result: Result, category: str) -> str:
    """(a) This quarter's scores in one category, best at the top, with the quarter cap marked."""
    _setup()
    cur = _current(result, category)
    cap = _cap(result)
    fig, ax = _figure(14 + BAR_MM * len(cur))
    y = np.arange(len(cur))
    score = to_float(cur["score"].astype("int64")).to_numpy()
    vetoed = _vetoed(cur)
    _bars(ax, y, score, color=np.where(vetoed, VETO, SCORE))
    for yi, s, v in zip(y, score, vetoed):
        ax.text(s + cap * 0.01, yi, "一票否决" if v else _label(s), va="center", fontsize=FONT_PT - 0.5)
    ax.axvline(cap, color=CAP, linestyle="--", linewidth=0.8)
    ax.text(cap, len(cur) - 0.4, f"封顶{_label(cap)}分", color=CAP, ha="right", va="bottom",
            fontsize=FONT_PT - 0.5)
    ax.set_yticks(y, [_drawable(n) for n in cur["unit_name"]])
    ax.set_xlim(0, cap * 1.12)
    ax.set_ylim(-0.6, len(cur) + 0.4)
    ax.set_xlabel("本季得分（分）")
    ax.tick_params(axis="y", length=0)
    return _image(fig, ChartRef(Chart.RANKING, category).name)


def score_makeup(result: Result, category: str) -> str:
    """(b) What each unit's score is made of: key, info, carry-in stacked; deductions to the left."""
    _setup()
    cur = _current(result, category)
    cap = _cap(result)
    fig, ax = _figure(18 + BAR_MM * len(cur))
    y = np.arange(len(cur))
    key = to_float(cur["key_points"].astype("int64")).to_numpy()
    info = to_float(cur["info_points"].astype("int64")).to_numpy()
    carry = to_float(cur["carry_in"].astype("int64")).to_numpy()
    ded = to_float(cur["deductions"].astype("int64")).to_numpy()
    groups = result.rules.groups
    ax.axvline(cap, color=CAP, linestyle="--", linewidth=0.8, label=f"封顶{_label(cap)}分")   # first in the legend
    _bars(ax, y, key, color=KEY, label=groups["key"].name)
    _bars(ax, y, info, left=key, color=INFO, label=groups["info"].name)
    _bars(ax, y, carry, left=key + info, color=CARRY, label="上季结转")
    _bars(ax, y, -ded, color=DEDUCT, label="扣分")
    ax.axvline(0, color="black", linewidth=0.6)
    right = max(cap, float((key + info + carry).max(initial=0))) * 1.05
    left = -max(float(ded.max(initial=0)), cap * 0.1) * 1.1
    ax.set_xlim(left, right)
    ax.set_ylim(-0.6, len(cur) - 0.4)
    ax.set_yticks(y, [_drawable(n) for n in cur["unit_name"]])
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel("分")
    ax.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=5, handlelength=1.2)
    return _image(fig, ChartRef(Chart.MAKEUP, category).name)


def ytd_progress(result: Result) -> str:
    """(c) Year-to-date totals across quarters: one panel per category, a thin line per unit,
    the category's mean, and the pace of a unit scoring the full cap every quarter."""
    _setup()
    q = result.quarterly
    cats = [c for c in result.rules.categories if c.key in set(q["category"])]
    cap = _cap(result)
    year_cap = float(to_float(to_milli(result.rules.caps.year.value)))
    quarters = np.arange(1, result.quarter + 1)
    fig = Figure(figsize=(WIDTH_MM * MM, 70 * MM), dpi=DPI, layout="constrained")
    axes = fig.subplots(1, max(len(cats), 1), sharey=True, squeeze=False)
    top = min(cap * result.quarter, year_cap) * 1.05
    for ax, cat in zip(axes[0], cats):
        sub = q[q["category"] == cat.key]
        grid = sub.pivot(index="quarter", columns="unit_id", values="ytd_total").reindex(quarters)
        values = to_float(grid.astype("int64"))
        for uid in sorted(values.columns):
            ax.plot(quarters, values[uid].to_numpy(), color=CARRY, linewidth=0.6, marker="o", markersize=1.5)
        ax.plot(quarters, values.mean(axis=1).to_numpy(), color=KEY, linewidth=1.6, marker="o",
                markersize=3, label="类别平均")
        ax.plot(quarters, np.minimum(cap * quarters, year_cap), color=CAP, linestyle="--", linewidth=0.8,
                label="每季满分进度")
        ax.set_title(f"{_drawable(cat.name)}（{len(values.columns)} 个单位）")
        ax.set_xticks(quarters, [f"Q{k}" for k in quarters])
        ax.set_xlim(0.7, result.quarter + 0.3)
        ax.set_ylim(0, top)
    axes[0][0].set_ylabel("全年累计得分（分）")
    handles, labels = axes[0][0].get_legend_handles_labels()
    handles.insert(0, Line2D([], [], color=CARRY, linewidth=0.6))
    labels.insert(0, "各单位")
    fig.legend(handles, labels, loc="outside lower center", ncol=3)
    return _image(fig, ChartRef(Chart.PROGRESS).name)


def adoptions(result: Result) -> str:
    """(d) This quarter's adopted items by column and level (stacked), an upgrade at its new level.

    Key columns and information columns get a panel each: hundreds of 要闻动态 would otherwise
    flatten the handful of interviews and press conferences to nothing.
    """
    _setup()
    e = result.earnings
    e = e[e["quarter"] == result.quarter]
    levels = list(result.rules.level_keys)
    groups = [(g, [c.key for c in result.rules.columns if c.group == g]) for g in ("key", "info")]
    groups = [(g, cols) for g, cols in groups if cols]
    n_rows = sum(len(cols) for _, cols in groups)
    fig = Figure(figsize=(WIDTH_MM * MM, min(max(26 + BAR_MM * n_rows, 35), MAX_HEIGHT_MM) * MM), dpi=DPI,
                 layout="constrained")
    axes = fig.subplots(len(groups), 1, squeeze=False,
                        gridspec_kw={"height_ratios": [len(cols) for _, cols in groups]})
    colours = LEVEL_COLOURS + tuple(matplotlib.colormaps["Blues"](np.linspace(0.5, 1, max(len(levels) - 3, 1))))
    for ax, (g, cols) in zip(axes[:, 0], groups):
        grid = pd.crosstab(e["column"], e["level"]).reindex(index=cols, columns=levels, fill_value=0).iloc[::-1]
        y = np.arange(len(grid))
        left = np.zeros(len(grid))
        for i, lv in enumerate(levels):
            v = grid[lv].to_numpy().astype(float)
            _bars(ax, y, v, left=left, color=colours[i], label=lv)
            left += v
        top = max(float(left.max(initial=0)), 1.0)
        for yi, t in zip(y, left):
            ax.text(t + top * 0.01, yi, f"{int(t)}", va="center", fontsize=FONT_PT - 0.5)
        ax.set_yticks(y, list(grid.index))
        ax.tick_params(axis="y", length=0)
        ax.set_xlim(0, top * 1.1)
        ax.set_ylim(-0.6, len(grid) - 0.4)
        ax.set_title(result.rules.groups[g].name, loc="left")
        ax.xaxis.get_major_locator().set_params(integer=True)
    axes[-1, 0].set_xlabel("录用信息（条）")
    handles, labels = axes[0, 0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside upper center", ncol=len(levels), handlelength=1.2)
    return _image(fig, ChartRef(Chart.ADOPTIONS).name)


def per_category(chart: Callable[[Result, str], str], result: Result) -> Mapping[str, str]:
    """One chart per category that has units, keyed by category (rules' order)."""
    present = set(result.quarterly["category"])
    return {c.key: chart(result, c.key) for c in result.rules.categories if c.key in present}


def score_rankings(result: Result) -> Mapping[str, str]:
    """(a) for every category."""
    return per_category(score_ranking, result)


def score_makeups(result: Result) -> Mapping[str, str]:
    """(b) for every category."""
    return per_category(score_makeup, result)


DRAW: Mapping[Chart, Callable[[Result, str], str]] = {
    Chart.ADOPTIONS: lambda result, _category: adoptions(result),
    Chart.RANKING: score_ranking,
    Chart.PROGRESS: lambda result, _category: ytd_progress(result),
    Chart.MAKEUP: score_makeup,
}


def picture(result: Result, ref: ChartRef) -> str:
    """The chart ``ref`` of ``result`` as its <img> (a PNG data: URI, ``data-chart`` = ``ref.key``)."""
    return DRAW[ref.chart](result, ref.category)
