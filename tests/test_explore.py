"""Exploring the rules with widgets: the knobs as an overlay, one re-scoring per move, the page
(rankings, changed units, 优胜单位), the time of an update, and notebooks/explore.ipynb."""
from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest

from engine_support import dataset, item
from scoring.render.explore import ExploreWidgets, explore
from scoring.render.html import text_of
from scoring.report.explore import Explorer, Knobs, overlay, rules_for
from scoring.report.whatif import describe_changes

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOK = ROOT / "notebooks" / "explore.ipynb"


def test_the_knobs_of_the_rules_as_they_are_change_nothing(rules):
    k = Knobs.of(rules)
    assert (k.quarter_cap, k.info_cap, k.late_factor, k.reward_threshold, k.carry_over, k.deductions) == \
        (25.0, 10.0, 0.5, 5, True, "after_cap")
    assert dict(k.winners) == {"镇区街道": 3, "市级机关部门": 6, "群团": 2}
    assert overlay(rules, k) == {}


@pytest.mark.parametrize("turn, words", [
    ({"quarter_cap": 30.0}, ("季度封顶由25分改为30分",)),
    ({"info_cap": 15.0}, ("要闻动态每季度封顶由10分改为15分",)),
    ({"info_cap": None}, ("取消要闻动态封顶",)),
    ({"late_factor": 0.7}, ("超时内容由按原分值的50%计分改为按70%计分",)),
    ({"reward_threshold": 3}, ("第四季度奖励的省级约稿录用门槛由5次改为3次",)),
    ({"carry_over": False}, ("取消满分后重点栏目得分结转下季度",)),
    ({"deductions": "before_cap"}, ("扣分由季度封顶之后扣减改为季度封顶之前扣减",)),
    ({"winners": {"群团": 1}}, ("群团优胜单位名额由2个改为1个",)),
])
def test_each_knob_changes_exactly_its_rule(rules, turn, words):
    assert describe_changes(rules, rules_for(rules, Knobs.of(rules).with_(**turn))) == words


# Three towns: 甲 one late 在线访谈 (10 × 0.5 = 5), 乙 twelve 要闻动态 (12 × 0.5 = 6), 丙 nothing.
TOWNS = [{"unit_id": u, "unit_name": n, "category": "镇区街道"} for u, n in (("Z1", "甲镇"), ("Z2", "乙镇"), ("Z3", "丙镇"))]
SUBS = ([item("A", "Z1", "在线访谈", "溧阳市", "2023-05-10", late=True)]
        + [item(f"B{i}", "Z2", "要闻动态", "溧阳市", f"2023-04-{i + 1:02d}") for i in range(12)])


def test_turning_the_late_factor_and_the_winners_redraws_ranks_changes_and_the_winner_list(rules):
    ex = Explorer(dataset(SUBS, units=TOWNS), rules, 2023, 4)
    view = ex.view(ex.knobs.with_(late_factor=0.7, winners={"镇区街道": 1}))
    # 甲镇 10 × 0.7 = 7 > 乙镇 6: 甲镇 first and the one winner; 乙镇 second.
    t = view.diff.totals_milli.set_index("unit_id")
    assert t.loc["Z1", ["total_base", "total_variant", "rank_base", "rank_variant"]].tolist() == [5000, 7000, 2, 1]
    page = text_of(view.html)
    assert "调整的规则：镇（区、街道）优胜单位名额由3个改为1个；超时内容由按原分值的50%计分改为按70%计分。" in page
    # The winner list: of three places under the rules as they are, 乙镇 and 甲镇 won (丙镇 has 0 and
    # never wins); of one place, 甲镇 keeps it and 乙镇 is out.
    assert "镇（区、街道）：甲镇；退出：乙镇" in page
    assert "镇（区、街道）排名" in page and "有变化的单位" in page and "+2" in page


def test_the_widgets_redraw_the_page_on_every_knob_within_half_a_second(tmp_path):
    data_dir = ROOT / "data" / "sample"
    ui = explore(data_dir)
    assert isinstance(ui, ExploreWidgets) and "规则与现行规则相同" in ui.page.value
    seen = {ui.page.value}
    costs = []
    for turn in ({"quarter_cap": 30.0}, {"info_cap": None}, {"late_factor": 0.7}, {"reward_threshold": 3},
                 {"carry_over": False}, {"deductions": "before_cap"}, {"winners": {"镇区街道": 1}}):
        start = time.process_time()
        ui.set(**turn)
        costs.append(time.process_time() - start)
        assert ui.page.value not in seen, turn      # each knob redrew something new
        seen.add(ui.page.value)
    # The budget: ≤ 0.5 s an update. CPU time, the cheapest of seven (other work on a shared
    # machine stretches wall-clock time, not what an update costs).
    assert min(costs) <= 0.5, costs
    # A widget moved by hand (what a browser does) redraws too; 恢复现行规则 goes back.
    ui.late_factor.value = 0.7000000000000001         # as a browser's slider sends it
    assert "按70%计分" in ui.page.value
    ui.reset.click()
    assert "规则与现行规则相同" in ui.page.value


def test_the_committed_explore_notebook_has_a_parameters_cell_no_outputs_and_only_calls_the_package():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1
    assert all(len(c.source.splitlines()) <= 8 for c in code), "logic belongs in the package, not the cells"


@pytest.mark.slow
def test_the_explore_notebook_runs_top_to_bottom_without_a_browser(tmp_path):
    # The one notebook execution of this file (papermill).
    import papermill as pm
    out = tmp_path / "explore.ipynb"
    pm.execute_notebook(str(NOTEBOOK), str(out), cwd=str(ROOT), kernel_name="python3", progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)
    shown = "".join(o.get("data", {}).get("text/html", "") for o in outputs)
    assert "季度封顶由25分改为30分；取消要闻动态封顶" in shown and "各类别排名" in shown
    assert not [o for o in outputs if o.output_type == "error"]
