"""bulletin.docx: the quarterly bulletin as an editable Word document (python-docx).

The wording is the bulletin's own: the section builders of :mod:`scoring.bulletin` return HTML
fragments in the vocabulary of docs/ARCHITECTURE.md, and this module maps that small vocabulary
onto Word (title block, 一、/（一） headings, body paragraphs, ``table.data`` as real Word tables
with a repeating header row, problem lists, notes, attachments on a new page, signature, 抄送).
So an office that edits the draft in Word starts from exactly the text of bulletin.pdf.

Charts are the bulletin's own matplotlib figures (:mod:`scoring.charts`) saved as PNG at 200 dpi.
Fonts are named 宋体 (body, title) and 黑体 (headings, tables) with ``w:eastAsia`` set, so the
document opens right on a Chinese Windows; the page is A4 with the official margins (GB/T 9704:
top 37 mm, bottom 35 mm, left 28 mm, right 26 mm) and a 「— n —」 page number.

Deterministic: core properties are dated the issue date, zip entries carry that date, so the same
Result and parameters give the same bytes.
"""
from __future__ import annotations

import datetime as _dt
import hashlib
import io
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator, Mapping

from scoring.method.calendar import default_issue_date
from scoring.render.files import restamp_zip, write_bytes_atomic
from docx.oxml.ns import qn
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt, RGBColor
from docx.shared import Mm
from scoring.report import charts
import matplotlib.pyplot as plt
from scoring.report import bulletin as b
import docx
from scoring.report.bulletin import bulletin_title
from docx.shared import Pt
from docx.enum.table import WD_TABLE_ALIGNMENT

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
PAGE_MM = (210, 297)
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}     # GB/T 9704
TEXT_WIDTH_MM = PAGE_MM[0] - MARGINS_MM["left"] - MARGINS_MM["right"]
VETO_RGB = (0xA4, 0x00, 0x00)
PNG_MARK = "docx-chart:"


# ---- a tiny DOM for the bulletin's HTML fragments ----------------------------------------------
@dataclass
class Node:
    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list["Node | str"] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else ("\n" if c.tag == "br" else c.text()) for c in self.children)

    def find_all(self, tag: str) -> list["Node"]:
        out = []
        for c in self.children:
            if isinstance(c, Node):
                if c.tag == tag:
                    out.append(c)
                out.extend(c.find_all(tag))
        return out


VOID = {"br", "img", "meta", "hr", "col", "input", "link"}


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]
        self.skip = 0               # inside <svg>/<style>/<script>: not text

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip or tag in ("svg", "style", "script"):
            if tag in ("svg", "style", "script"):
                self.skip += 1
            return
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("svg", "style", "script"):
            self.skip = max(0, self.skip - 1)
            return
        if self.skip or tag in VOID:
            return
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.stack[-1].children.append(data)


def parse_html(fragment: str) -> Node:
    p = _Parser()
    p.feed(fragment)
    p.close()
    return p.root


# ---- fonts and page ----------------------------------------------------------------------------
def _set_fonts(rpr_owner, east_asia: str, latin: str = LATIN_FONT) -> None:
    """Name the font for every script (ascii, hAnsi, eastAsia), dropping theme fonts that win otherwise."""

    rpr = rpr_owner.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.insert(0, rfonts)
    for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        rfonts.attrib.pop(qn(attr), None)
    rfonts.set(qn("w:ascii"), latin)
    rfonts.set(qn("w:hAnsi"), latin)
    rfonts.set(qn("w:eastAsia"), east_asia)
    rfonts.set(qn("w:cs"), latin)


def _style_fonts(doc) -> None:

    normal = doc.styles["Normal"]
    normal.font.size = Pt(12)
    _set_fonts(normal.element, BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.5
    for name, size in (("Title", 22), ("Heading 1", 16), ("Heading 2", 14)):
        st = doc.styles[name]
        st.font.size = Pt(size)
        st.font.bold = False
        st.font.italic = False
        st.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(st.element, BODY_FONT if name == "Title" else HEADING_FONT)
        st.paragraph_format.space_before = Pt(12 if name != "Title" else 0)
        st.paragraph_format.space_after = Pt(6)
        if name == "Title":
            st.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
            # The Title style of the default template draws a blue rule under itself.
            ppr = st.element.get_or_add_pPr()
            for b in ppr.findall(qn("w:pBdr")):
                ppr.remove(b)


def _page(doc) -> None:

    for s in doc.sections:
        s.page_width, s.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
        s.top_margin, s.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
        s.left_margin, s.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
        _page_number(s.footer.paragraphs[0])


def _page_number(par) -> None:
    """「— n —」 centred: a PAGE field between two dashes."""

    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    par.add_run("— ")
    run = par.add_run()
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        if kind == "instr":
            el = run._r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
        elif kind == "text":
            el = run._r.makeelement(qn("w:t"), {})
            el.text = text
        else:
            el = run._r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        run._r.append(el)
    par.add_run(" —")
    for r in par.runs:
        _set_fonts(r._r, BODY_FONT)


# ---- HTML → Word ----------------------------------------------------------------------------------
class _Writer:
    def __init__(self, doc, images: Mapping[str, bytes]):
        self.doc = doc
        self.images = images
        self.break_before = False

    # paragraphs
    def _para(self, style: str | None = None, align: str | None = None, indent: bool = False,
              size: float | None = None):

        par = self.doc.add_paragraph(style=style)
        if align:
            par.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                             "justify": WD_ALIGN_PARAGRAPH.JUSTIFY}[align]
        if indent:
            par.paragraph_format.first_line_indent = Pt((size or 12) * 2)
        if self.break_before:
            par.paragraph_format.page_break_before = True
            self.break_before = False
        return par

    def _runs(self, par, node: Node | str, size: float | None = None, colour: tuple | None = None,
              font: str | None = None) -> None:

        if isinstance(node, str):
            text = " ".join(node.split("\n")) if node.strip() else node.replace("\n", "")
            if not text:
                return
            run = par.add_run(text)
            if size:
                run.font.size = Pt(size)
            if colour:
                run.font.color.rgb = RGBColor(*colour)
            if font:
                _set_fonts(run._r, font)
            return
        if node.tag == "br":
            par.add_run().add_break()
            return
        if "lagging" in node.classes or "veto" in node.classes:
            colour = VETO_RGB
        for c in node.children:
            self._runs(par, c, size, colour, font)

    def block(self, node: Node) -> None:
        tag, cls = node.tag, node.classes
        if tag in ("root", "main", "div", "section") and not cls & {"notes", "signature"}:
            if tag == "section" and "attachment" in cls:
                self.break_before = True
            for c in node.children:
                if isinstance(c, Node):
                    self.block(c)
                elif c.strip():
                    self._runs(self._para(indent=True), c)
            return
        if tag == "h1":
            self._runs(self._para("Title"), node)
        elif tag == "h2":
            self._runs(self._para("Heading 1"), node)
        elif tag == "h3":
            self._runs(self._para("Heading 2"), node)
        elif tag == "p":
            centred = "doc-number" in cls or "issuer-line" in cls
            self._runs(self._para(align="center" if centred else None, indent=not centred and "cc" not in cls), node)
        elif tag == "ul":
            for li in node.find_all("li"):
                veto = "veto" in li.classes
                par = self._para(indent=False)
                par.paragraph_format.left_indent = par.paragraph_format.first_line_indent = None
                par.paragraph_format.left_indent = Pt(24)
                par.paragraph_format.first_line_indent = Pt(-12)
                par.add_run("■ " if veto else "· ")
                self._runs(par, li, colour=VETO_RGB if veto else None)
        elif tag == "div" and "notes" in cls:
            for p in [c for c in node.children if isinstance(c, Node)]:
                self._runs(self._para(indent=True), p, size=10.5)
        elif tag == "div" and "signature" in cls:
            first = True
            for p in [c for c in node.children if isinstance(c, Node)]:
                par = self._para(align="right")
                if first:
                    par.paragraph_format.space_before = Pt(24)
                    first = False
                self._runs(par, p)
        elif tag == "table":
            self.table(node)
        elif tag == "figure":
            self.figure(node)
        else:
            for c in node.children:
                if isinstance(c, Node):
                    self.block(c)

    def table(self, node: Node) -> None:

        caption = node.find_all("caption")
        if caption:
            par = self._para(align="center")
            self._runs(par, caption[0], size=10.5, font=HEADING_FONT)
            par.paragraph_format.keep_with_next = True
        rows = node.find_all("tr")
        if not rows:
            return
        width = max(len([c for c in r.children if isinstance(c, Node) and c.tag in ("td", "th")]) for r in rows)
        table = self.doc.add_table(rows=0, cols=width)
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r in rows:
            cells = [c for c in r.children if isinstance(c, Node) and c.tag in ("td", "th")]
            row = table.add_row()
            trpr = row._tr.get_or_add_trPr()
            trpr.append(trpr.makeelement(qn("w:cantSplit"), {}))
            header = all(c.tag == "th" for c in cells)
            if header:
                trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))
            for cell, src in zip(row.cells, cells):
                par = cell.paragraphs[0]
                par.paragraph_format.line_spacing = 1.0
                par.paragraph_format.first_line_indent = None
                if header:
                    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
                elif "num" in src.classes:
                    par.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                colour = VETO_RGB if "veto" in r.classes else None
                self._runs(par, src, size=9.5, colour=colour, font=HEADING_FONT)
                if header or "veto" in r.classes:
                    _shade(cell, "EEEEEE" if header else "FBE9E9")
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)

    def figure(self, node: Node) -> None:

        key = node.text().split(PNG_MARK, 1)[1].split()[0] if PNG_MARK in node.text() else None
        png = self.images.get(key) if key else None
        if png is None:
            return
        par = self._para(align="center")
        par.add_run().add_picture(io.BytesIO(png), width=Mm(TEXT_WIDTH_MM))
        par.paragraph_format.keep_with_next = True
        cap = node.find_all("figcaption")
        if cap:
            self._runs(self._para(align="center"), cap[0], size=10.5, font=HEADING_FONT)


def _shade(cell, fill: str) -> None:

    tcpr = cell._tc.get_or_add_tcPr()
    tcpr.append(tcpr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill}))


# ---- charts as PNG --------------------------------------------------------------------------------
@contextmanager
def _charts_as_png(images: dict[str, bytes]) -> Iterator[Any]:
    """The bulletin's chart functions, handing over their PNG (200 dpi) instead of an <img>.

    scoring.charts builds each figure then hands it to ``charts._image``; swapping that one
    function for the duration gives the very same figures as bitmaps Word can show, keyed by a
    marker that bulletin.figure() places where the <img> would go.
    """

    original = charts._image

    def to_png(fig, name: str) -> str:

        try:
            images[name] = charts._png(fig)
        finally:
            plt.close(fig)
        return f"{PNG_MARK}{name} "

    charts._image = to_png
    try:
        yield charts
    finally:
        charts._image = original


def chart_key(name: str) -> str:
    """The key scoring.charts gives the chart ``name`` (``charts._prefix``, its <img>'s
    ``data-chart``), which keys its picture (scoring.render.chart_images); computed here so that
    placing the pictures needs no matplotlib."""
    return "c" + hashlib.sha1(name.encode("utf-8")).hexdigest()[:8] + "-"


def _placed_charts(result, copies: Mapping[str, bytes], images: dict[str, bytes]) -> dict[str, Any]:
    """The chart set for the pictures the notebook already drew: nothing is drawn again.

    Names and categories as scoring.charts gives them (``per_category``: categories that have
    units, in the rules' order); a chart without a copy is left out, as a chart never drawn."""
    present = set(result.quarterly["category"])
    keys = [c.key for c in result.rules.categories if c.key in present]

    def place(name: str) -> str | None:
        png = copies.get(chart_key(name))
        if png is None:
            return None
        images[name] = png
        return f"{PNG_MARK}{name} "

    def per_category(kind: str) -> dict[str, str]:
        placed = {k: place(f"{kind}-{k}") for k in keys}
        return {k: v for k, v in placed.items() if v}

    return {"adoptions": place("adoptions"), "ranking": per_category("ranking"),
            "progress": place("ytd-progress"), "makeup": per_category("makeup")}


def _chart_set(result, images: dict[str, bytes]) -> dict[str, Any]:
    try:
        with _charts_as_png(images) as charts:
            return {"adoptions": charts.adoptions(result), "ranking": charts.score_rankings(result),
                    "progress": charts.ytd_progress(result), "makeup": charts.score_makeups(result)}
    except ImportError:
        return {"adoptions": None, "ranking": {}, "progress": None, "makeup": {}}


# ---- the document ---------------------------------------------------------------------------------
def _issue(params: Mapping[str, Any], result) -> _dt.date:
    value = params.get("issue_date")
    if value:
        return value if isinstance(value, _dt.date) else _dt.date.fromisoformat(str(value)[:10])
    return default_issue_date(int(result.year), int(result.quarter))


def bulletin_fragments(result, params: Mapping[str, Any], charts: Mapping[str, Any]) -> list[str]:
    """The bulletin's sections as HTML, in the notebook's order (scoring.bulletin's own builders)."""

    issue = _issue(params, result).isoformat()
    issuer = str(params.get("issuer") or "")
    next_steps = str(params.get("next_steps") or "")
    sections = b.numbering(result, next_steps)
    return [
        b.section_title(result, str(params.get("issue_number") or result.quarter), issue,
                        str(params.get("doc_number") or ""), issuer),
        b.section_overview(result, sections, charts.get("adoptions")),
        b.section_ranking(result, sections, charts.get("ranking") or {}, charts.get("progress")),
        b.section_superior(result, sections),
        b.section_problems(result, sections),
        b.section_progress(result, sections),
        b.section_annual(result, sections),
        b.section_next_steps(result, sections, next_steps),
        b.section_notes(result),
        b.attachment_list(result) + b.signature(result, issue, issuer),
        b.attachment_scores(result, charts.get("makeup") or {}),
        b.attachment_zero(result),
        b.copy_to(str(params.get("cc") or "")),
    ]


def write_bulletin_docx(result, params: Mapping[str, Any] | None, path: Path,
                        charts: bool | Mapping[str, bytes] | None = None) -> Path:
    """Write the bulletin as ``path`` (bulletin.docx) and return it.

    ``params`` are the notebook's parameters (issue_number, issue_date, doc_number, cc,
    next_steps, issuer; missing ones take the data contract's defaults). ``charts``: None draws
    the bulletin's charts (scoring.charts) as PNG; False leaves them out; a mapping {chart id
    key: PNG} — the charts an executed bulletin notebook shows
    (scoring.render.chart_images), drawn at the same 200 dpi — places those, drawing nothing.
    """

    params = dict(params or {})
    images: dict[str, bytes] = {}
    if isinstance(charts, Mapping):
        chart_set = _placed_charts(result, charts, images)
    else:
        chart_set = _chart_set(result, images) if charts is None or charts is True else {}
    doc = docx.Document()
    _style_fonts(doc)
    _page(doc)
    writer = _Writer(doc, images)
    for fragment in bulletin_fragments(result, params, chart_set):
        if fragment:
            writer.block(parse_html(fragment))
    issue = _issue(params, result)

    stamp = _dt.datetime(issue.year, issue.month, issue.day)
    cp = doc.core_properties
    cp.title = bulletin_title(result).strip("《》")
    cp.author = cp.last_modified_by = str(params.get("issuer") or result.rules.meta.issuer)
    cp.created = cp.modified = cp.last_printed = stamp
    cp.revision = 1
    cp.comments = ""
    cp.keywords = ""
    cp.subject = ""
    buf = io.BytesIO()
    doc.save(buf)
    # python-docx stamps the current time into every zip entry: dated the issue date instead.
    return write_bytes_atomic(path, restamp_zip(buf.getvalue(), (issue.year, issue.month, issue.day, 0, 0, 0),
                                                external_attr=0o100644 << 16, create_system=3))
