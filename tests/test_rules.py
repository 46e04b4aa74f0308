"""The method as data: the rules file loads strictly, variants derive from it, numbers are exact."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from scoring.inputs.rules_file import load_rules
from scoring.method import rules as rules_mod
from scoring.errors import RulesError
from scoring.method.points import fmt, fmt_series, scale_half_up, to_milli

RULES_FILE = Path(__file__).resolve().parent.parent / "params" / "rules" / "liyang-2023-draft.yaml"
METHOD_FILE = Path(__file__).resolve().parent.parent / "docs" / "method" / "method-2023-draft.zh-CN.txt"
VARIANTS_DIR = RULES_FILE.parent.parent / "variants"


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
    r = load_rules(_write(tmp_path, data))
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
        load_rules(_write(tmp_path, data))
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
    v = load_rules(_write(tmp_path, overlay, "v.yaml"))
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


# ---- the method's own words beside every clause ---------------------------------------------------
def _method() -> str:
    """The simplified text as kept in docs/method, below its header's line of "="."""
    return METHOD_FILE.read_text(encoding="utf-8").split("=" * 60 + "\n", 1)[1]


def _table_rows() -> dict[int, list[str]]:
    """附件 网上政务信息加分明细表 as {序号: cells}; the text lays the table out one cell per line
    between lines of "|", and only the 序号 cells are bare numbers."""
    text = _method()
    start = text.index("网上政务信息加分明细表\n序号")
    cells = [c.strip().replace("\n", "") for c in text[start:text.index("注:被上级录用", start)].split("|")]
    rows: dict[int, list[str]] = {}
    current: list[str] | None = None
    for cell in cells:
        if cell.isdigit():
            current = rows.setdefault(int(cell), [])
        elif current is not None and cell:
            current.append(cell)
    return rows


def _cited(node, path: str = ""):
    """(key path, entry) of every entry of a raw rules mapping that has a clause."""
    if isinstance(node, dict):
        if "clause" in node:
            yield path, node
        for k, v in node.items():
            yield from _cited(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _cited(v, f"{path}.{i}")


def _numbers(text: str) -> list[str]:
    return re.findall(r"\d+(?:\.\d+)?", text)


def test_the_table_as_read_from_the_method_text_has_the_rows_of_the_attachment():
    # 附件: rows 1–8 then 10 (the original skips 9); row 8 is 信息报送/要闻动态 with its cap note.
    rows = _table_rows()
    assert sorted(rows) == [1, 2, 3, 4, 5, 6, 7, 8, 10]
    assert rows[1] == ["在线访谈", "10分/期", "20分/期", "—"]
    assert rows[8] == ["信息报送", "要闻动态", "0.5分/条(每季度10分封顶)", "5分/1条", "10分/条"]
    assert rows[10] == ["重点领域", "0.5分/条", "5分/条", "10分/条"]


def test_every_clause_in_the_rules_file_carries_the_methods_own_words():
    cited = list(_cited(_raw()))
    # 2 caps + 2 groups + 9 columns + 1 column cap + upgrades, late, carry_over, deductions
    # + 7 events + targets, reward, annual = 28 places that cite a clause.
    assert len(cited) == 28
    for path, entry in cited:
        assert isinstance(entry.get("text"), str) and entry["text"].strip(), path


def test_clause_text_is_quoted_from_the_method():
    method, rows = _method(), _table_rows()
    for path, entry in _cited(_raw()):
        text = entry["text"].replace("「", "").replace("」", "")
        row_no = re.fullmatch(r"附件 序号(\d+)", entry["clause"])
        if row_no:
            # A table row written out as text: its column and every number are the row's own.
            row = rows[int(row_no.group(1))]
            assert text.split("：")[0].split()[-1] in row, path
            assert set(_numbers(text)) <= set(_numbers("".join(row))), path
        else:
            for piece in text.split("……"):
                assert piece in method, path


def test_the_words_of_each_table_row_give_the_points_the_file_gives():
    # 在线访谈：溧阳市10分/期，常州市20分/期，江苏省— ↔ points {溧阳市: 10, 常州市: 20, 江苏省: null}
    for column in _raw()["columns"]:
        said = {lv: (None if v == "—" else float(v.removesuffix("分")))
                for lv, v in re.findall(r"(溧阳市|常州市|江苏省)(—|\d+(?:\.\d+)?分)", column["text"])}
        assert said == {lv: (None if p is None else float(p)) for lv, p in column["points"].items()}, column["key"]


@pytest.mark.parametrize("mutate, fragment", [
    (lambda d: d["events"]["no_plan"].pop("text"), "events.no_plan.text：缺少必填的键"),
    (lambda d: d["caps"]["year"].pop("text"), "caps.year.text：缺少必填的键"),
    (lambda d: d["columns"][7].update(text=""), "columns.7.text：须写明该条款在办法中的原文，不能为空"),
    (lambda d: d["upgrades"].update(text="   "), "upgrades.text：须写明该条款在办法中的原文"),
    (lambda d: d["column_caps"][0].update(text=10), "column_caps.0.text"),
])
def test_a_rules_file_without_clause_text_is_refused_with_the_key_named(tmp_path, mutate, fragment):
    data = _raw()
    mutate(data)
    with pytest.raises(RulesError) as exc:
        load_rules(_write(tmp_path, data))
    assert fragment in str(exc.value)


def test_clause_text_gives_the_methods_words_for_a_clause_id(rules):
    # 一: both caps quote the one sentence that gives 25 and 100; it appears once.
    assert rules.clause_text("一") == (
        "通过向溧阳市人民政府门户网站(以下简称“网站”)政务公开、政务信息等栏目报送相关内容,每家单位在"
        "溧阳市人民政府门户网站内容保障季度通报中,“门户网站内容保障”最高可计25分,全年100分封顶。")
    # 三(二)1(1): three penalties of 2, one sentence each, joined in the file's order — which is
    # the method's (1) without its heading.
    assert rules.clause_text("三(二)1(1)") == \
        "未明确信息报送工作人员的,扣2分。未提交内容保障计划的,扣2分;超期报送所需材料的,每起扣2分;"
    assert rules.clause_text("三(二)1(1)") in _method()
    # 三(一)1: the two groups share their sentence; then the late factor's and carry-over's.
    assert rules.clause_text("三(一)1") == (
        "网站报送栏目:根据市政府办公室《关于做好门户网站重点栏目内容保障工作的通知》要求,各责任单位要通过"
        "网站后台,向网站要闻动态、政策解读、政民互动-在线访谈、意见征集、问卷调查、新闻发布会、专题专栏、"
        "网上直播等栏目报送相关内容,录用后得相应分值。"
        "责任单位应按照网站栏目制作计划,按时做好政务公开栏目内容保障。超时提供内容保障的,得分减半。"
        "责任单位本季度得满分后仍继续完成重点栏目的,可自动进入下一季度累计计分。")
    # 附件 序号8: the column's row already holds the cap's words, so they are not repeated.
    assert rules.clause_text("附件 序号8") == "信息报送 要闻动态：溧阳市0.5分/条(每季度10分封顶)，常州市5分/1条，江苏省10分/条"
    assert rules.clause_text("附件 注") == "注:被上级录用以最高分值计,不重复计算。"
    with pytest.raises(KeyError):
        rules.clause_text("三(三)")


def test_a_variant_keeps_the_methods_words_of_what_it_changes(rules):
    # 01-cap-15 raises the cap to 15, but the method's words still say 10: the text is a quote.
    v = load_rules(VARIANTS_DIR / "01-cap-15.yaml")
    assert v.column_caps[0].value == 15 and v.column_caps[0].text == "要闻动态：溧阳市0.5分/条(每季度10分封顶)"
    assert v.changes == ("column_caps.要闻动态.value: 10 → 15",)
    for path in sorted(VARIANTS_DIR.glob("*.yaml")):
        assert load_rules(path).clause_text("三(一)2") == rules.clause_text("三(一)2"), path.name
