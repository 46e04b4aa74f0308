"""A misspelt value gets 「最接近的是…」 only when one value is clearly meant; a word that may mean
several values (「市级」: 溧阳市 or 常州市) gets no guess, and the message lists what it may mean.

Similarities are difflib ratios, 2·matches / (len(a) + len(b)), worked out by hand in each test.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "inputs"))
import loading_inputs as inputs  # noqa: E402

from scoring.errors import InputError  # noqa: E402
from scoring.inputs.loading import _closest, _guess, _Guess, load_dataset  # noqa: E402

LEVELS = {"溧阳市": "溧阳市", "溧阳": "溧阳市", "县级": "溧阳市", "常州市": "常州市", "常州": "常州市",
          "地市级": "常州市", "江苏省": "江苏省", "江苏": "江苏省", "省级": "江苏省"}
LEVEL_LIST = "溧阳市、常州市、江苏省（也接受：溧阳、县级、常州、地市级、江苏、省级、省）"


def problems(folder: Path, rules):
    with pytest.raises(InputError) as err:
        load_dataset(folder, rules)
    return err.value.problems


def with_cell(rows, row: int, col: int, value) -> list[list]:
    out = [list(r) for r in rows]
    out[row][col] = value
    return out


def test_shiji_may_be_liyang_or_changzhou_so_it_gets_no_guess():
    # 市级 ~ 地市级 (常州市) = 2·2/5 = 0.8, but 市 and 级 are both in 溧阳市's spellings too (溧阳市, 县级).
    assert _guess("市级", LEVELS) == _Guess(None, ("溧阳市", "常州市"))
    assert _closest("市级", LEVELS) is None


def test_a_level_written_shiji_is_reported_with_the_choices_and_without_a_closest_match(tmp_path, rules):
    folder = inputs.write_csv(tmp_path / "d", inputs.tables(submissions=with_cell(inputs.SUBMISSIONS, 4, 4, "市级")))
    got = problems(folder, rules)
    assert [(p.row, p.column, p.value, p.code) for p in got] == [(5, "level", "市级", "unknown_level")]
    assert got[0].expected == (f"不是录用级别；须为以下之一：{LEVEL_LIST}；「市级」可能指「溧阳市」、「常州市」中的任何一个，"
                               "无法确定，请写明是哪一个")
    assert "最接近" not in got[0].expected


def test_sheng_is_shared_by_the_province_only_so_it_keeps_its_hint():
    # 省 ~ 省级 = 2·1/3 ≈ 0.67, ~ 江苏省 = 2·1/4 = 0.5; no other level has 省 in any spelling.
    assert _closest("省", LEVELS) == "省级"


def test_a_misspelt_level_that_shares_its_characters_with_one_level_only_still_gets_the_closest():
    # 常洲市 ~ 常州市 = 2·2/6 ≈ 0.67; 常 is in 常州市's spellings only.
    assert _closest("常洲市", LEVELS) == "常州市"


def test_zhen_matches_every_town_alike_and_lists_them_instead_of_naming_one():
    names = {"0104": "埭头镇（0104）", "埭头镇": "埭头镇（0104）", "0105": "上黄镇（0105）", "上黄镇": "上黄镇（0105）",
             "0201": "市教育局（0201）", "市教育局": "市教育局（0201）"}
    # 镇 ~ 埭头镇 = ~ 上黄镇 = 2·1/4 = 0.5: a tie.
    assert _guess("镇", names, 0.4).several == ("埭头镇（0104）", "上黄镇（0105）")
    assert _closest("镇", names, 0.4) is None


def test_an_unknown_unit_named_zhen_lists_the_towns_it_may_mean(tmp_path, rules):
    units = [*inputs.UNITS, ["Z02", "埭头镇", "镇区街道", "", ""], ["Z03", "上黄镇", "镇区街道", "", ""]]
    subs = with_cell(inputs.SUBMISSIONS, 1, 1, "镇")
    folder = inputs.write_csv(tmp_path / "d", inputs.tables(units=units, submissions=subs))
    got = problems(folder, rules)
    assert [(p.row, p.value, p.code) for p in got] == [(2, "镇", "unknown_unit")]
    assert got[0].expected == ("单位名册（units.csv）中没有这个单位；可填单位编码、单位名称或别名；"
                               "「镇」可能指「埭头镇（Z02）」、「上黄镇（Z03）」中的任何一个，无法确定，请写明是哪一个")


def test_a_leftover_template_id_as_close_to_several_ids_gets_no_guess():
    names = {"0101": "昆仑街道（0101）", "0102": "溧城街道（0102）", "昆仑街道": "昆仑街道（0101）", "溧城街道": "溧城街道（0102）"}
    # Z01 ~ 0101 = Z01 ~ 0102 = 2·2/7 ≈ 0.57 (the common "01"): a tie.
    assert _guess("Z01", names, 0.4).several == ("昆仑街道（0101）", "溧城街道（0102）")


def test_a_word_holding_one_value_s_spelling_is_still_suggested():
    # 图解新规 holds 图解 (an alias of 政策简明问答图解): 2·2/6 ≈ 0.67; 图 and 解 are in no other value.
    columns = {"政策简明问答图解": "政策简明问答图解", "图解": "政策简明问答图解", "要闻动态": "要闻动态"}
    assert _closest("图解新规", columns) == "图解"


def test_a_word_contained_in_several_values_gets_no_guess():
    # 动态 ~ 要闻动态 = ~ 工作动态 = 2·2/6 ≈ 0.67: a tie.
    columns = {"要闻动态": "要闻动态", "工作动态": "工作动态", "重点领域": "重点领域"}
    assert _guess("动态", columns).several == ("要闻动态", "工作动态")


def test_nothing_close_is_neither_a_guess_nor_a_list():
    assert _guess("国家级", LEVELS).spelling is None and _guess("国家级", LEVELS).several == ()
