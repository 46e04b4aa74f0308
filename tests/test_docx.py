"""bulletin.docx: the bulletin as an editable Word document written from the same blocks as the HTML:
same wording, real tables, pictures by key, fixed bytes."""
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
    assert "溧阳市人民政府门户网站内容保障\n2023年第三季度通报" in text      # two lines, as in the PDF
    assert "《溧阳市人民政府门户网站内容保障2023年第三季度通报》" not in text
    assert "第3期" in text and "溧大数〔2023〕25号" in text
    assert "一、总体情况" in text and "二、得分排名" in text
    assert "抄送：市政府办公室。" in text and "二、按时完成目标任务。" in text


def test_fonts_and_sizes_are_those_of_gb_t_9704_by_east_asian_name(written):
    import docx
    from docx.oxml.ns import qn
    d = docx.Document(str(written))
    east = lambda style: style.element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))  # noqa: E731
    # Body 3号 (16 pt) 仿宋_GB2312; title 2号 (22 pt) 方正小标宋简体; 一、 黑体 and （一） 楷体_GB2312, both 3号.
    assert (east(d.styles["Normal"]), d.styles["Normal"].font.size.pt) == ("仿宋_GB2312", 16)
    assert (east(d.styles["Title"]), d.styles["Title"].font.size.pt) == ("方正小标宋简体", 22)
    assert (east(d.styles["Heading 1"]), d.styles["Heading 1"].font.size.pt) == ("黑体", 16)
    assert (east(d.styles["Heading 2"]), d.styles["Heading 2"].font.size.pt) == ("楷体_GB2312", 16)
    assert any(p.style.name == "Heading 1" and p.text.startswith("一、") for p in d.paragraphs)


def test_the_page_is_a4_with_the_official_margins(written):
    import docx

    from scoring.report import page
    s = docx.Document(str(written)).sections[0]
    # GB/T 9704: top 37, bottom 35, left 28, right 26 mm; Word stores twips, so within 0.05 mm.
    for got, want in ((s.page_width.mm, 210), (s.page_height.mm, 297), (s.top_margin.mm, 37),
                      (s.bottom_margin.mm, 35), (s.left_margin.mm, 28), (s.right_margin.mm, 26)):
        assert abs(got - want) < 0.05
    # The same numbers as the print CSS: both read scoring.report.page.
    assert (page.PAGE_WIDTH_MM, page.MARGIN_TOP_MM, page.MARGIN_RIGHT_MM, page.MARGIN_BOTTOM_MM,
            page.MARGIN_LEFT_MM, page.TEXT_WIDTH_MM) == (210, 37, 26, 35, 28, 156)


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


def _body(d) -> list[str]:
    """Every paragraph's text (empty ones left out) and every table cell's, in document order."""
    import docx
    out = []
    for el in d.element.body.iterchildren():
        if el.tag.endswith("}p"):
            text = docx.text.paragraph.Paragraph(el, d).text
            out += [text] if text else []
        elif el.tag.endswith("}tbl"):
            out += [c.text for r in docx.table.Table(el, d).rows for c in r.cells]
    return out


def _expected(blocks) -> list[str]:
    """The blocks' text as the Word copy lays it out without pictures: a caption above its table,
    a list item after its bullet."""
    from scoring.report.sections import Box, Figure, Heading, Items, Paragraph, Table
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out.append(b.text)
        elif isinstance(b, Paragraph):
            # 版记's 印发机关 and 印发日期 share one line, apart by a tab to a right stop.
            out.append(("\t" if b.style == "imprint" else "\n").join(b.lines))
        elif isinstance(b, Table):
            out += [b.caption, *b.headers, *(c for r in b.rows for c in r.cells)]
        elif isinstance(b, Items):
            out += [("■ " if i.veto else "· ") + i.text for i in b.items]
        elif isinstance(b, Box):
            out += _expected(b.blocks)
        else:
            assert isinstance(b, Figure)
    return out


def test_the_word_copy_says_what_the_sections_lay_out_and_nothing_else(result, written):
    import docx

    from scoring.report import bulletin
    blocks = bulletin.document(result, bulletin.issue(result, **PARAMS))
    assert _body(docx.Document(str(written))) == _expected(blocks)


def test_pictures_are_placed_by_their_chart_key_with_their_captions(result, tmp_path):
    import docx

    from scoring.render.docx import write_bulletin_docx
    from scoring.report.charts import Chart, ChartRef
    from scoring.report.sections import Figure

    png = _tiny_png()
    given = {ChartRef(Chart.ADOPTIONS).key: png, ChartRef(Chart.RANKING, "群团").key: png}
    d = docx.Document(str(write_bulletin_docx(result, PARAMS, tmp_path / "p.docx", charts=given)))
    assert len(d.inline_shapes) == 2
    text = [p.text for p in d.paragraphs]
    assert "图1　2023年第三季度分栏目、分级别录用情况" in text and "图4　群团本季得分" in text
    assert "图2　镇（区、街道）本季得分" not in text
    # A picture not given leaves out its caption and its own subheading (全年累计得分走势).
    assert not any("全年累计得分走势" in t for t in text)
    with_progress = dict(given, **{ChartRef(Chart.PROGRESS).key: png})
    d = docx.Document(str(write_bulletin_docx(result, PARAMS, tmp_path / "q.docx", charts=with_progress)))
    heading = next(p for p in d.paragraphs if p.text == "（四）全年累计得分走势")
    assert heading.style.name == "Heading 2" and len(d.inline_shapes) == 3
    assert isinstance(Figure(ChartRef(Chart.PROGRESS), ""), Figure)


def _tiny_png() -> bytes:
    import io

    from PIL import Image
    buf = io.BytesIO()
    Image.new("RGB", (4, 2), "white").save(buf, format="PNG")
    return buf.getvalue()


def test_an_attachment_starts_a_new_page_and_a_veto_row_stands_out(written, rules, tmp_path):
    import docx

    from scoring.method import engine
    from scoring.render.docx import VETO_FILL, write_bulletin_docx
    from test_bulletin_content import fixture_dataset
    starts = [p.text for p in docx.Document(str(written)).paragraphs if p.paragraph_format.page_break_before]
    assert starts == ["附件1", "附件2"]
    # The content tests' fixture: 团市委 vetoed in Q3, 南渡镇 behind its targets.
    r = engine.score(fixture_dataset(), rules, 2023, 3)
    d = docx.Document(str(write_bulletin_docx(r, PARAMS, tmp_path / "v.docx", charts=False)))
    veto_rows = [row for t in d.tables for row in t.rows
                 if row.cells[0]._tc.xpath(f".//w:shd[@w:fill='{VETO_FILL}']")]
    assert [row.cells[1].text for row in veto_rows] == ["团市委", "团市委"]      # 得分排名, 附件1
    assert all(run.font.color.rgb is not None for row in veto_rows for c in row.cells for run in c.paragraphs[0].runs)
    lagging = [c for t in d.tables for row in t.rows for c in row.cells if c.text == "进度滞后"]
    assert len(lagging) == 1 and lagging[0].paragraphs[0].runs[0].font.color.rgb is not None


# ---- GB/T 9704-2012 ---------------------------------------------------------------------------------
def test_the_page_has_the_document_grid_of_22_lines_of_28_characters(written):
    import docx
    from docx.oxml.ns import qn
    grid = docx.Document(str(written)).sections[0]._sectPr.find(qn("w:docGrid"))
    # Text block 156 × 225 mm. 225 mm = 637.80 pt / 22 lines = 28.99 pt = 579.8 twentieths → 580.
    # 156 mm = 442.20 pt / 28 = 15.7930 pt a character: 16 pt − 0.2070 pt, × 4096 = −847.8 → −848.
    assert grid.get(qn("w:type")) == "linesAndChars"
    assert grid.get(qn("w:linePitch")) == "580"
    assert grid.get(qn("w:charSpace")) == "-848"


def test_page_numbers_are_dashed_4hao_songti_odd_right_even_left(written):
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    d = docx.Document(str(written))
    assert d.settings.odd_and_even_pages_header_footer
    s = d.sections[0]
    for footer, side in ((s.footer, WD_ALIGN_PARAGRAPH.RIGHT), (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        par = footer.paragraphs[0]
        assert par.alignment == side
        assert "".join(r.text for r in par.runs) == "— 1 —"                # the PAGE field's placeholder
        assert par._p.xpath(".//w:instrText")[0].text.strip() == "PAGE"
        assert {(r.font.size.pt, r._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))) for r in par.runs} == {(14, "宋体")}
    # One character (4号, 14 pt) in from its side.
    assert s.footer.paragraphs[0].paragraph_format.right_indent.pt == 14
    assert s.even_page_footer.paragraphs[0].paragraph_format.left_indent.pt == 14


def test_fonts_are_named_with_their_fallbacks_and_none_is_embedded(written):
    with zipfile.ZipFile(written) as zf:
        names = zf.namelist()
        table = zf.read("word/fontTable.xml").decode("utf-8")
        settings = zf.read("word/settings.xml").decode("utf-8")
    assert not [n for n in names if n.startswith("word/fonts/") or n.endswith((".odttf", ".ttf"))]
    assert "embedTrueTypeFonts" not in settings
    for name, alt in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "宋体")):
        assert f'<w:font w:name="{name}"><w:altName w:val="{alt}"/>' in table


def test_an_attachment_label_is_3hao_heiti_at_the_top_left_of_its_page(written):
    import docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    labels = [p for p in docx.Document(str(written)).paragraphs if p.paragraph_format.page_break_before]
    assert [p.text for p in labels] == ["附件1", "附件2"]
    for p in labels:
        assert p.alignment == WD_ALIGN_PARAGRAPH.LEFT and p.paragraph_format.first_line_indent is None
        run = p.runs[0]
        assert (run.font.size.pt, run._r.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))) == (16, "黑体")


def test_the_imprint_ends_the_document_between_rules(written):
    import docx
    from docx.oxml.ns import qn
    paras = [p for p in docx.Document(str(written)).paragraphs if p.text]
    cc, issued = paras[-2], paras[-1]
    assert cc.text == "抄送：市政府办公室。"
    assert issued.text == "溧阳市大数据管理局\t2023年10月10日印发"

    def rules(p):
        bdr = p._p.pPr.find(qn("w:pBdr"))
        return {side: bdr.find(qn(f"w:{side}")).get(qn("w:sz")) for side in ("top", "bottom")
                if bdr.find(qn(f"w:{side}")) is not None}
    # Heavy rules (8 eighths = 1 pt) above 抄送 and below the 印发 line, a light one (4) between.
    assert rules(cc) == {"top": "8", "bottom": "4"} and rules(issued) == {"bottom": "8"}


def test_the_doc_number_takes_the_hexagonal_brackets(result, tmp_path):
    import docx
    from scoring.render.docx import write_bulletin_docx
    from scoring.report.bulletin import doc_number_brackets
    assert doc_number_brackets("溧大数[2023]25号") == "溧大数〔2023〕25号"
    assert doc_number_brackets("溧大数（2023）25号") == "溧大数〔2023〕25号"
    assert doc_number_brackets("溧大数【2023】25号") == "溧大数〔2023〕25号"
    d = docx.Document(str(write_bulletin_docx(result, {**PARAMS, "doc_number": "溧大数[2023]25号"},
                                              tmp_path / "n.docx", charts=False)))
    assert "第3期　溧大数〔2023〕25号" in [p.text for p in d.paragraphs]


def test_tables_are_5hao_with_column_widths_from_their_content(written):
    import docx
    from docx.oxml.ns import qn

    from scoring.report import page
    d = docx.Document(str(written))
    ranking = next(t for t in d.tables if t.rows[0].cells[0].text == "排名"
                   and any(row.cells[1].text == "市农业农村局<b>" for row in t.rows))
    widths = [c.width.mm for c in ranking.columns]
    assert len(set(round(w, 1) for w in widths)) > 2                 # not every column 1.6 cm
    assert sum(widths) <= page.TEXT_WIDTH_MM + 0.5
    # 单位 holds 市农业农村局<b> on one line: 6 characters and 3 half-width ones, 6 + 3 × 0.55 = 7.65 em
    # of 10.5 pt (3.704 mm) = 28.3 mm, plus the cell margins 2 × 1.9 mm = 32.1 mm.
    assert widths[1] >= 32.1
    sizes = {r.font.size.pt for row in ranking.rows for c in row.cells for p in c.paragraphs for r in p.runs}
    assert sizes == {10.5}
    assert ranking._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    # Off the document grid, which would space 5号 characters a 3号 cell apart.
    assert {p._p.pPr.find(qn("w:snapToGrid")).get(qn("w:val")) for row in ranking.rows for c in row.cells
            for p in c.paragraphs} == {"0"}


def test_the_default_run_is_3hao_fangsong_so_the_grid_counts_28_characters(written):
    import docx
    from docx.oxml.ns import qn
    rpr = docx.Document(str(written)).styles.element.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert rpr.find(qn("w:sz")).get(qn("w:val")) == "32"                 # half-points: 16 pt
    assert rpr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
