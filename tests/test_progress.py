"""Mid-quarter progress reminders (进度提醒): points so far and open to the cap, targets at risk of
the annual veto by the pace rule, late items, solicited adoptions, the text per unit, the command."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from engine_support import UNITS, dataset, event, item, items
from scoring.cli import main
from scoring.inputs.loading import load_dataset
from scoring.inputs.rules_file import load_rules
from scoring.method.engine import score
from scoring.render.html import text_of
from scoring.report import review
from scoring.report.progress import RISK, latest_record_date, progress_report

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "data" / "sample"


@pytest.fixture(scope="module")
def sample():
    rules = load_rules()
    return load_dataset(SAMPLE, rules), rules


# ---- the sample as of 15 November 2023 ------------------------------------------------------------
def test_on_the_sample_as_of_15_november_exactly_the_targets_behind_the_pace_are_marked_at_risk(sample):
    data, rules = sample
    as_of = pd.Timestamp("2023-11-15")
    # Days gone: Jan 31 + Feb 28 + Mar 31 + Apr 30 + May 31 + Jun 30 + Jul 31 + Aug 31 + Sep 30 + Oct 31
    # = 304, + 15 = 319 (1 Jan through 15 Nov); days left: 365 − 319 = 46.
    gone, left = 319, 46
    # Done, counted here from the records themselves: an item is a record id; it counts for 2023 when
    # its earliest adoption (R2) is dated in 2023, up to the day.
    subs = data.submissions[data.submissions["adopted_on"] <= as_of]
    first = subs.sort_values("adopted_on").drop_duplicates("record_id")
    first = first[first["adopted_on"].dt.year == 2023]
    done = first.groupby(["unit_id", "column"]).size()
    targets = data.targets[data.targets["year"] == 2023].groupby(["unit_id", "column"])["target"].max()
    expected = set()
    for (unit, column), target in targets.items():
        d = int(done.get((unit, column), 0))
        needed = target - d
        if needed > 0 and needed * gone > d * left:         # needed > done × days left ÷ days gone
            expected.add((unit, column))
    p = progress_report(data, rules, dt.date(2023, 11, 15))
    assert (p.days_gone, p.days_left) == (gone, left)
    assert {(u.unit_id, t.column) for u, t in p.risks} == expected
    by = {(u.unit_id, t.column): t for u in p.units for t in u.targets}
    # Worked through for four of them:
    # 上兴镇 要闻动态 40, done 24: 16 × 319 = 5104 > 24 × 46 = 1104 → at risk.
    assert (by["0109", "要闻动态"].done, by["0109", "要闻动态"].at_risk) == (24, True)
    # 市供销总社 重点领域 3, done 2: 1 × 319 = 319 > 2 × 46 = 92 → at risk.
    assert (by["0230", "重点领域"].done, by["0230", "重点领域"].at_risk) == (2, True)
    # 团市委 要闻动态 25, done 22: 3 × 319 = 957 < 22 × 46 = 1012 → on pace, not at risk.
    assert (by["0302", "要闻动态"].done, by["0302", "要闻动态"].at_risk) == (22, False)
    # 市发改委 要闻动态 80, done 78: 2 × 319 = 638 < 78 × 46 = 3588 → not at risk.
    assert (by["0201", "要闻动态"].done, by["0201", "要闻动态"].at_risk) == (78, False)
    assert {(u, c) for u, c in expected} >= {("0109", "要闻动态"), ("0230", "重点领域")}


def test_the_review_page_and_the_reminders_share_one_pace_rule_at_a_quarters_end(sample):
    data, rules = sample
    # The review page judges as of the quarter's end: 30 September 2023 (273 days gone, 92 left).
    flagged = {(r.unit_id, r.column) for r in review.veto_risk(score(data, rules, 2023, 3, restatements=False)).risks}
    p = progress_report(data, rules, dt.date(2023, 9, 30))
    assert (p.days_gone, p.days_left) == (273, 92)
    assert {(u.unit_id, t.column) for u, t in p.risks} == flagged and flagged


# ---- one unit, worked by hand ------------------------------------------------------------------------
def _one_unit():
    subs = (items("N", "Z01", "要闻动态", "溧阳市", "2023-01-10", 4)
            + [item("L1", "Z01", "要闻动态", "溧阳市", "2023-01-11", late=True),
               item("S1", "Z01", "专题专栏", "溧阳市", "2023-02-01"),
               item("A1", "Z01", "意见征集", "溧阳市", "2023-02-20")])          # after the day: not yet
    return dataset(subs, events=[event("E1", "Z01", "2023-01-20", "no_plan")],
                   targets=[{"unit_id": "Z01", "year": 2023, "column": "在线访谈", "target": 2},
                            {"unit_id": "Z01", "year": 2023, "column": "专题专栏", "target": 1}],
                   units=UNITS[:1])


def test_a_units_points_so_far_what_is_open_to_the_cap_and_its_text(rules):
    p = progress_report(_one_unit(), rules, dt.date(2023, 2, 15))
    (u,) = p.units
    # 4 on-time 要闻动态 × 0.5 = 2, one late × 0.5 × 0.5 = 0.25 (R4), 专题专栏 10: counted 12.25;
    # 未提交计划 −2 (R9) → 10.25. Open to the cap: 25 − 12.25 = 12.75. 意见征集 of 20 Feb is not yet.
    assert (u.points, u.deductions, u.open) == (10_250, 2_000, 12_750)
    assert (u.late_quarter, u.late_year, u.solicited) == (1, 1, 0)
    # 15 Feb: 46 days gone, 319 left. 在线访谈 2, done 0: 2 × 46 = 92 > 0 × 319 → at risk; 专题专栏 met.
    assert [(t.column, t.done, t.needed, t.at_risk) for t in u.targets] == [("在线访谈", 0, 2, True),
                                                                             ("专题专栏", 1, 0, False)]
    assert u.text == ("昆仑街道：截至2月15日，本季度已得10.25分（已扣2分），距季度封顶25分还可计12.75分；"
                      "在线访谈年度目标2期，已完成0期，按目前进度年底前难以完成，有一票否决风险，请抓紧报送；"
                      "本年已有1条内容超时报送（超时得分减半），请按时报送；"
                      "省政府网站已录用约稿0次，第四季度奖励需5次以上。")


def test_the_year_end_judgements_are_not_made_mid_quarter(rules):
    # In Q4, with a target unmet: a full-year run would zero the year (R11); the reminder as of
    # 15 November shows the 10 points of the 专题专栏 adopted on 1 November, and the risk instead.
    data = dataset([item("S1", "Z01", "专题专栏", "溧阳市", "2023-11-01")],
                   targets=[{"unit_id": "Z01", "year": 2023, "column": "在线访谈", "target": 1}], units=UNITS[:1])
    (u,) = progress_report(data, rules, dt.date(2023, 11, 15)).units
    assert (u.points, u.veto, u.targets[0].at_risk) == (10_000, "", True)


def test_the_latest_record_date_is_the_default_day_never_today(rules):
    assert latest_record_date(_one_unit()) == dt.date(2023, 2, 20)


# ---- the command -------------------------------------------------------------------------------------
def _write(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(UNITS[:2]).to_csv(folder / "units.csv", index=False)
    pd.DataFrame([
        {"record_id": "R1", "unit_id": "Z01", "column": "专题专栏", "level": "溧阳市", "adopted_on": "2024-01-10", "late": "否"},
        {"record_id": "R2", "unit_id": "Z02", "column": "要闻动态", "level": "溧阳市", "adopted_on": "2024-02-15", "late": "是"},
    ]).to_csv(folder / "submissions.csv", index=False)
    pd.DataFrame([{"unit_id": "Z01", "year": 2024, "column": "在线访谈", "target": 2}]).to_csv(folder / "targets.csv", index=False)


def test_the_progress_command_writes_html_pdf_xlsx_and_txt_for_the_latest_record_date_and_keeps_earlier_output(tmp_path, capsys):
    data, out = tmp_path / "data", tmp_path / "out"
    _write(data)
    assert main(["progress", "--data", str(data), "--out", str(out)]) == 0
    said = capsys.readouterr()
    assert "按数据中最近的记录日期 2024-02-15 计" in said.err
    folder = out / "2024-02-15"
    assert sorted(p.name for p in folder.iterdir()) == ["progress.html", "progress.pdf", "progress.txt", "progress.xlsx"]
    txt = (folder / "progress.txt").read_text(encoding="utf-8")
    # 昆仑街道: 专题专栏 10 of 25 in Q1 2024; 在线访谈 2, done 0 → at risk.
    assert ("昆仑街道：截至2月15日，本季度已得10分，距季度封顶25分还可计15分；在线访谈年度目标2期，已完成0期，"
            "按目前进度年底前难以完成，有一票否决风险，请抓紧报送；") in txt
    # 溧城街道: one late 要闻动态: 0.5 × 0.5 = 0.25; no target.
    assert "溧城街道：截至2月15日，本季度已得0.25分，距季度封顶25分还可计24.75分；本年已有1条内容超时报送" in txt
    page = text_of((folder / "progress.html").read_text(encoding="utf-8"))
    assert RISK in page and "昆仑街道：截至2月15日" in page and "2024年已过46天，还剩320天" in page
    # No Python repr, no dotted key, no English column name on the page.
    assert not re.search(r"\[|\]|'|True|False|None|nan|[A-Za-z_]+\.[A-Za-z_]+|unit_id", page)
    assert (folder / "progress.pdf").read_bytes().startswith(b"%PDF")
    wb = openpyxl.load_workbook(folder / "progress.xlsx")
    assert wb.sheetnames == ["单位进度", "年度目标", "提醒文字"]
    head, first = list(wb["单位进度"].values)[:2]
    row = dict(zip(head, first))
    assert (row["单位"], row["本季度已得分"], row["距季度封顶还可计"], row["年度目标"]) == ("昆仑街道", 10, 15, RISK)
    assert list(wb["年度目标"].values)[1][:7] == ("Z01", "昆仑街道", "在线访谈", 2, 0, 2, 0)
    # A rerun for the same day keeps the earlier folder whole, and says where.
    first_files = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert main(["progress", "--data", str(data), "--out", str(out), "--as-of", "2024-02-15"]) == 0
    kept = out / "history" / "2024-02-15" / "1"
    assert f"同一日期的上一次输出已完整保存到 {kept}" in capsys.readouterr().out
    assert {p.name: p.read_bytes() for p in kept.iterdir()} == first_files


def test_a_bad_as_of_date_is_a_chinese_message_and_nothing_is_written(tmp_path, capsys):
    data, out = tmp_path / "data", tmp_path / "out"
    _write(data)
    assert main(["progress", "--data", str(data), "--out", str(out), "--as-of", "2024-02-30"]) == 2
    assert "日期「2024-02-30」无效：应写作 年-月-日" in capsys.readouterr().err
    assert not out.exists()


def test_a_vetoed_quarter_has_nothing_open_and_its_text_says_why(rules):
    # A quarter veto (三(二)2(1)) on 10 Feb: the 专题专栏's 10 points go to 0, nothing more counts.
    data = dataset([item("S1", "Z01", "专题专栏", "溧阳市", "2023-02-01")],
                   events=[event("E1", "Z01", "2023-02-10", "veto_quarter")], units=UNITS[:1])
    (u,) = progress_report(data, rules, dt.date(2023, 2, 15)).units
    assert (u.points, u.open) == (0, 0)
    assert u.text.startswith("昆仑街道：截至2月15日，本季度已得0分，因严重错误或更新不及时被省级以上部门通报（2023-02-10），"
                             "本季度一票否决；")
