"""The method as data: the rules file loads strictly, variants derive from it, numbers are exact."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from scoring.method import rules as rules_mod
from scoring.errors import RulesError
from scoring.method.points import fmt, fmt_series, scale_half_up, to_milli

RULES_FILE = Path(__file__).resolve().parent.parent / "params" / "rules" / "liyang-2023-draft.yaml"


def _raw() -> dict:
    return yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))


def _write(tmp_path: Path, data: dict, name: str = "r.yaml") -> Path:
    p = tmp_path / name
    p.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return p


def test_the_default_rules_carry_the_numbers_of_the_2023_draft(rules):
    # 一: 最高可计25分，全年100分封顶; 三(一)1: 得分减半; 附件: 要闻动态 0.5分/条（每季度10分封顶）
    assert rules.caps.quarter.value == 25 and rules.caps.quarter.clause == "一"
    assert rules.caps.year.value == 100
    assert rules.late.factor == 0.5 and rules.late.clause == "三(一)1"
    assert rules.column("要闻动态").points == {"溧阳市": 0.5, "常州市": 5, "江苏省": 10}
    assert [(c.column, c.level, c.value) for c in rules.column_caps] == [("要闻动态", "溧阳市", 10)]
    assert rules.penalties_milli == {"no_informant": 2000, "no_plan": 2000, "late_material": 2000,
                                     "content_error": 10000, "stale_column": 5000}
    assert rules.veto_codes == {"veto_quarter": "quarter", "veto_classified": "year"}
    assert rules.reward.score == 25 and rules.reward.min_solicited_adoptions == 5
    assert [c.winners for c in rules.categories] == [3, 6, 2]
    assert rules.annual.informants == 10


def test_a_dash_cell_takes_the_value_of_the_highest_lower_level(rules):
    # R3: 在线访谈 adopted by 江苏省 scores 20 (the 常州市 value); 网上直播 by 江苏省 scores 25.
    table = rules.points_table_milli()
    assert table[("在线访谈", "江苏省")] == 20_000
    assert table[("网上直播", "江苏省")] == 25_000
    assert table[("重点领域", "江苏省")] == 10_000


def test_every_spelling_of_a_column_level_category_and_event_maps_to_its_key(rules):
    assert rules.alias_map("column")["政策解读"] == "政策简明问答图解"
    assert rules.alias_map("column")["问卷调查"] == "调查问卷"
    assert rules.alias_map("column")["政民互动-在线访谈"] == "在线访谈"
    assert rules.alias_map("level")["省级"] == "江苏省"
    assert rules.alias_map("level")["常州"] == "常州市"
    assert rules.alias_map("category")["镇(区、街道)"] == "镇区街道"
    assert rules.alias_map("event")["内容不准确被常州通报"] == "content_error"


def test_a_second_rules_file_works_without_code_changes(tmp_path):
    data = _raw()
    data["meta"]["id"] = "liyang-2024"
    data["meta"]["years"] = [2024]
    data["caps"]["quarter"]["value"] = 30
    data["late"]["factor"] = 0.6
    r = rules_mod.load(_write(tmp_path, data))
    assert r.meta.id == "liyang-2024" and r.covers_year(2024) and not r.covers_year(2023)
    assert r.caps.quarter.value == 30 and r.late.factor == 0.6


@pytest.mark.parametrize("mutate, fragment", [
    (lambda d: d.update(bogus=1), "bogus：未知的键"),
    (lambda d: d["late"].update(factor="0.5"), "late.factor"),
    (lambda d: d["columns"][0]["points"].update({"溧阳市": -10}), "分值不能为负数"),
    (lambda d: d["column_caps"][0].update(value=0.25), "封顶 0.25 低于单条分值 0.5"),
    (lambda d: d["events"]["no_plan"].update(veto="quarter"), "penalty（扣分）或 veto"),
    (lambda d: d["caps"].pop("year"), "caps.year：缺少必填的键"),
    (lambda d: d["columns"][1].update(aliases=["要闻"]), "别名「要闻」同时指向"),
])
def test_a_wrong_rules_file_is_refused_with_a_message_naming_the_key(tmp_path, mutate, fragment):
    data = _raw()
    mutate(data)
    with pytest.raises(RulesError) as exc:
        rules_mod.load(_write(tmp_path, data))
    assert fragment in str(exc.value)


def test_loaded_rules_cannot_be_changed(rules):
    with pytest.raises(Exception):
        rules.late.factor = 1  # type: ignore[misc]


def test_a_variant_records_its_name_and_every_change(rules):
    v = rules_mod.derive(rules, {"late": {"factor": 0.7}, "column_caps": {"要闻动态": {"value": 15}}},
                         name="迟报七折", description="迟报得分七折，要闻动态封顶15分")
    assert v.variant == "迟报七折"
    assert set(v.changes) == {"late.factor: 0.5 → 0.7", "column_caps.要闻动态.value: 10 → 15"}
    assert v.late.factor == 0.7 and v.column_caps[0].value == 15
    assert rules.late.factor == 0.5  # the base is untouched


def test_an_overlay_file_names_its_base_and_changes_only_what_it_says(tmp_path):
    overlay = {"base": str(RULES_FILE), "name": "无结转", "description": "取消结转", "carry_over": {"enabled": False}}
    v = rules_mod.load(_write(tmp_path, overlay, "v.yaml"))
    assert v.variant == "无结转" and v.changes == ("carry_over.enabled: True → False",)
    assert v.caps.quarter.value == 25


def test_an_overlay_that_names_an_unknown_column_is_refused(rules):
    with pytest.raises(RulesError, match="不存在的条目"):
        rules_mod.derive(rules, {"columns": {"不存在的栏目": {"unit": "条"}}}, name="x")


def test_points_are_exact_thousandths_shown_without_trailing_zeros():
    assert to_milli(0.5) == 500 and to_milli("12.25") == 12_250 and to_milli(25) == 25_000
    assert [fmt(m) for m in (25_000, 12_500, 12_250, 0, 125, -3_000)] == ["25", "12.5", "12.25", "0", "0.125", "-3"]
    import pandas as pd
    assert fmt_series(pd.Series([25_000, 12_500, 250, -500])).tolist() == ["25", "12.5", "0.25", "-0.5"]


def test_a_factor_that_leaves_more_digits_rounds_half_up_at_the_item():
    import numpy as np
    # 0.5 × 0.7 = 0.35 exactly; 0.001 × 0.5 = 0.0005 → rounds half up to 0.001
    assert scale_half_up(np.array([500, 1, 10_000]), 0.7).tolist() == [350, 1, 7_000]
    assert scale_half_up(np.array([1, 3]), 0.5).tolist() == [1, 2]
