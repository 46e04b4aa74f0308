"""The analyst's review page (核对清单, review.html): its content from small hand-made datasets,
worked out by hand, and the page it becomes. No bulletin run here (slow); the run's one call is
covered by the bulletin tests that run the pipeline."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pandas as pd
import pytest

from scoring import load_rules, make_dataset, score
from scoring.render.review import REVIEW, write_review
from scoring.report.review import review_html, review_page, veto_risk
from scoring.run.params import located_notes

XSS = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def rules():
    return load_rules()


def _sub(rid, unit, adopted, column="要闻动态", level="溧阳市", row=None, title=""):
    rec = {"record_id": rid, "unit_id": unit, "column": column, "level": level, "adopted_on": adopted,
           "title": title or f"稿件{rid}", "_file": "submissions.csv"}
    if row is not None:
        rec["_row"] = row
    return rec


@pytest.fixture(scope="module")
def data():
    # U1 甲镇, U2 乙镇, U4 (a hostile name) are 镇区街道; U3 丙局 is 市级机关部门 and has no informant.
    units = [{"unit_id": "U1", "unit_name": "甲镇", "category": "镇区街道", "informant": "张三"},
             {"unit_id": "U2", "unit_name": "乙镇", "category": "镇区街道", "informant": "李四"},
             {"unit_id": "U3", "unit_name": "丙局", "category": "市级机关部门", "informant": ""},
             {"unit_id": "U4", "unit_name": XSS, "category": "镇区街道", "informant": "王五"}]
    submissions = [
        _sub("S1", "U3", "2023-02-01", column="在线访谈", level="常州市", row=2),   # Q1: 20 points
        _sub("S2", "U1", "2023-05-10", row=3),                                      # Q2: 0.5
        _sub("S3", "U2", "2023-04-05", row=4),                                      # Q2: 0.5
        _sub("S4", "U2", "2023-06-30", row=5),                                      # Q2: 0.5
        _sub("S5", "U1", "2023-08-01", row=6, title="<img src=x onerror=alert(2)>"),  # Q3: after the quarter
    ]
    events = [{"event_id": "E1", "unit_id": "U3", "date": "2023-04-10", "type": "no_informant", "note": "未报名单",
               "_file": "events.csv", "_row": 2},
              {"event_id": "E2", "unit_id": "U1", "date": "2023-02-10", "type": "no_plan", "_file": "events.csv",
               "_row": 3}]
    targets = [{"unit_id": "U1", "year": 2023, "column": "要闻动态", "target": 4},
               {"unit_id": "U2", "year": 2023, "column": "要闻动态", "target": 4}]
    return make_dataset(units=units, submissions=submissions, events=events, targets=targets)


@pytest.fixture(scope="module")
def result(data, rules):
    return score(data, rules, 2023, 2)


@pytest.fixture(scope="module")
def page(result, data, rules):
    return review_page(result, data, notes=located_notes(data, rules, 2023, 2))


@pytest.fixture(scope="module")
def html(page):
    return review_html(page)


def test_the_veto_risk_rule_is_needed_more_than_done_times_days_left_over_days_gone(result):
    # As of 30 June 2023 (the end of Q2): days gone = 1 Jan–30 Jun inclusive = 31+28+31+30+31+30 = 181;
    # days left = 1 Jul–31 Dec = 31+31+30+31+30+31 = 184.
    # U1: target 4, done 1 (S5 is in Q3, not counted): needed 3 > 1 × 184/181 = 1.02 → at risk.
    # U2: target 4, done 2: needed 2 > 2 × 184/181 = 2.03? no → not at risk.
    risk = veto_risk(result)
    assert (risk.as_of, risk.days_gone, risk.days_left, risk.applies) == (dt.date(2023, 6, 30), 181, 184, True)
    assert [(k.unit_id, k.column, k.target, k.done, k.needed, k.pace) for k in risk.risks] == [
        ("U1", "要闻动态", 4, 1, 3, "1.02")]


def test_in_the_fourth_quarter_no_day_is_left_and_every_unmet_target_is_listed(data, rules):
    # As of 31 December: 365 days gone, 0 left; U1 done 2 of 4 (S2, S5), U2 done 2 of 4 → both listed.
    risk = veto_risk(score(data, rules, 2023, 4))
    assert (risk.days_gone, risk.days_left) == (365, 0)
    assert [(k.unit_id, k.done, k.needed, k.pace) for k in risk.risks] == [("U1", 2, 2, "0.00"), ("U2", 2, 2, "0.00")]


def test_units_with_no_records_this_quarter_are_listed_with_last_quarter_and_the_year(page):
    # Q2 records: U1 (S2), U2 (S3, S4). U3 had S1 in Q1; U4 has none at all.
    assert [(u.unit_id, u.last_quarter, u.year_so_far) for u in page.silent] == [("U3", 1, 1), ("U4", 0, 0)]


def test_records_per_unit_and_column_are_counted_against_last_quarter(page):
    # Only columns with a record in Q1 or Q2, in the rules' order: 在线访谈 (S1 in Q1), 要闻动态.
    assert page.columns == ("在线访谈", "要闻动态")
    assert [(c.unit_id, c.cells, c.total, c.total_before) for c in page.counts] == [
        ("U1", ((0, 0), (1, 0)), 1, 0), ("U2", ((0, 0), (2, 0)), 2, 0),
        ("U3", ((0, 1), (0, 0)), 0, 1), ("U4", ((0, 0), (0, 0)), 0, 0)]


def test_units_with_events_but_no_informant_are_listed(page):
    # U3 has E1 and no informant in the register; U1 has E2 but 张三 is its informant.
    assert [(u.unit_id, u.events, u.what) for u in page.no_informant] == [("U3", 1, "2023-04-10 未明确信息报送工作人员（未报名单）")]


def test_the_largest_score_and_rank_changes_against_last_quarter_come_first(page):
    # Scores Q1 → Q2: U1 0 → 0.5, U2 0 → 1, U3 20 → 0 (its event's 2 points floor at 0), U4 0 → 0.
    assert [(m.unit_id, m.score_before, m.score_after, m.score_change) for m in page.score_moves] == [
        ("U3", 20_000, 0, -20_000), ("U2", 0, 1_000, 1_000), ("U1", 0, 500, 500)]
    # Ranks within 镇区街道: Q1 all 0 → all 1st; Q2 U2 1st, U1 2nd, U4 3rd. U3 is alone in its category.
    assert [(m.unit_id, m.rank_before, m.rank_after, m.rank_change) for m in page.rank_moves] == [
        ("U4", 1, 3, -2), ("U1", 1, 2, -1)]


def test_every_note_is_shown_with_its_rows_and_the_rows_themselves_are_listed(page, html):
    note = "submissions.csv 第 6 行（共 1 行）：录用日期晚于2023年第二季度末，本次未计入（R1）。"
    assert page.notes == (note,)
    assert f"<li>{note}</li>" in html
    [group] = page.left_out
    assert group.why.startswith("录用日期晚于2023年第二季度末")
    assert [(x.file, x.row, x.record, x.unit, x.date) for x in group.rows] == [
        ("submissions.csv", 6, "S5", "U1 甲镇", "2023-08-01")]


def test_the_sample_marker_says_which_file_to_delete(result, data):
    marked = review_html(review_page(result, data, marker=Path("data/copy/样例数据.txt")))
    assert "请删除文件 <code>data/copy/样例数据.txt</code>（样例数据.txt），然后重新运行" in marked
    assert "样例标记文件" not in review_html(review_page(result, data))
    # The console's note on the marker is not repeated among the notes: the box above says it.
    again = review_page(result, data, notes=["数据目录中有样例标记文件 data/copy/样例数据.txt：…", "别的提示"],
                        marker=Path("data/copy/样例数据.txt"))
    assert again.notes == ("别的提示",)


def test_the_changes_against_the_published_version_are_shown_and_a_first_run_says_so(result, data, html):
    frame = pd.DataFrame([{"unit_id": "U3", "unit_name": "丙局", "quarter": "2023Q1", "score_before": "18",
                           "score_after": "20", "ytd_before": "18", "ytd_after": "20", "rank_before": "1",
                           "rank_after": "1"}])
    shown = review_html(review_page(result, data, changes=frame, compared_with="已发布版本（发布于 2023-04-12T09:00:00+08:00）"))
    assert "与已发布版本（发布于 2023-04-12T09:00:00+08:00）相比，1 处有变化" in shown
    assert "<td>丙局</td><td>2023年第一季度</td><td class=\"num\">18 → 20</td><td class=\"num\">18 → 20</td><td class=\"num\">1</td>" in shown
    assert "这是该季度第一次生成" in html


def test_the_page_holds_no_unescaped_input_text(html):
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(2)&gt;" in html
    assert not re.search(r"<script|<img", html, re.I)


def test_the_page_is_the_same_bytes_from_the_same_inputs(result, data, rules, tmp_path):
    def once(name):
        return write_review(review_page(result, data, notes=located_notes(data, rules, 2023, 2)),
                            tmp_path / name / REVIEW).read_bytes()
    first = once("a")
    assert first == once("b")
    assert first.startswith(b"<!DOCTYPE html>") and "核对清单".encode() in first
    # The project's page CSS goes in as it is (quoted font names), and the bundled fonts with it.
    assert b'"NotoSerifCJKsc"' in first and b"&#34;" not in first and b'<style id="bundled-fonts">' in first
