"""Safe to publish: the sample marker, parameters beside the data, history kept on every rerun,
changes.csv, ``publish`` and ``compare``.

One scenario follows the analyst (tests/fixtures/bulletin): a run on a copy still carrying the
sample marker (the shared ``fixture_bulletin``, made with the real notebook), a rerun once the marker
is deleted and one record corrected, publishing, and a correction after publishing. The two reruns
execute the stand-in notebook (tests/fixtures/notebooks/mini_bulletin.ipynb): what they check is the
folder, its history, changes.csv, the console, the Word copy (which the run builds from the sections
itself) and what the run told its notebook (the executed notebook's injected parameters). That the
notebook prints the stamp and the 更正说明 it is told is tests/test_bulletin_content.py's (the
notebook under papermill). Everything else works on small folders made here.
"""
from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
from pypdf import PdfReader

from reliability_support import MINI, run_main
from scoring.errors import ScoringError
from scoring.inputs.loading import load_dataset
from scoring.run import bulletin as pipeline
from scoring.run.folder import SAMPLE_MARKER, clean_leftovers, is_sample, mark, swap_into
from scoring.run.history import CHANGE_COLUMNS, baseline, compare_figures, figures_of_folder
from scoring.run.params import bulletin_params

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "fixtures" / "bulletin"
SAMPLE, SAMPLE_BOOK = ROOT / "data" / "sample", ROOT / "data" / "sample-workbook"
HEADER = "unit_id,unit_name,category,year,quarter,score,ytd_total,rank,ytd_rank\n"


_run = run_main


STAMP = "样例数据，非正式通报"


def _text_of(html: Path) -> str:
    """The visible text of an HTML page, from its <body> on (tags dropped, whitespace squeezed)."""
    body = html.read_text(encoding="utf-8").split("<body", 1)[1].split(">", 1)[1]
    return re.sub(r"\s+", "", re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", "", body, flags=re.S))


def _injected(notebook: Path) -> dict:
    """The parameters papermill injected into an executed notebook, by name."""
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    source = "".join(next(c["source"] for c in cells if "injected-parameters" in c["metadata"].get("tags", [])))
    return {a.targets[0].id: ast.literal_eval(a.value) for a in ast.parse(source).body}


def _docx_text(path: Path) -> str:
    return "".join(p.text for p in docx.Document(str(path)).paragraphs).replace(" ", "")


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def _quarter_folder(path: Path, rows: str, text: str = "") -> Path:
    """A quarter folder holding a scores.csv (and a bulletin.html saying ``text``)."""
    path.mkdir(parents=True)
    (path / "scores.csv").write_text(HEADER + rows, encoding="utf-8")
    (path / "bulletin.html").write_text(text or rows, encoding="utf-8")
    return path


# ---- the sample marker and the sample's parameters -------------------------------------------------------
def test_both_sample_folders_carry_the_marker_and_a_copy_without_it_is_real_data(tmp_path):
    assert is_sample(SAMPLE) == SAMPLE / SAMPLE_MARKER
    assert is_sample(SAMPLE_BOOK) == SAMPLE_BOOK / SAMPLE_MARKER
    assert "请删除" in (SAMPLE / SAMPLE_MARKER).read_text(encoding="utf-8")
    copy = tmp_path / "data" / "sample"                 # the same path shape: the marker decides, not the path
    shutil.copytree(DATA, copy)
    assert is_sample(copy) is None
    (copy / SAMPLE_MARKER).write_text("样例", encoding="utf-8")
    assert is_sample(copy) == copy / SAMPLE_MARKER


def test_the_loader_ignores_the_marker_file(rules, tmp_path):
    copy = tmp_path / "d"
    shutil.copytree(DATA, copy)
    (copy / SAMPLE_MARKER).write_bytes((SAMPLE / SAMPLE_MARKER).read_bytes())
    plain, marked = load_dataset(DATA, rules), load_dataset(copy, rules)
    assert marked.notes == plain.notes and len(marked.submissions) == len(plain.submissions) == 41


def test_the_sample_generator_writes_the_marker_and_the_quarters_parameters_as_committed(tmp_path):
    import importlib.util
    import sys

    spec = importlib.util.spec_from_file_location("make_sample_extras", ROOT / "scripts" / "make_sample.py")
    gen = importlib.util.module_from_spec(spec)
    sys.modules["make_sample_extras"] = gen
    try:
        spec.loader.exec_module(gen)
        written = gen.write_extras(tmp_path / "csv", tmp_path / "xlsx")
    finally:
        del sys.modules["make_sample_extras"]
    names = sorted(p.relative_to(tmp_path).as_posix() for p in written)
    assert names == ["csv/params/2023Q1.yaml", "csv/params/2023Q2.yaml", "csv/params/2023Q3.yaml",
                     "csv/params/2023Q4.yaml", f"csv/{SAMPLE_MARKER}", f"xlsx/{SAMPLE_MARKER}"]
    for q in (1, 2, 3, 4):
        assert (tmp_path / f"csv/params/2023Q{q}.yaml").read_bytes() == (SAMPLE / f"params/2023Q{q}.yaml").read_bytes()
    assert (tmp_path / f"xlsx/{SAMPLE_MARKER}").read_bytes() == (SAMPLE_BOOK / SAMPLE_MARKER).read_bytes()
    assert not list((ROOT / "params").glob("20*.yaml")), "quarter parameters belong beside their data"


def test_a_quarters_parameters_are_found_beside_its_data_and_never_applied_to_another_dataset(tmp_path):
    params, path = bulletin_params(2023, 3, data_dir=SAMPLE)
    assert path == SAMPLE / "params" / "2023Q3.yaml"
    assert params["doc_number"] == "溧大数〔2023〕25号" and params["issue_date"] == "2023-10-10"
    other, none = bulletin_params(2023, 3, data_dir=DATA)      # another dataset: the contract's defaults
    assert none is None and other["doc_number"] == "" and other["issue_date"] == "2023-10-10"
    named = tmp_path / "q3.yaml"
    named.write_text('issue_number: "7"\n', encoding="utf-8")
    params, path = bulletin_params(2023, 3, named, data_dir=SAMPLE)    # --params wins
    assert path == named and params["issue_number"] == "7" and params["doc_number"] == ""
    with pytest.raises(ScoringError, match="找不到通报参数文件"):
        bulletin_params(2023, 3, tmp_path / "nope.yaml", data_dir=SAMPLE)


# ---- history: the swap and a killed run never lose a previous output ------------------------------------------
def test_each_replaced_quarter_folder_is_kept_whole_in_history_counting_up(tmp_path):
    target = _quarter_folder(tmp_path / "2023Q3", "", "第一版")
    for n, text in ((1, "第二版"), (2, "第三版")):
        staging = _quarter_folder(tmp_path / f".2023Q3.partial-{n}", "", text)
        kept = swap_into(staging, target)
        assert kept == tmp_path / "history" / "2023Q3" / str(n)
    assert (target / "bulletin.html").read_text(encoding="utf-8") == "第三版"
    assert (tmp_path / "history/2023Q3/1/bulletin.html").read_text(encoding="utf-8") == "第一版"
    assert (tmp_path / "history/2023Q3/2/bulletin.html").read_text(encoding="utf-8") == "第二版"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023Q3", "history"]


def test_a_run_killed_after_its_new_folder_moved_in_has_the_old_one_moved_to_history_by_the_next(tmp_path):
    _quarter_folder(tmp_path / "history/2023Q3/1", "", "第一版")
    _quarter_folder(tmp_path / "2023Q3", "", "第三版")                            # the killed run's new folder
    dead = _dead_pid()
    mark(_quarter_folder(tmp_path / f".2023Q3.old-{dead}", "", "第二版"), "old", dead)   # not yet moved to history
    clean_leftovers(tmp_path)
    assert (tmp_path / "2023Q3/bulletin.html").read_text(encoding="utf-8") == "第三版"
    assert (tmp_path / "history/2023Q3/2/bulletin.html").read_text(encoding="utf-8") == "第二版"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023Q3", "history"]


def test_the_clean_up_touches_only_folders_this_program_names(tmp_path):
    dead = _dead_pid()
    foreign = [tmp_path / f".cache.partial-{dead}", tmp_path / f".备份.old-{dead}", tmp_path / ".2023Q3.old-x",
               tmp_path / f"2023Q3.partial-{dead}"]
    for p in foreign:
        p.mkdir()
    ours = tmp_path / f".2023Q3.partial-{dead}"
    ours.mkdir()
    mark(ours, "partial", dead)
    clean_leftovers(tmp_path)
    assert all(p.is_dir() for p in foreign) and not ours.exists()


# ---- changes ---------------------------------------------------------------------------------------
def test_changes_list_one_row_per_unit_and_quarter_whose_score_total_or_rank_differ(tmp_path):
    before = figures_of_folder(_quarter_folder(tmp_path / "a",
                                               "A,甲镇,镇区街道,2023,1,10,10,1,1\nB,乙镇,镇区街道,2023,1,8,8,2,2\n"
                                               "C,丙镇,镇区街道,2023,1,3,3,3,3\n"))
    after = figures_of_folder(_quarter_folder(tmp_path / "b",
                                              "A,甲镇,镇区街道,2023,1,10.0,10,1,1\nB,乙镇,镇区街道,2023,1,12.5,12.5,1,1\n"
                                              "C,丙镇,镇区街道,2023,1,3,3,3,3\nD,丁镇,镇区街道,2023,1,1,1,4,4\n"))
    frame = compare_figures(before, after)
    # A: 10 and 10.0 are the same figure; B: 8 → 12.5 and rank 2 → 1; D is new; C unchanged.
    assert list(frame.columns) == list(CHANGE_COLUMNS)
    assert frame.values.tolist() == [["B", "乙镇", "2023Q1", "8", "12.5", "8", "12.5", "2", "1"],
                                     ["D", "丁镇", "2023Q1", "", "1", "", "1", "", "4"]]


def test_compare_prints_the_changes_of_two_quarter_folders_and_writes_changes_csv_where_told(tmp_path):
    a = _quarter_folder(tmp_path / "a", "A,甲镇,镇区街道,2023,1,10,10,1,1\n")
    b = _quarter_folder(tmp_path / "b", "A,甲镇,镇区街道,2023,1,12,12,1,1\n")
    code, said = _run(["compare", str(a), str(b), "--out", str(tmp_path / "cmp")])
    assert code == 0, said
    assert "甲镇（A）2023年第一季度：得分 10 → 12，累计 10 → 12" in said
    assert (tmp_path / "cmp" / "changes.csv").read_text(encoding="utf-8") == (
        ",".join(CHANGE_COLUMNS) + "\nA,甲镇,2023Q1,10,12,10,12,1,1\n")
    code, said = _run(["compare", str(a), str(a)])
    assert code == 0 and f"与{a}相比，各单位得分无变化" in said
    code, said = _run(["compare", str(a), str(tmp_path / "nowhere")])
    assert code == 2 and "没有 scores.csv" in said


def test_once_published_the_baseline_is_the_latest_published_version_even_after_later_reruns(tmp_path):
    _quarter_folder(tmp_path / "history/2023Q3/1", "A,甲镇,镇区街道,2023,3,5,5,1,1\n")
    published = _quarter_folder(tmp_path / "history/2023Q3/2", "A,甲镇,镇区街道,2023,3,6,6,1,1\n")
    (published / "published.json").write_text('{"published_at": "2023-10-12T09:00:00+08:00"}', encoding="utf-8")
    _quarter_folder(tmp_path / "2023Q3", "A,甲镇,镇区街道,2023,3,7,7,1,1\n")          # an unpublished rerun
    base = baseline(tmp_path, "2023Q3")
    assert base.folder == published and "已发布版本（发布于 2023-10-12T09:00:00+08:00）" == base.describe()
    assert baseline(tmp_path, "2023Q2") is None


# ---- publish ---------------------------------------------------------------------------------------
def test_publish_refuses_a_quarter_that_was_never_generated(tmp_path):
    code, said = _run(["publish", "--out", str(tmp_path), "--quarter", "2024Q1"])
    assert code == 2 and "不存在" in said and "python -m scoring bulletin" in said


# ---- the analyst's scenario: one test, its steps build on each other (see the module's docstring) ---------------
def test_sample_output_is_refused_and_a_corrected_rerun_keeps_history_lists_changes_and_is_published(
        fixture_bulletin, tmp_path, rules, monkeypatch):
    # 1. A copy of the sample (still marked): generated, recorded as sample data, stamped on every
    #    document, refused by publish. That first run is the shared one (conftest.py), copied.
    data = shutil.copytree(fixture_bulletin.data, tmp_path / "我的 数据")
    out = shutil.copytree(fixture_bulletin.out, tmp_path / "out")
    text = fixture_bulletin.stderr
    statements = sorted((out / "2023Q3" / "statements").glob("*.pdf"))
    assert len(statements) == 6                          # the fixture's six units
    for statement in statements:
        assert "".join(p.extract_text() for p in PdfReader(statement).pages).replace(" ", "").startswith(STAMP)
    assert f"样例标记文件 {fixture_bulletin.data / SAMPLE_MARKER}" in text and "请删除该文件" in text
    assert json.loads((out / "2023Q3" / "manifest.json").read_text(encoding="utf-8"))["sample_data"] is True
    assert _text_of(out / "2023Q3" / "bulletin.html").startswith(STAMP)
    assert _docx_text(out / "2023Q3" / "bulletin.docx").startswith(STAMP)
    first = openpyxl.load_workbook(out / "2023Q3" / "scores.xlsx").worksheets[0]
    assert STAMP in str(first["A1"].value)
    code, text = _run(["publish", "--out", str(out), "--quarter", "2023Q3"])
    assert code == 2 and "样例数据" in text and SAMPLE_MARKER in text
    assert not (out / "2023Q3" / "published.json").exists()

    # 2. The copy becomes real data (marker deleted) and S035 (溧城街道 专题专栏, 2023-07-26) is corrected:
    #    adopted by 常州市, not 溧阳市.
    (data / SAMPLE_MARKER).unlink()
    subs = data / "submissions.csv"
    subs.write_text(subs.read_text(encoding="utf-8").replace("S035,溧城街道,专题专栏,溧阳市", "S035,溧城街道,专题专栏,常州市"),
                    encoding="utf-8")
    # From here on the runs execute the stand-in notebook (see the module's docstring).
    monkeypatch.setitem(pipeline.run_bulletin.__kwdefaults__, "notebook", MINI)
    code, text = _run(["bulletin", "--data", str(data), "--out", str(out), "--statements", "no"])
    assert code == 0, text
    folder, kept = out / "2023Q3", out / "history" / "2023Q3" / "1"
    assert "mini.txt" in {p.name for p in folder.iterdir()}       # the stand-in ran, not the real notebook
    assert {p.name for p in kept.iterdir()} >= {"bulletin.pdf", "bulletin.html", "scores.csv", "manifest.json",
                                                "statements.zip"}
    assert not {"statements", "statements.zip"} & {p.name for p in folder.iterdir()}     # --statements no
    assert json.loads((kept / "manifest.json").read_text(encoding="utf-8"))["sample_data"] is True
    # 溧城街道 Q3 was 专题专栏 溧阳市 10 + 要闻动态 溧阳市 0.5 = 10.5 (total 3 + 15.5 + 10.5 = 29); with
    # 专题专栏 常州市 20 it is 20.5 (total 39). 昆仑街道 has 25 in Q3, so its rank stays 2; nothing else moves.
    assert (folder / "changes.csv").read_text(encoding="utf-8") == (
        ",".join(CHANGE_COLUMNS) + "\nZ02,溧城街道,2023Q3,10.5,20.5,29,39,2,2\n")
    assert "与上次输出相比，1 处得分有变化" in text and "溧城街道（Z02）2023年第三季度：得分 10.5 → 20.5，累计 29 → 39" in text
    assert f"被替换的上一版本已完整保存到 {kept}" in text
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["sample_data"] is False and "changes.csv" in manifest["outputs"]
    # Real data: no stamp; not yet published: nothing to correct (the notebook was told so too).
    assert STAMP not in _docx_text(folder / "bulletin.docx") and "更正说明" not in _docx_text(folder / "bulletin.docx")
    assert STAMP not in str(openpyxl.load_workbook(folder / "scores.xlsx").worksheets[0]["A1"].value)
    told = _injected(folder / "bulletin.ipynb")
    assert told["sample_data"] is False and told["corrections"] == []

    # 3. Published: when, and the SHA-256 of every file; publishing again changes nothing.
    code, text = _run(["publish", "--out", str(out), "--quarter", "2023Q3"])
    assert code == 0, text
    record = json.loads((folder / "published.json").read_text(encoding="utf-8"))
    files = {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
             for p in folder.rglob("*") if p.is_file() and p.name != "published.json"}
    assert record["files"] == files and record["quarter"] == "2023Q3" and record["published_at"][:2] == "20"
    code, again = _run(["publish", "--out", str(out), "--quarter", "2023Q3"])
    assert code == 0 and "无需再次发布" in again

    # 4. A published folder changed afterwards is not published again over its record.
    (folder / "bulletin.html").write_bytes(b"x" + (folder / "bulletin.html").read_bytes())
    code, text = _run(["publish", "--out", str(out), "--quarter", "2023Q3"])
    assert code == 2 and "bulletin.html" in text and "已发布的版本不能改动" in text
    (folder / "bulletin.html").write_bytes((folder / "bulletin.html").read_bytes()[1:])

    # 5. A later correction is compared with the published version, and the new bulletin says what it
    #    corrects: 溧城街道's 要闻动态 S036 (溧阳市, 0.5) withdrawn → Q3 20.5 − 0.5 = 20, total 39 − 0.5 = 38.5.
    lines = subs.read_text(encoding="utf-8").splitlines(keepends=True)
    subs.write_text("".join(line for line in lines if not line.startswith("S036,")), encoding="utf-8")
    code, text = _run(["bulletin", "--data", str(data), "--out", str(out), "--statements", "no"])
    assert code == 0, text
    assert (folder / "changes.csv").read_text(encoding="utf-8") == (
        ",".join(CHANGE_COLUMNS) + "\nZ02,溧城街道,2023Q3,20.5,20,39,38.5,2,2\n")
    assert "与已发布版本" in text
    said = "更正说明：本期通报对已发布的版本作如下更正：溧城街道2023年第三季度得分由20.5分更正为20分，全年累计得分由39分更正为38.5分。"
    word = _docx_text(folder / "bulletin.docx")
    assert said in word and STAMP not in word                              # real data: no stamp
    told = _injected(folder / "bulletin.ipynb")
    assert told["sample_data"] is False
    assert told["corrections"] == [dict(unit_id="Z02", unit_name="溧城街道", quarter="2023Q3", score_before="20.5",
                                        score_after="20", ytd_before="39", ytd_after="38.5", rank_before="2",
                                        rank_after="2")]
    assert "更正说明" not in _docx_text(out / "history" / "2023Q3" / "2" / "bulletin.docx")
