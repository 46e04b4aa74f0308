"""The main job (scoring.run.bulletin) end to end on the small bulletin fixture.

Every slow test reads the one shared run of ``fixture_bulletin`` (conftest.py: a copy of
tests/fixtures/bulletin marked as sample data, 2023Q3, with statements). Byte-identical output across runs is tests/test_determinism.py's (two
runs on the hostile-text dataset, every file); input text the fonts lack, tests/test_hostile_text.py's.
"""
from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import json
import re
import shutil
from argparse import Namespace
from decimal import Decimal
from pathlib import Path

import pytest

from scoring.inputs.rules_file import DEFAULT_RULES
from scoring.method.calendar import default_issue_date
from scoring.run import bulletin as pipeline
from scoring.run.folder import clean_leftovers, mark, swap_into
from scoring.run.params import bulletin_params, latest_quarter, parse_quarter
from scoring.errors import ScoringError

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"
DATA = FIXTURES / "bulletin"
FAILING = FIXTURES / "notebooks" / "failing_cell.ipynb"
NOTEBOOK = pipeline.NOTEBOOK
UNITS = ["昆仑街道", "溧城街道", "市农业农村局", "市司法局", "市教育局", "团市委"]
EXTERNAL = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//)|@import|url\(\s*["']?\s*(?:https?:)?//""", re.I)


def _digest(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def _run(out: Path, notebook: Path = NOTEBOOK) -> pipeline.BulletinRun:
    return pipeline.run_bulletin(data_dir=DATA, rules_file=DEFAULT_RULES, year=2023, quarter=3,
                                 out=out, statements=False, notebook=notebook,
                                 progress=pipeline.Progress(stream=io.StringIO()))


@pytest.fixture(scope="module")
def folder(fixture_bulletin) -> Path:
    return fixture_bulletin.folder


# ---- fast: quarter, parameters, folders ------------------------------------------------------------
def test_a_quarter_is_written_as_year_q_number():
    assert parse_quarter("2023Q3") == (2023, 3)
    assert parse_quarter("2023q4") == (2023, 4)
    with pytest.raises(ScoringError, match="2023Q3"):
        parse_quarter("2023-3")


def test_the_default_quarter_is_the_last_with_data_in_the_last_year(rules):
    from scoring.inputs.loading import load_dataset

    # Fixture: the latest dated rows are S040 (2023-09-20) and E005 (2023-08-21): 2023Q3.
    assert latest_quarter(load_dataset(DATA, rules)) == (2023, 3)


def test_without_a_params_file_the_issue_is_the_quarter_number_dated_the_10th_of_the_next_month(tmp_path):
    params, path = bulletin_params(2031, 4)          # no params/2031Q4.yaml
    assert path is None
    assert params["issue_number"] == "4"
    assert params["issue_date"] == "2032-01-10"              # Q4 → 10 January of the next year
    assert default_issue_date(2031, 2) == dt.date(2031, 7, 10)


def test_the_sample_years_params_files_give_string_dates_and_numbers():
    for q, date in ((1, "2023-04-10"), (2, "2023-07-10"), (3, "2023-10-10"), (4, "2024-01-10")):
        params, path = bulletin_params(2023, q, data_dir=ROOT / "data" / "sample")
        assert path is not None and path.name == f"2023Q{q}.yaml"
        assert params["issue_date"] == date and params["issue_number"] == str(q)
        assert params["doc_number"].startswith("溧大数〔")


def test_a_params_file_with_an_unknown_key_is_refused(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("issue_number: '3'\nisue_date: '2023-10-10'\n", encoding="utf-8")
    with pytest.raises(ScoringError, match="isue_date"):
        bulletin_params(2023, 3, bad)


def test_the_swap_replaces_an_existing_quarter_folder_whole(tmp_path):
    target = tmp_path / "2023Q3"
    target.mkdir()
    (target / "stale.txt").write_text("old")
    staging = tmp_path / ".2023Q3.partial-1"
    staging.mkdir()
    (staging / "bulletin.html").write_text("new")
    swap_into(staging, target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023Q3", "history"]
    assert sorted(p.name for p in target.iterdir()) == ["bulletin.html"]
    assert (tmp_path / "history" / "2023Q3" / "1" / "stale.txt").read_text() == "old"   # kept whole


def test_leftovers_of_a_killed_run_are_removed_but_a_live_runs_are_kept(tmp_path):
    import os

    dead = tmp_path / ".2023Q3.partial-4194303"       # beyond Linux's largest pid: no such process
    live = tmp_path / f".2023Q2.partial-{os.getpid()}"
    dead.mkdir(), live.mkdir()
    mark(dead, "partial", 4194303), mark(live, "partial")
    clean_leftovers(tmp_path)
    assert not dead.exists() and live.exists()


def test_bad_input_exits_2_and_writes_nothing(tmp_path, capsys):
    from scoring.cli import main

    data = tmp_path / "data"
    data.mkdir()
    for name in ("units.csv", "events.csv", "targets.csv"):
        (data / name).write_bytes((DATA / name).read_bytes())
    text = (DATA / "submissions.csv").read_text(encoding="utf-8").replace("S007,溧城街道", "S007,不存在的单位")
    (data / "submissions.csv").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code = main(["bulletin", "--data", str(data), "--out", str(out), "--quarter", "2023Q3", "--statements", "no"])
    assert code == 2
    assert "不存在的单位" in capsys.readouterr().err
    assert not out.exists() or list(out.iterdir()) == []


def test_the_word_bulletin_finds_each_chart_s_print_copy_under_the_key_the_charts_give_it():
    from scoring.report import charts
    from scoring.render.docx import chart_key

    for name in ("adoptions", "ytd-progress", "ranking-town", "makeup-部门"):
        assert chart_key(name) == charts._prefix(name), name


def test_input_text_the_fonts_cannot_draw_is_warned_by_file_row_and_column(rules):
    from scoring.inputs.dataset import make_dataset

    data = make_dataset(
        units=[{"unit_id": "U1", "unit_name": "溧城街道😀", "category": "镇区街道", "_file": "units.csv", "_row": 3}],
        submissions=[{"record_id": "S1", "unit_id": "U1", "title": "经验𠀀交流", "informant": "李强",
                      "_file": "submissions.csv", "_row": 41}],
        events=[{"event_id": "E1", "unit_id": "U1", "note": "正常说明", "_file": "events.csv", "_row": 2}])
    warnings = pipeline.undrawable_input(data)
    # Two cells hold a character outside Noto CJK SC (U+1F600, U+20000); the third is fine.
    assert len(warnings) == 2
    assert "units.csv" in warnings[0] and "第 3 行" in warnings[0] and "unit_name" in warnings[0]
    assert "U+1F600" in warnings[0] and "〓" in warnings[0]
    assert "submissions.csv" in warnings[1] and "第 41 行" in warnings[1] and "U+20000" in warnings[1]


def test_a_year_reports_the_failing_quarter_and_still_runs_the_others(monkeypatch, tmp_path, capsys):
    done = []

    def fake_run(**kw):
        if kw["quarter"] == 2:
            raise pipeline.RunError("通报笔记本第 7 个代码单元格执行失败：KeyError：'x'")
        folder = Path(kw["out"]) / f"2023Q{kw['quarter']}"
        folder.mkdir(parents=True)
        done.append(kw["quarter"])
        return pipeline.BulletinRun(2023, kw["quarter"], folder, [("执行", 0.1)], [])

    monkeypatch.setattr(pipeline, "run_bulletin", fake_run)
    code = pipeline.year_command(Namespace(year=2023, data=DATA, rules=None, out=tmp_path, statements="no"))
    err = capsys.readouterr().err
    assert code == 1
    assert done == [1, 3]                 # the fixture's Q4 has no records: left out, and said so
    assert "2023年第二季度失败" in err and "KeyError" in err



# ---- slow: one shared pipeline run ---------------------------------------------------------------
@pytest.mark.slow
def test_the_quarter_folder_holds_every_output(folder):
    names = {p.name for p in folder.iterdir()}
    assert {"bulletin.ipynb", "bulletin.html", "bulletin.pdf", "bulletin.docx", "manifest.json",
            "scores.csv", "ledger.csv", "scores.xlsx"} <= names
    assert {"statements", "statements.zip"} <= names
    assert not [p for p in folder.parent.iterdir() if ".partial-" in p.name or ".old-" in p.name]


@pytest.mark.slow
def test_the_pdf_embeds_only_the_bundled_noto_cjk_fonts(folder, fixture_bulletin):
    from scoring.render.pdf import pdf_fonts

    used = pdf_fonts(folder / "bulletin.pdf")
    assert used
    for name, embedded in used:
        assert embedded, name
        assert "NotoSerifCJK" in name or "NotoSansCJK" in name, name
    assert not [w for w in fixture_bulletin.notes if "notdef" in w.lower()]


@pytest.mark.slow
def test_the_pdf_names_every_unit_and_the_quarter(folder):
    from pypdf import PdfReader

    text = "".join(p.extract_text() for p in PdfReader(str(folder / "bulletin.pdf")).pages)
    flat = re.sub(r"\s+", "", text)
    assert "2023年第三季度" in flat
    for unit in UNITS:
        assert unit in flat, unit


@pytest.mark.slow
def test_the_html_opens_offline(folder):
    html = (folder / "bulletin.html").read_text(encoding="utf-8")
    assert '<html lang="zh">' in html
    assert EXTERNAL.findall(html) == []
    assert "<script" not in html.lower()


@pytest.mark.slow
def test_untrusted_text_is_escaped_in_the_html(folder):
    # Fixture: event E002 (2023-08-10, Q3) has the note "<script>alert('x')</script>…".
    html = (folder / "bulletin.html").read_text(encoding="utf-8")
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


@pytest.mark.slow
def test_the_workbook_agrees_with_scores_csv_and_is_inert(folder):
    import openpyxl

    with open(folder / "scores.csv", encoding="utf-8") as f:
        scores = [r for r in csv.DictReader(f)]
    wb = openpyxl.load_workbook(folder / "scores.xlsx")
    rows = list(wb["季度得分"].iter_rows(values_only=True))
    table = [dict(zip(rows[1], r)) for r in rows[2:]]            # row 1: the sheet's title
    assert len(table) == len(scores) == 6 * 3                  # 6 units × quarters 1..3
    by_key = {(r["单位编码"], r["季度"]): r for r in table}
    for s in scores:
        r = by_key[(s["unit_id"], int(s["quarter"]))]
        assert Decimal(str(r["本季得分"])) == Decimal(s["score"])
        assert Decimal(str(r["全年累计"])) == Decimal(s["ytd_total"])
        assert r["本季排名"] == int(s["rank"])
    assert not [c for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]


@pytest.mark.slow
def test_the_manifest_hashes_inputs_rules_and_outputs(folder):
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert sorted(Path(k).name for k in m["inputs"]) == ["events.csv", "submissions.csv", "targets.csv", "units.csv"]
    assert m["inputs"][next(k for k in m["inputs"] if k.endswith("units.csv"))] == \
        hashlib.sha256((DATA / "units.csv").read_bytes()).hexdigest()
    assert m["rules"]["file"].endswith("liyang-2023-draft.yaml")
    assert m["parameters"]["issue_date"] == "2023-10-10" and m["parameters"]["quarter"] == 3
    outputs = {k: v for k, v in _digest(folder).items() if k != "manifest.json"}
    assert m["outputs"] == outputs
    assert {"python", "pandas", "weasyprint", "mplfonts"} <= set(m["versions"])
    assert m["code"]["revision"]


@pytest.mark.slow
def test_a_failing_cell_stops_the_run_and_leaves_the_previous_output_intact(fixture_bulletin, tmp_path):
    folder = shutil.copytree(fixture_bulletin.folder, tmp_path / "out" / fixture_bulletin.folder.name)
    before = _digest(folder)
    assert "bulletin.pdf" in before
    with pytest.raises(pipeline.RunError) as err:
        _run(folder.parent, notebook=FAILING)
    msg = str(err.value)
    assert "单元格" in msg and "ValueError" in msg and "故意失败" in msg
    assert _digest(folder) == before
    assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name]


@pytest.mark.slow
def test_the_word_bulletin_is_written_beside_the_pdf_with_every_unit_and_every_chart(folder):
    import docx
    import nbformat

    from scoring.render.html import chart_images

    d = docx.Document(str(folder / "bulletin.docx"))
    text = "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])
    assert "2023年第三季度" in text
    for unit in UNITS:
        assert unit in text, unit
    # Every chart the notebook drew is placed from the notebook's own picture: one picture per chart.
    copies = chart_images(nbformat.read(str(folder / "bulletin.ipynb"), as_version=4))
    assert copies and len(d.inline_shapes) == len(copies)
    m = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert m["outputs"]["bulletin.docx"] == hashlib.sha256((folder / "bulletin.docx").read_bytes()).hexdigest()


@pytest.mark.slow
def test_the_html_embeds_fonts_covering_every_character_it_shows(folder):
    from test_render import embedded_fonts

    from scoring.render.html import text_of

    html = (folder / "bulletin.html").read_text(encoding="utf-8")
    shown = {ord(ch) for ch in text_of(html) if not ch.isspace()}
    faces = embedded_fonts(html)
    assert set(faces) == {"NotoSerifCJKsc", "NotoSansCJKsc"}
    assert {ord(ch) for ch in "昆仑街道2023年第三季度"} <= shown
    for family, cmap in faces.items():
        assert not sorted(shown - cmap), family
