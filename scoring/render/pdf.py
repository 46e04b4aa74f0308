"""HTML → PDF with WeasyPrint and the bundled Noto CJK fonts (from mplfonts, via @font-face).

The PDF embeds only the bundled fonts; a glyph they lack is a :class:`MissingGlyphError`, never a
silent box (bulletin spec, "Look"). WeasyPrint fetches file: and data: only, never the network.
"""
from __future__ import annotations

import base64
import copy
import io
import logging
import re
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator

from pypdf import PdfReader
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from scoring.errors import ScoringError
from scoring.render.files import write_bytes_atomic
from scoring.render.fonts import renamed, subset_font
from scoring.render.html import page_css, shown_characters, text_of, without_embedded_fonts
from scoring.report import glyphs as fonts


class MissingGlyphError(ScoringError):
    """A character in the document that the bundled fonts cannot draw (a bug: input text goes
    through ``fonts.drawable`` first)."""

    def __init__(self, chars: tuple[str, ...] | list[str], detail: str = ""):
        self.chars = tuple(chars)
        shown = fonts.describe(self.chars) if self.chars else ""
        msg = f"文档中有内置字体无法显示的字符：{shown}" if shown else "文档中有内置字体无法显示的字符"
        super().__init__(msg + (f"（{detail}）" if detail else ""))


# ---- WeasyPrint ------------------------------------------------------------------------------------------
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


def check_glyphs(html: str) -> None:
    """Raise :class:`MissingGlyphError` for visible characters the bundled fonts cannot draw."""
    _, missing = fonts.drawable(text_of(html))
    if missing:
        raise MissingGlyphError(missing)


def pdf_fonts(path: Path | io.BytesIO) -> list[tuple[str, bool]]:
    """(BaseFont, embedded?) of every font in every page's resources, Type3 and descendants included."""

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


def _svg_as_images(html: str) -> str:
    """Inline SVG → <img> with the SVG as a data URI, for WeasyPrint: the same vector drawing,
    but its thousands of path nodes stay out of the HTML's style cascade. The image gets the
    SVG's width. (The bulletin's own charts are PNG <img> already: scoring.charts.)"""

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

    pictures: dict[str, bytes] = {}

    def swap(m: re.Match) -> str:
        ref = f"{_PICTURES}{len(pictures)}"
        pictures[ref] = base64.b64decode(m.group(1))
        return f'src="{ref}"'

    return _DATA_PNG.sub(swap, html), pictures


def _fetcher(pictures: dict[str, bytes]):
    """WeasyPrint's URL fetcher serving :func:`_pictures_by_reference`'s pictures from memory and
    nothing from the network (file: and data: only: the fonts, and any other embedded image)."""

    class _Fetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url in pictures:
                return URLFetcherResponse(url, pictures[url], {"Content-Type": "image/png"})
            return super().fetch(url, headers)

    return _Fetcher(allowed_protocols=("file", "data"))


def _bundled(base_font: str) -> bool:
    name = base_font.split("+", 1)[-1].replace(" ", "").replace("-", "").lower()
    return name.startswith(("notoserifcjk", "notosanscjk"))


@lru_cache(maxsize=1)
def _page_stylesheet() -> CSS:
    """The page stylesheet, parsed once per process (it declares no font face)."""
    return CSS(string=page_css())


def _cut_fonts(html: str) -> tuple[FontConfiguration, CSS]:
    """A font configuration of its own for one document, and @font-face rules handing WeasyPrint
    the bundled fonts cut to the document's characters (fonts.subset_font, as data: URIs).

    WeasyPrint keeps glyph ids when it subsets, so a whole Noto CJK file costs ≥ 80 KB per face in
    the PDF however few characters it shows; a font already cut to the document's characters
    costs what those characters cost. Each document gets its own configuration: faces of one
    family name cut to different characters must not meet."""
    chars = shown_characters(html)
    font_config = FontConfiguration()
    faces = []
    for family, path in ((fonts.SERIF_FACE, fonts.serif_path()), (fonts.SANS_FACE, fonts.sans_path())):
        data = base64.b64encode(_subset(path, chars, family)).decode("ascii")
        faces.append(f'@font-face {{ font-family: "{family}"; src: url("data:font/otf;base64,{data}"); '
                     f"font-weight: normal; font-style: normal; }}")
    return font_config, CSS(string="\n".join(faces) + "\n", font_config=font_config)


@lru_cache(maxsize=16)
def _subset(path: Path, chars: str, family: str) -> bytes:
    return renamed(subset_font(path, chars), family)


@dataclass
class Laid:
    """A document laid out once: its pages can be written to one PDF or several."""

    document: Any
    font_config: FontConfiguration
    log: list[logging.LogRecord]


def lay_out(html: str, *, base_url: str | Path | None = None) -> Laid:
    """Lay ``html`` out with WeasyPrint and the bundled fonts cut to its characters.

    Raises :class:`MissingGlyphError` when the text holds a character the bundled fonts lack.
    """
    html = without_embedded_fonts(html)       # WeasyPrint gets the fonts cut to the characters instead
    check_glyphs(html)
    own_page_css = "@bottom-center" in html         # the bulletin and the statements bring their page CSS
    font_config, font_faces = _cut_fonts(html if own_page_css else f"<style>{page_css()}</style>{html}")
    styles = [font_faces] if own_page_css else [font_faces, _page_stylesheet()]
    with _weasyprint_log() as log:
        html, pictures = _pictures_by_reference(_svg_as_images(html))
        doc = HTML(string=html, base_url=str(base_url) if base_url else str(Path.cwd()),
                   url_fetcher=_fetcher(pictures)).render(stylesheets=styles, font_config=font_config)
    return Laid(doc, font_config, list(log.records))


def pdf_bytes(laid: Laid, pages: range | None = None, *, title: str | None = None) -> tuple[bytes, list[str]]:
    """The PDF of ``laid`` (or of some of its ``pages``, then titled ``title``), and warnings.
    Only the fonts those pages use are embedded, cut to the glyphs they show.

    Raises :class:`MissingGlyphError` when WeasyPrint drew a .notdef glyph or had to fall back to a
    system font. Metadata dates come from the HTML (``dcterms.created``), so the bytes are
    reproducible.
    """
    doc = laid.document if pages is None else laid.document.copy([laid.document.pages[i] for i in pages])
    if title is not None:
        doc.metadata = copy.copy(doc.metadata)
        doc.metadata.title = title
    with _weasyprint_log() as log:
        buf = io.BytesIO()
        doc.write_pdf(buf, uncompressed_pdf=False)
    records = laid.log + list(log.records)
    notdef = [r.getMessage() for r in records if "notdef" in r.getMessage().lower()]
    if notdef:
        raise MissingGlyphError((), detail="；".join(sorted(set(notdef)))[:500])
    foreign = sorted({name for name, _ in pdf_fonts(buf) if not _bundled(name)})
    if foreign:
        raise MissingGlyphError((), detail="排版时改用了系统字体 " + "、".join(foreign))
    return buf.getvalue(), sorted({f"PDF 排版提示：{r.getMessage()}" for r in records
                                   if r.levelno >= logging.WARNING and not _NOISE.search(r.getMessage())})


def html_to_pdf(html: str, out: Path, *, base_url: str | Path | None = None) -> list[str]:
    """Render ``html`` to ``out`` with WeasyPrint and the bundled fonts cut to its characters;
    return warnings (see :func:`lay_out`, :func:`pdf_bytes`)."""
    data, warnings = pdf_bytes(lay_out(html, base_url=base_url))
    write_bytes_atomic(out, data)
    return warnings
