"""The input template: Chinese sheets and headers, drop-downs from the rules, the examples in the
说明 sheet (the table sheets hold only their headers), identical bytes on every run — and, filled
in, a dataset that validates clean."""
from __future__ import annotations

import datetime as dt
import zipfile

import pytest
from openpyxl import load_workbook

from scoring.errors import InputError
from scoring.method import rules as rules_mod
from scoring.inputs.loading import load_dataset
from scoring.inputs.schema import TABLES
from scoring.inputs.template import build_template
from scoring.render.xlsxio import save_workbook_deterministic


@pytest.fixture
def written(tmp_path, rules):
    return save_workbook_deterministic(build_template(rules), tmp_path / "data" / "录入模板.xlsx")


def dropdown_values(wb, sheet: str, header: str) -> list[str]:
    """The values a sheet's list validation under ``header`` offers (read back through its range)."""
    ws = wb[sheet]
    col = next(c.column_letter for c in ws[1] if c.value == header)
    dv = next(d for d in ws.data_validations.dataValidation if str(d.sqref) == f"{col}2:{col}5000")
    target, cells = dv.formula1.split("!")
    first, last = cells.replace("$", "").split(":")
    return [c.value for row in wb[target.strip("'")][f"{first}:{last}"] for c in row]


def test_the_sheets_are_the_guide_and_the_four_tables_with_chinese_names(written):
    wb = load_workbook(written)
    visible = [ws.title for ws in wb.worksheets if ws.sheet_state == "visible"]
    assert visible == ["说明", "单位", "录用记录", "扣分事项", "年度目标"]
    assert wb.active.title == "说明"


def test_every_table_sheet_has_the_chinese_headers_of_the_schema_in_row_one(written):
    wb = load_workbook(written)
    for table in TABLES:
        assert [c.value for c in wb[table.sheet_zh][1]] == [f.zh for f in table.fields]


def test_drop_downs_offer_exactly_the_columns_levels_categories_and_event_names_of_the_rules(written, rules):
    wb = load_workbook(written)
    columns = ["在线访谈", "政策简明问答图解", "意见征集", "调查问卷", "新闻发布会", "专题专栏", "网上直播", "要闻动态", "重点领域"]
    assert dropdown_values(wb, "录用记录", "栏目") == columns
    assert dropdown_values(wb, "年度目标", "栏目") == columns
    assert dropdown_values(wb, "录用记录", "录用级别") == ["溧阳市", "常州市", "江苏省"]
    assert dropdown_values(wb, "单位", "单位类别") == ["镇区街道", "市级机关部门", "群团"]
    assert dropdown_values(wb, "扣分事项", "类型") == [
        "未明确信息报送工作人员", "未提交内容保障计划", "超期报送所需材料", "内容不准确被常州通报",
        "责任栏目未及时更新", "严重错误或更新不及时被省级以上部门通报", "涉密信息上网"]


def test_drop_downs_follow_the_rules_file_they_are_built_from(tmp_path, rules):
    variant = rules_mod.derive(rules, {"events": {"no_plan": {"name": "未报送内容保障计划"}}}, name="改名")
    wb = load_workbook(save_workbook_deterministic(build_template(variant), tmp_path / "t.xlsx"))
    assert "未报送内容保障计划" in dropdown_values(wb, "扣分事项", "类型")
    assert "未提交内容保障计划" not in dropdown_values(wb, "扣分事项", "类型")


def example_row(wb, sheet: str) -> dict:
    """The 说明 sheet's example of ``sheet``: the row under that sheet's headers below its title."""
    rows = list(wb["说明"].iter_rows(values_only=True))
    at = next(i for i, r in enumerate(rows) if r[0] == f"示例：{sheet}工作表的一行（仅供参考，不要复制到数据表）")
    return {h: v for h, v in zip(rows[at + 1], rows[at + 2]) if h is not None}


def test_the_examples_live_in_the_guide_with_real_date_and_number_cells(written):
    wb = load_workbook(written)
    assert example_row(wb, "录用记录")["录用日期"] == dt.datetime(2023, 7, 3)
    assert example_row(wb, "年度目标")["目标数"] == 20
    assert example_row(wb, "单位")["单位编码"] == "Z01"


def test_the_table_sheets_hold_only_their_header_row(written):
    wb = load_workbook(written)
    assert [wb[t.sheet_zh].max_row for t in TABLES] == [1, 1, 1, 1]


def test_the_template_as_written_only_says_that_the_register_is_empty(written, rules):
    with pytest.raises(InputError) as err:
        load_dataset(written.parent, rules, year=2023)
    assert [(p.sheet, p.row, p.code) for p in err.value.problems] == [("单位", 2, "empty_file")]


def test_the_template_filled_in_with_one_row_each_validates_clean(written, rules):
    wb = load_workbook(written)
    wb["单位"].append(["0101", "昆仑街道", "镇区街道", "王敏", ""])
    wb["录用记录"].append(["R1", "0101", "", "要闻动态", "溧阳市", dt.date(2023, 7, 3), "", None, None, "否", None, ""])
    wb["扣分事项"].append(["E1", "", "昆仑街道", dt.date(2023, 8, 15), "内容不准确被常州通报", 1, ""])
    wb["年度目标"].append(["0101", "", 2023, "要闻动态", 20])
    wb.save(written)
    data = load_dataset(written.parent, rules, year=2023)
    assert [len(data.units), len(data.submissions), len(data.events), len(data.targets)] == [1, 1, 1, 1]
    assert data.submissions["unit_id"].tolist() == ["0101"]
    assert data.events["type"].tolist() == ["content_error"]     # chosen by its Chinese name from the list


def test_the_guide_sheet_names_the_rules_file_and_describes_every_column(written, rules):
    ws = load_workbook(written)["说明"]
    text = [r[0] for r in ws.iter_rows(values_only=True)]
    assert any(rules.meta.version in (t or "") for t in text)
    described = {(r[0], r[1]) for r in ws.iter_rows(values_only=True) if r[1]}
    assert {(t.sheet_zh, f.zh) for t in TABLES for f in t.fields} <= described


def test_writing_the_template_twice_gives_identical_bytes_with_fixed_times(tmp_path, rules):
    a = save_workbook_deterministic(build_template(rules), tmp_path / "a.xlsx").read_bytes()
    b = save_workbook_deterministic(build_template(rules), tmp_path / "b.xlsx").read_bytes()
    assert a == b
    with zipfile.ZipFile(tmp_path / "a.xlsx") as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert b"2000-01-01T00:00:00Z" in z.read("docProps/core.xml")


def test_the_template_command_writes_the_workbook(tmp_path, capsys):
    from scoring.cli import main
    out = tmp_path / "模板" / "录入模板.xlsx"
    assert main(["template", "--out", str(out)]) == 0
    assert out.is_file() and "已写出录入模板" in capsys.readouterr().out
