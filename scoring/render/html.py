"""Executed notebook → the bulletin's HTML (nbconvert, in-process, the project's template).

The HTML is self-contained (inline CSS, PNG charts, the bundled fonts subset to its characters as
data: URIs; no script, no link to any host) and opens offline by double-click, Chinese drawn in
the PDF's fonts even on a machine with no Chinese font.
"""
from __future__ import annotations

import copy
import html as html_mod
import io
import re
from functools import lru_cache
from pathlib import Path

import jinja2

from scoring.render.fonts import subset_font
from scoring.report import glyphs as fonts
from scoring.report import page
from fontTools.ttLib import TTFont
import base64
from nbconvert import HTMLExporter
import nbformat

TEMPLATES = Path(__file__).resolve().parent / "templates"
BULLETIN_TEMPLATE = TEMPLATES / "bulletin"


# ---- CSS ------------------------------------------------------------------------------------------
def _css(name: str) -> str:
    """The CSS template ``name`` with the page geometry and type sizes of scoring.report.page."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(BULLETIN_TEMPLATE)), autoescape=False,
                             keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    return env.get_template(name).render(p=page)


@lru_cache(maxsize=1)
def page_css() -> str:
    """The shared print CSS: A4, GB/T 9704 margins, 「— n —」 page numbers, fonts, table rules.

    Font families refer to the bundled faces declared by :func:`font_face_css` (added by
    :func:`html_to_pdf`), then to the same fonts as installed on a reader's machine.
    """
    return _css("page.css.j2")


@lru_cache(maxsize=1)
def bulletin_css() -> str:
    """page_css plus what only the notebook's HTML needs (wrappers, indent, screen view)."""
    return page_css() + "\n" + _css("bulletin.css.j2")


def font_face_css() -> str:
    """@font-face rules pointing at the mplfonts files, for WeasyPrint only (never in the HTML:
    local paths would leak into a file that is sent around)."""
    faces = []
    for family, path in ((fonts.SERIF_FACE, fonts.serif_path()), (fonts.SANS_FACE, fonts.sans_path())):
        faces.append(f'@font-face {{ font-family: "{family}"; src: url("{path.as_uri()}"); '
                     f"font-weight: normal; font-style: normal; }}")
    return "\n".join(faces) + "\n"


# ---- fonts embedded in the HTML ---------------------------------------------------------------------
# The <style> element carrying the bundled fonts in the HTML; html_to_pdf takes it out again
# (WeasyPrint gets the font files cut to the document's characters, see render.pdf).
EMBEDDED_FONTS_ID = "bundled-fonts"
_EMBEDDED_FONTS = re.compile(rf'<style id="{EMBEDDED_FONTS_ID}">.*?</style>\n?', re.S)
_STYLE_TEXT = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)
_GENERATED = "0123456789.•◦▪"       # what a browser or WeasyPrint draws unasked: counters, list markers
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_DRAWN = re.compile(r"\b(?:content|list-style(?:-type)?|quotes)\s*:\s*([^;}]*)", re.I)
_CSS_STRING = re.compile(r'"([^"]*)"|\'([^\']*)\'')


def shown_characters(html: str) -> str:
    """Every character ``html`` can put on screen or paper: its text and its CSS (generated
    content such as the page number's dashes, list markers), limited to what the bundled fonts
    draw, sorted. The embedded fonts are subset to these."""
    html = _EMBEDDED_FONTS.sub("", html)
    css = [_CSS_COMMENT.sub(" ", style) for style in _STYLE_TEXT.findall(html)]
    # From the CSS only what it draws: the quoted strings of generated content and list markers,
    # the digits of counters and list numbers, the default list markers (not its selectors and
    # property names).
    drawn = "".join(part for style in css for value in _CSS_DRAWN.findall(style) for q in _CSS_STRING.findall(value)
                    for part in q)
    chars = set(text_of(html)) | set(drawn) | set(_GENERATED)
    cmap = fonts.covered()
    return "".join(sorted(ch for ch in chars if ord(ch) in cmap))


@lru_cache(maxsize=8)
def font_subset(path: Path, chars: str, flavor: str = "woff") -> bytes:
    """The font at ``path`` cut down to ``chars`` (fonts.subset_font) as a ``flavor`` web font.

    Deterministic: the same characters give the same bytes (no timestamp or bounding box is
    recalculated). Cached, so a run subsets each font once.
    """

    font = TTFont(io.BytesIO(subset_font(path, chars)), recalcBBoxes=False, recalcTimestamp=False)
    font.flavor = flavor
    buf = io.BytesIO()
    font.save(buf)
    return buf.getvalue()


def embedded_font_css(chars: str) -> str:
    """@font-face rules declaring the bundled families (the names page.css asks for first) with
    ``chars`` of each font embedded as a data: URI: the HTML draws its Chinese with the fonts of
    the PDF on a machine without any Chinese font, offline."""

    flavor = "woff"
    faces = []
    for family, path in ((fonts.SERIF_FACE, fonts.serif_path()), (fonts.SANS_FACE, fonts.sans_path())):
        data = base64.b64encode(font_subset(path, chars, flavor)).decode("ascii")
        faces.append(f'@font-face {{ font-family: "{family}"; src: url("data:font/{flavor};base64,{data}") '
                     f'format("{flavor}"); font-weight: normal; font-style: normal; font-display: block; }}')
    return "\n".join(faces) + "\n"


def embed_fonts(html: str) -> str:
    """``html`` with the bundled fonts, subset to the characters it shows, in its <head>."""
    html = _EMBEDDED_FONTS.sub("", html)
    style = f'<style id="{EMBEDDED_FONTS_ID}">\n{embedded_font_css(shown_characters(html))}</style>\n'
    head_end = html.find("</head>")
    return html[:head_end] + style + html[head_end:] if head_end >= 0 else style + html


def without_embedded_fonts(html: str) -> str:
    return _EMBEDDED_FONTS.sub("", html)


# ---- HTML -----------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _exporter():
    """The bulletin's HTMLExporter, built once per process (its templates compile on first use)."""

    ex = HTMLExporter(template_name="bulletin", extra_template_basedirs=[str(TEMPLATES)])
    ex.exclude_input = True
    ex.exclude_input_prompt = True
    ex.exclude_output_prompt = True
    ex.exclude_anchor_links = True
    ex.language_code = "zh"          # 'zh-CN' is not an ISO 639-1 code and silently becomes 'en'
    ex.embed_images = True
    return ex


def notebook_to_html(nb_path_or_node, title: str, *, date: str | None = None,
                     author: str = "", embed: bool = True) -> str:
    """An executed notebook (path or nbformat node) → the bulletin's self-contained HTML.

    ``date`` (ISO, e.g. the issue date) becomes the document's created/modified metadata, which
    WeasyPrint copies into the PDF; never today's date, so two runs give the same bytes.
    ``embed``: the bundled fonts go in (:func:`embed_fonts`); False leaves that to the caller
    (the pipeline subsets the fonts while WeasyPrint lays out the PDF, which needs none of it).
    """

    if isinstance(nb_path_or_node, (str, Path)):
        nb = nbformat.read(str(nb_path_or_node), as_version=4)
    else:
        nb = copy.deepcopy(nb_path_or_node)
    nb.metadata["title"] = title
    for cell in nb.cells:
        # papermill gives its injected cell a random id, which would land in the HTML.
        if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
            cell["id"] = "injected-parameters"
    resources = {"bulletin": {"title": title, "date": date or "", "author": author, "css": bulletin_css()},
                 "metadata": {"name": title}}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    # Trailing spaces vary with template whitespace control only; normalize line ends for diffs.
    html = "\n".join(line.rstrip() for line in body.splitlines()) + "\n"
    return embed_fonts(html) if embed else html


def fragments_to_html(fragments, title: str, *, date: str | None = None, author: str = "",
                      embed: bool = True) -> str:
    """HTML fragments (a report's parts, in order) → a document with the bulletin's template and
    look (:func:`notebook_to_html`), with no kernel: each fragment is one cell's displayed output
    of a notebook made in memory. Same fragments, same bytes (the cells' ids are fixed)."""
    nb = nbformat.v4.new_notebook()
    for i, fragment in enumerate(fragments):
        cell = nbformat.v4.new_code_cell(source="", outputs=[
            nbformat.v4.new_output("display_data", data={"text/html": fragment})])
        cell["id"] = f"part-{i}"
        nb.cells.append(cell)
    return notebook_to_html(nb, title, date=date, author=author, embed=embed)


_CHART_IMG = re.compile(r'<img class="chart" data-chart="([^"]+)"[^>]*?\bsrc="data:image/png;base64,([^"]+)"')


def chart_images(nb) -> dict[str, bytes]:
    """The charts (scoring.charts) an executed notebook shows, as PNG keyed by each chart's
    ``data-chart`` key: what the Word copy places, nothing drawn again; {} when there are none."""

    out: dict[str, bytes] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            for key, data in _CHART_IMG.findall("".join(html) if isinstance(html, list) else html):
                out[key] = base64.b64decode(data)
    return out


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<svg\b.*?</svg\s*>|<[^>]+>", re.S | re.I)


def text_of(html: str) -> str:
    """The characters a reader sees in ``html`` (tags, style, script and SVG paths removed)."""
    return html_mod.unescape(_TAG.sub(" ", html))
