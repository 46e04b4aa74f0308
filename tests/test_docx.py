"""bulletin.docx: the bulletin as an editable Word document, same wording, real tables, fixed bytes."""
from __future__ import annotations

import hashlib
import zipfile

import pytest

UNITS = [
    {"unit_id": "Z01", "unit_name": "昆仑街道", "category": "镇区街道", "informant": "王敏"},
    {"unit_id": "Z02", "unit_name": "天目湖镇", "category": "镇区街道", "informant": "钱进"},
    {"unit_id": "D01", "unit_name": "市司法局", "category": "市级机关部门", "informant": "李强"},
    {"unit_id": "D02", "unit_name": "市农业农村局<b>", "category": "市级机关部门", "informant": "赵丽"},
    {"unit_id": "G01", "unit_name": "团市委", "category": "群团", "informant": "孙悦"},
]
SUBMISSIONS = [
    dict(record_id="A1", unit_id="Z01", column="在线访谈", level="常州市", adopted_on="2023-08-02"),
    dict(record_id="A2", unit_id="D01", column="要闻动态", level="江苏省", adopted_on="2023-09-12"),
    dict(record_id="A3", unit_id="D02", column="专题专栏", level="溧阳市", adopted_on="2023-07-20", late=True),
]
EVENTS = [dict(event_id="E1", unit_id="Z02", date="2023-08-15", type="content_error", note="数据有误")]
PARAMS = {"issue_number": "3", "issue_date": "2023-10-10", "doc_number": "溧大数〔2023〕25号",
          "cc": "市政府办公室", "next_steps": "一、加强信息报送。\n\n二、按时完成目标任务。"}


@pytest.fixture(scope="module")
def result(rules):
    from scoring.inputs.dataset import make_dataset
    from scoring.method import engine
    return engine.score(make_dataset(units=UNITS, submissions=SUBMISSIONS, events=EVENTS), rules, 2023, 3)


@pytest.fixture(scope="module")
def written(result, tmp_path_factory):
    from scoring.render.docx import write_bulletin_docx
    folder = tmp_path_factory.mktemp("docx")
    return write_bulletin_docx(result, PARAMS, folder / "bulletin.docx", charts=False)


def test_the_word_document_opens_and_holds_every_unit_in_the_score_tables(written):
    import docx
    d = docx.Document(str(written))
    rank_tables = [t for t in d.tables if t.rows[0].cells[0].text == "排名" and "单位" in t.rows[0].cells[1].text]
    # One ranking table per category present: 镇区街道, 市级机关部门, 群团.
    assert len(rank_tables) == 3
    names = {row.cells[1].text for t in rank_tables for row in t.rows[1:]}
    assert names == {u["unit_name"] for u in UNITS}


def test_the_word_document_has_the_bulletins_wording(written):
    import docx
    d = docx.Document(str(written))
    text = "\n".join(p.text for p in d.paragraphs)
    assert "溧阳市人民政府门户网站内容保障2023年第三季度通报" in text
    assert "《溧阳市人民政府门户网站内容保障2023年第三季度通报》" not in text
    assert "第3期" in text and "溧大数〔2023〕25号" in text
    assert "一、总体情况" in text and "二、得分排名" in text
    assert "抄送：市政府办公室。" in text and "二、按时完成目标任务。" in text


def test_headings_are_heiti_and_body_is_songti_with_east_asian_font_names(written):
    import docx
    from docx.oxml.ns import qn
    d = docx.Document(str(written))
    east = lambda style: style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))  # noqa: E731
    assert east(d.styles["Normal"]) == "宋体"
    assert east(d.styles["Heading 1"]) == "黑体" and east(d.styles["Heading 2"]) == "黑体"
    assert any(p.style.name == "Heading 1" and p.text.startswith("一、") for p in d.paragraphs)


def test_the_page_is_a4_with_the_official_margins(written):
    import docx
    s = docx.Document(str(written)).sections[0]
    # GB/T 9704: top 37, bottom 35, left 28, right 26 mm; Word stores twips, so within 0.05 mm.
    for got, want in ((s.page_width.mm, 210), (s.page_height.mm, 297), (s.top_margin.mm, 37),
                      (s.bottom_margin.mm, 35), (s.left_margin.mm, 28), (s.right_margin.mm, 26)):
        assert abs(got - want) < 0.05


def test_input_text_stays_text(written):
    import docx
    d = docx.Document(str(written))
    assert any("市农业农村局<b>" in c.text for t in d.tables for r in t.rows for c in r.cells)


def test_two_writes_give_the_same_bytes_and_fixed_dates(result, tmp_path):
    from scoring.render.docx import write_bulletin_docx
    a = write_bulletin_docx(result, PARAMS, tmp_path / "a.docx", charts=False)
    b = write_bulletin_docx(result, PARAMS, tmp_path / "b.docx", charts=False)
    assert hashlib.sha256(a.read_bytes()).digest() == hashlib.sha256(b.read_bytes()).digest()
    with zipfile.ZipFile(a) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2023, 10, 10, 0, 0, 0)}
        core = zf.read("docProps/core.xml").decode()
    assert "2023-10-10T00:00:00Z" in core


@pytest.mark.slow
def test_charts_become_pictures(result, tmp_path):
    import docx
    from scoring.render.docx import write_bulletin_docx
    d = docx.Document(str(write_bulletin_docx(result, PARAMS, tmp_path / "c.docx")))
    # 图1 adoptions, 图2–4 one ranking chart per category, 图5 year-to-date, 附图1–3 makeups.
    assert len(d.inline_shapes) == 1 + 3 + 1 + 3
