"""bulletin.docx: the quarterly bulletin as an editable Word document (python-docx).

Written from the very blocks the HTML is written from (scoring.report.bulletin.document: the
sections of bulletin.SECTIONS, laid out by their templates), so an office that edits the draft in
Word starts from exactly the text of bulletin.pdf: title block, 一、/（一） headings, body
paragraphs, tables with their captions as real Word tables with a repeating header row, problem
lists, the 说明 box, attachments on a new page, signature, 抄送.

Charts are the bulletin's own pictures (scoring.report.charts, PNG at 200 dpi), found by their key.
Fonts are named 宋体 (body, title) and 黑体 (headings, tables) with ``w:eastAsia`` set, so the
document opens right on a Chinese Windows; the page is scoring.report.page's (A4, GB/T 9704
margins) with a 「— n —」 page number.

Deterministic: core properties are dated the issue date, zip entries carry that date, so the same
Result and parameters give the same bytes.
"""
from __future__ import annotations

import base64
import copy
import datetime as _dt
import io
import re
from pathlib import Path
from typing import Any, Iterable, Mapping

import docx
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from scoring.render.files import restamp_zip, write_bytes_atomic
from scoring.report import bulletin, page
from scoring.report import charts as report_charts
from scoring.report.charts import ChartRef
from scoring.report.sections import Block, Box, Figure, Heading, Items, Paragraph, Table, figures

BODY_FONT = "宋体"
HEADING_FONT = "黑体"
LATIN_FONT = "Times New Roman"
VETO_RGB = (0xA4, 0x00, 0x00)
HEADER_FILL = "EEEEEE"
VETO_FILL = "FBE9E9"
HEADING_STYLES = {1: "Title", 2: "Heading 1", 3: "Heading 2"}
ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT, "": None}

chart_key = report_charts.chart_key        # the key a chart's picture is found by (its <img>'s data-chart)


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
    normal.font.size = Pt(page.BODY_PT)
    _set_fonts(normal.element, BODY_FONT)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.5
    for name, size in (("Title", page.TITLE_PT), ("Heading 1", page.WORD_HEADING_PT),
                       ("Heading 2", page.WORD_SUBHEADING_PT)):
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
            for rule in ppr.findall(qn("w:pBdr")):
                ppr.remove(rule)


def _page(doc) -> None:
    for s in doc.sections:
        s.page_width, s.page_height = Mm(page.PAGE_WIDTH_MM), Mm(page.PAGE_HEIGHT_MM)
        s.top_margin, s.bottom_margin = Mm(page.MARGIN_TOP_MM), Mm(page.MARGIN_BOTTOM_MM)
        s.left_margin, s.right_margin = Mm(page.MARGIN_LEFT_MM), Mm(page.MARGIN_RIGHT_MM)
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


def _shade(tc, fill: str) -> None:
    tcpr = tc.get_or_add_tcPr()
    tcpr.append(tcpr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill}))


def _flat(text: str) -> str:
    """Text as one run: a line break inside a value reads as a space ("" for blank text)."""
    return " ".join(text.split("\n")) if text.strip() else text.replace("\n", "")


# ---- blocks → Word --------------------------------------------------------------------------------
class _Writer:
    def __init__(self, doc, images: Mapping[str, bytes]):
        self.doc = doc
        self.images = images
        self.break_before = False       # the next paragraph starts a page (an attachment)
        # Styles looked up once: python-docx finds a style by name by walking them all.
        self.styles = {name: doc.styles[name] for name in (*HEADING_STYLES.values(), "Table Grid")}
        # A table cell's paragraph and run properties, made once through python-docx and copied
        # into every cell: setting them cell by cell is most of the time a long table takes.
        self._cell_ppr = {align: self._cell_paragraph_properties(align) for align in ("", "center", "right")}
        self._cell_run = {colour: self._cell_run_properties(colour) for colour in (False, True)}

    # -- paragraphs
    def _para(self, style: str | None = None, align: str = "", indent: bool = False):
        par = self.doc.add_paragraph(style=self.styles[style] if style else None)
        if align:
            par.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
        if indent:
            par.paragraph_format.first_line_indent = Pt(page.BODY_PT * 2)
        if self.break_before:
            par.paragraph_format.page_break_before = True
            self.break_before = False
        return par

    @staticmethod
    def _run(par, text: str, size: float | None = None, colour: bool = False, font: str | None = None) -> None:
        text = _flat(text)
        if not text:
            return
        run = par.add_run(text)
        if size:
            run.font.size = Pt(size)
        if colour:
            run.font.color.rgb = RGBColor(*VETO_RGB)
        if font:
            _set_fonts(run._r, font)

    def _lines(self, par, lines: Iterable[str], size: float | None = None) -> None:
        for i, line in enumerate(lines):
            if i:
                par.add_run().add_break()
            self._run(par, line, size)

    # -- blocks
    def write(self, blocks: Iterable[Block]) -> None:
        for block in blocks:
            if isinstance(block, Heading):
                self._run(self._para(HEADING_STYLES[block.level]), block.text)
            elif isinstance(block, Paragraph):
                self.paragraph(block)
            elif isinstance(block, Table):
                self.table(block)
            elif isinstance(block, Figure):
                self.figure(block)
            elif isinstance(block, Items):
                self.items(block)
            elif isinstance(block, Box):
                self.box(block)

    def paragraph(self, p: Paragraph) -> None:
        centred = p.style in ("doc-number", "issuer-line", "sample-stamp")
        par = self._para(align="center" if centred else "", indent=not centred and p.style != "cc")
        self._lines(par, p.lines)

    def box(self, box: Box) -> None:
        if box.name == "notes":                 # 说明: smaller type
            for p in box.blocks:
                self._lines(self._para(indent=True), p.lines, size=page.NOTES_PT)
        elif box.name == "signature":           # 落款: right-aligned, set off from the text above
            for i, p in enumerate(box.blocks):
                par = self._para(align="right")
                if i == 0:
                    par.paragraph_format.space_before = Pt(24)
                self._lines(par, p.lines)
        else:                                   # title block; an attachment starts a page
            self.break_before = self.break_before or box.name == "attachment"
            self.write(box.blocks)

    def items(self, items: Items) -> None:
        for item in items.items:
            par = self._para()
            par.paragraph_format.left_indent = Pt(24)
            par.paragraph_format.first_line_indent = Pt(-12)
            par.add_run("■ " if item.veto else "· ")
            self._run(par, item.text, colour=item.veto)

    def figure(self, fig: Figure) -> None:
        png = self.images.get(fig.chart.key)
        if png is None:                         # no picture: neither its subheading nor its caption
            return
        if fig.heading:
            self._run(self._para(HEADING_STYLES[3]), fig.heading)
        par = self._para(align="center")
        par.add_run().add_picture(io.BytesIO(png), width=Mm(page.TEXT_WIDTH_MM))
        par.paragraph_format.keep_with_next = True
        self._run(self._para(align="center"), fig.caption, size=page.CAPTION_PT, font=HEADING_FONT)

    # -- tables
    def _cell_paragraph_properties(self, align: str):
        par = self.doc.add_paragraph()
        par.paragraph_format.line_spacing = 1.0
        par.paragraph_format.first_line_indent = None
        if align:
            par.alignment = ALIGN[align]
        par._p.getparent().remove(par._p)
        return par._p.pPr

    def _cell_run_properties(self, colour: bool):
        par = self.doc.add_paragraph()
        run = par.add_run()
        run.font.size = Pt(page.TABLE_PT)
        if colour:
            run.font.color.rgb = RGBColor(*VETO_RGB)
        _set_fonts(run._r, HEADING_FONT)
        par._p.getparent().remove(par._p)
        return run._r

    def _row(self, blank, cells: Iterable[str], aligns: list[str], *, header: bool = False,
             fill: str = "", coloured: Iterable[bool] = ()) -> Any:
        """A table row: a copy of python-docx's ``blank`` row (cell widths from the table grid)
        with the cells' text, in 黑体 at the table size."""
        tr = copy.deepcopy(blank)
        trpr = tr.get_or_add_trPr()
        trpr.append(trpr.makeelement(qn("w:cantSplit"), {}))
        if header:
            trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))
        for tc, text, align, colour in zip(tr.tc_lst, cells, aligns, coloured):
            p = tc[-1]
            p.insert(0, copy.deepcopy(self._cell_ppr[align]))
            text = _flat(text)
            if text:
                r = copy.deepcopy(self._cell_run[colour])
                t = r.makeelement(qn("w:t"), {})
                t.text = text
                if text != text.strip():
                    t.set(qn("xml:space"), "preserve")
                r.append(t)
                p.append(r)
            if fill:
                _shade(tc, fill)
        return tr

    def table(self, t: Table) -> None:
        if t.caption:
            par = self._para(align="center")
            self._run(par, t.caption, size=page.CAPTION_PT, font=HEADING_FONT)
            par.paragraph_format.keep_with_next = True
        width = len(t.headers)
        table = self.doc.add_table(rows=0, cols=width)
        table.style = self.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        tbl = table._tbl
        blank = table.add_row()._tr
        tbl.remove(blank)
        tbl.append(self._row(blank, t.headers, ["center"] * width, header=True, fill=HEADER_FILL,
                             coloured=[False] * width))
        aligns = ["right" if i in t.numeric else "" for i in range(width)]
        for r in t.rows:
            veto = r.mark == "veto"
            tbl.append(self._row(blank, r.cells, aligns, fill=VETO_FILL if veto else "",
                                 coloured=[veto or i in r.flagged for i in range(width)]))
        self.doc.add_paragraph().paragraph_format.space_after = Pt(0)


# ---- charts ---------------------------------------------------------------------------------------
_PNG = re.compile(r'src="data:image/png;base64,([^"]+)"')


def _drawn(result, refs: Iterable[ChartRef]) -> dict[str, bytes]:
    """The charts drawn now (scoring.report.charts.picture), as PNG by key."""
    out = {}
    for ref in refs:
        m = _PNG.search(report_charts.picture(result, ref))
        if m:
            out[ref.key] = base64.b64decode(m.group(1))
    return out


# ---- the document ---------------------------------------------------------------------------------
def write_bulletin_docx(result, params: Mapping[str, Any] | None, path: Path,
                        charts: bool | Mapping[str, bytes] | None = None) -> Path:
    """Write the bulletin as ``path`` (bulletin.docx) and return it.

    ``params`` are the notebook's parameters (issue_number, issue_date, doc_number, cc,
    next_steps, issuer; missing ones take the data contract's defaults). ``charts``: a mapping
    {chart key: PNG} — the charts an executed bulletin notebook shows
    (scoring.render.html.chart_images) — places those, drawing nothing; None draws them
    (scoring.report.charts); False leaves them out.
    """
    issue = bulletin.issue(result, **bulletin.issue_params(params or {}))
    blocks = bulletin.document(result, issue)
    if isinstance(charts, Mapping):
        images = dict(charts)
    elif charts is None or charts is True:
        images = _drawn(result, dict.fromkeys(f.chart for f in figures(blocks)))
    else:
        images = {}
    doc = docx.Document()
    _style_fonts(doc)
    _page(doc)
    _Writer(doc, images).write(blocks)

    stamp = _dt.datetime(issue.date.year, issue.date.month, issue.date.day)
    cp = doc.core_properties
    cp.title = bulletin.bulletin_title(result)
    cp.author = cp.last_modified_by = issue.issuer
    cp.created = cp.modified = cp.last_printed = stamp
    cp.revision = 1
    cp.comments = ""
    cp.keywords = ""
    cp.subject = ""
    buf = io.BytesIO()
    doc.save(buf)
    # python-docx stamps the current time into every zip entry: dated the issue date instead.
    d = issue.date
    return write_bytes_atomic(path, restamp_zip(buf.getvalue(), (d.year, d.month, d.day, 0, 0, 0),
                                                external_attr=0o100644 << 16, create_system=3))
