"""Every kind of bad input is reported with the file (and sheet), the row as the user sees it, the
header as written, the value, what was expected (in Chinese) and a stable code — all at once.

Each test breaks one thing in the small base dataset (tests/fixtures/inputs/loading_inputs.py)
and asserts the exact problem. Row numbers: the header is row 1, so the n-th data row is row n + 1.
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "inputs"))
import loading_inputs as inputs  # noqa: E402

from scoring.errors import InputError, InputProblem  # noqa: E402
from scoring.inputs.loading import PER_COLUMN_LIMIT, load_dataset  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def problems_of(folder: Path, rules) -> list[InputProblem]:
    with pytest.raises(InputError) as err:
        load_dataset(folder, rules)
    return err.value.problems


def the_problem(folder: Path, rules, code: str) -> InputProblem:
    found = [p for p in problems_of(folder, rules) if p.code == code]
    assert len(found) == 1, found
    return found[0]


def P(file, row, column, value, expected, code, sheet=None) -> InputProblem:
    return InputProblem(file=file, row=row, column=column, value=value, expected=expected, code=code, sheet=sheet)


def edited(rows, row: int, col: int, value) -> list[list]:
    """``rows`` with the cell at (data row ``row`` counting the header as 0, column ``col``) replaced."""
    out = [list(r) for r in rows]
    out[row][col] = value
    return out


def csv_with(tmp_path: Path, **tables) -> Path:
    return inputs.write_csv(tmp_path / "data", inputs.tables(**tables))


COLUMN_LIST = ("在线访谈、政策简明问答图解、意见征集、调查问卷、新闻发布会、专题专栏、网上直播、要闻动态、重点领域"
               "（也接受：政民互动-在线访谈、政民互动—在线访谈、政民互动－在线访谈、政策解读、政策问答、图解、问卷调查、"
               "发布会、专题、专栏、直播、信息报送-要闻动态、政务信息、要闻、信息报送-重点领域、重点领域信息公开）")


# ---- files and folders -------------------------------------------------------------------------------
def test_a_missing_folder_is_named(tmp_path, rules):
    assert problems_of(tmp_path / "nope", rules) == [P(
        str(tmp_path / "nope"), None, None, None,
        "数据目录不存在；--data 须指向放有 units.csv、submissions.csv（或一个 .xlsx 工作簿）的目录", "missing_folder")]


def test_a_missing_required_file_is_named_with_what_the_folder_must_hold(tmp_path, rules):
    assert the_problem(csv_with(tmp_path, submissions=None), rules, "missing_file") == P(
        "submissions.csv", None, None, None,
        "缺少必需的文件 submissions.csv（录用记录）；数据目录须包含 units.csv 和 submissions.csv"
        "（events.csv、targets.csv 可选），或只放一个 .xlsx 工作簿", "missing_file")


def test_a_missing_unit_register_is_one_problem_not_one_per_unit_reference(tmp_path, rules):
    assert [p.code for p in problems_of(csv_with(tmp_path, units=None), rules)] == ["missing_file"]


def test_a_register_without_its_unit_code_column_is_one_problem_not_one_per_unit_reference(tmp_path, rules):
    folder = csv_with(tmp_path, units=[r[1:] for r in inputs.UNITS])
    assert [p.code for p in problems_of(folder, rules)] == ["missing_column"]


def test_a_folder_with_both_csv_files_and_a_workbook_says_so(tmp_path, rules):
    folder = csv_with(tmp_path)
    inputs.write_workbook(folder, inputs.tables())
    assert problems_of(folder, rules) == [P(
        "data", None, None, None,
        "数据目录中同时有 CSV 文件（units.csv、submissions.csv、events.csv、targets.csv）和工作簿（数据.xlsx）；"
        "一个数据目录只能二选一，请移走其中一种", "both_forms")]


def test_two_workbooks_in_one_folder_are_an_error(tmp_path, rules):
    inputs.write_workbook(tmp_path / "data", inputs.tables(), name="a.xlsx")
    inputs.write_workbook(tmp_path / "data", inputs.tables(), name="b.xlsx")
    assert problems_of(tmp_path / "data", rules) == [P(
        "data", None, None, None, "数据目录中有多个工作簿（a.xlsx、b.xlsx）；只能有一个 .xlsx 工作簿", "several_workbooks")]


def test_an_empty_file_is_reported_with_the_headers_it_should_start_with(tmp_path, rules):
    folder = csv_with(tmp_path)
    (folder / "events.csv").write_bytes(b"")
    assert the_problem(folder, rules, "empty_file") == P(
        "events.csv", 1, None, "", "文件是空的；第 1 行须为表头（事项编号、单位编码、单位名称、日期、类型、次数、说明），"
        "其后每行一条记录", "empty_file")


def test_a_unit_register_with_a_header_but_no_units_is_an_error(tmp_path, rules):
    folder = csv_with(tmp_path, units=[inputs.UNITS[0]], submissions=[inputs.SUBMISSIONS[0]],
                      events=None, targets=None)
    assert problems_of(folder, rules) == [P(
        "units.csv", 2, None, None, "单位名册没有任何单位；第 2 行起每行填写一个单位", "empty_file")]


def test_a_csv_in_neither_utf8_nor_gb18030_is_a_bad_encoding_at_the_row_it_starts(tmp_path, rules):
    folder = csv_with(tmp_path)
    # Latin-1 é (0xE9) followed by a line end: invalid in UTF-8 and in GB18030.
    (folder / "events.csv").write_bytes(b"event_id,unit_id,date,type,count,note\r\nE1,Z01,2023-08-15,content_error,1,caf\xe9\r\n")
    assert the_problem(folder, rules, "bad_encoding") == P(
        "events.csv", 2, None, None, "无法识别文件的文字编码；CSV 须为 UTF-8（可带 BOM）或 GB18030/GBK（中文 Windows 上 "
        "Excel 另存的 CSV），本行附近有不属于这两种编码的字节", "bad_encoding")


def test_binary_garbage_named_csv_is_a_binary_file(tmp_path, rules):
    folder = csv_with(tmp_path)
    (folder / "units.csv").write_bytes(bytes(range(256)) * 8)
    assert the_problem(folder, rules, "binary_file") == P(
        "units.csv", None, None, None, "文件含有二进制内容，不是文本 CSV；如果是 Excel 的“Unicode 文本”(UTF-16)，"
        "请改为“另存为 → CSV UTF-8（逗号分隔）”", "binary_file")


def test_binary_garbage_named_xlsx_is_a_binary_file(tmp_path, rules):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "数据.xlsx").write_bytes(bytes(range(256)) * 8)
    assert problems_of(tmp_path / "data", rules) == [P(
        "数据.xlsx", None, None, None, "不是可读取的 Excel 工作簿（.xlsx）；可能是旧版 .xls、加密的文件或改了扩展名的其他文件，"
        "请在 Excel 中“另存为 → Excel 工作簿 (*.xlsx)”", "binary_file")]


def test_a_row_with_more_cells_than_the_header_is_a_bad_csv_at_that_line_and_the_rest_is_still_checked(tmp_path, rules):
    units = [*inputs.UNITS[:2], [*inputs.UNITS[2], "多出的一格"], edited(inputs.UNITS, 3, 2, "工会组织")[3]]
    got = sorted(p for p in problems_of(csv_with(tmp_path, units=units), rules) if p.file == "units.csv")
    assert len(got) == 2
    assert got[0] == P("units.csv", 3, None, None, "此行有 6 格，比表头的 5 格多；含逗号或换行的内容须用英文双引号括起", "bad_csv")
    assert (got[1].row, got[1].code) == (4, "unknown_category")


# ---- headers ---------------------------------------------------------------------------------------
def test_a_misspelt_header_names_the_missing_one_and_the_closest_written(tmp_path, rules):
    folder = csv_with(tmp_path, submissions=edited(inputs.SUBMISSIONS, 0, 5, "录用日其"))
    assert the_problem(folder, rules, "missing_column") == P(
        "submissions.csv", 1, "录用日期", None,
        "缺少必填列「录用日期」（英文表头 adopted_on）；表头「录用日其」与它最接近，是否拼写有误？", "missing_column")


def test_a_missing_header_lists_the_headers_of_the_table(tmp_path, rules):
    folder = csv_with(tmp_path, submissions=[r[:4] + r[5:] for r in inputs.SUBMISSIONS])   # no level column
    assert the_problem(folder, rules, "missing_column") == P(
        "submissions.csv", 1, "录用级别", None,
        "缺少必填列「录用级别」（英文表头 level）；本表的表头为：稿件编号、单位编码、单位名称、栏目、录用级别、录用日期、"
        "标题、报送日期、计划完成日期、是否超时、是否约稿、信息员（中文或英文均可）", "missing_column")


def test_a_table_without_unit_code_or_name_asks_for_either(tmp_path, rules):
    folder = csv_with(tmp_path, targets=[[r[1], r[2], r[3]] for r in inputs.TARGETS])
    assert the_problem(folder, rules, "missing_column") == P(
        "targets.csv", 1, "单位编码", None,
        "缺少必填列「单位编码」或「单位名称」（英文表头 unit_id 或 unit_name）；本表的表头为：单位编码、单位名称、年度、栏目、"
        "目标数（中文或英文均可）", "missing_column")


def test_the_same_column_under_english_and_chinese_headers_is_a_duplicate_column(tmp_path, rules):
    # targets.csv already has "column"; a second column headed 栏目 repeats it.
    folder = csv_with(tmp_path, targets=[[*r, x] for r, x in zip(inputs.TARGETS, ["栏目", "要闻动态", "政策解读"])])
    assert the_problem(folder, rules, "duplicate_column") == P(
        "targets.csv", 1, "栏目", "栏目", "与第 1 行已有的「column」是同一列（栏目 / column），每列只能出现一次",
        "duplicate_column")


def test_a_title_line_above_the_header_is_reported_once(tmp_path, rules):
    folder = csv_with(tmp_path, submissions=[["2023年录用记录"] + [""] * 7, *inputs.SUBMISSIONS])
    assert problems_of(folder, rules) == [P(
        "submissions.csv", 1, None, "2023年录用记录",
        "第 1 行须是表头，但表头出现在第 2 行；请删除表头上方的标题行（稿件编号、单位编码、单位名称、栏目、录用级别、录用日期、"
        "标题、报送日期、计划完成日期、是否超时、是否约稿、信息员）", "header_not_first_row")]


# ---- cells -------------------------------------------------------------------------------------------
def test_an_unreadable_date_lists_the_accepted_spellings(tmp_path, rules):
    folder = csv_with(tmp_path, submissions=edited(inputs.SUBMISSIONS, 1, 5, "7月1日"))
    assert problems_of(folder, rules) == [P(
        "submissions.csv", 2, "adopted_on", "7月1日",
        "无法识别的日期；可写作 2023-07-01、2023/7/1、2023.7.1、2023年7月1日、20230701 或 Excel 日期单元格", "bad_date")]


@pytest.mark.parametrize("value", ["2023-02-30", "2023年13月1日", "20230431"])
def test_a_date_that_does_not_exist_is_an_impossible_date(value, tmp_path, rules):
    folder = csv_with(tmp_path, events=edited(inputs.EVENTS, 2, 2, value))
    assert problems_of(folder, rules) == [P(
        "events.csv", 3, "date", value, "日期不存在（请核对年、月、日，例如 2 月没有 30 日、没有 13 月）", "impossible_date")]


def test_an_unknown_boolean_lists_the_accepted_words(tmp_path, rules):
    folder = csv_with(tmp_path, submissions=edited(inputs.SUBMISSIONS, 3, 7, "可能"))
    assert problems_of(folder, rules) == [P(
        "submissions.csv", 4, "late", "可能",
        "无法识别的是/否值；可填 是、true、yes、y、1、t、对、√（表示“是”）或 否、false、no、n、0、f、×（表示“否”），留空表示未填写",
        "bad_bool")]


def test_an_unknown_unit_suggests_the_closest_name_in_the_register(tmp_path, rules):
    folder = csv_with(tmp_path, submissions=edited(inputs.SUBMISSIONS, 4, 1, "团市委员会"))
    assert problems_of(folder, rules) == [P(
        "submissions.csv", 5, "unit_id", "团市委员会",
        "单位名册（units.csv）中没有这个单位；可填单位编码、单位名称或别名；最接近的是「团市委（Q01）」", "unknown_unit")]


def test_an_unknown_column_lists_the_columns_and_aliases_and_the_closest(tmp_path, rules):
    folder = csv_with(tmp_path, targets=edited(inputs.TARGETS, 1, 2, "要闻动态2"))
    assert problems_of(folder, rules) == [P(
        "targets.csv", 2, "column", "要闻动态2",
        f"不是考评办法附件中的栏目；须为以下之一：{COLUMN_LIST}；最接近的是「要闻动态」", "unknown_column")]


def test_an_unknown_level_lists_the_levels_of_the_rules(tmp_path, rules):
    folder = csv_with(tmp_path, submissions=edited(inputs.SUBMISSIONS, 4, 4, "国家级"))
    assert problems_of(folder, rules) == [P(
        "submissions.csv", 5, "level", "国家级",
        "不是录用级别；须为以下之一：溧阳市、常州市、江苏省（也接受：溧阳、县级、常州、地市级、江苏、省级、省）", "unknown_level")]


def test_an_unknown_category_lists_the_categories_and_the_closest(tmp_path, rules):
    folder = csv_with(tmp_path, units=edited(inputs.UNITS, 3, 2, "工会组织"))
    also = "、".join(a for a in rules.alias_map("category") if a not in rules.category_keys)
    assert problems_of(folder, rules) == [P(
        "units.csv", 4, "category", "工会组织",
        f"不是单位类别；须为以下之一：镇区街道、市级机关部门、群团（也接受：{also}）；最接近的是「群团」", "unknown_category")]


def test_an_unknown_event_type_lists_codes_and_chinese_names(tmp_path, rules):
    folder = csv_with(tmp_path, events=edited(inputs.EVENTS, 1, 3, "错别字"))
    assert problems_of(folder, rules) == [P(
        "events.csv", 2, "type", "错别字",
        "不是规则文件中的扣分或否决事项；类型须为以下代码或名称之一：no_informant（未明确信息报送工作人员）、"
        "no_plan（未提交内容保障计划）、late_material（超期报送所需材料）、content_error（内容不准确被常州通报）、"
        "stale_column（责任栏目未及时更新）、veto_quarter（严重错误或更新不及时被省级以上部门通报）、"
        "veto_classified（涉密信息上网）（也接受：未明确信息员、未明确信息报送人员、未提交计划、超期报送材料、内容不准确、"
        "内容错误、更新不及时、栏目未及时更新、被省级以上部门通报、季度一票否决、涉密上网、年度一票否决）", "unknown_event")]


@pytest.mark.parametrize("value, why", [("-1", "不能为负数"), ("1.5", "不能有小数"), ("0", "不能小于 1"), ("两次", "须为阿拉伯数字")])
def test_a_count_must_be_a_whole_number_of_at_least_one(value, why, tmp_path, rules):
    folder = csv_with(tmp_path, events=edited(inputs.EVENTS, 2, 4, value))
    assert problems_of(folder, rules) == [P(
        "events.csv", 3, "count", value, f"次数须为 1 至 1,000 的整数（留空按 1 次计）；「{value}」{why}", "bad_count")]


def test_a_negative_target_is_a_bad_target(tmp_path, rules):
    folder = csv_with(tmp_path, targets=edited(inputs.TARGETS, 2, 3, "-3"))
    assert problems_of(folder, rules) == [P(
        "targets.csv", 3, "target", "-3", "目标数须为 0 至 1,000 的整数；「-3」不能为负数", "bad_target")]


def test_a_year_in_chinese_numerals_is_a_bad_year(tmp_path, rules):
    folder = csv_with(tmp_path, targets=edited(inputs.TARGETS, 2, 1, "二〇二三"))
    assert problems_of(folder, rules) == [P(
        "targets.csv", 3, "year", "二〇二三", "年度须为 2000 至 2100 年之间的四位数年份，如 2023；「二〇二三」须为阿拉伯数字", "bad_year")]


def test_text_longer_than_a_thousand_characters_is_an_error_but_a_thousand_is_fine(tmp_path, rules):
    fine = csv_with(tmp_path / "fine", submissions=edited(inputs.SUBMISSIONS, 1, 6, "字" * 1000))
    assert load_dataset(fine, rules).submissions["title"].str.len().max() == 1000
    folder = csv_with(tmp_path, submissions=edited(inputs.SUBMISSIONS, 1, 6, "字" * 1001))
    assert problems_of(folder, rules) == [P(
        "submissions.csv", 2, "title", "字" * 1001, "文字过长（1001 字）；不得超过 1000 字", "text_too_long")]


def test_an_empty_required_cell_is_a_missing_value(tmp_path, rules):
    folder = csv_with(tmp_path, submissions=edited(inputs.SUBMISSIONS, 3, 0, ""))
    assert problems_of(folder, rules) == [P(
        "submissions.csv", 4, "record_id", "", "「稿件编号」是必填项，不能为空", "missing_value")]


def test_a_row_naming_no_unit_at_all_is_a_missing_value(tmp_path, rules):
    folder = csv_with(tmp_path, submissions=edited(inputs.SUBMISSIONS, 3, 2, ""))   # R2 gave only the name
    assert problems_of(folder, rules) == [P(
        "submissions.csv", 4, "unit_id", "", "须填写单位编码或单位名称（二者至少其一）", "missing_value")]


def test_a_unit_code_and_name_pointing_at_two_units_is_a_mismatch(tmp_path, rules):
    folder = csv_with(tmp_path, submissions=edited(inputs.SUBMISSIONS, 1, 2, "团市委"))
    assert problems_of(folder, rules) == [P(
        "submissions.csv", 2, "unit_name", "团市委",
        "与同一行的单位编码「Z01」指向不同的单位（编码对应「昆仑街道（Z01）」）；请核对，或只填其中一列", "unit_mismatch")]


# ---- across rows ------------------------------------------------------------------------------------
def test_a_repeated_unit_id_is_a_duplicate_naming_the_first_row(tmp_path, rules):
    folder = csv_with(tmp_path, units=[*inputs.UNITS, ["Z01", "新单位", "群团", "", ""]])
    assert problems_of(folder, rules) == [P(
        "units.csv", 5, "unit_id", "Z01", "单位编码重复：第 2 行已有「Z01」；每个单位编码只能出现一次", "duplicate_unit_id")]


def test_a_repeated_unit_name_is_a_duplicate_naming_the_first_row(tmp_path, rules):
    folder = csv_with(tmp_path, units=[*inputs.UNITS, ["Z09", "昆仑街道", "镇区街道", "", ""]])
    assert the_problem(folder, rules, "duplicate_unit_name") == P(
        "units.csv", 5, "unit_name", "昆仑街道", "单位名称重复：第 2 行已有「昆仑街道」；每个单位名称只能出现一次",
        "duplicate_unit_name")


@pytest.mark.parametrize("alias, owner", [("昆仑", "第 2 行单位「昆仑街道」（Z01）的别名"),
                                          ("团市委", "第 4 行单位「团市委」（Q01）的名称")])
def test_an_alias_already_naming_another_unit_is_a_duplicate_alias(alias, owner, tmp_path, rules):
    folder = csv_with(tmp_path, units=[*inputs.UNITS, ["Z09", "新单位", "群团", "", f"新单位简称;{alias}"]])
    assert problems_of(folder, rules) == [P(
        "units.csv", 5, "aliases", alias, f"别名「{alias}」已是{owner}；一个名字只能指向一个单位", "duplicate_alias")]


def test_a_unit_code_that_is_another_units_name_is_ambiguous(tmp_path, rules):
    folder = csv_with(tmp_path, units=[*inputs.UNITS, ["团市委", "共青团溧阳市委", "群团", "", ""]])
    assert problems_of(folder, rules) == [P(
        "units.csv", 5, "unit_id", "团市委", "「团市委」已是第 4 行单位「团市委」（Q01）的名称；一个名字只能指向一个单位",
        "ambiguous_unit")]


def test_a_quoted_cell_spanning_lines_keeps_later_row_numbers_as_an_editor_shows_them(tmp_path, rules):
    # Row 2's title holds a line break (Alt+Enter in Excel), so R1's second row starts on line 4.
    subs = edited(edited(inputs.SUBMISSIONS, 1, 6, "第一行\n第二行"), 2, 4, "国家级")
    assert problems_of(csv_with(tmp_path, submissions=subs), rules) == [P(
        "submissions.csv", 4, "level", "国家级",
        "不是录用级别；须为以下之一：溧阳市、常州市、江苏省（也接受：溧阳、县级、常州、地市级、江苏、省级、省）", "unknown_level")]


def test_rows_of_one_record_disagreeing_on_column_or_unit_are_conflicting_records(tmp_path, rules):
    # R1 is 要闻动态 of 昆仑街道 on row 2; row 3 says 重点领域 and names 公安局 by its alias.
    subs = edited(edited(inputs.SUBMISSIONS, 2, 3, "重点领域"), 2, 2, "公安局")
    got = sorted(p for p in problems_of(csv_with(tmp_path, submissions=subs), rules))
    tail = "；同一稿件的各行（各级录用）须为同一单位、同一栏目（附件注：被上级录用以最高分值计，不重复计算）"
    assert got == sorted([
        P("submissions.csv", 3, "column", "重点领域", "稿件编号「R1」在第 2 行的栏目是「要闻动态」，此行却是「重点领域」" + tail,
          "conflicting_record"),
        P("submissions.csv", 3, "unit_name", "公安局", "稿件编号「R1」在第 2 行的单位是「Z01」，此行却是「公安局」" + tail,
          "conflicting_record"),
    ])


def test_two_targets_for_one_unit_year_and_column_are_a_duplicate(tmp_path, rules):
    folder = csv_with(tmp_path, targets=[*inputs.TARGETS, ["Z01", "2023", "要闻", "5"]])
    assert problems_of(folder, rules) == [P(
        "targets.csv", 4, "target", "5", "同一单位（Z01）、同一年度（2023）、同一栏目（要闻动态）的目标已在第 2 行给出；"
        "每个单位每年每个栏目只能有一个目标数", "duplicate_target")]


# ---- workbooks ---------------------------------------------------------------------------------------
def test_a_missing_sheet_lists_the_sheets_the_workbook_has(tmp_path, rules):
    inputs.write_workbook(tmp_path / "data", inputs.tables(submissions=None))
    assert problems_of(tmp_path / "data", rules) == [P(
        "数据.xlsx", None, None, None, "工作簿中没有「录用记录」工作表（也可命名为 submissions）；现有工作表：units、events、targets",
        "missing_sheet", "录用记录")]


def test_a_table_under_both_its_english_and_chinese_sheet_names_is_a_duplicate_sheet(tmp_path, rules):
    inputs.write_workbook(tmp_path / "data", {**inputs.tables(), "单位": inputs.UNITS})
    assert the_problem(tmp_path / "data", rules, "duplicate_sheet") == P(
        "数据.xlsx", None, None, None, "工作表「units」和「单位」都是单位名册，只能保留一个", "duplicate_sheet", "单位")


def test_a_formula_without_a_cached_value_is_an_input_error(tmp_path, rules):
    events = edited(inputs.EVENTS, 2, 4, "=1+1")
    inputs.write_workbook(tmp_path / "data", inputs.tables(events=events))   # openpyxl saves no cached value
    assert the_problem(tmp_path / "data", rules, "formula_no_cache") == P(
        "数据.xlsx", 3, "count", "=1+1", "公式单元格没有保存计算结果（缓存值），无法得知 Excel 显示的值；请在 Excel 中打开并保存一次，"
        "或把公式“选择性粘贴 → 数值”", "formula_no_cache", "events")


def test_a_merged_title_row_above_the_header_is_a_merged_header(tmp_path, rules):
    book = inputs.write_workbook(tmp_path / "data", inputs.tables())
    from openpyxl import load_workbook
    wb = load_workbook(book)
    ws = wb["submissions"]
    ws.insert_rows(1)
    ws["A1"] = "2023年录用记录"
    ws.merge_cells("A1:H1")
    wb.save(book)
    assert problems_of(tmp_path / "data", rules) == [P(
        "数据.xlsx", 1, None, None, "第 1 行有合并单元格（A1:H1）；第 1 行须是表头、每列一个表头，请删除标题行并取消合并单元格",
        "merged_header", "submissions")]


def test_merged_cells_in_the_data_are_reported_where_they_start(tmp_path, rules):
    book = inputs.write_workbook(tmp_path / "data", inputs.tables())
    from openpyxl import load_workbook
    wb = load_workbook(book)
    wb["submissions"].merge_cells("G2:G3")          # one title for both adoptions of R1
    wb.save(book)
    assert problems_of(tmp_path / "data", rules) == [P(
        "数据.xlsx", 2, None, None, "有合并单元格（G2:G3）；合并后只有第一格有值，其余各格会被当作空，请取消合并并逐行填写",
        "merged_cells", "submissions")]


# ---- all at once, and in bulk -------------------------------------------------------------------------
def test_every_problem_in_every_file_is_reported_in_one_error(tmp_path, rules):
    folder = csv_with(tmp_path,
                      units=edited(inputs.UNITS, 3, 2, "工会组织"),
                      submissions=edited(edited(inputs.SUBMISSIONS, 1, 5, "2023-02-30"), 4, 4, "国家级"),
                      events=edited(inputs.EVENTS, 1, 4, "-1"),
                      targets=edited(inputs.TARGETS, 1, 0, "Z99"))
    got = sorted((p.file, p.row, p.code) for p in problems_of(folder, rules))
    assert got == [("events.csv", 2, "bad_count"), ("submissions.csv", 2, "impossible_date"),
                   ("submissions.csv", 5, "unknown_level"), ("targets.csv", 2, "unknown_unit"),
                   ("units.csv", 4, "unknown_category")]


def test_many_bad_cells_of_one_kind_are_listed_up_to_a_limit_and_then_summed_up(tmp_path, rules):
    extra = PER_COLUMN_LIMIT + 10
    subs = [*inputs.SUBMISSIONS, *[[f"X{i}", "Z01", "", "要闻动态", "溧阳市", "不知道", "", ""] for i in range(extra)]]
    got = problems_of(csv_with(tmp_path, submissions=subs), rules)
    assert all(p.code == "bad_date" for p in got)
    listed = [p for p in got if p.row is not None]
    # The bad rows are 6 .. 6 + extra - 1; the first PER_COLUMN_LIMIT are listed one by one.
    assert [p.row for p in listed] == list(range(6, 6 + PER_COLUMN_LIMIT))
    first_rest, last = 6 + PER_COLUMN_LIMIT, 6 + extra - 1
    assert [p for p in got if p.row is None] == [P(
        "submissions.csv", None, "adopted_on", None,
        f"另有 10 行同类问题未逐条列出（第 {first_rest} 行至第 {last} 行之间），请按上面的说明一并修正", "bad_date")]


# ---- the validate command ---------------------------------------------------------------------------------
def test_validate_prints_every_problem_in_chinese_and_exits_2(tmp_path, rules, capsys):
    from scoring.cli import main
    folder = csv_with(tmp_path, events=edited(inputs.EVENTS, 1, 4, "-1"), targets=edited(inputs.TARGETS, 1, 0, "Z99"))
    assert main(["validate", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "输入数据有 2 处问题" in err
    assert "events.csv，第 2 行，列「count」，值「-1」：次数须为 1 至 1,000 的整数（留空按 1 次计）；「-1」不能为负数 [bad_count]" in err


def test_validate_exits_0_on_a_clean_dataset(tmp_path, capsys):
    from scoring.cli import main
    assert main(["validate", "--data", str(csv_with(tmp_path)), "--year", "2023"]) == 0
    assert "检查通过：3 个单位，4 条录用记录，2 条扣分事项，2 条年度目标" in capsys.readouterr().out


def test_validate_as_a_command_on_binary_garbage_exits_2_without_a_traceback(tmp_path, capsys):
    # The command in-process (a real `python -m scoring` process is tried once, in test_broken_corpus).
    from scoring.cli import main
    folder = csv_with(tmp_path)
    (folder / "submissions.csv").write_bytes(bytes(range(256)) * 64)
    (folder / "units.csv").write_bytes(b"\xff\xfe" + "单位".encode("utf-16-le"))
    assert main(["validate", "--data", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "[binary_file]" in err


# ---- never a traceback ------------------------------------------------------------------------------------
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.one_of(st.binary(max_size=300),
                         st.text(alphabet=st.sampled_from(list(',"\r\n \u3000;\t\ufeffZ01昆仑要闻2023-/年月日是否x')), max_size=200)
                         .map(lambda t: t.encode("utf-8")),
                         st.text(max_size=120).map(lambda t: t.encode("gb18030"))),
       table=st.sampled_from(["units", "submissions", "events", "targets"]))
def test_any_bytes_in_any_input_file_give_a_dataset_or_input_problems_never_another_error(content, table, tmp_path, rules):
    folder = csv_with(tmp_path)
    (folder / f"{table}.csv").write_bytes(content)
    try:
        load_dataset(folder, rules)
    except InputError as err:
        assert err.problems and all(p.code and p.expected for p in err.problems)
