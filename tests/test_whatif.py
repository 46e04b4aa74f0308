"""What-if analysis: variants, comparisons, the summary line, the notebook and the command."""
from __future__ import annotations

import argparse
import re
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.inputs.rules_file import load_rules
from scoring.run.whatif import whatif_command
from scoring.method import rules as rules_mod
from scoring.report import whatif
from scoring.inputs.dataset import make_dataset
from scoring.errors import RulesError

ROOT = Path(__file__).resolve().parent.parent
VARIANTS = sorted((ROOT / "params" / "variants").glob("*.yaml"))
DRAFT = (ROOT / "params" / "rules" / "liyang-2023-draft.yaml").resolve()


def _engine():
    from scoring.method import engine
    return engine


# ---- variant files ------------------------------------------------------------------------------
def test_there_are_at_least_five_variant_files():
    assert len(VARIANTS) >= 5


@pytest.mark.parametrize("path", VARIANTS, ids=[p.stem for p in VARIANTS])
def test_every_variant_file_loads_as_a_named_described_overlay_of_the_2023_draft(path):
    import yaml
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert raw["base"] == "../rules/liyang-2023-draft.yaml"
    v = load_rules(path)
    assert v.variant == raw["name"] and v.description == raw["description"]
    assert re.search(r"[\u4e00-\u9fff]", v.description), "the description is read by people: Chinese"
    assert Path(v.source).resolve() == DRAFT
    assert v.changes, "a variant that changes nothing in the rules is not a variant"


@pytest.mark.parametrize("stem, change", [
    ("01-cap-15", "column_caps.要闻动态.value: 10 → 15"),
    ("03-late-0.7", "late.factor: 0.5 → 0.7"),
    ("04-deductions-before-cap", "deductions.order: 'after_cap' → 'before_cap'"),
    ("05-no-carry-over", "carry_over.enabled: True → False"),
    ("06-reward-threshold-3", "reward.min_solicited_adoptions: 5 → 3"),
])
def test_each_required_variant_changes_exactly_its_one_rule(stem, change):
    v = load_rules(ROOT / "params" / "variants" / f"{stem}.yaml")
    assert v.changes == (change,)


def test_the_cap_removed_variant_has_no_column_cap_at_all():
    v = load_rules(ROOT / "params" / "variants" / "02-cap-removed.yaml")
    assert v.column_caps == ()
    assert load_rules().column_caps != ()


def test_load_variants_reads_a_folder_sorted_by_file_name():
    assert [v.variant for v in whatif.load_variants()] == [load_rules(p).variant for p in VARIANTS]


def test_a_missing_variant_folder_is_a_chinese_error(tmp_path):
    with pytest.raises(RulesError, match="没有 .yaml 变体文件"):
        whatif.load_variants(tmp_path)


def test_a_plain_rules_file_is_not_a_variant():
    with pytest.raises(RulesError, match="不是变体文件"):
        whatif.load_variants([DRAFT])


def test_a_misspelt_key_in_a_variant_file_names_that_file(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(f"base: {DRAFT}\nname: 错\nlate:\n  factr: 0.7\n", encoding="utf-8")
    with pytest.raises(RulesError, match=r"变体文件 .*bad\.yaml 有误[\s\S]*late\.factr"):
        whatif.load_variants(tmp_path)


def test_the_whatif_command_stops_with_a_chinese_message_and_writes_nothing_on_bad_data(tmp_path, capsys):
    from scoring.cli import main
    out = tmp_path / "out"
    assert main(["whatif", "--data", str(tmp_path / "nowhere"), "--out", str(out)]) == 2
    assert "数据目录不存在" in capsys.readouterr().err
    assert not out.exists()


def test_variant_in_code_records_what_it_changes(rules):
    v = whatif.variant(late={"factor": 0.7}, name="超时七折", base=rules)
    assert v.changes == ("late.factor: 0.5 → 0.7",)
    assert v.variant == "超时七折"
    removed = whatif.variant(column_caps=[], name="取消封顶", base=rules)
    assert removed.column_caps == ()


# ---- the summary line, from hand-made differences (no engine needed) ----------------------------
def _diff(rules, deltas: dict[str, int], ranks: dict[str, tuple[int, int]] | None = None,
          winners: dict[str, tuple[bool, bool]] | None = None, quarter: int = 4,
          carries: dict[str, tuple[int, int]] | None = None):
    units = list(deltas)
    ranks = ranks or {u: (1, 1) for u in units}
    winners = winners or {u: (False, False) for u in units}
    carries = carries or {u: (0, 0) for u in units}
    totals = pd.DataFrame({
        "unit_id": units, "unit_name": [f"{u}镇" for u in units], "category": "镇区街道",
        "total_base": 10_000, "total_variant": [10_000 + deltas[u] for u in units],
        "delta": [deltas[u] for u in units],
        "rank_base": [ranks[u][0] for u in units], "rank_variant": [ranks[u][1] for u in units],
        "annual_veto_base": False, "annual_veto_variant": False,
        "winner_base": [winners[u][0] for u in units], "winner_variant": [winners[u][1] for u in units],
        "reward_base": False, "reward_variant": False,
    })
    totals["rank_change"] = totals["rank_base"] - totals["rank_variant"]
    quarters = totals[["unit_id", "unit_name", "category"]].assign(
        quarter=quarter, score_base=10_000, score_variant=totals["total_variant"], delta=totals["delta"],
        carry_base=[carries[u][0] for u in units], carry_variant=[carries[u][1] for u in units],
        veto_base="", veto_variant="", rank_base=totals["rank_base"], rank_variant=totals["rank_variant"])
    quarters["carry_delta"] = quarters["carry_variant"] - quarters["carry_base"]
    v = whatif.variant(late={"factor": 0.7}, name="超时七折", description="超时七折计分", base=rules)
    return whatif.VariantDiff(rules=v, base=rules, year=2023, quarter=quarter, quarters_milli=quarters,
                              totals_milli=totals)


def test_summary_gives_the_exact_mean_when_one_decimal_says_it_all(rules):
    # +1 and +2 points: mean 1.5 exactly.
    d = _diff(rules, {"A": 1000, "B": 2000, "C": 0})
    assert d.summary() == "超时七折计分：共2个单位有变化，2个单位得分上升，平均+1.5分，排名无变化"


def test_summary_rounds_the_mean_to_one_decimal_for_reading_and_says_about(rules):
    # +1, +1, +2 points: mean 4/3 = 1.333… → 约+1.3; one unit down by 0.25 → 约-0.3 (half up, away from 0).
    d = _diff(rules, {"A": 1000, "B": 1000, "C": 2000, "D": -250},
              ranks={"A": (2, 1), "B": (1, 2), "C": (3, 3), "D": (4, 4)})
    assert d.summary() == ("超时七折计分：共4个单位有变化，3个单位得分上升，平均约+1.3分，1个单位得分下降，平均约-0.3分，"
                           "镇区街道排名变化2处")
    # 0.676 points (the issue's example) reads 约+0.7; the table keeps 0.676.
    e = _diff(rules, {"A": 676})
    assert "平均约+0.7分" in e.summary() and e.annual_changes["得分变化"].tolist() == [0.676]


def test_summary_counts_units_whose_carry_changes_though_their_score_does_not(rules):
    # A scores 2 more; B and C score the same but carry 1.5 more into the next quarter (R8):
    # three units changed, not one.
    d = _diff(rules, {"A": 2000, "B": 0, "C": 0}, carries={"A": (0, 0), "B": (0, 1500), "C": (500, 2000)})
    assert d.summary() == "超时七折计分：共3个单位有变化，1个单位得分上升，平均+2分，2个单位结转下季度的分数增加，排名无变化"
    assert d.changed_units == 3
    qc = d.quarter_changes
    assert qc["单位编码"].tolist() == ["A", "B", "C"]
    assert qc["结转变化"].tolist() == [0.0, 1.5, 1.5] and qc["新结转下季度"].tolist() == [0.0, 1.5, 2.0]


def test_summary_names_units_entering_and_leaving_the_winners_only_at_year_end(rules):
    kw = dict(ranks={"A": (2, 1), "B": (1, 2)}, winners={"A": (False, True), "B": (True, False)})
    d = _diff(rules, {"A": 2000, "B": 0}, **kw)
    assert d.summary().endswith("镇区街道排名变化2处，优胜单位新增A镇，优胜单位退出B镇")
    assert d.winner_changes[["变动", "单位"]].values.tolist() == [["新增", "A镇"], ["退出", "B镇"]]
    assert "优胜单位" not in _diff(rules, {"A": 2000, "B": 0}, quarter=3, **kw).summary()


def test_chinese_numerals_for_section_headings():
    assert [whatif.chinese_numeral(n) for n in (1, 2, 9, 10, 11, 20, 21)] == \
        ["一", "二", "九", "十", "十一", "二十", "二十一"]


# ---- comparisons on a hand-built dataset (engine) -----------------------------------------------
UNITS = [
    {"unit_id": "Z1", "unit_name": "甲镇", "category": "镇区街道"},
    {"unit_id": "Z2", "unit_name": "乙镇", "category": "镇区街道"},
    {"unit_id": "Z3", "unit_name": "丙街道", "category": "镇区街道"},
    {"unit_id": "D1", "unit_name": "市甲局", "category": "市级机关部门"},
]
SUBMISSIONS = (
    # Z1: one late 在线访谈 at 溧阳市 in Q2: 10 × 0.5 = 5 (附件, R4).
    [{"record_id": "Z1-1", "unit_id": "Z1", "column": "在线访谈", "level": "溧阳市",
      "adopted_on": "2023-05-10", "late": True}]
    # Z2: twelve on-time 要闻动态 at 溧阳市 in Q2: 12 × 0.5 = 6, under the cap of 10 (R5).
    + [{"record_id": f"Z2-{i}", "unit_id": "Z2", "column": "要闻动态", "level": "溧阳市",
        "adopted_on": f"2023-04-{i + 1:02d}", "late": False} for i in range(12)]
    # D1: one on-time 意见征集 at 溧阳市 in Q3: 8.
    + [{"record_id": "D1-1", "unit_id": "D1", "column": "意见征集", "level": "溧阳市",
        "adopted_on": "2023-08-01", "late": False}]
)


@pytest.fixture(scope="module")
def fixture_data():
    return make_dataset(units=UNITS, submissions=SUBMISSIONS)


@pytest.fixture(scope="module")
def one_winner_town(rules):
    # The draft names 3 winning towns; with one, a rank swap at the top moves the winner.
    return rules_mod.derive(rules, {"categories": {"镇区街道": {"winners": 1}}}, name="镇街优胜1名")


def test_late_factor_0_7_lifts_the_late_unit_from_5_to_7_and_nothing_else(fixture_data, one_winner_town):
    _engine()
    v = whatif.variant(late={"factor": 0.7}, name="超时七折", base=one_winner_town)
    d = whatif.compare(fixture_data, v, base=one_winner_town, year=2023, quarter=4)[0]
    # Z1's Q2: 10 × 0.7 = 7 instead of 10 × 0.5 = 5; no other unit has a late item.
    # The API's tables are points (5 and 7), not thousandths (5000, 7000), under Chinese labels.
    qc = d.quarter_changes
    assert qc[["单位编码", "季度", "原得分", "新得分", "得分变化"]].values.tolist() == [["Z1", 2, 5.0, 7.0, 2.0]]
    assert qc["原得分"].dtype == float
    # Z2 also moves: its rank in Q2 among the towns (乙镇 6 > 甲镇 5 → 甲镇 7 > 乙镇 6) and so its
    # total's rank, though its points stay 6.
    ac = d.annual_changes
    assert ac[["单位编码", "原累计得分", "新累计得分", "得分变化", "原排名", "新排名"]].values.tolist() == [
        ["Z2", 6.0, 6.0, 0.0, 1, 2], ["Z1", 5.0, 7.0, 2.0, 2, 1]]
    assert ac[["原为优胜单位", "新为优胜单位"]].values.tolist() == [["是", "否"], ["否", "是"]]
    rc = d.rank_changes.set_index("单位编码")
    assert rc[["原排名", "新排名", "名次变化（正数为上升）"]].values.tolist() == [[1, 2, -1], [2, 1, 1]]
    assert d.entering["单位编码"].tolist() == ["Z1"] and d.leaving["单位编码"].tolist() == ["Z2"]
    assert d.summary() == ("超时七折：共2个单位有变化，1个单位得分上升，平均+2分，镇区街道排名变化2处，"
                           "优胜单位新增甲镇，优胜单位退出乙镇")


def test_a_variant_that_changes_nothing_reports_zero_differences(fixture_data, rules):
    _engine()
    # No unit has an adoption at 江苏省, so lowering the reward threshold to 3 changes no score.
    v = load_rules(ROOT / "params" / "variants" / "06-reward-threshold-3.yaml")
    same = whatif.variant(name="原样", base=rules)
    cmp = whatif.compare(fixture_data, v, same, base=rules, year=2023, quarter=4)
    for d in cmp:
        assert d.unchanged
        assert d.quarter_changes.empty and d.annual_changes.empty and d.rank_changes.empty
        assert d.entering.empty and d.leaving.empty
        assert (d.quarters_milli["delta"] == 0).all() and (d.totals_milli["delta"] == 0).all()
        assert len(d.quarters_milli) == len(UNITS) * 4 and len(d.totals_milli) == len(UNITS)
    assert cmp.summary() == ("第四季度奖励的省级约稿录用门槛由5次降为3次：各单位得分、结转、排名均无变化\n"
                             "原样：各单位得分、结转、排名均无变化")


def test_compare_defaults_to_the_variants_base_file_and_the_latest_quarter_with_data(fixture_data):
    _engine()
    cmp = whatif.compare(fixture_data, whatif.variant(late={"factor": 0.7}, name="超时七折"))
    # The last row is dated 2023-08-01: year 2023 through Q3; no 优胜单位 before the year end.
    assert (cmp.year, cmp.quarter) == (2023, 3)
    assert cmp.base == load_rules()
    assert "优胜单位" not in cmp.summary() and cmp.summary().startswith("超时七折：共2个单位有变化，1个单位得分上升，平均+2分")


def test_compare_does_not_touch_its_inputs(fixture_data, rules):
    _engine()
    before = {k: getattr(fixture_data, k).copy() for k in ("units", "submissions", "events", "targets")}
    whatif.compare(fixture_data, whatif.variant(late={"factor": 0.7}, name="超时七折", base=rules), base=rules)
    for k, frame in before.items():
        pd.testing.assert_frame_equal(getattr(fixture_data, k), frame)


def test_removing_the_cap_lets_a_busy_unit_keep_every_half_point(rules):
    _engine()
    # 30 要闻动态 at 溧阳市 in Q1: 30 × 0.5 = 15, capped to 10 (R5); without the cap 15.
    data = make_dataset(units=UNITS[:1], submissions=[
        {"record_id": f"N{i}", "unit_id": "Z1", "column": "要闻动态", "level": "溧阳市",
         "adopted_on": f"2023-01-{i + 1:02d}"} for i in range(30)])
    d = whatif.compare(data, whatif.variant(column_caps=[], name="取消封顶", base=rules), base=rules,
                       year=2023, quarter=1)[0]
    assert d.annual_changes[["单位编码", "原累计得分", "新累计得分"]].values.tolist() == [["Z1", 10.0, 15.0]]


def test_the_html_view_shows_the_summary_tables_and_a_png_chart(fixture_data, one_winner_town):
    _engine()
    v = whatif.variant(late={"factor": 0.7}, name="超时七折", base=one_winner_town)
    cmp = whatif.compare(fixture_data, v, base=one_winner_town, year=2023, quarter=4)
    page = cmp._repr_html_()
    assert cmp[0].summary() in page
    assert '<table class="data">' in page and '<figure class="chart"><img class="chart"' in page
    assert "data:image/png;base64," in page
    assert cmp._repr_html_() == page, "same inputs, same bytes"
    assert repr(cmp).endswith(cmp[0].summary()), "a console shows the summary, not whole frames"
    assert '<td class="num">+2</td>' in page and '<td class="num">↑1</td>' in page


_unit_ids = ["Z1", "Z2", "Z3", "D1"]
_items = st.lists(st.fixed_dictionaries({
    "unit_id": st.sampled_from(_unit_ids),
    "column": st.sampled_from(["在线访谈", "要闻动态", "意见征集"]),
    "level": st.sampled_from(["溧阳市", "常州市"]),
    "month": st.integers(1, 12),
    "late": st.booleans(),
}), max_size=12)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(items=_items)
def test_a_variant_against_itself_changes_nothing_and_swapping_sides_negates_every_change(rules, items):
    engine = _engine()
    subs = [{"record_id": f"R{i}", "unit_id": it["unit_id"], "column": it["column"], "level": it["level"],
             "adopted_on": f"2023-{it['month']:02d}-15", "late": it["late"]} for i, it in enumerate(items)]
    data = make_dataset(units=UNITS, submissions=subs)
    v = whatif.variant(late={"factor": 0.7}, name="超时七折", base=rules)
    base_r, var_r = (engine.score(data, rules, 2023, 4, restatements=False),
                     engine.score(data, v, 2023, 4, restatements=False))
    assert whatif.diff(base_r, base_r).unchanged
    there, back = whatif.diff(base_r, var_r), whatif.diff(var_r, base_r)
    t, b = there.totals_milli, back.totals_milli.set_index("unit_id")
    assert (t["delta"] == -b.loc[t["unit_id"], "delta"].to_numpy()).all()
    # Raising the late factor never lowers a score.
    assert (t["delta"] >= 0).all()


# ---- the notebook and the command (papermill) ---------------------------------------------------
def _write_csv_fixture(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    pd.DataFrame(UNITS).to_csv(folder / "units.csv", index=False)
    rows = [{**r, "late": "是" if r.get("late") else "否"} for r in SUBMISSIONS]
    # A Q4 row so the default year-end comparison has data in every sense.
    rows.append({"record_id": "D1-2", "unit_id": "D1", "column": "要闻动态", "level": "常州市",
                 "adopted_on": "2023-11-02", "late": "否"})
    pd.DataFrame(rows).to_csv(folder / "submissions.csv", index=False)


def _args(data, out, **kw):
    return argparse.Namespace(**{"data": data, "out": out, "variants": ROOT / "params" / "variants", "rules": None,
                                 "year": None, "quarter": None, **kw})


def test_the_whatif_command_writes_html_pdf_and_xlsx_into_a_folder_named_by_period_and_keeps_the_earlier_run(tmp_path):
    data = tmp_path / "data"
    _write_csv_fixture(data)
    out = tmp_path / "out"
    two = tmp_path / "variants"              # one variant keeps the test quick; the folder is read as the command does
    two.mkdir()
    for stem in ("03-late-0.7",):
        text = (ROOT / "params" / "variants" / f"{stem}.yaml").read_text(encoding="utf-8")
        (two / f"{stem}.yaml").write_text(text.replace("../rules/liyang-2023-draft.yaml", str(DRAFT)), encoding="utf-8")
    args = _args(data, out, variants=two)
    assert whatif_command(args) == 0
    folder = out / "2023Q4"            # the fixture's last row is dated 2023-11-02: the year-end comparison
    assert sorted(p.name for p in folder.iterdir()) == ["what_if.html", "what_if.pdf", "what_if.xlsx"]
    first = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert first["what_if.pdf"].startswith(b"%PDF")
    page = first["what_if.html"].decode("utf-8")
    # 超时七折 on this data: 甲镇 5 → 7, the only change of points.
    assert "超时内容由得分减半改为按七折计分：共" in page and "1个单位得分上升，平均+2分" in page
    assert "超时内容由按原分值的50%计分改为按70%计分" in page
    assert "Traceback" not in page and "<img" in page
    # A rerun never overwrites: the earlier folder is kept whole in history, and the same inputs
    # give the same HTML and workbook.
    assert whatif_command(args) == 0
    kept = out / "history" / "2023Q4" / "1"
    assert {p.name: p.read_bytes() for p in kept.iterdir()} == first
    assert (folder / "what_if.html").read_bytes() == first["what_if.html"]
    assert (folder / "what_if.xlsx").read_bytes() == first["what_if.xlsx"]


def test_the_whatif_workbook_holds_every_change_in_points_under_chinese_headers(tmp_path):
    import openpyxl
    data = tmp_path / "data"
    _write_csv_fixture(data)
    assert whatif_command(_args(data, tmp_path / "out", quarter="2023Q2",
                                variants=ROOT / "params" / "variants" / "03-late-0.7.yaml")) == 0
    wb = openpyxl.load_workbook(tmp_path / "out" / "2023Q2" / "what_if.xlsx")
    assert wb.sheetnames == ["总体对比", "规则改动", "季度得分与结转变化", "累计得分变化", "排名变化", "优胜单位变化"]
    rows = list(wb["季度得分与结转变化"].values)
    head = rows[0]
    assert head[:5] == ("规则变体", "单位编码", "单位", "类别", "季度")
    got = dict(zip(head, rows[1]))
    # 甲镇's late 在线访谈 in Q2: 10 × 0.5 = 5 → 10 × 0.7 = 7, stored as the numbers 5 and 7.
    assert (got["单位编码"], got["原得分"], got["新得分"], got["得分变化"]) == ("Z1", 5, 7, 2)
    assert list(wb["规则改动"].values)[1] == ("超时七折", "超时内容由按原分值的50%计分改为按70%计分")


def test_the_whatif_command_takes_rules_year_and_quarter(tmp_path, capsys):
    data = tmp_path / "data"
    _write_csv_fixture(data)
    rules_file = tmp_path / "rules.yaml"
    # A rules file whose late factor is already 0.7: the 超时七折 overlay then changes nothing.
    rules_file.write_text(DRAFT.read_text(encoding="utf-8").replace("factor: 0.5", "factor: 0.7"), encoding="utf-8")
    from scoring.cli import main
    assert main(["whatif", "--data", str(data), "--out", str(tmp_path / "out"), "--rules", str(rules_file),
                 "--year", "2023", "--quarter", "3",
                 "--variants", str(ROOT / "params" / "variants" / "03-late-0.7.yaml")]) == 0
    said = capsys.readouterr().out
    assert "2023年截至第三季度" in said and "各单位得分、结转、排名均无变化" in said
    assert (tmp_path / "out" / "2023Q3" / "what_if.pdf").is_file()


def test_no_whatif_page_shows_a_dotted_key_or_a_python_repr(fixture_data, rules):
    variants = whatif.load_variants()
    cmp = whatif.compare(fixture_data, *variants, base=rules, year=2023, quarter=4)
    shown = "\n".join(cmp.fragments()) + cmp._repr_html_() + cmp.summary()
    shown += "".join(cmp.overview().astype(str).to_numpy().ravel())
    text = re.sub(r"<[^>]+>", " ", re.sub(r'src="data:[^"]+"', "", shown))
    # No rules-file key (column_caps.要闻动态.value, late.factor), no list, tuple or quoted value.
    assert not re.search(r"[A-Za-z_]+\.[A-Za-z_\u4e00-\u9fff]+", text), re.findall(r"\S*[A-Za-z_]+\.\S+", text)[:5]
    assert not re.search(r"\[\]|\(\)|'|True|False|None|→", text)
    assert [d.rule_changes for d in cmp] == [
        ("要闻动态每季度封顶由10分改为15分",), ("取消要闻动态封顶",), ("超时内容由按原分值的50%计分改为按70%计分",),
        ("扣分由季度封顶之后扣减改为季度封顶之前扣减",), ("取消满分后重点栏目得分结转下季度",),
        ("第四季度奖励的省级约稿录用门槛由5次改为3次",), ("季度封顶由25分改为30分",)]


def test_rule_changes_in_words_cover_winners_penalties_and_an_unknown_section(rules):
    v = rules_mod.derive(rules, {"categories": {"镇区街道": {"winners": 1}},
                                 "events": {"no_plan": {"penalty": 3}},
                                 "targets": {"unmet_is_annual_veto": False},
                                 "upgrades": {"text": "另一段原文"}}, name="多项")
    assert whatif.describe_changes(rules, v) == (
        "镇（区、街道）优胜单位名额由3个改为1个", "升级录用计分有改动", "未提交内容保障计划每起扣分由2分改为3分",
        "取消未完成年度目标任务的一票否决")


@pytest.mark.slow
def test_the_notebook_runs_on_its_defaults_apart_from_the_data_folder(tmp_path):
    _engine()
    import nbformat
    import papermill as pm
    data = tmp_path / "data"
    _write_csv_fixture(data)
    out = tmp_path / "out.ipynb"
    pm.execute_notebook(str(ROOT / "notebooks" / "what_if.ipynb"), str(out), parameters={"data_dir": str(data)},
                        cwd=str(ROOT), kernel_name="python3", progress_bar=False)
    nb = nbformat.read(out, as_version=4)
    shown = "".join(o.get("data", {}).get("text/html", "") for c in nb.cells if c.cell_type == "code"
                    for o in c.outputs)
    variants = whatif.load_variants()
    last = f"{whatif.chinese_numeral(len(variants) + 1)}、{variants[-1].variant}"
    assert "一、总体对比" in shown and last in shown


def test_the_committed_notebook_has_no_outputs_and_a_parameters_cell():
    import nbformat
    nb = nbformat.read(ROOT / "notebooks" / "what_if.ipynb", as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    ns: dict = {}
    exec(params[0].source, ns)
    assert (ns["data_dir"], ns["year"], ns["quarter"], ns["variant_files"]) == ("data/sample", 2023, 4, [])


def test_a_bulletin_scored_under_a_variant_names_its_changes_in_words(fixture_data):
    from scoring.method.engine import score
    from scoring.report import bulletin
    v = load_rules(ROOT / "params" / "variants" / "02-cap-removed.yaml")
    assert v.change_words == ("取消要闻动态封顶",)
    result = score(fixture_data, v, 2023, 3, restatements=False)
    notes = bulletin.render_section("notes", result, bulletin.issue(result, issue_date="2023-10-10"),
                                    picture=lambda result, ref: "")
    assert "本通报按规则变体「取消要闻动态封顶」计算（取消要闻动态封顶）" in notes
    assert "column_caps" not in notes and "[{" not in notes
