"""The explorer's widgets (ipywidgets): a slider or switch for each of the method's main numbers;
every move re-scores the year (scoring.report.explore) and redraws the rankings, the units that
change and the 优胜单位 list. notebooks/explore.ipynb only calls :func:`explore`.

Without a browser (papermill, a test) the widgets still work: :meth:`ExploreWidgets.set` turns
knobs in code and the page (``.page.value``) is redrawn the same way.
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import ipywidgets as widgets

from scoring.errors import RulesError
from scoring.inputs.loading import load_dataset
from scoring.inputs.rules_file import load_rules
from scoring.method.rules import Rules
from scoring.report.explore import Explorer, Knobs

_STYLE = {"description_width": "9em"}
_WIDE = widgets.Layout(width="32em")


class ExploreWidgets:
    """The knobs as widgets, the page they redraw, and how long the last redraw took."""

    def __init__(self, explorer: Explorer) -> None:
        self.explorer = explorer
        rules, k = explorer.base, explorer.knobs
        self.seconds = 0.0
        self._held = False
        self.quarter_cap = widgets.FloatSlider(value=k.quarter_cap, min=float(rules.reward.score),
                                               max=float(rules.caps.year.value), step=0.5, description="季度封顶（分）",
                                               style=_STYLE, layout=_WIDE, continuous_update=False)
        self.info_cap = widgets.FloatSlider(value=k.info_cap if k.info_cap is not None else 10.0, min=0.5, max=30.0,
                                            step=0.5, description="要闻动态封顶（分）", style=_STYLE, layout=_WIDE,
                                            continuous_update=False)
        self.info_cap_off = widgets.Checkbox(value=k.info_cap is None, description="取消要闻动态封顶", indent=False)
        self.late_factor = widgets.FloatSlider(value=k.late_factor, min=0.0, max=1.0, step=0.05,
                                               description="超时计分系数", style=_STYLE, layout=_WIDE,
                                               continuous_update=False)
        self.reward_threshold = widgets.IntSlider(value=k.reward_threshold, min=0, max=20,
                                                  description="奖励门槛（次）", style=_STYLE, layout=_WIDE,
                                                  continuous_update=False)
        self.carry_over = widgets.Checkbox(value=k.carry_over, description="满分后重点栏目得分结转下季度", indent=False)
        self.deductions = widgets.ToggleButtons(options=[("季度封顶之后扣分", "after_cap"), ("季度封顶之前扣分", "before_cap")],
                                                value=k.deductions, description="扣分方式", style=_STYLE)
        counts = explorer.data.units["category"].value_counts()
        self.winners = {c.key: widgets.IntSlider(value=c.winners, min=0, max=max(int(counts.get(c.key, 0)), c.winners, 1),
                                                 description=f"{c.name}优胜", style=_STYLE, layout=_WIDE,
                                                 continuous_update=False)
                        for c in rules.categories}
        self.reset = widgets.Button(description="恢复现行规则")
        self.status = widgets.Label()
        self.page = widgets.HTML()
        for w in self._controls():
            w.observe(self.update, names="value")
        self.reset.on_click(lambda _b: self.set(**_values(explorer.knobs)))
        self.box = widgets.VBox([
            widgets.HTML(f"<b>{explorer.year}年{'全年' if explorer.quarter == 4 else f'截至第{explorer.quarter}季度'}，"
                         "拖动滑块或切换开关，即按调整后的规则重新计分：</b>"),
            self.quarter_cap, widgets.HBox([self.info_cap, self.info_cap_off]), self.late_factor,
            self.reward_threshold, self.carry_over, self.deductions, *self.winners.values(),
            widgets.HBox([self.reset, self.status]), self.page])
        self.update()

    def _controls(self) -> list[widgets.Widget]:
        return [self.quarter_cap, self.info_cap, self.info_cap_off, self.late_factor, self.reward_threshold,
                self.carry_over, self.deductions, *self.winners.values()]

    def knobs(self) -> Knobs:
        # A browser's sliders send floats such as 0.7000000000000001: rounded to their steps' places.
        return Knobs(quarter_cap=round(float(self.quarter_cap.value), 1),
                     info_cap=None if self.info_cap_off.value else round(float(self.info_cap.value), 1),
                     late_factor=round(float(self.late_factor.value), 2), reward_threshold=int(self.reward_threshold.value),
                     carry_over=bool(self.carry_over.value), deductions=str(self.deductions.value),
                     winners=tuple((key, int(w.value)) for key, w in self.winners.items()))

    @contextmanager
    def _hold(self) -> Iterator[None]:
        self._held = True
        try:
            yield
        finally:
            self._held = False

    def set(self, **values: Any) -> ExploreWidgets:
        """Turn knobs in code (``set(quarter_cap=30, info_cap=None, winners={"镇区街道": 1})``), then
        redraw once. ``info_cap=None`` removes the cap."""
        with self._hold():
            for name, value in values.items():
                if name == "winners":
                    for key, n in dict(value).items():
                        self.winners[key].value = int(n)
                elif name == "info_cap":
                    self.info_cap_off.value = value is None
                    if value is not None:
                        self.info_cap.value = float(value)
                else:
                    getattr(self, name).value = value
        self.update()
        return self

    def update(self, *_: Any) -> None:
        if self._held:
            return
        start = time.perf_counter()
        try:
            self.page.value = self.explorer.view(self.knobs()).html
            self.status.value = ""
        except RulesError as err:
            self.page.value = f"<p>这组数值不能组成有效的规则：{str(err)}</p>"
        self.seconds = time.perf_counter() - start
        self.status.value = f"重新计分并更新用时 {self.seconds:.2f} 秒"

    def _repr_mimebundle_(self, **kwargs: Any):
        return self.box._repr_mimebundle_(**kwargs)


def _values(k: Knobs) -> dict[str, Any]:
    return {"quarter_cap": k.quarter_cap, "info_cap": k.info_cap, "late_factor": k.late_factor,
            "reward_threshold": k.reward_threshold, "carry_over": k.carry_over, "deductions": k.deductions,
            "winners": dict(k.winners)}


def explore(data: Any = "data/sample", rules: Rules | str | Path | None = None, year: int | None = None,
            quarter: int | None = None) -> ExploreWidgets:
    """The explorer for a data folder (or a loaded Dataset), under ``rules`` (default: the rules
    file), for ``year`` through ``quarter`` (default: the latest quarter with data)."""
    base = rules if isinstance(rules, Rules) else load_rules(rules)
    dataset = data if hasattr(data, "submissions") else load_dataset(Path(data), base)
    return ExploreWidgets(Explorer(dataset, base, year, quarter))
