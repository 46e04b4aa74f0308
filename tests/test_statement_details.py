"""得分明细单 item by item and at the year end, from small datasets scored by the engine in-process
(no PDF is laid out here but one, for its size). Points from 附件 of the rules file: 要闻动态 溧阳市
0.5 / 常州市 5 / 江苏省 10; 在线访谈 溧阳市 10 / 常州市 20; late items × 0.5 (三(一)1)."""
from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook

from engine_support import event, item, items, m, run
from scoring.render import statements as RS
from scoring.report import statements as S


# ---- a first quarter, then an upgrade in the second ------------------------------------------------
def _items_data():
    # Z01 in Q1:
    #   UP   要闻动态 溧阳市 1月22日, 常州市 3月4日: one item, Q1 earns the highest level reached: 5.
    #   LATE 在线访谈 溧阳市 2月10日, 报送 2月8日 after its 计划 2月1日: late, 10 × 0.5 = 5.
    #   OLD  要闻动态 溧阳市 2022-12-01 and again 2月1日: earned in 2022, nothing this year (0).
    #   N000–N011 12 × 要闻动态 溧阳市 in March = 6 (under the 10 cap): the compact table.
    #   K = 5, I = 5 + 6 = 11 → 16.
    # Q2: UP reaches 江苏省 on 5月5日: 10 − 5 = 5 (the difference).
    return [
        item("UP", "Z01", "要闻动态", "溧阳市", "2023-01-22", title="春耕备耕有序推进"),
        item("UP", "Z01", "要闻动态", "常州市", "2023-03-04", title="春耕备耕有序推进"),
        item("UP", "Z01", "要闻动态", "江苏省", "2023-05-05", title="春耕备耕有序推进"),
        item("LATE", "Z01", "在线访谈", "溧阳市", "2023-02-10", title="在线访谈：营商环境",
             submitted_on="2023-02-08", due_on="2023-02-01"),
        item("OLD", "Z01", "要闻动态", "溧阳市", "2022-12-01", title="岁末走访"),
        item("OLD", "Z01", "要闻动态", "溧阳市", "2023-02-01", title="岁末走访"),
        *items("N", "Z01", "要闻动态", "溧阳市", "2023-03-15", 12, title="要闻"),
    ]


@pytest.fixture(scope="module")
def q2():
    return run(_items_data(), quarter=2)


def test_every_item_shows_its_record_id_each_adoption_and_the_dates_that_made_it_late(q2):
    st = S.statement_data(q2, "Z01", 1)
    by_ref = {i.ref: i for i in st.all_items}
    up, late, old = by_ref["UP"], by_ref["LATE"], by_ref["OLD"]
    # Seen from Q1: the 江苏省 adoption of May is not shown yet.
    assert up.adoptions == "溧阳市 1月22日 → 常州市 3月4日"
    assert (up.kind, up.level, up.points, up.title) == ("首次录用", "常州市", m(5), "春耕备耕有序推进")
    assert late.late == "报送 2月8日，计划 2月1日" and late.points == m(5) and late.base == "10"
    assert "三(一)1" in late.clause and "附件 序号1" in late.clause
    assert (late.submitted_on, late.due_on) == ("2023-02-08", "2023-02-01")
    assert old.points == 0 and old.style == "none" and "2022年已录用" in old.kind
    assert old.adoptions == "溧阳市 2022年12月1日 → 溧阳市 2月1日"
    # 12 plain 要闻动态 at 溧阳市 (≥ COMPACT_FROM) are listed in the compact table, each with its id.
    (lst,) = st.compact
    assert [i.ref for i in lst.items] == [f"N{i:03d}" for i in range(12)] and lst.points == m(6) and lst.cut == 0
    assert st.adopted == 14 and st.score == m(16) == sum(i.points for i in st.all_items)


def test_an_upgrade_is_listed_with_every_adoption_and_earns_the_difference(q2):
    st = S.statement_data(q2, "Z01", 2)
    (up,) = [i for i in st.items if i.ref == "UP"]
    assert up.adoptions == "溧阳市 1月22日 → 常州市 3月4日 → 江苏省 5月5日"
    assert up.kind == "升级（原常州市级，计差额）" and up.points == m(10) - m(5)


def test_the_statement_html_shows_ids_adoptions_and_late_dates_and_never_refers_to_ledger_csv(q2):
    html = RS.statement_html(q2, "Z01", 1)
    assert "溧阳市 1月22日 → 常州市 3月4日" in html and "报送 2月8日，计划 2月1日" in html
    assert "N011" in html and "LATE" in html
    assert "ledger" not in html and ".csv" not in html


def test_the_units_workbook_holds_the_same_item_rows_and_is_named_with_the_unit_id(q2):
    st = S.statement_data(q2, "Z01", 1)
    ws = load_workbook(io.BytesIO(RS.unit_workbook(st))).active
    rows = list(ws.iter_rows(values_only=True))
    assert "Z01" in rows[0][0] and rows[1] == S.ITEM_SHEET_HEADERS
    body = rows[2:-1]
    # UP, LATE, OLD and the 12 compact items: 15 rows; points 5 + 5 + 0 + 12 × 0.5 = 16.
    assert len(body) == 15 and sum(r[10] for r in body) == 16
    late = [r for r in body if r[0] == "LATE"][0]
    assert (late[7], late[8]) == ("2023-02-08", "2023-02-01")
    assert rows[-1][0] == "合计" and rows[-1][10] == 16


def test_a_title_that_looks_like_a_formula_stays_text_in_the_units_workbook():
    r = run([item("F1", "Z01", "在线访谈", "溧阳市", "2023-02-10", title='=HYPERLINK("http://x","点我")')], quarter=1)
    book = RS.unit_workbook(S.statement_data(r, "Z01"))
    ws = load_workbook(io.BytesIO(book)).active
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert '=HYPERLINK("http://x","点我")' in [c.value for c in cells]
    assert RS.statement_filename("Z01", "昆仑街道", ".xlsx") == "Z01-昆仑街道.xlsx"


# ---- the year end -----------------------------------------------------------------------------------
def _year_data():
    subs = []
    # D01 市公安局: 5 要闻动态 at 江苏省 (solicited by default), two in Q1 and one each in Q2–Q4:
    # Q1 20, Q2 10, Q3 10, Q4 10; target 要闻动态 5, all on time → reward: Q4 counts 25 (+15).
    # Total 20 + 10 + 10 + 25 = 65, rank 1 of 市级机关部门 → 优胜单位 (6 per category).
    for i, day in enumerate(["2023-01-10", "2023-02-10", "2023-05-10", "2023-08-10", "2023-11-10"]):
        subs.append(item(f"D01-{i}", "D01", "要闻动态", "江苏省", day))
    # D02 市司法局: 4 at 江苏省, one a quarter: 10 each, total 40, rank 2 (winner too), no reward:
    # 4 solicited adoptions, one short of 5.
    for i, day in enumerate(["2023-01-11", "2023-05-11", "2023-08-11", "2023-11-11"]):
        subs.append(item(f"D02-{i}", "D02", "要闻动态", "江苏省", day))
    # Z01 昆仑街道: Q4 two 在线访谈 at 常州市 = 40 → 25, 15 over the cap (carry_out 15: 年末清零);
    # a quarter veto in Q2 with its 说明.
    subs += [item("Z01-A", "Z01", "在线访谈", "常州市", "2023-10-10"),
             item("Z01-B", "Z01", "在线访谈", "常州市", "2023-11-10")]
    # Q01 团市委: an item in Q4 (在线访谈 溧阳市 10) and 涉密信息上网 in Q3 → the year vetoed.
    subs.append(item("Q01-A", "Q01", "在线访谈", "溧阳市", "2023-10-12"))
    events = [event("V1", "Z01", "2023-05-10", "veto_quarter", note="首页栏目长期未更新被省通报"),
              event("V2", "Q01", "2023-08-08", "veto_classified", note="涉密文件上网")]
    targets = [{"unit_id": "D01", "year": 2023, "column": "要闻动态", "target": 5}]
    return subs, events, targets


@pytest.fixture(scope="module")
def q4():
    subs, events, targets = _year_data()
    return run(subs, events, targets, quarter=4)


def test_a_rewarded_winner_is_told_why_in_words(q4):
    st = S.statement_data(q4, "D01")
    y = st.year_end
    assert y.reward and "获得年度奖励" in y.reward_text and "5 条" in y.reward_text
    assert [c.met for c in y.conditions] == [True, True, True]
    assert y.conditions[0].detail == "要闻动态目标 5 条，按时完成 5 条（达到）"
    assert y.conditions[1].detail == "全年 5 条"
    assert (y.total, y.rank, y.winner) == (m(65), 1, True) and "优胜单位" in y.winner_text
    steps = {s.label: s for s in st.steps}
    assert steps["奖励"].points == m(15) and "获得年度奖励" in steps["奖励"].note


def test_a_unit_one_solicited_adoption_short_is_told_it_has_no_reward_and_why(q4):
    y = S.statement_data(q4, "D02").year_end
    assert not y.reward
    assert y.reward_text == "未获得年度奖励（三(一)2）：省政府网站录用约稿信息 4 条，不足5条"
    assert [c.met for c in y.conditions] == [True, False, True]
    assert (y.total, y.rank, y.winner) == (m(40), 2, True)


def test_q4_carry_is_shown_as_cleared_at_year_end_while_the_result_keeps_it(q4):
    st = S.statement_data(q4, "Z01")
    assert int(q4.unit_quarter("Z01", 4)["carry_out"]) == m(15)      # 40 − 25, as computed
    step = {s.label: s for s in st.steps}["超出封顶的重点栏目得分"]
    assert step.points == m(15) and "年末清零" in step.note and not step.moves
    assert "其中结转下季度" not in {s.label for s in st.steps}
    assert "年末清零" in st.year_end.carry_text


def test_a_quarter_veto_shows_its_note_where_it_happened_and_again_at_the_year_end(q4):
    q2 = S.statement_data(q4, "Z01", 2)
    veto = {s.label: s for s in q2.steps}["一票否决"]
    assert "首页栏目长期未更新被省通报" in veto.note
    (ev,) = q2.events
    assert ev.veto and ev.note == "首页栏目长期未更新被省通报" and ev.clause == "三(二)2(1)"
    y = S.statement_data(q4, "Z01").year_end
    assert len(y.vetoes) == 1 and y.vetoes[0].startswith("第二季度一票否决")
    assert "首页栏目长期未更新被省通报" in y.vetoes[0]
    assert not y.conditions[2].met and "全年有一票否决" in y.reward_text


def test_an_annual_veto_shows_its_note_in_the_quarter_and_in_the_year_end_part(q4):
    st = S.statement_data(q4, "Q01")
    assert "涉密文件上网" in {s.label: s for s in st.steps}["一票否决"].note
    (ev,) = st.events
    assert ev.note == "涉密文件上网" and ev.clause == "三(二)2(3)"
    assert st.year_end.vetoes[0].startswith("年度一票否决") and "涉密文件上网" in st.year_end.vetoes[0]
    # 全年得分归零 → total 0, never a winner.
    assert st.year_end.total == 0 and not st.year_end.winner and "全年累计得分为0" in st.year_end.winner_text


def test_the_year_end_names_the_units_excellent_informant_or_says_it_is_barred():
    # 刘洋 of D01: 在线访谈 常州市 20 → rank 1, excellent (10 named). 王敏 of Z01: 在线访谈 溧阳市 10,
    # but Z01 has 涉密信息上网 in August → not eligible, said in words.
    subs = [item("A", "D01", "在线访谈", "常州市", "2023-02-01"), item("B", "Z01", "在线访谈", "溧阳市", "2023-02-01")]
    r = run(subs, [event("S", "Z01", "2023-08-01", "veto_classified")], quarter=4)
    assert S.statement_data(r, "D01").year_end.informants_text == \
        "本单位信息员刘洋（全年信息得分 20 分，第 1 名）评为2023年度优秀信息员（五）。"
    assert "不参加优秀信息员评选" in S.statement_data(r, "Z01").year_end.informants_text


def test_a_statement_pdf_embeds_only_its_own_characters_and_stays_under_100_kb(q4, tmp_path):
    from fontTools.ttLib import TTFont
    from pypdf import PdfReader

    from scoring.render.html import text_of
    from scoring.render.pdf import pdf_fonts

    one = type(q4)(**{**q4.__dict__, "units": q4.units[q4.units["unit_id"] == "D01"]})
    pdf, _zip = RS.render_all(one, tmp_path, progress=False, workers=1)
    assert pdf.stat().st_size <= 100_000
    # One face (the statement's tables use the serif face too), embedded and subset.
    assert {name.split("+", 1)[1] for name, emb in pdf_fonts(pdf) if emb} == {"NotoSerifCJKsc"}
    # The font was cut to the statement's characters before WeasyPrint kept its glyph ids: it holds
    # no more glyphs than the statement has distinct characters (+ .notdef, page-number digits and
    # dashes of the page CSS), where the whole Noto font would keep 65 535.
    shown = set(text_of(RS.statement_html(one, "D01")))
    font = PdfReader(str(pdf)).pages[0]["/Resources"]["/Font"]
    glyphs = set()
    for ref in font.values():
        for d in ref.get_object()["/DescendantFonts"]:
            data = d.get_object()["/FontDescriptor"]["/FontFile3"].get_object().get_data()
            glyphs.add(len(TTFont(io.BytesIO(data)).getGlyphOrder()))
    assert glyphs and max(glyphs) <= len(shown) + 20


def test_no_statement_leaves_its_signature_alone_on_a_page_or_breaks_a_header_or_a_number(q4, tmp_path):
    from pypdf import PdfReader

    issuer, date = q4.rules.meta.issuer, "2024年1月10日"
    headers = ["稿件编号", "录用情况", "计分方式", "依据条款", "年度目标", "其中按时", "奖励条件", "是否达到"]
    for pdf in RS.render_all(q4, tmp_path, progress=False, workers=1)[:-1]:
        pages = [page.extract_text() for page in PdfReader(str(pdf)).pages]
        lines = [[l.strip() for l in text.splitlines() if l.strip()] for text in pages]
        # The last page holds more than the 落款 (issuer, date) and the page number 「— n —」.
        body = [l for l in lines[-1] if l not in (issuer, date) and not re.fullmatch(r"—\s*\d+\s*—", l)]
        assert body, f"{pdf.name}: its last page holds only the signature"
        text = "\n".join(l for page in lines for l in page)
        for header in headers:
            broken = [header[:k] + "\n" + header[k:] for k in range(1, len(header))]
            assert not [b for b in broken if b in text], f"{pdf.name}: 「{header}」 broken across lines"
        # A point figure never wraps: no line ends in a sign or a decimal point.
        assert not [l for l in text.splitlines() if re.search(r"[+\-−.]$", l)], pdf.name


def test_a_list_marker_nobody_typed_is_drawn_with_the_bundled_font(tmp_path):
    # WeasyPrint draws 「•」 for a plain <ul> (list-style-type: disc) though no text or CSS holds it:
    # the fonts cut to the document's characters must hold it, or it falls back to a system font.
    from scoring.render.pdf import html_to_pdf, pdf_fonts

    out = tmp_path / "list.pdf"
    html_to_pdf("<html><body><ul><li>要闻动态</li></ul></body></html>", out)     # with the page CSS
    assert {name.split("+", 1)[1] for name, _ in pdf_fonts(out)} <= {"NotoSerifCJKsc", "NotoSansCJKsc"}


def test_a_quarter_veto_of_a_unit_vetoed_for_the_year_is_still_named_at_the_year_end():
    # Q01: 涉密信息上网 in August (the year vetoed) and a quarter veto in May: both are said.
    subs = [item("Q01-A", "Q01", "在线访谈", "溧阳市", "2023-10-12")]
    events = [event("V1", "Q01", "2023-05-10", "veto_quarter", note="栏目长期未更新"),
              event("V2", "Q01", "2023-08-08", "veto_classified", note="涉密文件上网")]
    y = S.statement_data(run(subs, events, quarter=4), "Q01").year_end
    assert [v.split("：")[0] if "：" in v else v for v in y.vetoes] == ["年度一票否决", "第二季度另有季度一票否决（已随全年归零）"]
