"""The bulletin's content (scoring.bulletin) on a small hand-worked fixture, scored by the engine.

Fixture, year 2023 (points from 附件 of params/rules/liyang-2023-draft.yaml):
  镇区街道  昆仑街道 Q3 在线访谈+新闻发布会+专题专栏 at 溧阳市 = 10+10+10 = 30 → 计入 25 (R7), 结转 5 (R8)
            溧城街道 Q3 在线访谈 10 + 调查问卷 8 = 18;  古县街道 Q3 专题专栏 10 + 意见征集 8 = 18
            南渡镇 S2 要闻动态 溧阳市 in June (Q2 0.5), 常州市 in July (Q3 5 − 0.5 = 4.5, R2),
                   3 more 要闻动态 at 溧阳市 in Q3 (1.5) → Q3 6, YTD 6.5
            → Q3 ranks 1, 2, 2, 4 (R15)
  市级机关部门 市司法局 在线访谈 常州市 20, content_error 10 → 10 (R9)
            市农业农村局 3 × 要闻动态 常州市 (15) + 重点领域 江苏省 (10) = 25
            市财政局 要闻动态 溧阳市 in Q1 only → nothing in Q3 (零录用)
  群团      团市委 在线访谈 10 and a quarter veto → 0 (R10);  市妇联 0.5 − 2 → 0, floored (R9)
Q3 adoptions by level: 溧阳市 12, 常州市 5 (S2's upgrade counts at 常州市), 江苏省 1 = 18; Q2: 1 → +17.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.report import bulletin
from scoring.inputs.dataset import make_dataset

ROOT = Path(__file__).resolve().parent.parent
from scoring.method import engine

UNITS = [("Z1", "昆仑街道", "镇区街道"), ("Z2", "溧城街道", "镇区街道"), ("Z3", "古县街道", "镇区街道"),
         ("Z4", "南渡镇", "镇区街道"), ("D1", "市司法局", "市级机关部门"), ("D2", "市农业农村局", "市级机关部门"),
         ("D3", "市财政局", "市级机关部门"), ("G1", "团市委", "群团"), ("G2", "市妇联", "群团")]
SUBMISSIONS = [
    ("S1", "D3", "要闻动态", "溧阳市", "2023-02-10"), ("S2", "Z4", "要闻动态", "溧阳市", "2023-06-20"),
    ("S3", "Z1", "在线访谈", "溧阳市", "2023-07-05"), ("S4", "Z1", "新闻发布会", "溧阳市", "2023-08-01"),
    ("S5", "Z1", "专题专栏", "溧阳市", "2023-09-01"), ("S6", "Z2", "在线访谈", "溧阳市", "2023-07-06"),
    ("S7", "Z2", "调查问卷", "溧阳市", "2023-07-07"), ("S8", "Z3", "专题专栏", "溧阳市", "2023-07-08"),
    ("S9", "Z3", "意见征集", "溧阳市", "2023-07-09"), ("S2", "Z4", "要闻动态", "常州市", "2023-07-10"),
    ("S10", "Z4", "要闻动态", "溧阳市", "2023-07-11"), ("S11", "Z4", "要闻动态", "溧阳市", "2023-07-12"),
    ("S12", "Z4", "要闻动态", "溧阳市", "2023-07-13"), ("S13", "D1", "在线访谈", "常州市", "2023-07-20"),
    ("S14", "D2", "要闻动态", "常州市", "2023-07-21"), ("S15", "D2", "要闻动态", "常州市", "2023-07-22"),
    ("S16", "D2", "要闻动态", "常州市", "2023-07-23"), ("S17", "D2", "重点领域", "江苏省", "2023-07-24"),
    ("S18", "G1", "在线访谈", "溧阳市", "2023-07-25"), ("S19", "G2", "要闻动态", "溧阳市", "2023-07-26"),
]
EVENTS = [("E1", "D1", "2023-08-15", "content_error", "信息中出现错别字"),
          ("E2", "G1", "2023-09-10", "veto_quarter", "首页栏目长期未更新被省通报"),
          ("E3", "G2", "2023-07-03", "no_informant", "")]
TARGETS = [("Z4", "要闻动态", 20), ("Z4", "在线访谈", 2), ("Z1", "在线访谈", 1)]


def fixture_dataset(units=UNITS, targets=TARGETS, events=EVENTS):
    return make_dataset(
        units=[dict(unit_id=u, unit_name=n, category=c) for u, n, c in units],
        submissions=[dict(record_id=r, unit_id=u, column=c, level=lv, adopted_on=d) for r, u, c, lv, d in SUBMISSIONS],
        events=[dict(event_id=e, unit_id=u, date=d, type=t, note=n) for e, u, d, t, n in events],
        targets=[dict(unit_id=u, year=2023, column=c, target=t) for u, c, t in targets])


@pytest.fixture(scope="module")
def q3(rules):
    return engine.score(fixture_dataset(), rules, 2023, 3)


@pytest.fixture(scope="module")
def q4(rules):
    return engine.score(fixture_dataset(), rules, 2023, 4)


@pytest.fixture(scope="module")
def q1(rules):
    return engine.score(fixture_dataset(), rules, 2023, 1)


def rows_of(html: str, caption: str) -> list[tuple[str, list[str]]]:
    """(tr class, cell texts) of the table whose caption contains ``caption``."""
    m = re.search(r"<table[^>]*><caption>[^<]*" + re.escape(caption) + r".*?</table>", html, re.S)
    assert m, f"no table captioned {caption!r}"
    body = m.group(0).split("<tbody>", 1)[1]
    out = []
    for cls, tr in re.findall(r'<tr(?: class="([^"]*)")?>(.*?)</tr>', body, re.S):
        out.append((cls, [re.sub(r"<[^>]+>", "", td) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]))
    return out


# ---- title block ---------------------------------------------------------------------------------
def test_the_title_names_the_year_and_the_quarter_in_chinese(q3):
    html = bulletin.section_title(q3, "3", "2023-10-10", "溧大数〔2023〕25号")
    assert "溧阳市人民政府门户网站内容保障2023年第三季度通报" in html
    assert "《溧阳市人民政府门户网站内容保障2023年第三季度通报》" not in html  # a title stands bare
    assert '<h1 class="doc-title">' in html
    assert "第3期" in html and "溧大数〔2023〕25号" in html
    assert "2023年10月10日" in html            # the parameter, not today
    assert "根据《溧阳市人民政府门户网站内容保障考评办法》，现将2023年第三季度各单位门户网站内容保障情况通报如下。" in html


def test_the_number_line_has_no_document_number_when_none_is_given(q3):
    html = bulletin.section_title(q3, "3", "2023-10-10", "")
    assert re.search(r'<p class="doc-number">第3期</p>', html)


# ---- 一、总体情况 ---------------------------------------------------------------------------------
def test_the_overview_counts_adoptions_by_level_with_an_upgrade_at_its_new_level(q3):
    n = bulletin.numbering(q3)
    html = bulletin.section_overview(q3, n)
    levels = {r[1][0]: r[1][1:] for r in rows_of(html, "分级别录用情况")}
    # 溧阳市 12 (S3–S12 without S2, S18, S19) vs Q2 1 (S2); 常州市 5 incl. S2's upgrade; 江苏省 1.
    assert levels["溧阳市"] == ["12", "1", "+11"]
    assert levels["常州市"] == ["5", "0", "+5"]
    assert levels["江苏省"] == ["1", "0", "+1"]
    assert levels["合计"] == ["18", "1", "+17"]


def test_the_first_quarter_shows_a_dash_where_there_is_no_earlier_quarter(q1):
    html = bulletin.section_overview(q1, bulletin.numbering(q1))
    total = dict((r[1][0], r[1][1:]) for r in rows_of(html, "分级别录用情况"))["合计"]
    assert total == ["1", "—", "—"]          # Q1: only S1


def test_the_overview_counts_units_at_the_cap_and_units_that_earned_nothing(q3):
    html = bulletin.section_overview(q3, bulletin.numbering(q3))
    # 昆仑街道 and 市农业农村局 reach 25; 市财政局 has no adoption in Q3.
    assert "2 个单位本季得分达到封顶 25 分" in html
    assert "1 个单位本季度无信息被录用" in html


# ---- 二、得分排名 ---------------------------------------------------------------------------------
def test_tied_units_share_a_rank_and_the_next_rank_skips(q3):
    html = bulletin.section_ranking(q3, bulletin.numbering(q3))
    rows = rows_of(html, "镇(区、街道)得分排名")
    assert [(r[1][0], r[1][1]) for r in rows][0] == ("1", "昆仑街道")
    assert [r[1][0] for r in rows] == ["1", "2", "2", "4"]
    assert rows[3][1][1:] == ["南渡镇", "0", "6", "0", "6", "0", "0", "6", "6.5"]


def test_the_cap_in_the_header_comes_from_the_rules(q3, rules):
    variant = rules.model_copy(update={"caps": rules.caps.model_copy(
        update={"quarter": rules.caps.quarter.model_copy(update={"value": 30})})})
    r = engine.score(fixture_dataset(), variant, 2023, 3)
    assert "计入得分(封顶30)" in bulletin.section_ranking(r, bulletin.numbering(r))
    assert "计入得分(封顶25)" in bulletin.section_ranking(q3, bulletin.numbering(q3))


def test_the_columns_add_up_unless_the_row_is_marked(q3):
    html = bulletin.section_ranking(q3, bulletin.numbering(q3))
    marked = {}
    for cat in ("镇(区、街道)", "市级机关部门", "群团"):
        for cls, cells in rows_of(html, f"{cat}得分排名"):
            gross, deductions, score = cells[5], cells[7], cells[8]
            if cls:
                marked[cells[1]] = (cls, score)
            else:
                assert float(gross) - float(deductions) == float(score), cells
    # 团市委: 10 − 0 but vetoed → 0 (R10); 市妇联: 0.5 − 2 floored at 0 (R9).
    assert marked == {"团市委": ("veto", "0▲"), "市妇联": ("floored", "0※")}
    assert "▲ 一票否决" in html and "※ 扣完为止" in html


def test_each_category_table_is_followed_by_its_chart(q3):
    charts = {"镇区街道": "<svg>Z</svg>", "市级机关部门": "<svg>D</svg>", "群团": "<svg>G</svg>"}
    html = bulletin.section_ranking(q3, bulletin.numbering(q3), charts)
    z_table = html.index("镇(区、街道)得分排名")
    assert z_table < html.index("<svg>Z</svg>") < html.index("市级机关部门得分排名")
    assert html.count('<figure class="chart">') == 3


# ---- 三、被上级采用情况 -----------------------------------------------------------------------------
def test_superior_adoptions_are_counted_per_unit_and_level(q3):
    html = bulletin.section_superior(q3, bulletin.numbering(q3))
    assert "市农业农村局（常州市 3 条、江苏省 1 条）" in html
    assert "市司法局（常州市 1 条）" in html
    assert "南渡镇（常州市 1 条）" in html       # the upgrade of S2
    assert "昆仑街道" not in html


# ---- 四、存在问题 ---------------------------------------------------------------------------------
def test_a_deduction_is_phrased_as_real_bulletins_phrase_it(q3):
    html = bulletin.section_problems(q3, bulletin.numbering(q3))
    assert "<li>市司法局：内容不准确被常州通报 1 次，扣 10 分（2023年8月15日，信息中出现错别字）</li>" in html
    assert "<li>市妇联：未明确信息报送工作人员 1 次，扣 2 分（2023年7月3日）</li>" in html


def test_a_veto_stands_out(q3):
    html = bulletin.section_problems(q3, bulletin.numbering(q3))
    veto = re.findall(r'<li class="veto">(.*?)</li>', html)
    assert len(veto) == 1 and veto[0].startswith("团市委：严重错误或更新不及时被省级以上部门通报，一票否决")


def test_an_unmet_target_appears_as_an_annual_veto_in_the_fourth_quarter(q4):
    html = bulletin.section_problems(q4, bulletin.numbering(q4))
    # 南渡镇: 要闻动态 4 of 20, 在线访谈 0 of 2 → the whole year zeroed (R11, R12).
    assert re.search(r'<li class="veto">南渡镇：未完成年度目标任务[^<]*归零', html)


# ---- 五、目标任务完成进度 / 年度考核结果 ----------------------------------------------------------------
def test_progress_flags_a_unit_behind_the_quarterly_pace(q3):
    html = bulletin.section_progress(q3, bulletin.numbering(q3))
    rows = {cells[0]: cells[1:] for _, cells in rows_of(html, "年度目标任务完成进度")}
    # Columns in the rules' order: 在线访谈, 要闻动态. 南渡镇 4/20 < 20 × 3/4 = 15 → lagging.
    assert rows["南渡镇"] == ["0/2", "4/20", "进度滞后"]
    assert rows["昆仑街道"] == ["1/1", "—", "正常"]
    assert '<span class="lagging">进度滞后</span>' in html


def test_year_end_sections_appear_only_in_the_fourth_quarter(q3, q4):
    n3, n4 = bulletin.numbering(q3), bulletin.numbering(q4)
    assert "annual" not in n3 and bulletin.section_annual(q3, n3) == ""
    assert "progress" in n3 and "progress" not in n4
    assert n4["annual"] == "五"
    html = bulletin.section_annual(q4, n4)
    assert "<h2>五、年度考核结果</h2>" in html
    assert "优胜单位" in html and "优秀信息员" in html
    assert re.search(r'<li class="veto">南渡镇：未完成年度目标任务', html)


def test_section_numbers_stay_consecutive_when_optional_sections_are_absent(rules):
    no_targets = engine.score(fixture_dataset(targets=[]), rules, 2023, 3)
    n = bulletin.numbering(no_targets, next_steps="下季度加强信息报送。")
    assert list(n.values()) == ["一", "二", "三", "四", "五"]
    assert n["next_steps"] == "五"
    assert bulletin.section_next_steps(no_targets, n, "下季度加强信息报送。").startswith("<h2>五、下一步工作要求</h2>")
    assert bulletin.section_progress(no_targets, n) == ""
    assert bulletin.section_next_steps(no_targets, bulletin.numbering(no_targets), "") == ""


def test_next_steps_keep_their_paragraphs(q3):
    n = bulletin.numbering(q3, "一是加强报送。\n\n二是按时更新。")
    html = bulletin.section_next_steps(q3, n, "一是加强报送。\n\n二是按时更新。")
    assert html == "<h2>六、下一步工作要求</h2><p>一是加强报送。</p><p>二是按时更新。</p>"


# ---- 说明, 附件, 落款 -------------------------------------------------------------------------------
def test_the_notes_follow_the_rules_deduction_order(q3, rules):
    assert "扣分在封顶之后扣减" in bulletin.section_notes(q3)
    before = rules.model_copy(update={"deductions": rules.deductions.model_copy(update={"order": "before_cap"})})
    r = engine.score(fixture_dataset(), before, 2023, 3)
    notes = bulletin.section_notes(r)
    assert "扣分在封顶之前扣减" in notes and "扣分在封顶之后扣减" not in notes
    assert notes.startswith('<div class="notes">')


def test_the_zero_adoption_list_names_the_units_that_earned_nothing(q3):
    html = bulletin.attachment_zero(q3)
    assert html.startswith('<section class="attachment"><h2>附件2</h2>')
    names = [cells[1] for _, cells in rows_of(html, "零录用单位")]
    assert names == ["市财政局"]


def test_the_score_attachment_lists_every_unit(q3):
    html = bulletin.attachment_scores(q3)
    assert html.startswith('<section class="attachment"><h2>附件1</h2>')
    rows = rows_of(html, "全部单位得分明细")
    assert sorted(cells[1] for _, cells in rows) == sorted(n for _, n, _ in UNITS)
    nandu = next(cells for _, cells in rows if cells[1] == "南渡镇")
    assert nandu[3:7] == ["0", "0.5", "6", "6.5"]      # Q1, Q2, Q3, YTD


def test_the_signature_and_copy_to(q3):
    sig = bulletin.signature(q3, "2023-10-10", "溧阳市大数据管理局")
    assert sig == '<div class="signature"><p>溧阳市大数据管理局</p><p>2023年10月10日</p></div>'
    assert bulletin.copy_to("") == ""
    assert bulletin.copy_to("市政府办公室") == '<p class="cc">抄送：市政府办公室。</p>'


# ---- hostile input -------------------------------------------------------------------------------
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(1)">'


def test_hostile_text_is_escaped_everywhere(rules):
    units = [(u, SCRIPT if u == "D1" else (IMG if u == "G1" else n), c) for u, n, c in UNITS]
    events = [(e, u, d, t, IMG if e == "E1" else note) for e, u, d, t, note in EVENTS]
    r = engine.score(fixture_dataset(units=units, events=events), rules, 2023, 3)
    n = bulletin.numbering(r, SCRIPT)
    html = "".join([
        bulletin.section_title(r, SCRIPT, "2023-10-10", IMG, SCRIPT),
        bulletin.section_overview(r, n), bulletin.section_ranking(r, n), bulletin.section_superior(r, n),
        bulletin.section_problems(r, n), bulletin.section_progress(r, n), bulletin.section_next_steps(r, n, SCRIPT),
        bulletin.section_notes(r), bulletin.attachment_scores(r), bulletin.attachment_zero(r),
        bulletin.signature(r, "2023-10-10", SCRIPT), bulletin.copy_to(IMG)])
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;：内容不准确被常州通报 1 次，扣 10 分" in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


@given(st.text(max_size=40))
def test_text_never_lets_markup_through(s):
    out = bulletin.text(s)
    assert "<" not in out and ">" not in out and '"' not in out


def test_a_glyph_the_fonts_lack_is_printed_as_the_placeholder():
    assert bulletin.text("南渡镇😀") == "南渡镇〓"


@pytest.mark.parametrize("n,zh", [(1, "一"), (4, "四"), (7, "七"), (10, "十"), (12, "十二"), (20, "二十")])
def test_numerals_are_chinese(n, zh):
    assert bulletin.numeral(n) == zh


# ---- the notebook --------------------------------------------------------------------------------
NOTEBOOK = ROOT / "notebooks" / "quarterly_bulletin.ipynb"
PARAMETERS = ["year", "quarter", "data_dir", "rules_file", "output_dir", "write_tables", "result_file", "issue_number",
              "issue_date", "doc_number", "cc", "next_steps", "issuer"]


def test_the_committed_notebook_has_no_outputs_and_no_execution_counts():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert code
    assert all(c["outputs"] == [] and c["execution_count"] is None for c in code)
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_the_notebook_parameters_are_exactly_the_documented_ones():
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    names = re.findall(r"^(\w+)\s*=", "".join(tagged[0]["source"]), re.M)
    assert names == PARAMETERS


@pytest.mark.slow
def test_the_notebook_runs_under_papermill_on_a_small_dataset(tmp_path):
    import papermill
    out = tmp_path / "out"
    executed = tmp_path / "bulletin.ipynb"
    papermill.execute_notebook(
        str(NOTEBOOK), str(executed), cwd=str(ROOT), progress_bar=False, kernel_name="python3",
        parameters=dict(year=2023, quarter=3, data_dir=str(ROOT / "tests" / "fixtures" / "bulletin"),
                        output_dir=str(out), issue_number="3", issue_date="2023-10-10",
                        next_steps="一是加强报送。\n\n二是按时更新。", cc="市政府办公室"))
    nb = json.loads(executed.read_text(encoding="utf-8"))
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "2023年第三季度通报" in html
    for h in ("一、总体情况", "二、得分排名", "三、被上级采用情况", "四、存在问题", "下一步工作要求", "附件1", "附件2"):
        assert h in html
    assert html.count('<img class="chart" data-chart="') == 8       # 3 rankings, 3 make-ups, adoptions, progress
    assert (out / "scores.csv").exists() and (out / "ledger.csv").exists() and (out / "scores.xlsx").exists()


def test_table_columns_get_widths_from_their_text_with_headers_on_up_to_two_lines():
    # 排名: header 2 em on two lines → 1, floor 2; cell "1" 0.55 → 2. 单位: header 1 em → 2;
    # cell 溧城街道 4 em → 4. 本季得分: header 4 em on two lines → 2; "25" 1.1 → 2.
    # Plus 1 em padding each: 3 + 5 + 3 = 11 em, well within 46.5 → shares 3/11, 5/11, 3/11.
    rows = ['<tr><td class="num">1</td><td>溧城街道</td><td class="num">25</td></tr>']
    assert bulletin.column_widths(["排名", "单位", "本季得分"], rows, {0, 2}) == [27.27, 45.45, 27.27]


def test_numbers_keep_their_width_when_a_long_name_would_need_more_than_the_page():
    # Numbers: 2 + 1 em each (6 em); the name column wants 60 + 1 em but gets 46.5 − 6 = 40.5 em
    # and wraps: shares 3/46.5 = 6.45 %, 40.5/46.5 = 87.1 %.
    rows = [f'<tr><td class="num">1</td><td>{"长" * 60}</td><td class="num">25</td></tr>']
    assert bulletin.column_widths(["排名", "单位", "得分"], rows, {0, 2}) == [6.45, 87.1, 6.45]


def test_full_width_tables_carry_their_column_widths_and_compact_ones_do_not():
    full = bulletin._table(["单位", "得分"], ['<tr><td>甲</td><td class="num">1</td></tr>'], numeric={1})
    compact = bulletin._table(["单位"], ["<tr><td>甲</td></tr>"], css="compact")
    assert full.count("<col ") == 2 and "<colgroup>" in full
    assert "<colgroup>" not in compact
