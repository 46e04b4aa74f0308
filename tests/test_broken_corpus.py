"""The corpus of broken datasets (tests/broken/, written by tests/broken/make_corpus.py).

Each case stops every command with exit status 2 and a Chinese report naming, for each problem,
the file (and sheet), the row as Excel shows it, the column, the value and what was expected, with
its stable code (data contract, "Bad input"); no traceback; and nothing written to the output
folder — an earlier output there is left exactly as it was.

``validate`` runs for every case; ``score`` and the ``bulletin`` pipeline for representative cases (a
CSV cell, a workbook's structure, a broken file, a missing file, a rules file, a date after today,
several problems at once): both read and check the input exactly as ``validate`` does
(scoring.run.commands._checked, and load_dataset for the pipeline) before they write anything, so
what a case adds to them is only "exit 2, nothing written", which does not depend on the case. All
in-process through the CLI's own entry point (``scoring.cli.main``: what ``python -m scoring``
calls); a few cases run as a real ``python -m scoring`` process too, for the exit status as a shell
sees it and the absence of a traceback on its stderr.

A case's ``expect.yaml`` lists either the problems the report must name (``problems``), or, for a
bad rules file, what the message must say (``says``); ``args`` are extra command-line arguments
("{case}": the case's folder).
"""
from __future__ import annotations

import sys

import pytest
import yaml

from reliability_support import BROKEN, assert_reports, run_cli, snapshot

sys.path.insert(0, str(BROKEN))
import make_corpus  # noqa: E402

CASES = sorted(d for d in BROKEN.iterdir() if (d / "expect.yaml").is_file())
CONTROLS = [BROKEN / "_valid_csv", BROKEN / "_valid_xlsx"]


def expect(case) -> dict:
    return yaml.safe_load((case / "expect.yaml").read_text(encoding="utf-8"))


def args_of(case) -> list[str]:
    return [a.replace("{case}", str(case)) for a in expect(case).get("args", [])]


def assert_says(stderr: str, case) -> None:
    """stderr is what the case expects: the problems named, or the rules file's message."""
    e = expect(case)
    if "problems" in e:
        assert_reports(stderr, e["problems"])
        return
    assert "Traceback" not in stderr, stderr[-3000:]
    assert stderr.startswith("错误："), stderr[-3000:]
    for text in e["says"]:
        assert text in stderr, f"expected「{text}」in:\n{stderr[-3000:]}"


def test_the_corpus_holds_at_least_fifty_broken_datasets_each_with_its_expectations():
    assert len(CASES) >= 50
    for case in CASES:
        e = expect(case)
        assert e["what"] and (e.get("problems") or e.get("says")), case.name
        assert all("code" in p for p in e.get("problems", [])), case.name


def test_the_committed_corpus_is_exactly_what_make_corpus_writes(tmp_path):
    make_corpus.build(tmp_path)
    assert snapshot(tmp_path) == {k: v for k, v in snapshot(BROKEN).items()
                                  if not k.startswith("make_corpus") and "__pycache__" not in k}


@pytest.mark.parametrize("control", CONTROLS, ids=lambda p: p.name)
def test_the_unbroken_base_validates_cleanly(control, capsys):
    from scoring.cli import main
    assert main(["validate", "--data", str(control), "--year", "2023"]) == 0
    assert "检查通过" in capsys.readouterr().out


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_validate_names_every_problem_of_a_broken_dataset(case, capsys):
    from scoring.cli import main
    assert main(["validate", "--data", str(case), "--year", "2023", *args_of(case)]) == 2
    assert_says(capsys.readouterr().err, case)


@pytest.mark.parametrize("control", CONTROLS, ids=lambda p: p.name)
def test_score_of_the_unbroken_base_writes_scores(control, tmp_path, capsys):
    from scoring.cli import main
    assert main(["score", "--data", str(control), "--year", "2023", "--quarter", "3", "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "scores.csv").is_file()


# The pipeline is slower to start: a few cases that cover a CSV cell, a workbook structure, a
# broken file and a report of several problems; score takes a rules file and a date after today too.
BULLETIN_CASES = ["unknown_unit_in_submissions", "xlsx_merged_header", "binary_garbage_xlsx",
                  "several_problems_at_once", "missing_units_file"]
SCORE_CASES = [*BULLETIN_CASES, "rules_cap_infinite", "date_after_today"]


def test_the_representative_cases_are_in_the_corpus():
    assert set(SCORE_CASES) <= {c.name for c in CASES}


@pytest.mark.parametrize("name", SCORE_CASES)
def test_score_stops_with_exit_2_names_the_problem_and_leaves_the_output_untouched(name, tmp_path, capsys):
    from scoring.cli import main
    case = BROKEN / name
    out = tmp_path / "out"
    out.mkdir()
    (out / "scores.csv").write_text("unit_id,score\nearlier,1\n", encoding="utf-8")
    (out / "ledger.csv").write_text("earlier run\n", encoding="utf-8")
    before = snapshot(tmp_path)
    assert main(["score", "--data", str(case), "--year", "2023", "--quarter", "3", "--out", str(out),
                 *args_of(case)]) == 2
    assert_says(capsys.readouterr().err, case)
    assert snapshot(tmp_path) == before


# As a shell runs it (the report is the in-process tests' own; what is checked here is the exit
# status a shell sees and a stderr without a traceback): several problems at once, and a workbook
# with one cell at XFD1048576, which used to abort the process in the workbook reader.
PROCESS_CASES = ["several_problems_at_once", "xlsx_cell_at_xfd1048576"]


@pytest.mark.parametrize("name", PROCESS_CASES)
def test_python_m_scoring_score_exits_2_with_the_report_and_no_traceback(name, tmp_path):
    proc = run_cli("score", "--data", BROKEN / name, "--year", 2023, "--quarter", 3, "--out", tmp_path / "out",
                   *args_of(BROKEN / name))
    assert proc.returncode == 2, proc.stderr[-3000:]
    assert_says(proc.stderr, BROKEN / name)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", BULLETIN_CASES)
def test_bulletin_fails_with_the_report_and_leaves_an_earlier_bulletin_untouched(name, tmp_path, capsys):
    from scoring.cli import main
    case = BROKEN / name
    earlier = tmp_path / "out" / "2023Q3"
    earlier.mkdir(parents=True)
    (earlier / "bulletin.html").write_text("<p>上一次的通报</p>", encoding="utf-8")
    (earlier / "scores.csv").write_text("unit_id,score\nearlier,1\n", encoding="utf-8")
    before = snapshot(tmp_path)
    assert main(["bulletin", "--data", str(case), "--quarter", "2023Q3", "--out", str(tmp_path / "out"),
                 "--statements", "no"]) == 2
    assert_reports(capsys.readouterr().err, expect(case)["problems"])
    # No half-built folder left beside the target either.
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("name", ["missing_units_file", "empty_units_file", "binary_garbage_csv"])
def test_an_unreadable_unit_register_is_reported_once_not_as_unknown_units_everywhere(name, capsys):
    from scoring.cli import main
    assert main(["validate", "--data", str(BROKEN / name)]) == 2
    codes = [line.rsplit("[", 1)[-1] for line in capsys.readouterr().err.splitlines() if line.endswith("]")]
    assert "unknown_unit]" not in codes


def test_an_output_path_that_is_a_file_gives_a_chinese_message_not_a_traceback(tmp_path, capsys):
    from scoring.cli import main
    blocker = tmp_path / "out"
    blocker.write_text("不是目录", encoding="utf-8")
    assert main(["score", "--data", str(BROKEN / "_valid_csv"), "--year", "2023", "--quarter", "3",
                 "--out", str(blocker)]) != 0
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert "错误" in err and str(blocker) in err
    assert blocker.read_text(encoding="utf-8") == "不是目录"
