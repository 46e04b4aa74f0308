"""Official documents — the bulletin (its sections' blocks, from which the HTML, the PDF and the Word
draft are all made), the unit statements and the units' workbooks — cite only the method's own
numbering (一, 三(一)1, 三(二)2(1), 附件 序号8). The project's reading numbers (R1–R15), the rules
file's id and file names belong to the analyst's material (review page, ledger.csv, manifest)."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from engine_support import dataset, event, item, items
from scoring.inputs.rules_file import load_rules
from scoring.method.engine import score
from scoring.render import statements as RS
from scoring.render.html import text_of
from scoring.report import bulletin
from scoring.report import statements as S

YEAR = 2024      # the rules file is for 2023: the engine says so in a note (in the method's words)
INTERNAL = re.compile(r"R\d+|liyang-|规则文件|ledger|scores\.|\.(?:csv|xlsx|yaml|yml|json|ipynb|py|zip|docx)\b",
                      re.I)


def _data():
    y = str(YEAR)
    subs = [
        # Z01: 24 要闻动态 at 溧阳市 (the cap), two 在线访谈 at 常州市 in Q4 (carry-over), an upgrade, a
        # late item with its dates, a row of the year before and one after the run.
        *items("N", "Z01", "要闻动态", "溧阳市", f"{y}-10-09", 24),
        item("K1", "Z01", "在线访谈", "常州市", f"{y}-10-10"), item("K2", "Z01", "在线访谈", "常州市", f"{y}-11-10"),
        item("UP", "Z01", "要闻动态", "溧阳市", f"{y}-01-10"), item("UP", "Z01", "要闻动态", "常州市", f"{y}-11-01"),
        item("LT", "Z01", "专题专栏", "溧阳市", f"{y}-02-10", submitted_on=f"{y}-02-08", due_on=f"{y}-02-01"),
        item("OLD", "Z01", "要闻动态", "溧阳市", f"{YEAR - 1}-12-20"),
        item("NEXT", "Z01", "要闻动态", "溧阳市", f"{YEAR + 1}-01-05"),
        # D01: five at 江苏省 over the year and its target met → the reward.
        *[item(f"D01-{i}", "D01", "要闻动态", "江苏省", f"{y}-{m:02d}-10") for i, m in enumerate((1, 4, 7, 10, 11))],
    ]
    events = [event("E1", "D02", f"{y}-05-15", "content_error", note="信息中出现错别字"),
              event("E2", "D02", f"{y}-08-15", "veto_quarter", note="首页栏目长期未更新被省通报"),
              event("E3", "Q01", f"{y}-09-01", "veto_classified", note="涉密文件上网"),
              event("E4", "Z02", f"{YEAR - 1}-12-01", "no_plan")]
    targets = [{"unit_id": "D01", "year": YEAR, "column": "要闻动态", "target": 5},
               {"unit_id": "Z03", "year": YEAR, "column": "在线访谈", "target": 2}]
    return subs, events, targets


@pytest.fixture(scope="module")
def q4():
    subs, events, targets = _data()
    result = score(dataset(subs, events, targets), load_rules(), YEAR, 4)
    # The fixture reaches every kind of note the engine writes and every ledger kind.
    assert len(result.notes) >= 4 and {"column_cap", "quarter_cap", "deduction", "veto", "reward"} <= set(
        result.ledger["kind"].astype(str))
    return result


def _internal(text: str) -> list[str]:
    return sorted({m.group(0) for m in INTERNAL.finditer(text)})


def test_the_analysts_ledger_keeps_the_reading_numbers(q4):
    # The check below is not vacuous: the same Result's ledger (analyst material) does cite them.
    assert _internal(" ".join(q4.ledger["note"].astype(str)))


def test_the_bulletin_cites_only_the_methods_numbering(q4):
    issue = bulletin.issue(q4, doc_number="溧大数〔2025〕3号", cc="市政府办公室")
    sections = bulletin.present_sections(q4, issue)
    text = {s.key: text_of(bulletin.render_section(s.key, q4, issue, picture=lambda r, ref: ""))
            for s in sections}
    assert "notes" in text and "适用年度" in text["notes"]          # the engine's notes are there, reworded
    assert {k: _internal(t) for k, t in text.items() if _internal(t)} == {}


@pytest.mark.parametrize("unit", ["Z01", "D01", "D02", "Q01", "Z03"])
def test_a_statement_and_its_workbook_cite_only_the_methods_numbering(q4, unit):
    html = RS.statement_html(q4, unit)
    assert _internal(text_of(html)) == [] and "第一部分" not in html
    assert re.search(r"三\(一\)1|三\(二\)|附件 序号|（一）", html)
    ws = load_workbook(io.BytesIO(RS.unit_workbook(S.statement_data(q4, unit)))).active
    cells = " ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None)
    assert _internal(cells) == []


def test_the_score_workbook_cites_only_the_methods_numbering(q4, tmp_path):
    from openpyxl import load_workbook
    from scoring.render.xlsx import write_scores_xlsx

    book = load_workbook(write_scores_xlsx(q4, tmp_path / "scores.xlsx"))
    cells = [str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert any("封顶" in c for c in cells)                     # the ledger's notes are there, without readings
    assert _internal("\n".join(cells)) == []


def test_the_run_recognises_the_engines_reworded_notes_and_does_not_say_them_twice(q4):
    # The run prints these notes with their files and rows (run.params.located_notes); the
    # engine's own wording of the same facts is recognised and left out.
    from scoring.run.params import other_engine_notes

    assert len(q4.notes) == 4 and other_engine_notes(q4.notes) == []
