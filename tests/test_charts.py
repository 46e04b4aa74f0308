"""The bulletin's charts: one deterministic RGB PNG each, sized for the A4 text width."""
from __future__ import annotations

import ast
import base64
import hashlib
import io
import re
from pathlib import Path

import matplotlib.pyplot as plt
import pytest

from scoring.report import charts

from test_bulletin_content import UNITS, fixture_dataset

from scoring.method import engine

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
def images(result):
    return all_charts(result)


def test_there_is_a_ranking_and_a_makeup_chart_per_category(images):
    # 3 categories in the fixture → 3 + 3 + adoptions + ytd.
    assert len(images) == 8
    assert {k for k in images if k.startswith("rank-")} == {"rank-镇区街道", "rank-市级机关部门", "rank-群团"}


def test_the_same_result_gives_the_same_bytes(result, images):
    again = all_charts(result)
    assert again == images


def _png(img: str):
    """(key, PIL image) of a chart's <img> tag."""
    from PIL import Image

    m = re.fullmatch(r'<img class="chart" data-chart="([^"]+)" alt="" style="width: ([\d.]+)pt" '
                     r'src="data:image/png;base64,([A-Za-z0-9+/=]+)">', img)
    assert m, img[:200]
    return m.group(1), float(m.group(2)), Image.open(io.BytesIO(base64.b64decode(m.group(3))))


def test_each_chart_is_one_rgb_png_without_metadata(images):
    for name, img in images.items():
        _, _, png = _png(img)
        assert png.format == "PNG" and png.mode == "RGB", name      # RGBA would be split again by WeasyPrint
        assert not png.text and "dpi" not in png.info, name           # no tool version, no date


def test_charts_fit_the_text_width_and_never_exceed_110_mm(images):
    # 156 mm at 200 dpi = 156 / 25.4 × 200 = 1228.3 → 1228 px across; 110 mm → at most 866 px high.
    for name, img in images.items():
        _, width_pt, png = _png(img)
        assert width_pt == pytest.approx(156 * PT_PER_MM, abs=0.01), name
        assert png.width == 1228, name
        assert png.height <= 866, name


def test_a_long_category_is_capped_at_110_mm(rules):
    many = [(f"ZX{i:02d}", f"第{i}号街道", "镇区街道") for i in range(36)]
    r = engine.score(fixture_dataset(units=UNITS + many, targets=[], events=[]), rules, 2023, 3)
    _, _, png = _png(charts.score_ranking(r, "镇区街道"))
    assert png.height == 866          # 14 + 5.2 × 40 bars = 222 mm wanted, 110 mm given


def test_every_chart_has_its_own_key(images):
    keys = [_png(img)[0] for img in images.values()]
    assert len(keys) == len(set(keys)) == 8


def test_each_picture_carries_the_key_of_its_registry_entry(result, images):
    refs = {"adoptions": charts.ChartRef(charts.Chart.ADOPTIONS), "ytd": charts.ChartRef(charts.Chart.PROGRESS)}
    refs.update({f"rank-{c}": charts.ChartRef(charts.Chart.RANKING, c) for c in ("镇区街道", "市级机关部门", "群团")})
    refs.update({f"makeup-{c}": charts.ChartRef(charts.Chart.MAKEUP, c) for c in ("镇区街道", "市级机关部门", "群团")})
    assert {name: _png(img)[0] for name, img in images.items()} == {name: ref.key for name, ref in refs.items()}
    # picture() draws by the registry what the named functions draw.
    assert charts.picture(result, refs["rank-群团"]) == images["rank-群团"]
    assert charts.picture(result, refs["ytd"]) == images["ytd"]


def test_every_chart_of_the_registry_can_be_drawn_and_keys_are_stable():
    assert set(charts.DRAW) == set(charts.Chart)
    # The key is the chart's name hashed: the same on every run and machine.
    assert charts.ChartRef(charts.Chart.RANKING, "群团").name == "ranking-群团"
    assert charts.ChartRef(charts.Chart.ADOPTIONS).key == charts.chart_key("adoptions")
    assert charts.chart_key("adoptions") == "c" + hashlib.sha1(b"adoptions").hexdigest()[:8] + "-"


def test_drawing_a_chart_leaves_no_figure_open_in_pyplot(result):
    before = len(plt.get_fignums())
    charts.score_ranking(result, "群团")
    charts.adoptions(result)
    assert len(plt.get_fignums()) == before


def test_no_module_of_the_package_uses_pyplot():
    # Figures are made as Figure objects (matplotlib's advice for code that only saves pictures).
    package = Path(charts.__file__).resolve().parents[1]
    found = [f"{p}:{n.lineno}" for p in package.rglob("*.py") for n in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
             if isinstance(n, ast.Import) and any(a.name == "matplotlib.pyplot" for a in n.names)
             or isinstance(n, ast.ImportFrom) and (n.module == "matplotlib.pyplot"
                                                   or n.module == "matplotlib" and any(a.name == "pyplot" for a in n.names))]
    assert not found, found
