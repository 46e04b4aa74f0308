"""Issue 13, item 7: the template is generated and never written over a filled-in workbook; its
examples live in the 说明 sheet and an old template's untouched example row is reported; id columns
are text, and an id that lost its leading zeros is reported; drop-downs for 单位名称 and 是/否."""
from __future__ import annotations

import argparse
import datetime as dt
import subprocess
import sys
from pathlib import Path

import pytest
from openpyxl import load_workbook

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "inputs"))
import loading_inputs as inputs  # noqa: E402

from scoring.errors import InputError  # noqa: E402
from scoring.inputs.loading import TEMPLATE_EXAMPLE, ZERO_ADVICE, load_dataset  # noqa: E402
from scoring.inputs.schema import TABLES  # noqa: E402
from scoring.inputs.template import build_template  # noqa: E402
from scoring.render.xlsxio import save_workbook_deterministic  # noqa: E402
from scoring.run.commands import template_command  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# The rows the template's row 2 held before the examples moved to the 说明 sheet.
OLD_EXAMPLES = {
    "单位": ["Z01", "昆仑街道", "镇区街道", "王敏", "昆仑街道办事处"],
    "录用记录": ["2023-000001", "Z01", "昆仑街道", "要闻动态", "溧阳市", dt.date(2023, 7, 3),
             "昆仑街道召开2023年安全生产工作会议", dt.date(2023, 7, 1), None, "否", None, "王敏"],
    "扣分事项": ["E2023-001", "Z01", "昆仑街道", dt.date(2023, 8, 15), "内容不准确被常州通报", 1, "信息中出现错别字，被常州市通报"],
    "年度目标": ["Z01", "昆仑街道", 2023, "要闻动态", 20],
}


@pytest.fixture
def template(tmp_path, rules) -> Path:
    return save_workbook_deterministic(build_template(rules), tmp_path / "data" / "录入模板.xlsx")


def problems(folder: Path, rules):
    with pytest.raises(InputError) as err:
        load_dataset(folder, rules)
    return err.value.problems


def validation(ws, letter: str):
    return next(d for d in ws.data_validations.dataValidation if str(d.sqref) == f"{letter}2:{letter}5000")


def letter_of(ws, header: str) -> str:
    return next(c.column_letter for c in ws[1] if c.value == header)


# ---- generated, never written over a file -------------------------------------------------------------
def test_the_template_is_not_tracked_by_git_and_its_folder_is_ignored():
    tracked = subprocess.run(["git", "ls-files", "data/template"], cwd=ROOT, capture_output=True, text=True).stdout
    assert tracked == ""
    ignored = subprocess.run(["git", "check-ignore", "-q", "data/template/录入模板.xlsx"], cwd=ROOT)
    assert ignored.returncode == 0


def test_the_template_command_never_writes_over_an_existing_workbook(tmp_path, capsys):
    out = tmp_path / "data" / "template" / "录入模板.xlsx"
    out.parent.mkdir(parents=True)
    out.write_bytes(b"a filled-in workbook")
    assert template_command(argparse.Namespace(rules=None, out=out)) == 0
    assert out.read_bytes() == b"a filled-in workbook"
    second = out.with_name("录入模板(2).xlsx")
    assert load_workbook(second).sheetnames[0] == "说明"
    said = capsys.readouterr()
    assert "未覆盖" in said.err and "录入模板(2).xlsx" in said.err and str(second) in said.out
    assert template_command(argparse.Namespace(rules=None, out=out)) == 0
    assert out.with_name("录入模板(3).xlsx").is_file() and second.is_file()


def test_the_template_command_writes_a_new_file_where_there_is_none(tmp_path, capsys):
    out = tmp_path / "新目录" / "录入模板.xlsx"
    assert template_command(argparse.Namespace(rules=None, out=out)) == 0
    assert out.is_file() and capsys.readouterr().err == ""


# ---- the example row -----------------------------------------------------------------------------------
def test_an_old_template_s_untouched_example_rows_are_reported_and_not_read_as_data(template, rules):
    wb = load_workbook(template)
    for sheet, row in OLD_EXAMPLES.items():
        wb[sheet].append(row)
    wb["单位"].append(["0101", "溧城街道", "镇区街道", "", ""])
    wb["录用记录"].append(["R1", "0101", "", "要闻动态", "溧阳市", dt.date(2023, 7, 3), "", None, None, "否", None, ""])
    wb.save(template)
    got = problems(template.parent, rules)
    assert [(p.sheet, p.row, p.column, p.value, p.code) for p in got] == [
        ("单位", 2, "单位编码", "Z01", "template_example"),
        ("录用记录", 2, "稿件编号", "2023-000001", "template_example"),
        ("扣分事项", 2, "事项编号", "E2023-001", "template_example"),
        ("年度目标", 2, "单位编码", "Z01", "template_example"),
    ]
    assert {p.expected for p in got} == {TEMPLATE_EXAMPLE}
    assert TEMPLATE_EXAMPLE.startswith("模板示例行，请删除")


def test_an_example_row_the_user_typed_over_is_data(template, rules):
    wb = load_workbook(template)
    wb["单位"].append(["0101", "昆仑街道", "镇区街道", "王敏", "昆仑街道办事处"])
    wb["录用记录"].append(["R1", "0101", "", "要闻动态", "溧阳市", dt.date(2023, 7, 3), "", None, None, "否", None, ""])
    wb.save(template)
    assert load_dataset(template.parent, rules).units["unit_id"].tolist() == ["0101"]


@pytest.mark.parametrize("form", ["csv", "workbook"])
def test_a_unit_like_the_example_outside_a_template_workbook_is_data(tmp_path, rules, form):
    # Only row 2 of a workbook with the template's 说明 and 选项 sheets can be the template's example.
    units = [inputs.UNITS[0], ["Z01", "昆仑街道", "镇区街道", "王敏", "昆仑街道办事处"], *inputs.UNITS[2:]]
    subs = [list(r) for r in inputs.SUBMISSIONS]
    subs[2][2] = "昆仑街道"                  # was the alias 昆仑, which this register row lacks
    data = inputs.tables(units=units, submissions=subs)
    folder = tmp_path / "d"
    inputs.write_csv(folder, data) if form == "csv" else inputs.write_workbook(folder, data, chinese_sheets=True)
    assert load_dataset(folder, rules).units["unit_id"].tolist() == ["Z01", "D01", "Q01"]


# ---- ids as text, and ids that lost their leading zeros ------------------------------------------------
def test_id_and_text_columns_are_formatted_as_text_in_every_table_sheet(template):
    wb = load_workbook(template)
    for table in TABLES:
        ws = wb[table.sheet_zh]
        for f in table.fields:
            fmt = ws.column_dimensions[letter_of(ws, f.zh)].number_format
            assert (fmt == "@") == (f.kind in ("str", "unit")), (table.sheet_zh, f.zh, fmt)
    assert wb["单位"].column_dimensions["A"].number_format == "@"     # 单位编码


def register_with(*extra) -> list[list]:
    return [*inputs.UNITS, *extra]


def test_an_id_that_is_a_registered_id_without_its_leading_zero_is_reported(tmp_path, rules):
    units = register_with(["0103", "古县街道", "镇区街道", "", ""], ["103", "市档案馆", "市级机关部门", "", ""])
    subs = [list(r) for r in inputs.SUBMISSIONS]
    subs[4][1] = "103"                       # R3, row 5, was Q01
    got = problems(inputs.write_csv(tmp_path / "d", inputs.tables(units=units, submissions=subs)), rules)
    assert [(p.file, p.row, p.column, p.value, p.code) for p in got] == [
        ("submissions.csv", 5, "unit_id", "103", "ambiguous_unit_id")]
    assert got[0].expected == ("「103」是单位「市档案馆（103）」的编码，但单位名册中还有「古县街道（0103）」，编码只差开头的 0，"
                               f"无法确定指哪个单位；{ZERO_ADVICE}，或在同一行填写单位名称")


def test_the_same_id_with_the_unit_s_name_beside_it_is_not_in_doubt(tmp_path, rules):
    units = register_with(["0103", "古县街道", "镇区街道", "", ""], ["103", "市档案馆", "市级机关部门", "", ""])
    subs = [list(r) for r in inputs.SUBMISSIONS]
    subs[4][1], subs[4][2] = "103", "市档案馆"
    data = load_dataset(inputs.write_csv(tmp_path / "d", inputs.tables(units=units, submissions=subs)), rules)
    assert data.submissions["unit_id"].tolist()[-1] == "103"


def test_an_unknown_id_that_a_registered_id_has_with_leading_zeros_names_that_unit(tmp_path, rules):
    units = register_with(["0103", "古县街道", "镇区街道", "", ""])
    subs = [list(r) for r in inputs.SUBMISSIONS]
    subs[4][1] = "103"
    got = problems(inputs.write_csv(tmp_path / "d", inputs.tables(units=units, submissions=subs)), rules)
    assert [(p.row, p.value, p.code) for p in got] == [(5, "103", "unknown_unit")]
    assert got[0].expected == ("单位名册（units.csv）中没有这个单位；可填单位编码、单位名称或别名；"
                               f"单位名册中有单位编码「古县街道（0103）」，与「103」只差开头的 0：{ZERO_ADVICE}")


# ---- drop-down lists -------------------------------------------------------------------------------------
def test_unit_name_columns_offer_the_names_of_the_unit_sheet(template):
    wb = load_workbook(template)
    for sheet in ("录用记录", "扣分事项", "年度目标"):
        ws = wb[sheet]
        dv = validation(ws, letter_of(ws, "单位名称"))
        # 单位名称 is column B of the 单位 sheet; the list runs from B2 over the filled cells.
        assert dv.formula1 == "OFFSET('单位'!$B$2,0,0,MAX(1,COUNTA('单位'!$B:$B)-1),1)"
        assert dv.errorStyle == "warning"          # an alias is still accepted


def test_late_and_solicited_offer_yes_and_no(template):
    wb = load_workbook(template)
    ws = wb["录用记录"]
    for header in ("是否超时", "是否约稿"):
        target, cells = validation(ws, letter_of(ws, header)).formula1.split("!")
        first, last = cells.replace("$", "").split(":")
        assert [c.value for row in wb[target.strip("'")][f"{first}:{last}"] for c in row] == ["是", "否"]
