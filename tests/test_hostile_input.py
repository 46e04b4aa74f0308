"""Hostile and mistyped input, closed at its root (issue 12, classes 1, 2, 3, 5 and 8): numbers and
dates in plausible ranges, Excel's own cells and files checked before they are read, one
normalisation of text at input, a strict YAML loader, rows named exactly and a console that never
fails. The broken-input corpus (tests/broken/) holds one dataset per class with its message; these
tests pin the pieces it rests on, in-process and small.
"""
from __future__ import annotations

import io
import sys
import time
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent / "fixtures" / "inputs"))
import loading_inputs as inputs  # noqa: E402

from scoring.cli import Console, main, visible  # noqa: E402
from scoring.errors import InputError, RulesError, ScoringError  # noqa: E402
from scoring.inputs import parsing, workbook  # noqa: E402
from scoring.inputs.loading import load_dataset  # noqa: E402
from scoring.inputs.rules_file import DEFAULT_RULES, load_rules  # noqa: E402
from scoring.inputs.schema import MAX_COUNT  # noqa: E402
from scoring.inputs.yaml_file import MAX_ALIASES, YamlProblem, load_yaml  # noqa: E402
from scoring.method.rules import MAX_POINTS, from_dict  # noqa: E402
from scoring.run.params import bulletin_params  # noqa: E402
from scoring.run.progress import parse_date  # noqa: E402

BROKEN = Path(__file__).resolve().parent / "broken"


def problems(folder: Path, rules) -> list:
    with pytest.raises(InputError) as err:
        load_dataset(folder, rules)
    return err.value.problems


def edited(rows, row: int, col: int, value) -> list[list]:
    out = [list(r) for r in rows]
    out[row][col] = value
    return out


# ---- 1. numbers and dates in range ------------------------------------------------------------------------
def test_a_date_of_a_year_outside_2000_to_2100_is_out_of_range_and_never_reaches_pandas_nanoseconds():
    got = parsing.parse_dates(pd.Series(["2923-07-01", "1999-12-31", "2000-01-01", "2100-12-31", "2923-02-30"],
                                        dtype="string"))
    # 2923 and 1999 are real dates outside the range; 2923-02-30 is no date at all (impossible).
    assert got.out_of_range.tolist() == [True, True, False, False, False]
    assert got.impossible.tolist() == [False, False, False, False, True]
    assert got.values.isna().tolist() == [True, True, False, False, True]


def test_counts_and_targets_above_a_thousand_are_errors_naming_the_cell(tmp_path, rules):
    folder = inputs.write_csv(tmp_path / "d", inputs.tables(
        events=edited(inputs.EVENTS, 2, 4, "9223372036854775807"),          # 2^63 − 1 (row 3)
        targets=edited(inputs.TARGETS, 1, 3, str(MAX_COUNT + 1))))          # 1,001 (row 2)
    found = {(p.file, p.row, p.code, p.value) for p in problems(folder, rules)}
    assert found == {("events.csv", 3, "bad_count", "9223372036854775807"),
                     ("targets.csv", 2, "bad_target", "1001")}


def test_a_count_of_exactly_a_thousand_is_accepted(tmp_path, rules):
    folder = inputs.write_csv(tmp_path / "d", inputs.tables(events=edited(inputs.EVENTS, 2, 4, "1000")))
    assert load_dataset(folder, rules).events["count"].tolist() == [1, 1000]


def test_the_largest_sum_the_input_allows_fits_in_int64_by_construction():
    # Thousandths of a point: a penalty of at most MAX_POINTS × 1000, times a count of at most
    # MAX_COUNT, over the rows of a 10 MB file (at most 10^7 rows of one byte or more) stays under 2^63.
    assert MAX_POINTS * 1000 * MAX_COUNT * 10**7 < 2**63


@pytest.mark.parametrize("value", [".inf", "1.0e+308", "9.3e+15", "1001"])
def test_a_rules_cap_that_is_infinite_or_above_a_thousand_is_refused_by_the_rules_check(value):
    data = yaml.safe_load(DEFAULT_RULES.read_text(encoding="utf-8"))
    data["caps"]["year"]["value"] = yaml.safe_load(value)
    with pytest.raises(RulesError, match=r"caps\.year\.value：分值须为 0 至 1000 之间的数"):
        from_dict(data)


@pytest.mark.parametrize("argv, said", [
    (["validate", "--year", "0"], "年份 0 不在 2000–2100 年之间"),
    (["validate", "--year", "-5"], "年份 -5 不在 2000–2100 年之间"),
    (["score", "--year", "99999", "--out", "x"], "年份 99999 不在 2000–2100 年之间"),
    (["validate", "--year", "abc"], "「abc」不是年份"),
    (["whatif", "--year", "1900"], "年份 1900 不在 2000–2100 年之间"),
])
def test_an_implausible_year_on_the_command_line_is_a_chinese_error_with_exit_2(argv, said, capsys):
    with pytest.raises(SystemExit) as stop:
        main([*argv, "--data", str(BROKEN / "_valid_csv")])
    assert stop.value.code == 2
    err = capsys.readouterr().err
    assert said in err and "Traceback" not in err


@pytest.mark.parametrize("quarter", ["0000Q1", "9999Q4"])
def test_an_implausible_quarter_is_refused_before_anything_runs(quarter, tmp_path, capsys):
    assert main(["bulletin", "--data", str(BROKEN / "_valid_csv"), "--quarter", quarter, "--out", str(tmp_path)]) == 2
    assert f"季度「{quarter}」的年份" in capsys.readouterr().err
    assert not any(tmp_path.iterdir())


def test_a_progress_date_of_an_implausible_year_is_a_scoring_error():
    with pytest.raises(ScoringError, match="日期「9999-01-01」的年份 9999 不在 2000–2100 年之间"):
        parse_date("9999-01-01")


@pytest.mark.parametrize("text, said", [
    ("year: abc\n", "键 year 须为 2000–2100 的整数，实际为「abc」"),
    ("year: 0\n", "键 year 须为 2000–2100 的整数，实际为「0」"),
    ("quarter: 7\n", "键 quarter 须为 1–4 的整数，实际为「7」"),
    ("issue_date: 9999-01-10\n", "issue_date「9999-01-10」的年份不在 2000–2100 年之间"),
    ("cc: 甲\ncc: 乙\n", "第 2 行：键「cc」重复（第 1 行已有）"),
])
def test_a_params_file_with_a_bad_year_or_a_repeated_key_is_a_scoring_error_naming_file_and_key(text, said, tmp_path):
    path = tmp_path / "2023Q3.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ScoringError) as err:
        bulletin_params(2023, 3, path)
    assert str(path) in str(err.value) and said in str(err.value)


# ---- 5. YAML -----------------------------------------------------------------------------------------------
def test_a_key_written_twice_is_refused_with_both_lines():
    with pytest.raises(YamlProblem, match="第 3 行：键「quarter」重复（第 2 行已有）"):
        load_yaml("caps:\n  quarter: 1\n  quarter: 2\n")


def test_nested_aliases_are_refused_quickly_whatever_they_would_expand_to():
    # Nine levels of nine aliases each: 9^10 ≈ 3.5 billion leaves once expanded; 81 alias uses.
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 10)]
    start = time.perf_counter()
    with pytest.raises(YamlProblem, match="超过 100,000 项"):
        load_yaml("\n".join(lines))
    assert time.perf_counter() - start < 5


def test_more_alias_uses_than_the_bound_are_refused_and_a_few_are_fine():
    few = "a: &a 1\n" + "".join(f"k{i}: *a\n" for i in range(MAX_ALIASES))
    assert load_yaml(few)["k0"] == 1
    with pytest.raises(YamlProblem, match="别名"):
        load_yaml(few + "extra: *a\n")


def test_a_yaml_file_of_megabytes_is_refused_before_it_is_parsed():
    start = time.perf_counter()
    with pytest.raises(YamlProblem, match="远大于规则文件或参数文件应有的大小"):
        load_yaml("k: [" + "1, " * 400_000 + "1]\n")
    assert time.perf_counter() - start < 1


def test_an_overlay_whose_base_leads_back_to_itself_is_a_rules_error(tmp_path):
    (tmp_path / "a.yaml").write_text("base: b.yaml\nname: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("base: a.yaml\nname: b\n", encoding="utf-8")
    with pytest.raises(RulesError, match="base 构成循环"):
        load_rules(tmp_path / "a.yaml")


# ---- 2. Excel's own cells and files ---------------------------------------------------------------------------
def test_the_pattern_of_columns_beyond_p_matches_q_and_aa_but_not_p():
    beyond = workbook._beyond(15)                                  # P is column 15 (0-based)
    assert [bool(beyond.search(f'<c r="{ref}" t="n">'.encode())) for ref in ("P9", "Q9", "AA9", "XFD1")] == [
        False, True, True, True]


def test_a_far_cell_written_before_the_others_is_found_although_rows_are_out_of_order():
    xml = (b'<sheetData><row r="1048576"><c r="R1048576" t="n"><v>1</v></c></row>'
           b'<row r="2"><c r="A2" t="n"><v>1</v></c></row></sheetData>')
    problem = workbook._too_wide(xml, "f.xlsx", "events")
    # 1,048,576 rows leave room for 16 columns (A–P); R is the 18th.
    assert problem is not None and problem.value == "R1048576" and problem.code == "sheet_too_large"


def test_cells_written_without_their_reference_still_count_towards_the_width():
    row = b'<row r="1048576">' + b'<c t="n"><v>1</v></c>' * 17 + b"</row>"
    assert workbook._too_wide(b"<sheetData>" + row + b"</sheetData>", "f.xlsx", "s") is not None
    row16 = b'<row r="1048576">' + b'<c t="n"><v>1</v></c>' * 16 + b"</row>"
    assert workbook._too_wide(b"<sheetData>" + row16 + b"</sheetData>", "f.xlsx", "s") is None


def test_a_malformed_sheet_is_scanned_in_linear_time():
    # 40,000 formula cells never closed (about 1 MB): a scan that looks ahead from every cell to the
    # end would take some 10^11 steps; a linear one, well under a second.
    xml = b'<sheetData><row r="2">' + b'<c r="A2"><f>SUM(A1:A7)</f>' * 40_000
    start = time.perf_counter()
    workbook._uncached_formulas(xml)
    workbook._error_cells(xml + b'<c r="B2" t="e">' * 40_000)
    workbook._too_wide(xml, "f.xlsx", "s")
    assert time.perf_counter() - start < 10


def test_an_error_cell_and_an_uncached_formula_are_found_with_their_cells():
    xml = (b'<row r="3"><c r="B3" s="1" t="e"><f>1/0</f><v>#DIV/0!</v></c>'
           b'<c r="C3"><f>A1&amp;"x"</f><v></v></c><c r="D3"><f>1+1</f><v>2</v></c></row>')
    assert workbook._error_cells(xml) == [(3, 1, "#DIV/0!")]
    assert workbook._uncached_formulas(xml) == [(3, 2, '=A1&"x"')]


def test_an_excel_error_cell_is_one_problem_naming_the_cell_not_also_an_empty_required_cell(rules, capsys):
    assert main(["validate", "--data", str(BROKEN / "xlsx_error_cells"), "--year", "2023"]) == 2
    lines = [line for line in capsys.readouterr().err.splitlines() if line.startswith("  ")]
    # 目标数 (targets row 2) and 录用级别 (submissions row 4) are required: each error cell once, as itself.
    assert len(lines) == 2 and all(line.endswith("[excel_error]") for line in lines)
    assert "单元格 D2 是 Excel 的错误值 #DIV/0!" in lines[1] and "单元格 D4 是 Excel 的错误值 #N/A" in lines[0]


def test_a_part_declaring_more_than_200_mb_is_refused_before_it_is_inflated(tmp_path):
    raw = (BROKEN / "_valid_xlsx" / "数据.xlsx").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as src, zipfile.ZipFile(buf, "w") as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info.filename))
    # The central directory says 300 MB for the last part: the size is believed and nothing read.
    data = bytearray(buf.getvalue())
    central = data.rfind(b"PK\x01\x02")
    data[central + 24:central + 28] = (300 << 20).to_bytes(4, "little")
    path = tmp_path / "数据.xlsx"
    path.write_bytes(bytes(data))
    scan = workbook.scan_workbook(path)
    assert [p.code for p in scan.refused] == ["workbook_too_large"] and "300 MB" in scan.refused[0].expected


# ---- 3. characters no document can hold ---------------------------------------------------------------------
def test_control_characters_become_a_space_or_a_replacement_with_a_note_naming_the_cell(tmp_path, rules):
    subs = edited(inputs.SUBMISSIONS, 1, 6, "昆仑\u2028街道\x0b召开\x85安全\u1680生产会议\x1b[2J")
    subs = edited(subs, 3, 6, "图解\x1f新规\x07")
    folder = inputs.write_csv(tmp_path / "d", inputs.tables(submissions=subs))
    data = load_dataset(folder, rules)
    assert data.submissions["title"].tolist()[0] == "昆仑 街道 召开 安全 生产会议〓[2J"
    assert data.submissions["title"].tolist()[2] == "图解 新规〓"
    notes = [n for n in data.notes if "控制字符" in n]
    assert notes[0].startswith("submissions.csv 第 2 行，列「title」：含有文档无法显示的控制字符"
                               "（U+2028、U+000B、U+0085、U+1680、U+001B）")
    assert notes[1].startswith("submissions.csv 第 4 行，列「title」：") and len(notes) == 2


def test_a_tab_and_a_line_break_typed_in_a_cell_stay_as_they_are():
    s = pd.Series(["甲\t乙", "甲\n乙", "甲\r\n乙"], dtype="string")
    assert not parsing.has_unprintable(s).any()


def test_excels_escaped_vertical_tab_in_a_workbook_is_normalised_with_its_sheet(tmp_path, rules):
    path = inputs.write_workbook(tmp_path / "d", inputs.tables(units=edited(inputs.UNITS, 3, 4, "团_x000B_委")))
    data = load_dataset(path.parent if path.is_file() else path, rules)
    assert "团 委" in data.units["aliases"].tolist()
    assert any("第 4 行，列「aliases」" in n and "U+000B" in n for n in data.notes)


# ---- 8. messages and the console --------------------------------------------------------------------------------
def test_the_console_shows_control_characters_as_escapes_and_keeps_line_breaks():
    assert visible("a\x1b[2Jb\x07\u2028c\u202e\td\n") == "a\\x1b[2Jb\\x07\\u2028c\\u202e\td\n"


@pytest.mark.parametrize("encoding", ["cp1252", "gbk", "ascii"])
def test_writing_any_text_to_a_console_of_any_encoding_never_fails(encoding):
    raw = io.BytesIO()
    console = Console(io.TextIOWrapper(raw, encoding=encoding))
    console.write("错误：单位「团市委🎉𠀀」\x1b]0;x\x07\n")
    console.flush()
    shown = raw.getvalue().decode(encoding)
    assert "\\x1b]0;x\\x07" in shown and "\x1b" not in shown
    assert ("🎉" in shown) == False and "\\U0001f389" in shown                       # noqa: E712


def test_validate_on_a_cp1252_console_reports_the_problems_instead_of_crashing(monkeypatch):
    raw = io.BytesIO()
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(raw, encoding="cp1252"))
    assert main(["validate", "--data", str(BROKEN / "terminal_escape_in_unit_name"), "--year", "2023"]) == 2
    sys.stderr.flush()
    said = raw.getvalue().decode("cp1252")
    # Chinese as escapes (\u8f93 is 输), the problem's code readable, no raw escape character.
    assert "\\u8f93\\u5165" in said and "[unknown_unit]" in said and "\x1b" not in said


def test_score_on_a_gbk_console_with_an_emoji_in_the_data_path_writes_its_files_and_says_so(tmp_path, monkeypatch):
    data = tmp_path / "数据🎉"
    data.mkdir()
    for f in (BROKEN / "_valid_csv").iterdir():
        (data / f.name).write_bytes(f.read_bytes())
    out_raw, err_raw = io.BytesIO(), io.BytesIO()
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(out_raw, encoding="gbk"))
    monkeypatch.setattr(sys, "stderr", io.TextIOWrapper(err_raw, encoding="gbk"))
    assert main(["score", "--data", str(data), "--year", "2023", "--quarter", "3", "--out", str(data / "out")]) == 0
    sys.stdout.flush()
    said = out_raw.getvalue().decode("gbk")
    assert (data / "out" / "scores.csv").is_file() and "已写出" in said and "\\U0001f389" in said


def test_a_cell_longer_than_the_csv_readers_old_limit_is_named_by_row_and_column(tmp_path, rules):
    # 17 million characters: beyond the 16,777,216 the CSV reader used to allow (then: "re-save as CSV").
    subs = edited(inputs.SUBMISSIONS, 2, 6, "长" * 17_000_000)
    folder = inputs.write_csv(tmp_path / "d", inputs.tables(submissions=subs))
    found = [(p.row, p.column, p.code) for p in problems(folder, rules)]
    assert found == [(3, "title", "text_too_long")]
