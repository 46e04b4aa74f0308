"""Fonts, the nbconvert template and WeasyPrint (scoring.fonts, scoring.render)."""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring.report import glyphs as fonts

from scoring.render import fonts as render_fonts
from scoring.render import html as render
from scoring.render import pdf

EXTERNAL = re.compile(r"""(?:\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?//)|@import|url\(\s*["']?\s*(?:https?:)?//""", re.I)


def external_refs(html: str) -> list[str]:
    """src/href attributes, @import and url() that would make a browser ask another host."""
    return EXTERNAL.findall(html)


def tiny_notebook(fragment: str):
    """An executed-looking notebook: a hidden code cell whose output is ``fragment`` as HTML."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    cell = new_code_cell("display(HTML(secret_source_code))", execution_count=1)
    cell.outputs = [new_output("display_data", data={"text/html": fragment}),
                    new_output("stream", name="stderr", text="提示：内部警告\n"),
                    new_output("execute_result", data={"text/plain": "PosixPath('/tmp/x')"}, execution_count=1)]
    nb = new_notebook(cells=[cell])
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.from_dict(nb)


def embedded_fonts(html: str) -> dict[str, set[int]]:
    """The @font-face data: URIs of ``html``: family → code points its embedded font maps."""
    import base64

    from fontTools.ttLib import TTFont

    faces = {}
    for family, data in re.findall(r'@font-face \{ font-family: "([^"]+)"; src: url\("data:font/woff2?;base64,([^"]+)"\)',
                                   html):
        faces[family] = set(TTFont(io.BytesIO(base64.b64decode(data))).getBestCmap())
    return faces


# ---- fonts ------------------------------------------------------------------------------------------
def test_ordinary_chinese_latin_and_digits_are_drawable_unchanged():
    text, missing = fonts.drawable("昆仑街道 2023年第三季度：12.5分（—）〓")
    assert text == "昆仑街道 2023年第三季度：12.5分（—）〓"
    assert missing == ()


def test_an_emoji_and_an_ext_b_character_become_the_geta_mark_and_are_named():
    # U+1F600 (emoji) and U+20000 (CJK Ext-B 𠀀) are not in Noto CJK SC: each prints as 〓.
    text, missing = fonts.drawable("王😀𠀀明")
    assert text == "王〓〓明"
    assert missing == ("😀", "𠀀")


def test_an_emoji_with_a_variation_selector_is_one_placeholder_not_two():
    # U+1F44D + U+FE0F: the selector is invisible, so only the thumb is replaced.
    text, missing = fonts.drawable("好👍\ufe0f")
    assert text == "好〓"
    assert missing == ("👍",)


def test_a_replaced_cell_warns_with_its_file_and_row():
    frame = pd.DataFrame({"note": ["正常", "笑脸😀"], "_file": ["events.csv", "events.csv"], "_row": [2, 3]})
    fixed, warnings = fonts.drawable_series(frame["note"], frame, "说明")
    assert fixed.tolist() == ["正常", "笑脸〓"]
    assert len(warnings) == 1
    assert "events.csv" in warnings[0] and "第 3 行" in warnings[0] and "U+1F600" in warnings[0]
    assert frame["note"].tolist() == ["正常", "笑脸😀"]        # input not mutated


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_drawable_output_is_always_drawable_and_keeps_length_or_shrinks(text):
    out, missing = fonts.drawable(text)
    assert fonts.drawable(out) == (out, ())
    assert len(out) <= len(text)
    assert all(ch in text for ch in missing)


def test_font_paths_are_the_free_noto_fonts_never_simhei():
    paths = fonts.font_paths()
    assert paths["serif"].name == "NotoSerifCJKsc-Regular.otf" and paths["serif"].exists()
    assert paths["sans"].name == "NotoSansCJKsc-Regular.otf" and paths["sans"].exists()
    assert "SimHei" not in render.font_face_css() + render.page_css()


def test_charts_are_reproducible_svg_with_text_as_paths():
    # savefig(format="svg") draws with the SVG backend whatever the global one: no matplotlib.use
    # here, which would leave later tests in this worker on the svg backend.
    import matplotlib.pyplot as plt

    fonts.setup_matplotlib()

    def draw() -> str:
        fig, ax = plt.subplots(figsize=(3, 2))
        ax.bar(["昆仑街道", "市司法局"], [12.5, 25])
        ax.set_title("本季得分")
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata=fonts.SVG_METADATA)
        plt.close(fig)
        return buf.getvalue()

    first, second = draw(), draw()
    assert first == second
    assert "<text" not in first          # svg.fonttype = path: no font needed to display


# ---- CSS and HTML -------------------------------------------------------------------------------------
def test_page_css_sets_a4_official_margins_and_centred_page_numbers():
    css = render.page_css()
    assert "size: A4 portrait" in css
    assert "margin: 37mm 26mm 35mm 28mm" in css      # top right bottom left: 210 − 28 − 26 = 156 mm text
    assert re.search(r'@bottom-center\s*{\s*content:\s*"— " counter\(page\) " —"', css)
    assert "thead { display: table-header-group; }" in css
    assert "section.attachment { break-before: page" in css
    assert "font-weight: bold" not in css


def test_the_html_is_chinese_offline_and_shows_only_the_outputs():
    html = render.notebook_to_html(tiny_notebook('<p class="opening">根据办法通报如下。</p>'),
                                   "测试<通报>", date="2023-10-10")
    assert '<html lang="zh">' in html
    assert "根据办法通报如下。" in html
    assert "secret_source_code" not in html          # --no-input
    assert "内部警告" not in html and "PosixPath" not in html
    assert "<script" not in html.lower()
    assert external_refs(html) == []
    assert "<title>测试&lt;通报&gt;</title>" in html
    assert re.search(r'<meta (content="2023-10-10" name="dcterms.created"|name="dcterms.created" content="2023-10-10")', html)


def test_the_html_embeds_both_bundled_fonts_cut_to_the_characters_it_shows():
    html = render.notebook_to_html(tiny_notebook('<p class="opening">溧阳市通报：12.5分</p><table class="data">'
                                                 '<tr><td>团市委</td></tr></table>'), "季度通报", date="2023-10-10")
    faces = embedded_fonts(html)
    assert set(faces) == {fonts.SERIF_FACE, fonts.SANS_FACE}          # the families page.css asks for first
    shown = {ord(ch) for ch in render.text_of(html) if not ch.isspace()}
    assert {ord(ch) for ch in "溧阳市通报团委季度12.5分："} <= shown
    for family, cmap in faces.items():
        assert shown <= cmap, family
        assert ord("鑫") not in cmap and len(cmap) < 400, family      # a subset, not the 30,000-glyph font
    assert external_refs(html) == []


def test_embedding_the_fonts_gives_the_same_bytes_twice_and_once_only():
    html = render.notebook_to_html(tiny_notebook("<p>溧阳市大数据管理局</p>"), "通报", date="2023-10-10", embed=False)
    first = render.embed_fonts(html)
    render.font_subset.cache_clear()                 # subset again from the font files
    assert render.embed_fonts(html) == first
    assert render.embed_fonts(first) == first         # a second embedding replaces, never adds
    assert first.count("@font-face") == 2
    assert render.without_embedded_fonts(first) == html


def test_the_subsetter_keeps_exactly_the_asked_characters_and_gives_the_same_bytes_twice():
    from fontTools.ttLib import TTFont

    subset = render_fonts.subset_font
    chars = "溧阳市通报 2023年第三季度：12.5分"
    for path in fonts.font_paths().values():
        first = subset(path, chars)
        assert first == subset(path, chars)
        font = TTFont(io.BytesIO(first))
        assert set(font.getBestCmap()) == {ord(ch) for ch in chars}
        assert not set(render_fonts.SUBSET_DROPPED_TABLES) & set(font.keys())


def test_the_external_reference_check_itself_catches_links():
    assert external_refs('<img src="https://x.example/a.png">')
    assert external_refs("<style>@import 'x.css';</style>")
    assert external_refs("a { background: url(//cdn.example/x.png) }")
    assert not external_refs('<svg xmlns="http://www.w3.org/2000/svg"></svg>')


def test_a_character_the_fonts_lack_fails_the_glyph_check_naming_it():
    with pytest.raises(pdf.MissingGlyphError) as err:
        pdf.check_glyphs("<p>单位😀</p>")
    assert err.value.chars == ("😀",)
    assert "U+1F600" in str(err.value)
    pdf.check_glyphs("<style>p{content:'😀'}</style><p>单位〓</p>")     # style text is not shown


@pytest.mark.slow
def test_the_pdf_embeds_only_noto_cjk_and_is_reproducible(tmp_path):
    from pypdf import PdfReader

    html = render.notebook_to_html(tiny_notebook(
        '<div class="title-block"><h1 class="doc-title">溧阳市通报</h1></div>'
        '<table class="data"><thead><tr><th>单位</th><th>得分</th></tr></thead>'
        '<tbody><tr class="veto"><td>团市委</td><td class="num">12.25</td></tr></tbody></table>'),
        "溧阳市通报", date="2023-10-10")
    a, b = tmp_path / "a.pdf", tmp_path / "b.pdf"
    pdf.html_to_pdf(html, a)
    pdf.html_to_pdf(html, b)
    assert a.read_bytes() == b.read_bytes()
    used = pdf.pdf_fonts(a)
    assert used and all(embedded for _, embedded in used)
    assert {re.sub(r"^/?[A-Z]{6}\+", "", name) for name, _ in used} <= {"NotoSerifCJKsc", "NotoSansCJKsc"}
    text = PdfReader(str(a)).pages[0].extract_text()
    assert "溧阳市通报" in text and "12.25" in text and "— 1 —" in text


@pytest.mark.slow
def test_the_pdf_is_the_same_whether_or_not_the_html_carries_its_fonts(tmp_path):
    # WeasyPrint embeds the font files themselves; the HTML's subsets are taken out first.
    html = render.notebook_to_html(tiny_notebook("<p>溧阳市通报</p>"), "通报", date="2023-10-10", embed=False)
    pdf.html_to_pdf(html, tmp_path / "bare.pdf")
    pdf.html_to_pdf(render.embed_fonts(html), tmp_path / "embedded.pdf")
    assert (tmp_path / "bare.pdf").read_bytes() == (tmp_path / "embedded.pdf").read_bytes()


@pytest.mark.slow
def test_an_unknown_character_reaching_weasyprint_raises_instead_of_printing_a_box(tmp_path):
    with pytest.raises(pdf.MissingGlyphError):
        pdf.html_to_pdf("<html><body><p>表情😀</p></body></html>", tmp_path / "x.pdf")
    assert not (tmp_path / "x.pdf").exists()


def _png_bytes(colour=(200, 30, 30)) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (40, 20), colour).save(buf, format="PNG")
    return buf.getvalue()


def test_an_embedded_picture_is_placed_and_a_network_one_is_never_fetched(tmp_path, monkeypatch):
    import base64
    import urllib.request

    from pypdf import PdfReader

    opened: list[str] = []
    real_open = urllib.request.OpenerDirector.open

    def spy(self, url, *args, **kwargs):
        opened.append(url if isinstance(url, str) else url.full_url)
        return real_open(self, url, *args, **kwargs)

    monkeypatch.setattr(urllib.request.OpenerDirector, "open", spy)
    data = base64.b64encode(_png_bytes()).decode("ascii")
    html = (f'<html><body><p>图</p><img src="data:image/png;base64,{data}">'
            '<img src="http://example.invalid/x.png"></body></html>')
    warnings = pdf.html_to_pdf(html, tmp_path / "p.pdf")
    page = PdfReader(str(tmp_path / "p.pdf")).pages[0]
    assert len(page.images) == 1                       # the embedded one, served from memory
    assert not any(u.startswith("http") for u in opened)
    assert any("example.invalid" in w for w in warnings)
