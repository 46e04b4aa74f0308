"""Rendering: executed notebook → HTML (nbconvert, in-process) → PDF (WeasyPrint).

The HTML is self-contained (inline CSS, inline SVG charts, the bundled fonts subset to its
characters as data: URIs; no script, no link to any host) and opens offline by double-click,
Chinese drawn in the PDF's fonts even on a machine with no Chinese font. The PDF embeds only the bundled Noto CJK fonts; a glyph they lack
is a :class:`MissingGlyphError`, never a silent box (bulletin spec, "Look").
"""
from __future__ import annotations

import copy
import html as html_mod
import io
import logging
import os
import re
import threading
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Iterator

from . import fonts
from .atomic import write_bytes_atomic
from .errors import ScoringError

TEMPLATES = Path(__file__).resolve().parent / "templates"
BULLETIN_TEMPLATE = TEMPLATES / "bulletin"
DEFAULT_AUTHOR = "溧阳市大数据管理局"


class MissingGlyphError(ScoringError):
    """A character in the document that the bundled fonts cannot draw (a bug: input text goes
    through ``fonts.drawable`` first)."""

    def __init__(self, chars: tuple[str, ...] | list[str], detail: str = ""):
        self.chars = tuple(chars)
        shown = fonts.describe(self.chars) if self.chars else ""
        msg = f"文档中有内置字体无法显示的字符：{shown}" if shown else "文档中有内置字体无法显示的字符"
        super().__init__(msg + (f"（{detail}）" if detail else ""))


# ---- CSS ------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def page_css() -> str:
    """The shared print CSS: A4, GB/T 9704 margins, 「— n —」 page numbers, fonts, table rules.

    Font families refer to the bundled faces declared by :func:`font_face_css` (added by
    :func:`html_to_pdf`), then to the same fonts as installed on a reader's machine.
    """
    return (BULLETIN_TEMPLATE / "page.css").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def bulletin_css() -> str:
    """page_css plus what only the notebook's HTML needs (wrappers, indent, screen view)."""
    return page_css() + "\n" + (BULLETIN_TEMPLATE / "bulletin.css").read_text(encoding="utf-8")


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
# (WeasyPrint embeds the font files themselves, see font_face_css).
EMBEDDED_FONTS_ID = "bundled-fonts"
_EMBEDDED_FONTS = re.compile(rf'<style id="{EMBEDDED_FONTS_ID}">.*?</style>\n?', re.S)
_STYLE_TEXT = re.compile(r"<style\b[^>]*>(.*?)</style\s*>", re.S | re.I)


def shown_characters(html: str) -> str:
    """Every character ``html`` can put on screen or paper: its text and its CSS (generated
    content such as the page number's dashes, list markers), limited to what the bundled fonts
    draw, sorted. The embedded fonts are subset to these."""
    html = _EMBEDDED_FONTS.sub("", html)
    chars = set(text_of(html)).union(*map(set, _STYLE_TEXT.findall(html)))
    cmap = fonts.covered()
    return "".join(sorted(ch for ch in chars if ord(ch) in cmap))


def _font_flavor() -> str:
    """WOFF2 (Brotli) when brotli is importable, else WOFF (zlib): both every browser reads."""
    try:
        import brotli  # noqa: F401
    except ImportError:
        return "woff"
    return "woff2"


# Brotli quality of the embedded WOFF2: fontTools uses the top quality (11), 0.3–0.5 s per CJK
# subset of the bulletin (more than cutting it) for ≈7 % fewer bytes than quality 9, which takes
# a few milliseconds.
WOFF2_QUALITY = 9
_woff2_lock = threading.Lock()


@contextmanager
def _woff2_quality(quality: int) -> Iterator[None]:
    """fontTools' WOFF2 writer compressing at ``quality`` (it has no option for it: its module's
    ``brotli`` is swapped for the duration; a fontTools without it simply keeps quality 11)."""
    from fontTools.ttLib import woff2

    real = getattr(woff2, "brotli", None)
    if real is None:
        yield
        return

    class _AtQuality:
        def __getattr__(self, name: str):
            return getattr(real, name)

        @staticmethod
        def compress(data: bytes, **kwargs):
            return real.compress(data, **{**kwargs, "quality": quality})

    with _woff2_lock:
        woff2.brotli = _AtQuality()
        try:
            yield
        finally:
            woff2.brotli = real


@lru_cache(maxsize=8)
def font_subset(path: Path, chars: str, flavor: str = "woff") -> bytes:
    """The font at ``path`` cut down to ``chars`` (fonts.subset_font) as a ``flavor`` web font.

    Deterministic: the same characters give the same bytes (no timestamp or bounding box is
    recalculated). Cached, so a run subsets each font once.
    """
    from fontTools.ttLib import TTFont

    font = TTFont(io.BytesIO(fonts.subset_font(path, chars)), recalcBBoxes=False, recalcTimestamp=False)
    font.flavor = flavor
    buf = io.BytesIO()
    if flavor == "woff2":
        with _woff2_quality(WOFF2_QUALITY):
            font.save(buf)
    else:
        font.save(buf)
    return buf.getvalue()


def embedded_font_css(chars: str) -> str:
    """@font-face rules declaring the bundled families (the names page.css asks for first) with
    ``chars`` of each font embedded as a data: URI: the HTML draws its Chinese with the fonts of
    the PDF on a machine without any Chinese font, offline."""
    import base64

    flavor = _font_flavor()
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
_exporter_lock = threading.Lock()


def _exporter():
    """The bulletin's HTMLExporter, built once per process (its templates compile on first use)."""
    global _cached_exporter
    with _exporter_lock:
        if _cached_exporter is None:
            _cached_exporter = _new_exporter()
        return _cached_exporter


_cached_exporter = None


def _new_exporter():
    from nbconvert import HTMLExporter

    ex = HTMLExporter(template_name="bulletin", extra_template_basedirs=[str(TEMPLATES)])
    ex.exclude_input = True
    ex.exclude_input_prompt = True
    ex.exclude_output_prompt = True
    ex.exclude_anchor_links = True
    ex.language_code = "zh"          # 'zh-CN' is not an ISO 639-1 code and silently becomes 'en'
    ex.embed_images = True
    return ex


def notebook_to_html(nb_path_or_node, title: str, *, date: str | None = None,
                     author: str = DEFAULT_AUTHOR, embed: bool = True) -> str:
    """An executed notebook (path or nbformat node) → the bulletin's self-contained HTML.

    ``date`` (ISO, e.g. the issue date) becomes the document's created/modified metadata, which
    WeasyPrint copies into the PDF; never today's date, so two runs give the same bytes.
    ``embed``: the bundled fonts go in (:func:`embed_fonts`); False leaves that to the caller
    (the pipeline subsets the fonts while WeasyPrint lays out the PDF, which needs none of it).
    """
    import nbformat

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


# ---- PDF ------------------------------------------------------------------------------------------
class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def _weasyprint_log() -> Iterator[_Capture]:
    logger = logging.getLogger("weasyprint")
    handler = _Capture()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False      # we report what matters ourselves
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


_TAG = re.compile(r"<(script|style)\b.*?</\1\s*>|<svg\b.*?</svg\s*>|<[^>]+>", re.S | re.I)


def text_of(html: str) -> str:
    """The characters a reader sees in ``html`` (tags, style, script and SVG paths removed)."""
    return html_mod.unescape(_TAG.sub(" ", html))


def check_glyphs(html: str) -> None:
    """Raise :class:`MissingGlyphError` for visible characters the bundled fonts cannot draw."""
    _, missing = fonts.drawable(text_of(html))
    if missing:
        raise MissingGlyphError(missing)


def pdf_fonts(path: Path | io.BytesIO) -> list[tuple[str, bool]]:
    """(BaseFont, embedded?) of every font in every page's resources, Type3 and descendants included."""
    from pypdf import PdfReader

    out: list[tuple[str, bool]] = []
    for page in PdfReader(path if isinstance(path, io.BytesIO) else str(path)).pages:
        res = page.get("/Resources")
        res = res.get_object() if res is not None else {}
        fdict = res.get("/Font")
        if fdict is None:
            continue
        for ref in fdict.get_object().values():
            font = ref.get_object()
            targets = [font]
            if "/DescendantFonts" in font:
                targets = [d.get_object() for d in font["/DescendantFonts"]]
            for f in targets:
                desc = f.get("/FontDescriptor")
                desc = desc.get_object() if desc is not None else {}
                embedded = any(k in desc for k in ("/FontFile", "/FontFile2", "/FontFile3"))
                out.append((str(f.get("/BaseFont", font.get("/BaseFont", ""))), embedded))
    return out


# Inline SVG presentation styles (fill, stroke…) that WeasyPrint's CSS parser does not know: harmless.
_NOISE = re.compile(r"^Ignored `[^`]*` at \d+:\d+, unknown property|notdef", re.I)


_INLINE_SVG = re.compile(r"<svg\b.*?</svg\s*>", re.S | re.I)
_SVG_WIDTH = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+pt)"')


_CHART_IMG = re.compile(r'<img class="chart" data-chart="([^"]+)"[^>]*?\bsrc="data:image/png;base64,([^"]+)"')


def chart_images(nb) -> dict[str, bytes]:
    """The charts (scoring.charts) an executed notebook shows, as PNG keyed by each chart's
    ``data-chart`` key: what the Word copy places, nothing drawn again; {} when there are none."""
    import base64

    out: dict[str, bytes] = {}
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            html = output.get("data", {}).get("text/html", "")
            for key, data in _CHART_IMG.findall("".join(html) if isinstance(html, list) else html):
                out[key] = base64.b64decode(data)
    return out


def _svg_as_images(html: str) -> str:
    """Inline SVG → <img> with the SVG as a data URI, for WeasyPrint: the same vector drawing,
    but its thousands of path nodes stay out of the HTML's style cascade. The image gets the
    SVG's width. (The bulletin's own charts are PNG <img> already: scoring.charts.)"""
    import base64

    def swap(m: re.Match) -> str:
        svg = m.group(0)
        width = _SVG_WIDTH.search(svg)
        # An <img>'s own size would be taken in CSS pixels (3/4 of the pt the chart is drawn in).
        size = f' style="width: {width.group(1)}"' if width else ""
        if "xmlns=" not in svg[:400]:
            svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"', 1)
        data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
        return f'<img class="chart-svg" alt=""{size} src="data:image/svg+xml;base64,{data}">'

    return _INLINE_SVG.sub(swap, html)


# Embedded PNG pictures, handed to WeasyPrint by reference: its HTML parser walks every attribute
# value character by character, the charts' data: URIs alone took a tenth of the PDF's time.
_DATA_PNG = re.compile(r'\bsrc="data:image/png;base64,([A-Za-z0-9+/=\s]+)"')
_PICTURES = "liyang-picture:"


def _pictures_by_reference(html: str) -> tuple[str, dict[str, bytes]]:
    """``html`` with each data: URI PNG replaced by a short ``liyang-picture:<n>`` reference, and
    the pictures by reference (served from memory by :func:`_fetcher`; nothing is written)."""
    import base64

    pictures: dict[str, bytes] = {}

    def swap(m: re.Match) -> str:
        ref = f"{_PICTURES}{len(pictures)}"
        pictures[ref] = base64.b64decode(m.group(1))
        return f'src="{ref}"'

    return _DATA_PNG.sub(swap, html), pictures


def _fetcher(pictures: dict[str, bytes]):
    """WeasyPrint's URL fetcher serving :func:`_pictures_by_reference`'s pictures from memory and
    nothing from the network (file: and data: only: the fonts, and any other embedded image)."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class _Fetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url in pictures:
                return URLFetcherResponse(url, pictures[url], {"Content-Type": "image/png"})
            return super().fetch(url, headers)

    return _Fetcher(allowed_protocols=("file", "data"))


def _bundled(base_font: str) -> bool:
    name = base_font.split("+", 1)[-1].replace(" ", "")
    return name.startswith(("NotoSerifCJK", "NotoSansCJK"))


@lru_cache(maxsize=2)
def _weasyprint_fonts(pid: int):
    """WeasyPrint's font configuration with the bundled faces loaded, their @font-face stylesheet
    and the page stylesheet: made once per process (keyed by ``pid``: a forked child makes its
    own) and shared by its documents. Loading the two font files is ≈0.2 s the first time, which
    :func:`prewarm` takes off the run's critical path."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    font_config = FontConfiguration()
    return (font_config, CSS(string=font_face_css(), font_config=font_config),
            CSS(string=page_css(), font_config=font_config))


def html_to_pdf(html: str, out: Path, *, base_url: str | Path | None = None) -> list[str]:
    """Render ``html`` to ``out`` with WeasyPrint and the bundled fonts; return warnings.

    Raises :class:`MissingGlyphError` when the text holds a character the bundled fonts lack,
    when WeasyPrint draws a .notdef glyph, or when it had to fall back to a system font.
    Metadata dates come from the HTML (``dcterms.created``), so the bytes are reproducible.
    """
    from weasyprint import HTML

    html = without_embedded_fonts(html)       # WeasyPrint gets the whole font files instead
    check_glyphs(html)
    font_config, font_faces, page = _weasyprint_fonts(os.getpid())
    styles = [font_faces] if "@bottom-center" in html else [font_faces, page]   # statements bring no page CSS
    with _weasyprint_log() as log:
        html, pictures = _pictures_by_reference(_svg_as_images(html))
        doc = HTML(string=html, base_url=str(base_url) if base_url else str(Path.cwd()),
                   url_fetcher=_fetcher(pictures))
        buf = io.BytesIO()
        doc.write_pdf(buf, stylesheets=styles, font_config=font_config, uncompressed_pdf=False)
    notdef = [r.getMessage() for r in log.records if "notdef" in r.getMessage().lower()]
    if notdef:
        raise MissingGlyphError((), detail="；".join(sorted(set(notdef)))[:500])
    foreign = sorted({name for name, _ in pdf_fonts(buf) if not _bundled(name)})
    if foreign:
        raise MissingGlyphError((), detail="排版时改用了系统字体 " + "、".join(foreign))
    write_bytes_atomic(out, buf.getvalue())
    return sorted({f"PDF 排版提示：{r.getMessage()}" for r in log.records
                   if r.levelno >= logging.WARNING and not _NOISE.search(r.getMessage())})


# ---- warm-up --------------------------------------------------------------------------------------
def prewarm() -> threading.Thread:
    """Import WeasyPrint, nbconvert, fontTools and python-docx, load the bundled fonts into
    WeasyPrint's font configuration, compile the bulletin template and read the fonts' coverage in
    a background thread; returns the thread. The pipeline starts it while the kernel executes the
    notebook (this process only waits then), so these seconds leave the run's critical path."""

    def work() -> None:
        try:
            import weasyprint  # noqa: F401
            from nbformat.v4 import new_notebook

            _weasyprint_fonts(os.getpid())

            notebook_to_html(new_notebook(), "预热", embed=False)
            fonts.covered()
            fonts._harfbuzz()
            # What the pipeline's forked child (bulletin.docx, font subsets) uses: imported once here.
            import docx  # noqa: F401
            import fontTools.ttLib.woff2  # noqa: F401

            from . import docx_export  # noqa: F401
        except Exception:          # a warm-up only: the real call reports any problem
            pass

    thread = threading.Thread(target=work, name="render-prewarm", daemon=True)
    thread.start()
    return thread
