"""The command line as the analyst meets it: Chinese help and errors, no default data folder, the
year and quarter inferred from the data, empty and stale quarters, every note with its rows, a
record dated after today refused, and the Makefile passing quoted paths and the year.

Cheap: the small dataset in tests/fixtures/bulletin, commands called in-process; no bulletin is rendered.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import re
import shutil
import subprocess
from argparse import Namespace
from pathlib import Path

import pytest

from scoring import make_dataset
from scoring.cli import COMMANDS, _parser, command
from reliability_support import run_main
from scoring.errors import InputError
from scoring.inputs.rules_file import DEFAULT_RULES
from scoring.run import bulletin as pipeline
from scoring.run.params import stale_quarter

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "fixtures" / "bulletin"
CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_ARGPARSE = ("usage:", "options:", "optional arguments", "positional arguments", "show this help",
                    "error:", "required", "invalid choice")


_run = run_main


def test_every_command_of_the_parser_names_a_function_that_exists():
    # The table holds "module:function" strings: a moved module or a renamed function fails here,
    # not first in the analyst's hands.
    subcommands = next(a for a in _parser()._actions if isinstance(a, argparse._SubParsersAction))
    assert set(subcommands.choices) == set(COMMANDS)
    for name in COMMANDS:
        assert callable(command(name)), name


def _copy(tmp_path: Path) -> Path:
    data = tmp_path / "我的 数据"
    shutil.copytree(DATA, data)
    return data


def _append(path: Path, line: str) -> int:
    """Append a CSV row; returns its row number as the user sees it (header = row 1)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n" + line + "\n", encoding="utf-8")
    return len(text.rstrip("\n").split("\n")) + 1


# ---- no default data folder ------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["bulletin", "year", "whatif", "progress"])
def test_a_command_without_data_exits_2_saying_in_chinese_how_to_name_a_data_folder(command):
    code, said = _run([command, "--quarter", "2024Q1"] if command == "bulletin" else [command])
    assert code == 2
    assert "缺少数据目录" in said and "--data 我的数据目录" in said and f"python -m scoring {command}" in said
    assert not [w for w in ENGLISH_ARGPARSE if w in said], said


# ---- Chinese help and argument errors ----------------------------------------------------------------
def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_the_help_of_the_program_and_of_every_command_is_chinese_and_describes_every_option():
    parser = _parser()
    commands = _subparsers(parser)
    assert set(commands) >= {"validate", "score", "bulletin", "year", "publish", "compare", "template", "whatif"}
    for name, sub in [("", parser), *commands.items()]:
        text = sub.format_help()
        assert text.startswith("用法："), name
        assert not [w for w in ENGLISH_ARGPARSE if w in text], (name, text)
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                continue
            assert action.help and CJK.search(action.help), (name, action.option_strings or action.dest)


@pytest.mark.parametrize("argv, expected", [
    (["bulletin", "--data", "x", "--statements", "maybe"], "参数 --statements 的值「maybe」无效，可选："),
    (["score", "--data", "x", "--out", "y", "--year", "abc"], "参数 --year 的值无效：「abc」不是年份"),
    (["validate", "--data", "x", "--colour", "red"], "无法识别的参数：--colour red"),
    (["score", "--data", "x"], "缺少必需的参数：--out"),
    (["publish", "--out"], "参数 --out 后面须跟一个值"),
    (["no-such-command"], "参数 命令 的值「no-such-command」无效"),
])
def test_argument_errors_are_said_in_chinese_with_exit_status_2(argv, expected):
    code, said = _run(argv)
    assert code == 2
    assert expected in said, said
    assert not [w for w in ENGLISH_ARGPARSE if w in said], said


# ---- the Makefile --------------------------------------------------------------------------------------
def test_make_quotes_a_data_folder_with_a_space_and_passes_the_year_to_validate():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    done = subprocess.run(["make", "-n", "validate", "DATA=我的 数据", "YEAR=2022"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    line = next(l for l in done.stdout.splitlines() if "scoring validate" in l)
    assert "--data '我的 数据'" in line and "--year '2022'" in line
    bulletin = subprocess.run(["make", "-n", "bulletin", "DATA=我的 数据", "OUT=输出 目录"], cwd=ROOT,
                              capture_output=True, text=True, timeout=60).stdout
    assert "--data '我的 数据'" in bulletin and "--out '输出 目录'" in bulletin


# ---- year and quarter from the data; empty and stale quarters ---------------------------------------------
def test_score_without_year_and_quarter_scores_the_latest_quarter_of_the_latest_year(tmp_path):
    # Fixture: the latest records are S040 (2023-09-20) and E005 (2023-08-21): 2023 through Q3.
    code, said = _run(["score", "--data", str(DATA), "--out", str(tmp_path / "out")])
    assert code == 0, said
    assert "计分期间：2023年第三季度" in said
    rows = (tmp_path / "out" / "scores.csv").read_text(encoding="utf-8").splitlines()
    header = rows[0].split(",")
    periods = {(r.split(",")[header.index("year")], r.split(",")[header.index("quarter")]) for r in rows[1:]}
    assert periods == {("2023", "1"), ("2023", "2"), ("2023", "3")}


def test_score_scores_an_empty_quarter_and_says_it_has_no_adoption_records(tmp_path):
    code, said = _run(["score", "--data", str(DATA), "--year", "2023", "--quarter", "4", "--out", str(tmp_path / "o")])
    assert code == 0, said
    assert "2023年第四季度没有录用记录" in said
    assert (tmp_path / "o" / "scores.csv").is_file()


def test_the_bulletin_refuses_a_quarter_without_adoption_records_and_says_what_the_data_holds(tmp_path):
    code, said = _run(["bulletin", "--data", str(DATA), "--quarter", "2023Q4", "--out", str(tmp_path / "out"),
                       "--statements", "no"])
    assert code == 2
    # Fixture: S001–S017 in Q1, S018–S031 in Q2, S032–S040 and S032 again in Q3: 17 + 14 + 10 = 41 rows.
    assert "2023年第四季度没有任何录用记录，不生成通报" in said
    assert "共有 41 条录用记录" in said and "2023年第一季度 17 条、2023年第二季度 14 条、2023年第三季度 10 条" in said
    assert "--allow-empty" in said
    assert not (tmp_path / "out" / "2023Q4").exists()


def test_year_renders_only_the_quarters_with_adoption_records_and_names_those_left_out(tmp_path, monkeypatch):
    asked = []

    def fake_run(**kw):
        asked.append((kw["year"], kw["quarter"]))
        folder = Path(kw["out"]) / f"{kw['year']}Q{kw['quarter']}"
        folder.mkdir(parents=True)
        return pipeline.BulletinRun(kw["year"], kw["quarter"], folder, [], [])

    monkeypatch.setattr(pipeline, "run_bulletin", fake_run)
    buf = io.StringIO()
    monkeypatch.setattr(pipeline.sys, "stderr", buf)
    code = pipeline.year_command(Namespace(data=DATA, year=None, rules=None, out=tmp_path, statements="no"))
    said = buf.getvalue()
    assert code == 0, said
    assert asked == [(2023, 1), (2023, 2), (2023, 3)]      # the latest year with records; Q4 has none
    assert "年度：2023 年" in said
    assert "2023年第四季度没有录用记录，不生成" in said and "未生成：2023年第四季度（没有录用记录）" in said


def _one_unit(*adopted: str):
    return make_dataset(units=[{"unit_id": "U1", "unit_name": "甲镇", "category": "镇区街道"}],
                        submissions=[{"record_id": f"R{i}", "unit_id": "U1", "column": "在线访谈", "level": "溧阳市",
                                      "adopted_on": d} for i, d in enumerate(adopted)])


def test_a_quarter_whose_latest_adoption_is_more_than_30_days_before_its_end_is_warned():
    # 2023Q3 ends on 30 September: 31 August is 30 days before (no warning), 30 August 31 days.
    assert stale_quarter(_one_unit("2023-07-03", "2023-08-31"), 2023, 3) is None
    warning = stale_quarter(_one_unit("2023-07-03", "2023-08-30"), 2023, 3)
    assert warning and "2023-08-30" in warning and "2023-09-30" in warning and "31 天" in warning
    assert stale_quarter(_one_unit("2023-07-03"), 2023, 4) is None          # empty: said elsewhere


# ---- notes with their rows; a record dated after today ----------------------------------------------------
def test_validate_prints_every_note_with_its_file_and_rows_before_the_summary(tmp_path):
    data = _copy(tmp_path)
    early = _append(data / "submissions.csv", "S090,昆仑街道,要闻动态,溧阳市,2022-12-20,旧稿,2022-12-19,否,王敏")
    late = _append(data / "events.csv", "E090,市教育局,2024-02-01,no_plan,1,次年事项")
    code, said = _run(["validate", "--data", str(data), "--year", "2023"])
    assert code == 0, said
    lines = said.splitlines()
    summary = next(i for i, l in enumerate(lines) if "检查通过" in l)
    notes = [l for l in lines[:summary] if l.startswith("提示：")]
    assert f"提示：submissions.csv 第 {early} 行（共 1 行）：录用日期早于 2023 年" in "\n".join(notes)
    assert f"提示：events.csv 第 {late} 行（共 1 行）：扣分事项的日期不在 2023 年" in "\n".join(notes)


def test_the_bulletin_notes_rows_after_the_quarter_with_their_rows_and_a_rules_file_outside_its_years(rules):
    from scoring.run.params import located_notes
    from scoring.inputs.loading import load_dataset

    data = load_dataset(DATA, rules)
    notes = located_notes(data, rules, 2023, 2, DEFAULT_RULES)
    # Q3 adoptions are S032–S040 (rows 33–41) and S032 again (row 42); Q3 events E002 and E005 (rows 3, 6).
    assert "submissions.csv 第 33–42 行（共 10 行）：录用日期晚于2023年第二季度末，本次未计入（R1）。" in notes
    assert "events.csv 第 3、6 行（共 2 行）：扣分事项的日期晚于2023年第二季度末，本次未计入（R1）。" in notes
    outside = located_notes(data, rules, 2031, 4, DEFAULT_RULES)
    assert any(n.startswith(f"规则文件 {DEFAULT_RULES}的适用年度为 2023") for n in outside)


def test_a_record_dated_after_today_is_an_input_error_naming_its_file_row_and_column(tmp_path):
    data = _copy(tmp_path)
    row = _append(data / "submissions.csv", "S091,昆仑街道,要闻动态,溧阳市,2099-01-05,未来稿,2023-01-04,否,王敏")
    code, said = _run(["validate", "--data", str(data)])
    assert code == 2
    assert f"submissions.csv，第 {row} 行，列「adopted_on」，值「2099-01-05」：日期晚于今天" in said


def test_the_loader_takes_a_record_dated_the_day_after_today_as_an_error_and_today_as_fine(tmp_path, rules):
    # The sample's latest date is in 2023: with "today" on 2023-05-01, every later record is in the future.
    from scoring.inputs.loading import load_dataset
    data = tmp_path / "d"
    data.mkdir()
    (data / "units.csv").write_text("unit_id,unit_name,category\nU1,甲镇,镇区街道\n", encoding="utf-8")
    (data / "submissions.csv").write_text("record_id,unit_id,column,level,adopted_on\nR1,U1,在线访谈,溧阳市,2023-05-01\n"
                                          "R2,U1,在线访谈,溧阳市,2023-05-02\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_dataset(data, rules, today=dt.date(2023, 5, 1))
    assert [(p.code, p.row) for p in err.value.problems] == [("future_date", 3)]
    assert len(load_dataset(data, rules, today=dt.date(2023, 5, 2)).submissions) == 2
