"""The bulletin as printed (issue 14, item 5): the PDF is read back (pypdf's text, page by page)
and checked as a reader would — no number split across lines, no header broken but where it
says, no page holding only the 落款, every caption on the page of its table, every table
numbered, the title not broken inside 「第三季度」 — and the wording fixes checked on the blocks.

One PDF, rendered in-process from the content tests' small fixture (test_bulletin_content), its
third quarter with three paragraphs of 下一步工作要求: with the 落款 not kept with the text above,
that length leaves the date of the 落款 alone on page 5 (found by trying lengths 1–3). The charts are
stand-in pictures of a fixed size (150 × 80 mm), so the page breaks do not depend on drawing them.
"""
from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from scoring.inputs.dataset import make_dataset
from scoring.method import engine
from scoring.render.pdf import html_to_pdf
from scoring.report import bulletin, sections
from scoring.report.sections import Box, Paragraph, Table
from test_bulletin_content import EVENTS, PARAMS, SUBMISSIONS, TARGETS, UNITS, bulletin_html, fixture_dataset

PAGE_NUMBER = re.compile(r"— \d+ —")
NEXT_STEPS = "\n\n".join(f"第{i}条，各单位要认真总结门户网站内容保障工作，查找不足，按时报送。" for i in (1, 2, 3))


def stand_in(result, ref) -> str:
    """A chart's <img> the size of a drawn chart, so that pages break as they do with the charts."""
    return f'<img class="chart" data-chart="{ref.key}" alt="" style="width: 150mm; height: 80mm">'


def _tables(blocks) -> list[Table]:
    out = []
    for b in blocks:
        if isinstance(b, Table):
            out.append(b)
        elif isinstance(b, Box):
            out += _tables(b.blocks)
    return out


@pytest.fixture(scope="module")
def q3(rules):
    return engine.score(fixture_dataset(), rules, 2023, 3)


@pytest.fixture(scope="module")
def printed(q3, tmp_path_factory):
    """(the blocks, each page's text) of the third quarter's bulletin.pdf."""
    issue = bulletin.issue(q3, **{**PARAMS, "next_steps": NEXT_STEPS})
    html = bulletin_html(q3, issue, picture=stand_in)
    path = tmp_path_factory.mktemp("layout") / "bulletin.pdf"
    html_to_pdf(html, path)
    pages = [page.extract_text() for page in PdfReader(str(path)).pages]
    return bulletin.document(q3, issue), pages


def _lines(page: str) -> list[str]:
    return [line.strip() for line in page.split("\n") if line.strip()]


# ---- the PDF ------------------------------------------------------------------------------------------
def test_every_table_row_stands_on_one_line_so_no_number_is_split(printed):
    # pypdf gives a table row as one line, its cells separated by spaces; a number (or a name) that
    # wrapped inside its cell would put part of the row on another line. The fixture's names are short.
    blocks, pages = printed
    lines = {line for page in pages for line in _lines(page)}
    rows = [" ".join(r.cells) for t in _tables(blocks) for r in t.rows]
    assert len(rows) > 30
    assert [r for r in rows if r not in lines] == []


def test_a_header_breaks_only_where_it_says(printed):
    # 「重点\n栏目」 is set on two lines and read back as 「重点 栏目」; 「信息报／送」 would read 「信息报 送」.
    blocks, pages = printed
    lines = {line for page in pages for line in _lines(page)}
    headers = [" ".join(part for h in t.headers for part in h.split("\n")) for t in _tables(blocks)]
    assert "排名 单位 重点 栏目 信息 报送 上季 结转 计入得分 （封顶25） 结转 下季 扣分 本季 得分 全年 累计" in headers
    assert [h for h in headers if h not in lines] == []


def test_every_table_is_numbered_in_order_and_its_caption_printed(printed):
    blocks, pages = printed
    captions = [t.caption for t in _tables(blocks)]
    body = [c for c in captions if not c.startswith("附")]
    # 表1 分级别, 表2 分栏目, 表3–5 the three categories' rankings, 表6 被上级录用, 表7 目标进度;
    # 附表1 得分明细, 附表2 零录用单位.
    assert [c.split("　")[0] for c in body] == [f"表{n}" for n in range(1, 8)]
    assert [c.split("　")[0] for c in captions[len(body):]] == ["附表1", "附表2"]
    printed_lines = [line for page in pages for line in _lines(page)]
    assert [c for c in captions if c not in printed_lines] == []


def test_every_caption_is_on_the_page_of_its_tables_first_rows(printed):
    blocks, pages = printed
    for t in _tables(blocks):
        page = next(p for p in pages if t.caption in _lines(p))
        after = page.split(t.caption, 1)[1]
        first_row = " ".join(t.rows[0].cells) if t.rows else ""
        assert first_row in after, f"{t.caption}: its table starts on another page"


def test_no_page_holds_the_signature_alone(printed):
    _, pages = printed
    issuer, date = "溧阳市大数据管理局", "2023年10月10日"
    found = [i for i, p in enumerate(pages) if date in _lines(p) and issuer in _lines(p)]
    assert len(found) == 1, "the 落款's two lines are not on one page"
    own = {issuer, date, "附件：1. 全部单位得分明细表", "　　　2. 零录用单位名单".strip()}
    rest = [line for line in _lines(pages[found[0]]) if line not in own and not PAGE_NUMBER.fullmatch(line)
            and line not in ("•", "■")]
    assert rest, "the page holding the 落款 holds nothing of the text above it"


def test_the_title_is_broken_between_subject_and_quarter_never_inside_the_quarter(printed):
    _, pages = printed
    assert _lines(pages[0])[:2] == ["溧阳市人民政府门户网站内容保障", "2023年第三季度通报"]


# ---- the wording (blocks only) ---------------------------------------------------------------------------
def _text(result, **params) -> list[str]:
    return sections.text_of(bulletin.document(result, bulletin.issue(result, **{**PARAMS, **params})))


@pytest.fixture(scope="module")
def quarters(rules):
    return {q: engine.score(fixture_dataset(), rules, 2023, q) for q in (1, 3, 4)}


def test_section_three_says_lu_yong_like_everything_else(quarters):
    for result in quarters.values():
        text = "\n".join(_text(result))
        assert "三、被上级录用情况" in text
        assert "采用" not in text


def test_no_half_width_brackets_and_no_two_bracket_groups_back_to_back(quarters):
    for q, result in quarters.items():
        text = "\n".join(_text(result))
        assert "(" not in text and ")" not in text, q
        assert not re.search(r"[）)]\s*[（(]", text), (q, re.findall(r".{10}[）)]\s*[（(].{10}", text))


def test_the_first_quarter_has_no_column_of_the_quarter_before(quarters):
    overview = [t for t in _tables(bulletin.section_blocks("overview", quarters[1], bulletin.issue(quarters[1])))]
    assert [t.headers for t in overview] == [("录用级别", "本季度（条）"), ("栏目", "本季度（条）")]
    assert all(len(r.cells) == 2 for t in overview for r in t.rows)
    assert "上季度" not in "".join(_text(quarters[1]))
    # From the second quarter on, the comparison is there.
    assert _tables(bulletin.section_blocks("overview", quarters[3], bulletin.issue(quarters[3])))[0].headers == (
        "录用级别", "本季度（条）", "上季度（条）", "增减")


def test_the_list_of_attachment_2_is_referred_to_only_when_it_holds_names(rules):
    # 市财政局 (D3) has its only item in Q1: the third quarter's 附件2 names it. Without D3 every
    # unit has an item in Q3, and the overview says so instead of pointing at an empty list.
    with_zero = engine.score(fixture_dataset(), rules, 2023, 3)
    assert any("（名单见附件2）" in t for t in _text(with_zero))
    units = [u for u in UNITS if u[0] != "D3"]
    data = make_dataset(
        units=[dict(unit_id=u, unit_name=n, category=c) for u, n, c in units],
        submissions=[dict(record_id=r, unit_id=u, column=c, level=lv, adopted_on=d)
                     for r, u, c, lv, d in SUBMISSIONS if u != "D3"],
        events=[dict(event_id=e, unit_id=u, date=d, type=t, note=n) for e, u, d, t, n in EVENTS],
        targets=[dict(unit_id=u, year=2023, column=c, target=t) for u, c, t in TARGETS])
    none = engine.score(data, rules, 2023, 3)
    text = _text(none)
    assert not any("附件2）" in t for t in text if not t.startswith(("附件", "　")))
    assert any("各单位本季度均有信息被录用" in t for t in text)
    paragraphs = [b for b in bulletin.section_blocks("zero", none, bulletin.issue(none)) for b in getattr(b, "blocks", ())
                  if isinstance(b, Paragraph)]
    assert [p.lines for p in paragraphs] == [("本季度所有单位均有信息被录用。",)]
