"""The bulletin's content (scoring.report.bulletin, its SECTIONS and templates) on a small
hand-worked fixture, scored by the engine.

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
By group: 重点栏目 S3–S9, S13, S18 = 9; 信息报送 S2, S10–S12, S14–S17, S19 = 9.
Units with an item adopted above 溧阳市: 市农业农村局 (常州市 3, 江苏省 1), 南渡镇 (常州市 1, S2),
市司法局 (常州市 1) → 3 units, 常州市 5, 江苏省 1; equal totals in register order (南渡镇 before 市司法局).
Deductions: 市司法局 10 + 市妇联 2 = 12 over 3 units with 团市委's veto; 1 veto.
Targets: 昆仑街道 在线访谈 1/1; 南渡镇 在线访谈 0/2, 要闻动态 4/20 < 20 × 3/4 → 2 units, 1 lagging.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import openpyxl
import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from scoring.inputs.dataset import make_dataset
from scoring.method import engine
from scoring.method.calendar import numeral
from scoring.render.html import notebook_to_html
from scoring.report import bulletin, page, sections
from scoring.report.charts import Chart, ChartRef
from scoring.report.sections import Box, Figure, Heading, Items, Paragraph, Table

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "scoring" / "report" / "templates" / "bulletin"

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
PARAMS = dict(issue_number="3", issue_date="2023-10-10", doc_number="溧大数〔2023〕25号", cc="市政府办公室",
              next_steps="一是加强报送。\n\n二是按时更新。")


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


def stand_in(result, ref: ChartRef) -> str:
    """A chart's <img> without drawing it (the charts have tests of their own)."""
    return f'<img class="chart" data-chart="{ref.key}" alt="">'


def bulletin_html(result, issue: bulletin.Issue, picture=stand_in) -> str:
    """bulletin.html as a run makes it (each section one display cell of a notebook, exported with
    the project's template), without a kernel; the charts are ``picture``'s stand-ins."""
    cells = []
    for section in bulletin.SECTIONS:
        fragment = bulletin.render_section(section.key, result, issue, picture=picture)
        if fragment:
            cell = new_code_cell("", execution_count=1)
            cell.outputs = [new_output("display_data", data={"text/html": fragment})]
            cells.append(cell)
    return notebook_to_html(nbformat.from_dict(new_notebook(cells=cells)), bulletin.bulletin_title(result),
                            date=issue.date.isoformat(), author=issue.issuer, embed=False)


def html(key: str, result, **params) -> str:
    issue = bulletin.issue(result, **{**PARAMS, **params})
    return bulletin.render_section(key, result, issue, picture=stand_in)


def whole(result, **params) -> str:
    return "".join(html(s.key, result, **params) for s in bulletin.SECTIONS)


def blocks(key: str, result, **params):
    return bulletin.section_blocks(key, result, bulletin.issue(result, **{**PARAMS, **params}))


def paragraphs(fragment: str) -> list[str]:
    """The text of each <p> (but a table's caption) and <li> of an HTML fragment, unescaped."""
    return [re.sub(r"<[^>]+>", "", m).replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')
            .replace("&#39;", "'").replace("&amp;", "&")
            for m in re.findall(r"<(?:p|li)\b(?![^>]*class=\"caption\")[^>]*>(.*?)</(?:p|li)>", fragment, re.S)]


def rows_of(fragment: str, caption: str) -> list[tuple[str, list[str]]]:
    """(tr class, cell texts) of the table whose caption contains ``caption``."""
    m = re.search(r'<p class="caption">[^<]*' + re.escape(caption) + r"[^<]*</p><table[^>]*>.*?</table>", fragment, re.S)
    assert m, f"no table captioned {caption!r}"
    body = m.group(0).split("<tbody>", 1)[1]
    out = []
    for cls, tr in re.findall(r'<tr(?: class="([^"]*)")?>(.*?)</tr>', body, re.S):
        out.append((cls, [re.sub(r"<[^>]+>", "", td) for td in re.findall(r"<td[^>]*>(.*?)</td>", tr, re.S)]))
    return out


# ---- every section, worked out by hand -----------------------------------------------------------
def test_every_section_of_the_third_quarter_says_what_was_worked_out_by_hand(q3):
    said = {s.key: paragraphs(html(s.key, q3)) for s in bulletin.SECTIONS}
    assert said["title"] == ["第3期　溧大数〔2023〕25号", "溧阳市大数据管理局　　2023年10月10日",
                             "根据《溧阳市人民政府门户网站内容保障考评办法》，现将2023年第三季度各单位门户网站内容保障情况通报如下。"]
    assert said["overview"] == [
        "2023年第三季度，各单位信息被录用并计分共 18 条（溧阳市 12 条、常州市 5 条、江苏省 1 条），较上季度增加 17 条；"
        "其中重点栏目 9 条、信息报送 9 条。被上级录用后升级的信息，按新的录用级别计入升级当季。",
        "全市共 9 个单位参加考评，其中 2 个单位本季得分达到封顶 25 分，1 个单位本季度无信息被录用（名单见附件2）。"]
    assert said["ranking"] == ["注：▲ 一票否决，本季得分计0分；※ 扣完为止，负分不计。"]       # 群团 only
    assert said["superior"] == ["本季度共有 3 个单位的信息被上级录用，被常州市录用 5 条，被江苏省录用 1 条。",
                                "市农业农村局（常州市 3 条、江苏省 1 条）；南渡镇（常州市 1 条）；市司法局（常州市 1 条）。"]
    assert said["problems"] == [
        "本季度共有 3 个单位存在扣分或一票否决事项，合计扣 12 分，一票否决 1 起，具体如下：",
        "团市委：严重错误或更新不及时被省级以上部门通报，一票否决，本季度得分计0分（2023年9月10日，首页栏目长期未更新被省通报）",
        "市妇联：未明确信息报送工作人员 1 次，扣 2 分（2023年7月3日）",
        "市司法局：内容不准确被常州通报 1 次，扣 10 分（2023年8月15日，信息中出现错别字）"]
    assert said["progress"] == ["截至2023年第三季度末，2 个有年度目标任务的单位中，1 个单位进度滞后"
                                "（某一栏目完成数低于全年目标按季度进度应完成数）。表中为“已完成/全年目标”（条）。"]
    assert said["annual"] == []
    assert said["next_steps"] == ["一是加强报送。", "二是按时更新。"]
    assert said["notes"][0].startswith("说明：本季度得满25分后继续完成重点栏目的，超出部分中只有重点栏目得分结转下一季度")
    assert "；要闻动态被溧阳市录用的得分每季度封顶10分，被更高级别录用的不受此限；超时提供内容保障的，得分乘以0.5；" in said["notes"][0]
    assert said["attachments"] == ["附件：1. 全部单位得分明细表", "　　　2. 零录用单位名单"]
    assert said["signature"] == ["溧阳市大数据管理局", "2023年10月10日"]
    assert said["scores"] == []
    assert said["zero"] == []
    assert said["cc"] == ["抄送：市政府办公室。", "溧阳市大数据管理局2023年10月10日印发"]


def test_the_headings_are_numbered_once_from_the_section_list(q3, q4):
    h3 = re.findall(r"<h2>(.*?)</h2>", whole(q3))
    assert h3 == ["一、总体情况", "二、得分排名", "三、被上级录用情况", "四、存在问题", "五、目标任务完成进度",
                  "六、下一步工作要求", "附件1", "附件2"]
    h4 = re.findall(r"<h2>(.*?)</h2>", whole(q4, next_steps=""))
    assert h4 == ["一、总体情况", "二、得分排名", "三、被上级录用情况", "四、存在问题", "五、年度考核结果", "附件1", "附件2"]


def test_the_notebook_has_one_cell_per_section_in_the_sections_order():
    nb = json.loads((ROOT / "notebooks" / "quarterly_bulletin.ipynb").read_text(encoding="utf-8"))
    calls = [m for c in nb["cells"] if c["cell_type"] == "code"
             for m in re.findall(r'render_section\("(\w+)"', "".join(c["source"]))]
    assert calls == [s.key for s in bulletin.SECTIONS]
    # Each section's cell follows a markdown cell saying what it shows, and holds that one call.
    cells = nb["cells"]
    for i, c in enumerate(cells):
        if "render_section" in "".join(c["source"]):
            assert "".join(c["source"]).count("\n") == 0
            assert cells[i - 1]["cell_type"] == "markdown" and "".join(cells[i - 1]["source"]).startswith("## ")


def test_every_section_has_its_template_and_every_template_a_section():
    assert {s.template for s in bulletin.SECTIONS} | {"blocks.html.j2"} == {p.name for p in TEMPLATES.glob("*.j2")}
    assert len({s.key for s in bulletin.SECTIONS}) == len(bulletin.SECTIONS)


# ---- title block ---------------------------------------------------------------------------------
def test_the_title_names_the_year_and_the_quarter_in_chinese(q3):
    fragment = html("title", q3)
    # Two lines, broken between the subject and the quarter, never inside 「第三季度」.
    assert '<h1 class="doc-title">溧阳市人民政府门户网站内容保障<br>2023年第三季度通报</h1>' in fragment
    assert "《溧阳市人民政府门户网站内容保障2023年第三季度通报》" not in fragment  # a title stands bare
    assert fragment.startswith('<div class="title-block">')


def test_the_number_line_has_no_document_number_when_none_is_given(q3):
    assert re.search(r'<p class="doc-number">第3期</p>', html("title", q3, doc_number=""))


def test_title_and_issuer_come_from_the_rules_meta_or_the_parameters(q3, rules):
    other = rules.model_copy(update={"meta": rules.meta.model_copy(
        update={"title": "某县人民政府网站信息报送考评办法", "subject": "某县人民政府网站信息报送",
                "topic": "网站信息报送", "issuer": "某县数据局"})})
    r = engine.score(fixture_dataset(), other, 2023, 3)
    said = paragraphs(html("title", r))
    assert "某县人民政府网站信息报送<br>2023年第三季度通报" in html("title", r)
    assert said[1].startswith("某县数据局") and said[2] == (
        "根据《某县人民政府网站信息报送考评办法》，现将2023年第三季度各单位网站信息报送情况通报如下。")
    assert paragraphs(html("signature", q3, issuer="市政府办公室"))[0] == "市政府办公室"


def test_no_literal_issuer_or_title_in_the_package_code_or_templates():
    files = [p for p in (ROOT / "scoring").rglob("*") if p.suffix in (".py", ".j2", ".css")
             and p.name not in ("__init__.py", "cli.py")]      # docstrings and the program's own description
    assert len(files) > 40
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert "溧阳市大数据管理局" not in text and "门户网站内容保障" not in text, path.name


# ---- 一、总体情况 ---------------------------------------------------------------------------------
def test_the_overview_counts_adoptions_by_level_with_an_upgrade_at_its_new_level(q3):
    levels = {r[1][0]: r[1][1:] for r in rows_of(html("overview", q3), "分级别录用情况")}
    # 溧阳市 12 (S3–S12 without S2, S18, S19) vs Q2 1 (S2); 常州市 5 incl. S2's upgrade; 江苏省 1.
    assert levels["溧阳市"] == ["12", "1", "+11"]
    assert levels["常州市"] == ["5", "0", "+5"]
    assert levels["江苏省"] == ["1", "0", "+1"]
    assert levels["合计"] == ["18", "1", "+17"]


def test_the_first_quarter_leaves_out_the_columns_of_the_quarter_before(q1):
    fragment = html("overview", q1)
    total = dict((r[1][0], r[1][1:]) for r in rows_of(fragment, "分级别录用情况"))["合计"]
    assert total == ["1"]          # Q1: only S1; no 上季度 column of 「—」, no 增减
    assert "上季度" not in fragment and "增减" not in fragment
    assert "共 1 条（溧阳市 1 条、常州市 0 条、江苏省 0 条）；" in fragment


def test_the_overview_chart_follows_its_tables(q3):
    fragment = html("overview", q3)
    assert fragment.index("分栏目录用情况") < fragment.index(ChartRef(Chart.ADOPTIONS).key)
    assert "<figcaption>图1　2023年第三季度分栏目、分级别录用情况</figcaption>" in fragment


# ---- 二、得分排名 ----------------------------------------------------------------------------------
def test_tied_units_share_a_rank_and_the_next_rank_skips(q3):
    rows = rows_of(html("ranking", q3), "镇（区、街道）得分排名")
    assert [(r[1][0], r[1][1]) for r in rows][0] == ("1", "昆仑街道")
    assert [r[1][0] for r in rows] == ["1", "2", "2", "4"]
    assert rows[3][1][1:] == ["南渡镇", "0", "6", "0", "6", "0", "0", "6", "6.5"]


def test_the_cap_in_the_header_comes_from_the_rules(q3, rules):
    variant = rules.model_copy(update={"caps": rules.caps.model_copy(
        update={"quarter": rules.caps.quarter.model_copy(update={"value": 30})})})
    r = engine.score(fixture_dataset(), variant, 2023, 3)
    assert "计入得分<br>（封顶30）" in html("ranking", r)
    assert "计入得分<br>（封顶25）" in html("ranking", q3)


def test_the_columns_add_up_unless_the_row_is_marked(q3):
    fragment = html("ranking", q3)
    marked = {}
    for cat in ("镇（区、街道）", "市级机关部门", "群团"):
        for cls, cells in rows_of(fragment, f"{cat}得分排名"):
            gross, deductions, score = cells[5], cells[7], cells[8]
            if cls:
                marked[cells[1]] = (cls, score)
            else:
                assert float(gross) - float(deductions) == float(score), cells
    # 团市委: 10 − 0 but vetoed → 0 (R10); 市妇联: 0.5 − 2 floored at 0 (R9).
    assert marked == {"团市委": ("veto", "0▲"), "市妇联": ("floored", "0※")}


def test_each_category_table_is_followed_by_its_chart_then_the_year_so_far(q3):
    fragment = html("ranking", q3)
    town = ChartRef(Chart.RANKING, "镇区街道").key
    assert fragment.index("镇（区、街道）得分排名") < fragment.index(town) < fragment.index("市级机关部门得分排名")
    assert fragment.count('<figure class="chart">') == 4
    assert fragment.endswith("<h3>（四）全年累计得分走势</h3><figure class=\"chart\">"
                             f'<img class="chart" data-chart="{ChartRef(Chart.PROGRESS).key}" alt="">'
                             "<figcaption>图5　各类别单位全年累计得分（第一季度至第三季度）</figcaption></figure>")


# ---- 三、被上级录用情况 -----------------------------------------------------------------------------
def test_superior_adoptions_are_counted_per_unit_and_level(q3):
    rows = rows_of(html("superior", q3), "被上级录用信息统计")
    assert [cells for _, cells in rows] == [["市农业农村局", "3", "1", "4"], ["南渡镇", "1", "0", "1"],
                                             ["市司法局", "1", "0", "1"]]


def test_a_quarter_without_superior_adoptions_says_so(q1):
    assert paragraphs(html("superior", q1)) == ["本季度各单位无信息被常州市、江苏省录用。"]


# ---- 四、存在问题 ----------------------------------------------------------------------------------
def test_a_veto_stands_out(q3):
    veto = re.findall(r'<li class="veto">(.*?)</li>', html("problems", q3))
    assert len(veto) == 1 and veto[0].startswith("团市委：严重错误或更新不及时被省级以上部门通报，一票否决")


def test_an_unmet_target_appears_as_an_annual_veto_in_the_fourth_quarter(q4):
    # 南渡镇: 要闻动态 4 of 20, 在线访谈 0 of 2 → the whole year zeroed (R11, R12).
    assert re.search(r'<li class="veto">南渡镇：未完成年度目标任务[^<]*归零', html("problems", q4))


# ---- 五、目标任务完成进度 / 年度考核结果 ----------------------------------------------------------------
def test_progress_flags_a_unit_behind_the_quarterly_pace(q3):
    fragment = html("progress", q3)
    rows = {cells[0]: cells[1:] for _, cells in rows_of(fragment, "年度目标任务完成进度")}
    # Columns in the rules' order: 在线访谈, 要闻动态. 南渡镇 4/20 < 20 × 3/4 = 15 → lagging.
    assert rows["南渡镇"] == ["0/2", "4/20", "进度滞后"]
    assert rows["昆仑街道"] == ["1/1", "—", "正常"]
    assert '<span class="lagging">进度滞后</span>' in fragment


def test_year_end_sections_appear_only_in_the_fourth_quarter(q3, q4):
    n3 = bulletin.numbering(q3, bulletin.issue(q3))
    n4 = bulletin.numbering(q4, bulletin.issue(q4))
    assert "annual" not in n3 and html("annual", q3) == ""
    assert "progress" in n3 and "progress" not in n4
    assert n4["annual"] == "五"
    fragment = html("annual", q4)
    assert fragment.startswith("<h2>五、年度考核结果</h2><h3>（一）年度得分与排名</h3>")
    # Q4 adds nothing but 昆仑街道's carry-in of 5: 昆仑街道 30, 溧城街道 18, 古县街道 18; 南渡镇 zeroed.
    assert "根据全年信息汇总分值，评选优胜单位：镇（区、街道） 3 个，昆仑街道、溧城街道、古县街道；" in fragment
    assert re.search(r'<li class="veto">南渡镇：未完成年度目标任务', fragment)
    assert "注：▲ 一票否决，本年度得分归零。" in fragment


def test_section_numbers_stay_consecutive_when_optional_sections_are_absent(rules):
    no_targets = engine.score(fixture_dataset(targets=[]), rules, 2023, 3)
    n = bulletin.numbering(no_targets, bulletin.issue(no_targets, next_steps="下季度加强信息报送。"))
    assert list(n.values()) == ["一", "二", "三", "四", "五"]
    assert n["next_steps"] == "五"
    assert html("next_steps", no_targets, next_steps="下季度加强信息报送。").startswith("<h2>五、下一步工作要求</h2>")
    assert html("progress", no_targets) == ""
    assert html("next_steps", no_targets, next_steps="") == ""
    # Without 抄送 the 版记 still says who issued it and when (GB/T 9704 7.4.2).
    assert html("cc", no_targets, cc="") == ('<div class="imprint"><p class="imprint"><span class="by">溧阳市大数据管理局'
                                             '</span><span class="on">2023年10月10日印发</span></p></div>')


def test_next_steps_keep_their_paragraphs_and_line_breaks(q3):
    assert html("next_steps", q3, next_steps="一是加强报送。\n\n二是按时更新；\n三是按时报送。") == (
        "<h2>六、下一步工作要求</h2><p>一是加强报送。</p><p>二是按时更新；<br>三是按时报送。</p>")


# ---- 说明, 附件, 落款 -------------------------------------------------------------------------------
def test_the_notes_follow_the_rules_deduction_order(q3, rules):
    assert "扣分在封顶之后扣减" in html("notes", q3)
    before = rules.model_copy(update={"deductions": rules.deductions.model_copy(update={"order": "before_cap"})})
    r = engine.score(fixture_dataset(), before, 2023, 3)
    notes = html("notes", r)
    assert "扣分在封顶之前扣减" in notes and "扣分在封顶之后扣减" not in notes
    assert notes.startswith('<div class="notes">')


def test_the_zero_adoption_list_names_the_units_that_earned_nothing(q3):
    fragment = html("zero", q3)
    assert fragment.startswith('<section class="attachment"><h2>附件2</h2><h3>2023年第三季度零录用单位名单</h3>')
    assert [cells[1] for _, cells in rows_of(fragment, "零录用单位（共 1 个）")] == ["市财政局"]


def test_the_score_attachment_lists_every_unit(q3):
    fragment = html("scores", q3)
    assert fragment.startswith('<section class="attachment"><h2>附件1</h2>')
    rows = rows_of(fragment, "全部单位得分明细")
    assert sorted(cells[1] for _, cells in rows) == sorted(n for _, n, _ in UNITS)
    nandu = next(cells for _, cells in rows if cells[1] == "南渡镇")
    assert nandu[3:7] == ["0", "0.5", "6", "6.5"]      # Q1, Q2, Q3, YTD
    assert fragment.count("<figure") == 3 and "附图3　群团本季得分构成" in fragment


def test_the_signature_and_copy_to(q3):
    assert html("signature", q3, issuer="溧阳市大数据管理局") == (
        '<div class="signature"><p>溧阳市大数据管理局</p><p>2023年10月10日</p></div>')
    assert html("cc", q3, cc="市政府办公室。").startswith('<div class="imprint"><p class="cc">抄送：市政府办公室。</p>')


# ---- the blocks the templates lay out -------------------------------------------------------------
def test_a_section_is_laid_out_as_blocks_that_every_copy_is_written_from(q3):
    title = blocks("title", q3)
    assert isinstance(title[0], Box) and title[0].name == "title-block"
    assert isinstance(title[0].blocks[0], Heading) and title[0].blocks[0].level == 1
    assert isinstance(title[1], Paragraph) and title[1].style == "opening"
    overview = blocks("overview", q3)
    assert [type(b) for b in overview] == [Heading, Paragraph, Paragraph, Table, Table, Figure]
    assert overview[3].caption == "表1　分级别录用情况" and overview[3].compact
    assert overview[5].chart == ChartRef(Chart.ADOPTIONS)
    problems = blocks("problems", q3)
    assert isinstance(problems[2], Items) and [i.veto for i in problems[2].items] == [True, False, False]


def test_the_document_is_every_present_section_in_order(q3):
    issue = bulletin.issue(q3, **PARAMS)
    assert bulletin.document(q3, issue) == [b for s in bulletin.SECTIONS for b in bulletin.section_blocks(s.key, q3, issue)]
    text = sections.text_of(bulletin.document(q3, issue))
    assert text[0] == "溧阳市人民政府门户网站内容保障\n2023年第三季度通报" and text[-2:] == [
        "抄送：市政府办公室。", "溧阳市大数据管理局\n2023年10月10日印发"]


# ---- hostile input -------------------------------------------------------------------------------
SCRIPT = "<script>alert(1)</script>"
IMG = '<img src=x onerror="alert(1)">'


def test_hostile_text_is_escaped_everywhere(rules):
    units = [(u, SCRIPT if u == "D1" else (IMG if u == "G1" else n), c) for u, n, c in UNITS]
    events = [(e, u, d, t, IMG if e == "E1" else note) for e, u, d, t, note in EVENTS]
    r = engine.score(fixture_dataset(units=units, events=events), rules, 2023, 3)
    fragment = whole(r, issue_number=SCRIPT, doc_number=IMG, next_steps=SCRIPT, issuer=SCRIPT, cc=IMG)
    assert "<script" not in fragment and "<img src=x" not in fragment
    assert "&lt;script&gt;alert(1)&lt;/script&gt;：内容不准确被常州通报 1 次，扣 10 分" in fragment
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in fragment
    assert f"{SCRIPT}：内容不准确被常州通报 1 次，扣 10 分（2023年8月15日，{IMG}）" in paragraphs(fragment)


def test_a_glyph_the_fonts_lack_is_printed_as_the_placeholder(rules):
    units = [(u, "南渡镇😀" if u == "Z4" else n, c) for u, n, c in UNITS]
    r = engine.score(fixture_dataset(units=units), rules, 2023, 3)
    assert "南渡镇〓（常州市 1 条）" in html("superior", r)
    assert "市政府办公室〓" in html("cc", r, cc="市政府办公室😀")


@pytest.mark.parametrize("n,zh", [(1, "一"), (4, "四"), (7, "七"), (10, "十"), (12, "十二"), (20, "二十")])
def test_numerals_are_chinese(n, zh):
    assert numeral(n) == zh


# ---- what the issue says of itself: 样例数据, 更正说明 -----------------------------------------------------
def test_output_of_sample_data_says_so_above_the_title_and_real_data_does_not(q3):
    assert paragraphs(html("title", q3, sample_data=True))[0] == "样例数据，非正式通报"
    assert "样例数据" not in html("title", q3) and "样例数据" not in whole(q3)


def test_the_correction_note_names_each_changed_unit_with_only_the_figures_that_differ(q3):
    # From changes.csv's rows: 昆仑街道's Q3 score and total moved (its rank did not), 溧城街道 is new in Q2.
    rows = [dict(unit_id="Z01", unit_name="昆仑街道", quarter="2023Q3", score_before="20", score_after="25",
                 ytd_before="40", ytd_after="45", rank_before="1", rank_after="1"),
            dict(unit_id="Z02", unit_name="溧城街道", quarter="2023Q2", score_before="", score_after="5",
                 ytd_before="", ytd_after="5", rank_before="", rank_after="2")]
    assert "更正说明" not in whole(q3)
    assert paragraphs(html("corrections", q3, corrections=rows)) == [
        "更正说明：本期通报对已发布的版本作如下更正："
        "昆仑街道2023年第三季度得分由20分更正为25分，全年累计得分由40分更正为45分；"
        "溧城街道2023年第二季度得分由无更正为5分，全年累计得分由无更正为5分，类别内排名由无更正为第2名。"]
    # It follows the title block and is not numbered: the first numbered section stays 一、.
    keys = [s.key for s in bulletin.present_sections(q3, bulletin.issue(q3, corrections=rows))]
    assert keys[:3] == ["title", "corrections", "overview"]
    assert "一、总体情况" in html("overview", q3, corrections=rows)


# ---- the notebook --------------------------------------------------------------------------------
NOTEBOOK = ROOT / "notebooks" / "quarterly_bulletin.ipynb"
PARAMETERS = ["year", "quarter", "data_dir", "rules_file", "output_dir", "write_tables", "result_file", "issue_number",
              "issue_date", "doc_number", "cc", "next_steps", "issuer", "sample_data", "corrections"]


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
def test_the_notebook_runs_under_papermill_on_a_small_dataset_and_prints_the_stamp_and_the_corrections_it_is_given(
        tmp_path):
    import papermill
    out = tmp_path / "out"
    executed = tmp_path / "bulletin.ipynb"
    # The two parameters the bulletin run sets itself (tests/test_publish.py reads what a run gave its
    # notebook): sample data, and a changes.csv row against the published version (溧城街道's Q3 score
    # 10.5 → 20.5, total 29 → 39, rank 2 unchanged, so not named).
    corrected = dict(unit_id="Z02", unit_name="溧城街道", quarter="2023Q3", score_before="10.5", score_after="20.5",
                     ytd_before="29", ytd_after="39", rank_before="2", rank_after="2")
    papermill.execute_notebook(
        str(NOTEBOOK), str(executed), cwd=str(ROOT), progress_bar=False, kernel_name="python3",
        parameters=dict(year=2023, quarter=3, data_dir=str(ROOT / "tests" / "fixtures" / "bulletin"),
                        output_dir=str(out), issue_number="3", issue_date="2023-10-10",
                        next_steps="一是加强报送。\n\n二是按时更新。", cc="市政府办公室",
                        sample_data=True, corrections=[corrected]))
    nb = json.loads(executed.read_text(encoding="utf-8"))
    shown = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb["cells"] for o in c.get("outputs", []))
    assert "2023年第三季度通报" in shown
    for h in ("一、总体情况", "二、得分排名", "三、被上级录用情况", "四、存在问题", "下一步工作要求", "附件1", "附件2"):
        assert h in shown
    assert shown.count('<img class="chart" data-chart="') == 8       # 3 rankings, 3 make-ups, adoptions, progress
    text = re.sub(r"\s+", "", re.sub(r"<[^>]+>", "", shown))
    said = "更正说明：本期通报对已发布的版本作如下更正：溧城街道2023年第三季度得分由10.5分更正为20.5分，全年累计得分由29分更正为39分。"
    assert text.startswith("样例数据，非正式通报")
    assert text.index("2023年第三季度通报") < text.index(said) < text.index("一、总体情况")
    assert (out / "scores.csv").exists() and (out / "ledger.csv").exists() and (out / "scores.xlsx").exists()
    assert "样例数据" in str(openpyxl.load_workbook(out / "scores.xlsx").worksheets[0]["A1"].value)


# ---- table layout ---------------------------------------------------------------------------------
def test_table_columns_get_widths_from_their_text_with_headers_broken_only_where_they_say():
    # 排名: header 2 em, floor 2; cell "1" 0.55 → 2. 单位: header 2 em; cell 溧城街道 4 em → 4.
    # 本季\n得分: two lines of 2 em → 2; "25" 1.1 → 2. Plus the cell padding, 2 × 1.6 mm of 9.5 pt
    # (3.351 mm) = 0.955 em: 2.955 + 4.955 + 2.955 = 10.865 em, well within the 156 mm = 46.55 em
    # → 27.2 %, 45.61 %, 27.2 %.
    assert page.TABLE_WIDTH_EM == pytest.approx(46.548, abs=1e-3)
    assert page.CELL_PADDING_EM == pytest.approx(0.955, abs=1e-3)
    assert sections.column_widths(["排名", "单位", "本季\n得分"], [["1", "溧城街道", "25"]], {0, 2}) == [27.2, 45.61, 27.2]
    # 本季得分 on one line needs its 4 em: 2.955 + 4.955 + 4.955 = 12.865 → 22.97 %, 38.52 %, 38.52 %.
    assert sections.column_widths(["排名", "单位", "本季得分"], [["1", "溧城街道", "25"]], {0, 2}) == [22.97, 38.52, 38.52]


def test_numbers_keep_their_width_when_a_long_name_would_need_more_than_the_page():
    # Numbers: 2 + 0.955 em each (5.91 em); the name column wants 60.955 em but gets
    # 46.548 − 5.91 = 40.64 em and wraps: shares 2.955 / 46.548 = 6.35 %, 40.64 / 46.548 = 87.3 %.
    assert sections.column_widths(["排名", "单位", "得分"], [["1", "长" * 60, "25"]], {0, 2}) == [6.35, 87.3, 6.35]


def test_full_width_tables_carry_their_column_widths_and_compact_ones_do_not(q3):
    ranking, superior = html("ranking", q3), html("superior", q3)
    assert ranking.count("<colgroup>") == 3 and ranking.count("<col ") == 30
    assert '<table class="compact">' in superior and "<colgroup>" not in superior
