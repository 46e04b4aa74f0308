"""The bulletin's charts: deterministic SVG, text as paths, sized for the A4 text width."""
from __future__ import annotations

import re

import matplotlib.pyplot as plt
import pytest

from scoring import charts

from test_bulletin_content import UNITS, fixture_dataset

engine = pytest.importorskip("scoring.engine", reason="scoring/engine.py (engine engineer) not there yet")

PT_PER_MM = 72 / 25.4


@pytest.fixture(scope="module")
def result(rules):
    return engine.score(fixture_dataset(), rules, 2023, 3)


def all_charts(result) -> dict[str, str]:
    out = {"adoptions": charts.adoptions(result), "ytd": charts.ytd_progress(result)}
    out.update({f"rank-{k}": v for k, v in charts.score_rankings(result).items()})
    out.update({f"makeup-{k}": v for k, v in charts.score_makeups(result).items()})
    return out


@pytest.fixture(scope="module")
def svgs(result):
    return all_charts(result)


def test_there_is_a_ranking_and_a_makeup_chart_per_category(svgs):
    # 3 categories in the fixture → 3 + 3 + adoptions + ytd.
    assert len(svgs) == 8
    assert {k for k in svgs if k.startswith("rank-")} == {"rank-镇区街道", "rank-市级机关部门", "rank-群团"}


def test_the_same_result_gives_the_same_bytes(result, svgs):
    again = all_charts(result)
    assert again == svgs


def test_text_is_drawn_as_paths_only(svgs):
    for name, svg in svgs.items():
        assert "<svg" in svg, name
        assert "<text" not in svg, name
        assert "<path" in svg, name


def test_no_date_or_creator_is_embedded(svgs):
    for svg in svgs.values():
        assert "<dc:date>" not in svg and "Matplotlib v" not in svg


def test_charts_fit_the_text_width_and_never_exceed_110_mm(svgs):
    for name, svg in svgs.items():
        w = float(re.search(r'<svg[^>]*\bwidth="([\d.]+)pt"', svg).group(1))
        h = float(re.search(r'<svg[^>]*\bheight="([\d.]+)pt"', svg).group(1))
        assert w == pytest.approx(156 * PT_PER_MM, abs=0.5), name
        assert h <= 110 * PT_PER_MM + 0.5, name


def test_a_long_category_is_capped_at_110_mm(rules):
    many = [(f"ZX{i:02d}", f"第{i}号街道", "镇区街道") for i in range(36)]
    r = engine.score(fixture_dataset(units=UNITS + many, targets=[], events=[]), rules, 2023, 3)
    svg = charts.score_ranking(r, "镇区街道")
    h = float(re.search(r'<svg[^>]*\bheight="([\d.]+)pt"', svg).group(1))
    assert h <= 110 * PT_PER_MM + 0.5


def test_ids_do_not_clash_when_charts_share_one_page(svgs):
    ids = [i for svg in svgs.values() for i in re.findall(r'\bid="([^"]+)"', svg)]
    assert len(ids) == len(set(ids))
    for svg in svgs.values():
        # Every reference points at an id of the same chart.
        own = set(re.findall(r'\bid="([^"]+)"', svg))
        refs = set(re.findall(r'(?:href="#|url\(#)([^")]+)', svg))
        assert refs <= own


def test_figures_are_closed_after_drawing(result):
    before = len(plt.get_fignums())
    charts.score_ranking(result, "群团")
    assert len(plt.get_fignums()) == before


def test_charts_use_the_agg_backend():
    import matplotlib
    assert matplotlib.get_backend().lower() == "agg"
