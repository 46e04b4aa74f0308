"""bulletin.docx: the quarterly bulletin as the Word draft that is edited, signed and printed, in
the form of GB/T 9704-2012 (党政机关公文格式).

Written from the very blocks the HTML is written from (scoring.report.bulletin.document: the
sections of bulletin.SECTIONS, laid out by their templates), so an office that edits the draft in
Word starts from exactly the text of bulletin.pdf: title, 一、/（一） headings, body paragraphs,
tables with their captions as real Word tables with a repeating header row, problem lists, the 说明
box, 附件说明 and 落款, the attachments each from a new page, 版记.

The form (every size and name from scoring.report.page, where the page is named once): A4
portrait, margins 37/35/28/26 mm; body 3号 仿宋_GB2312 on a document grid of 22 lines × 28
characters; title 2号 方正小标宋简体; 一、 headings 黑体, （一） headings 楷体_GB2312; 发文字号 with
〔〕; page numbers 「— 1 —」 in 4号 宋体, odd pages right and even pages left, one character in;
附件 label 3号 黑体 at the top left of its page; 版记 at the end, 抄送 and 印发机关/印发日期 between
rules; tables in 5号 with column widths from their content. Fonts are named (with the usual
fallback, 仿宋 for 仿宋_GB2312 …, in the font table), never embedded.

Charts are the bulletin's own pictures (scoring.report.charts, PNG at 200 dpi), found by their key.

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
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from scoring.render.files import restamp_zip, write_bytes_atomic
from scoring.report import bulletin, page
from scoring.report import charts as report_charts
from scoring.report.charts import ChartRef
from scoring.report.sections import (Block, Box, Figure, Heading, Items, Paragraph, Table, column_widths,
                                     figures, natural_widths)
from scoring.report.sections import _width_em as width_em

BODY_FONT = page.WORD_BODY_FONT
TITLE_FONT = page.WORD_TITLE_FONT
HEADING_FONT = page.WORD_HEADING_FONT
SUBHEADING_FONT = page.WORD_SUBHEADING_FONT
PAGE_NUMBER_FONT = page.WORD_PAGE_NUMBER_FONT
LATIN_FONT = page.WORD_LATIN_FONT
VETO_RGB = (0xA4, 0x00, 0x00)
HEADER_FILL = "EEEEEE"
VETO_FILL = "FBE9E9"
HEADING_STYLES = {1: "Title", 2: "Heading 1", 3: "Heading 2"}
ALIGN = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT, "": None}
CHAR = Pt(page.WORD_BODY_PT)                 # one character of body text
RULE_HEAVY, RULE_LIGHT = 8, 4                # 版记's rules, in eighths of a point (0.35 mm, 0.25 mm as printed)

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


def _doc_defaults(doc) -> None:
    """The document's default run: 3号 仿宋_GB2312 (the document grid's character pitch is taken
    from it), no theme fonts; default paragraphs single-spaced, no space after."""
    styles = doc.styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    rfonts = rpr.find(qn("w:rFonts"))
    for attr in list(rfonts.attrib):
        del rfonts.attrib[attr]
    rfonts.set(qn("w:ascii"), LATIN_FONT)
    rfonts.set(qn("w:hAnsi"), LATIN_FONT)
    rfonts.set(qn("w:eastAsia"), BODY_FONT)
    rfonts.set(qn("w:cs"), LATIN_FONT)
    for tag in ("w:sz", "w:szCs"):
        rpr.find(qn(tag)).set(qn("w:val"), str(round(page.WORD_BODY_PT * 2)))
    lang = rpr.find(qn("w:lang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")
    spacing = styles.find(qn("w:docDefaults")).find(qn("w:pPrDefault")).find(qn("w:pPr")).find(qn("w:spacing"))
    spacing.set(qn("w:after"), "0")
    spacing.set(qn("w:line"), "240")


def _style_fonts(doc) -> None:
    _doc_defaults(doc)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(page.WORD_BODY_PT)
    _set_fonts(normal.element, BODY_FONT)
    pf = normal.paragraph_format
    pf.space_before = pf.space_after = Pt(0)
    pf.line_spacing = 1.0                  # one line of the document grid
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    for name, size, font in (("Title", page.WORD_TITLE_PT, TITLE_FONT),
                             ("Heading 1", page.WORD_HEADING_PT, HEADING_FONT),
                             ("Heading 2", page.WORD_SUBHEADING_PT, SUBHEADING_FONT)):
        st = doc.styles[name]
        st.font.size = Pt(size)
        st.font.bold = False
        st.font.italic = False
        st.font.color.rgb = RGBColor(0, 0, 0)
        _set_fonts(st.element, font)
        pf = st.paragraph_format
        pf.space_before = pf.space_after = Pt(0)
        pf.line_spacing = 1.0
        pf.keep_with_next = True
        if name == "Title":
            _off_grid(st.element.get_or_add_pPr())     # 2号 characters would take two grid cells each
            pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
            pf.space_after = Pt(page.WORD_BODY_PT)          # a blank line under the title
            # The Title style of the default template draws a blue rule under itself.
            ppr = st.element.get_or_add_pPr()
            for rule in ppr.findall(qn("w:pBdr")):
                ppr.remove(rule)
        else:
            pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
            pf.first_line_indent = CHAR * 2                 # 一、 and （一） stand two characters in, like the text


def _font_table(doc) -> None:
    """Add the named fonts to the font table, each with the font Word takes where it is missing
    (w:altName: 仿宋 for 仿宋_GB2312 …): referenced by name only, nothing embedded."""
    part = next(p for p in doc.part.package.parts if str(p.partname) == "/word/fontTable.xml")
    entries = "".join(
        f'<w:font w:name="{name}">' + (f'<w:altName w:val="{alt}"/>' if alt else "")
        + '<w:charset w:val="86"/><w:family w:val="auto"/><w:pitch w:val="variable"/></w:font>'
        for name, alt in [(f, page.WORD_FONT_FALLBACK.get(f, "")) for f in
                          (BODY_FONT, TITLE_FONT, HEADING_FONT, SUBHEADING_FONT, PAGE_NUMBER_FONT)])
    blob = part.blob.decode("utf-8")
    part._blob = blob.replace("</w:fonts>", entries + "</w:fonts>").encode("utf-8")


def _page(doc) -> None:
    """A4 portrait, the margins and the document grid of scoring.report.page; page numbers in the
    footers: odd pages right, even pages left (settings: different odd and even footers)."""
    doc.settings.odd_and_even_pages_header_footer = True
    line_pitch = Mm(page.TEXT_HEIGHT_MM).pt / page.LINES_PER_PAGE            # ≈ 28.95 pt
    char_pitch = Mm(page.TEXT_WIDTH_MM).pt / page.CHARS_PER_LINE              # ≈ 15.79 pt
    for s in doc.sections:
        s.page_width, s.page_height = Mm(page.PAGE_WIDTH_MM), Mm(page.PAGE_HEIGHT_MM)
        s.top_margin, s.bottom_margin = Mm(page.MARGIN_TOP_MM), Mm(page.MARGIN_BOTTOM_MM)
        s.left_margin, s.right_margin = Mm(page.MARGIN_LEFT_MM), Mm(page.MARGIN_RIGHT_MM)
        # The number's line 7 mm under the text block (GB/T 9704 7.5).
        s.footer_distance = Emu(Mm(page.MARGIN_BOTTOM_MM - page.PAGE_NUMBER_GAP_MM) - Pt(page.WORD_PAGE_NUMBER_PT * 1.3))
        s.header_distance = Mm(15)
        sect = s._sectPr
        for old in sect.findall(qn("w:docGrid")):
            sect.remove(old)
        sect.append(sect.makeelement(qn("w:docGrid"), {
            qn("w:type"): "linesAndChars", qn("w:linePitch"): str(round(line_pitch * 20)),
            qn("w:charSpace"): str(round((char_pitch - page.WORD_BODY_PT) * 4096))}))
        _page_number(s.footer.paragraphs[0], "right")
        _page_number(s.even_page_footer.paragraphs[0], "left")


def _page_number(par, side: str) -> None:
    """「— n —」: a PAGE field between two dashes, 4号 宋体, one character in from ``side``."""
    par.alignment = WD_ALIGN_PARAGRAPH.RIGHT if side == "right" else WD_ALIGN_PARAGRAPH.LEFT
    if side == "right":
        par.paragraph_format.right_indent = Pt(page.WORD_PAGE_NUMBER_PT)
    else:
        par.paragraph_format.left_indent = Pt(page.WORD_PAGE_NUMBER_PT)
    par.paragraph_format.first_line_indent = Pt(0)
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
        r.font.size = Pt(page.WORD_PAGE_NUMBER_PT)
        _set_fonts(r._r, PAGE_NUMBER_FONT)


def _shade(tc, fill: str) -> None:
    tcpr = tc.get_or_add_tcPr()
    tcpr.append(tcpr.makeelement(qn("w:shd"), {qn("w:val"): "clear", qn("w:color"): "auto", qn("w:fill"): fill}))


def _border(par, **sides: int) -> None:
    """Rules above/below a paragraph: ``top=8`` (eighths of a point)."""
    ppr = par._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = ppr.makeelement(qn("w:pBdr"), {})
        ppr.append(bdr)
    for side in ("top", "bottom"):
        if side in sides:
            bdr.append(bdr.makeelement(qn(f"w:{side}"), {qn("w:val"): "single", qn("w:sz"): str(sides[side]),
                                                          qn("w:space"): "1", qn("w:color"): "000000"}))


def _off_grid(par) -> None:
    """Text smaller than the body (tables, captions, 说明, 版记) keeps its own character and line
    pitch: off the document grid (w:snapToGrid 0), which would space 5号 characters 3号 apart."""
    ppr = par._p.get_or_add_pPr() if hasattr(par, "_p") else par
    snap = ppr.find(qn("w:snapToGrid"))
    if snap is None:
        snap = ppr.makeelement(qn("w:snapToGrid"), {})
        ppr.append(snap)
    snap.set(qn("w:val"), "0")


def _flat(text: str) -> str:
    """Text as one run: a line break inside a value reads as a space ("" for blank text)."""
    return " ".join(text.split("\n")) if text.strip() else text.replace("\n", "")


# ---- blocks → Word --------------------------------------------------------------------------------
class _Writer:
    def __init__(self, doc, images: Mapping[str, bytes]):
        self.doc = doc
        self.images = images
        self.break_before = False       # the next paragraph starts a page (an attachment)
        self.in_attachment = False
        # Styles looked up once: python-docx finds a style by name by walking them all.
        self.styles = {name: doc.styles[name] for name in (*HEADING_STYLES.values(), "Table Grid")}
        # A table cell's paragraph and run properties, made once through python-docx and copied
        # into every cell: setting them cell by cell is most of the time a long table takes.
        self._cell_ppr = {align: self._cell_paragraph_properties(align) for align in ("", "center", "right")}
        self._cell_run = {(colour, head): self._cell_run_properties(colour, head)
                          for colour in (False, True) for head in (False, True)}

    # -- paragraphs
    def _para(self, style: str | None = None, align: str = "", indent: bool = False):
        par = self.doc.add_paragraph(style=self.styles[style] if style else None)
        if align:
            par.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "right": WD_ALIGN_PARAGRAPH.RIGHT,
                             "left": WD_ALIGN_PARAGRAPH.LEFT}[align]
        if indent:
            par.paragraph_format.first_line_indent = CHAR * 2
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

    def _lines(self, par, lines: Iterable[str], size: float | None = None, font: str | None = None) -> None:
        for i, line in enumerate(lines):
            if i:
                par.add_run().add_break()
            self._run(par, line, size, font=font)

    # -- blocks
    def write(self, blocks: Iterable[Block]) -> None:
        for block in blocks:
            if isinstance(block, Heading):
                self.heading(block)
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

    def heading(self, h: Heading) -> None:
        if self.in_attachment and h.level == 2:        # 「附件1」: 3号 黑体, top left of its page
            par = self._para(align="left")
            self._run(par, h.text, size=page.WORD_BODY_PT, font=HEADING_FONT)
            par.paragraph_format.keep_with_next = True
        elif self.in_attachment and h.level == 3:      # the attachment's title: like the document's
            par = self._para(HEADING_STYLES[1])
            par.paragraph_format.space_before = Pt(page.WORD_BODY_PT)
            self._lines(par, h.text.split("\n"))
        else:
            self._lines(self._para(HEADING_STYLES[h.level]), h.text.split("\n"))

    def paragraph(self, p: Paragraph) -> None:
        centred = p.style in ("doc-number", "issuer-line", "sample-stamp")
        par = self._para(align="center" if centred else "", indent=not centred and p.style != "cc")
        self._lines(par, p.lines)

    def box(self, box: Box) -> None:
        if box.name == "notes":                 # 说明: smaller type
            for i, p in enumerate(box.blocks):
                par = self._para(indent=True)
                par.paragraph_format.first_line_indent = Pt(page.WORD_NOTES_PT * 2)
                # The last one goes with 附件说明 and the 落款: no page holds the 落款 alone.
                par.paragraph_format.keep_with_next = i == len(box.blocks) - 1
                _off_grid(par)
                self._lines(par, p.lines, size=page.WORD_NOTES_PT)
        elif box.name == "attachment-list":     # 附件说明: a blank line above; kept with the 落款
            for i, p in enumerate(box.blocks):
                par = self._para(indent=True)
                par.alignment = WD_ALIGN_PARAGRAPH.LEFT
                par.paragraph_format.keep_with_next = True
                if i == 0:
                    par.paragraph_format.space_before = Pt(page.WORD_BODY_PT)
                self._lines(par, p.lines)
        elif box.name == "signature":
            self.signature(box)
        elif box.name == "imprint":
            self.imprint(box)
        else:                                   # title block; an attachment starts a page
            attachment = box.name == "attachment"
            self.break_before = self.break_before or attachment
            self.in_attachment = attachment
            self.write(box.blocks)
            self.in_attachment = False

    def signature(self, box: Box) -> None:
        """落款 (GB/T 9704 7.3.5.2, no seal): a blank line under the text; the issuer two characters
        in from the right, the date under it starting two characters right of the issuer's first
        character — or, the date being the longer, the date two characters in and the issuer
        centred over it."""
        lines = [line for p in box.blocks if isinstance(p, Paragraph) for line in p.lines]
        if len(lines) != 2:
            for line in lines:
                self._run(self._para(align="right"), line)
            return
        issuer, date = lines
        wi, wd = width_em(issuer), width_em(date)
        date_in = max(2.0, wi - wd)
        issuer_in = date_in + wd + 2 - wi if date_in == 2.0 and wi - wd < 2 else 2.0
        for i, (text, right) in enumerate(((issuer, issuer_in), (date, date_in))):
            par = self._para(align="right")
            par.paragraph_format.right_indent = Emu(round(CHAR * right))
            par.paragraph_format.keep_with_next = i == 0
            par.paragraph_format.keep_together = True
            if i == 0:
                par.paragraph_format.space_before = Pt(page.WORD_BODY_PT)
            self._run(par, text)

    def imprint(self, box: Box) -> None:
        """版记 (GB/T 9704 7.4): 4号, one character in, between rules; the first and last rules
        heavier. 抄送 above a light rule; 印发机关 on the left and 印发日期 on the right."""
        paras = [p for p in box.blocks if isinstance(p, Paragraph)]
        spacer = self._para()
        spacer.paragraph_format.space_before = Pt(page.WORD_BODY_PT)
        for i, p in enumerate(paras):
            par = self._para(align="left")
            _off_grid(par)
            fmt = par.paragraph_format
            fmt.left_indent = fmt.right_indent = Pt(page.WORD_IMPRINT_PT)
            fmt.keep_with_next = i < len(paras) - 1
            first, last = i == 0, i == len(paras) - 1
            rules = {"bottom": RULE_HEAVY if last else RULE_LIGHT}
            if first:
                rules["top"] = RULE_HEAVY
            _border(par, **rules)
            if p.style == "imprint":
                stop = Emu(Mm(page.TEXT_WIDTH_MM) - Pt(2 * page.WORD_IMPRINT_PT))
                fmt.tab_stops.add_tab_stop(stop, WD_TAB_ALIGNMENT.RIGHT)
                self._run(par, p.lines[0], size=page.WORD_IMPRINT_PT)
                par.add_run("\t").font.size = Pt(page.WORD_IMPRINT_PT)
                self._run(par, " ".join(p.lines[1:]), size=page.WORD_IMPRINT_PT)
            else:
                self._lines(par, p.lines, size=page.WORD_IMPRINT_PT)

    def items(self, items: Items) -> None:
        for item in items.items:
            par = self._para()
            par.paragraph_format.left_indent = CHAR * 2
            par.paragraph_format.first_line_indent = -CHAR
            par.add_run("■ " if item.veto else "· ")
            self._run(par, item.text, colour=item.veto)

    def figure(self, fig: Figure) -> None:
        png = self.images.get(fig.chart.key)
        if png is None:                         # no picture: neither its subheading nor its caption
            return
        if fig.heading:
            self._lines(self._para(HEADING_STYLES[3]), fig.heading.split("\n"))
        par = self._para(align="center")
        par.add_run().add_picture(io.BytesIO(png), width=Mm(page.TEXT_WIDTH_MM))
        par.paragraph_format.keep_with_next = True
        caption = self._para(align="center")
        _off_grid(caption)
        self._run(caption, fig.caption, size=page.WORD_TABLE_PT, font=HEADING_FONT)

    # -- tables
    def _cell_paragraph_properties(self, align: str):
        par = self.doc.add_paragraph()
        par.paragraph_format.line_spacing = 1.0
        par.paragraph_format.first_line_indent = None
        par.alignment = ALIGN[align] if align else WD_ALIGN_PARAGRAPH.LEFT
        _off_grid(par)
        par._p.getparent().remove(par._p)
        return par._p.pPr

    def _cell_run_properties(self, colour: bool, head: bool):
        par = self.doc.add_paragraph()
        run = par.add_run()
        run.font.size = Pt(page.WORD_TABLE_PT)
        if colour:
            run.font.color.rgb = RGBColor(*VETO_RGB)
        _set_fonts(run._r, HEADING_FONT if head else BODY_FONT)
        par._p.getparent().remove(par._p)
        return run._r

    def _row(self, blank, cells: Iterable[str], aligns: list[str], *, header: bool = False,
             fill: str = "", coloured: Iterable[bool] = ()) -> Any:
        """A table row: a copy of python-docx's ``blank`` row (cell widths from the table grid)
        with the cells' text, 5号: the header in 黑体 (its own line breaks kept), the rest in 仿宋."""
        tr = copy.deepcopy(blank)
        trpr = tr.get_or_add_trPr()
        trpr.append(trpr.makeelement(qn("w:cantSplit"), {}))
        if header:
            trpr.append(trpr.makeelement(qn("w:tblHeader"), {}))
        for tc, text, align, colour in zip(tr.tc_lst, cells, aligns, coloured):
            p = tc[-1]
            p.insert(0, copy.deepcopy(self._cell_ppr[align]))
            parts = text.split("\n") if header else [_flat(text)]
            for i, part in enumerate(parts):
                if not part:
                    continue
                r = copy.deepcopy(self._cell_run[(colour, header)])
                if i:
                    r.append(r.makeelement(qn("w:br"), {}))
                t = r.makeelement(qn("w:t"), {})
                t.text = part
                if part != part.strip():
                    t.set(qn("xml:space"), "preserve")
                r.append(t)
                p.append(r)
            if fill:
                _shade(tc, fill)
        return tr

    def _widths_mm(self, t: Table) -> list[float]:
        """Column widths from the text: a compact table as wide as its text (up to the text
        width), a full one across the text width (sections.column_widths, in 5号 em)."""
        em = page.em_mm(page.WORD_TABLE_PT)
        padding = 2 * page.WORD_CELL_MARGIN_MM / em + 0.3       # the margins, and a little slack
        rows = [r.cells for r in t.rows]
        if t.compact:
            need, _ = natural_widths(t.headers, rows, padding)
            if sum(need) * em <= page.TEXT_WIDTH_MM:
                return [n * em for n in need]
        shares = column_widths(t.headers, rows, t.numeric, width_em=page.TEXT_WIDTH_MM / em, padding_em=padding)
        return [page.TEXT_WIDTH_MM * s / 100 for s in shares]

    def table(self, t: Table) -> None:
        if t.caption:
            par = self._para(align="center")
            self._run(par, t.caption, size=page.WORD_TABLE_PT, font=HEADING_FONT)
            _off_grid(par)
            par.paragraph_format.keep_with_next = True
            par.paragraph_format.space_before = Pt(page.WORD_TABLE_PT / 2)
        width = len(t.headers)
        table = self.doc.add_table(rows=0, cols=width)
        table.style = self.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        for col, mm in zip(table.columns, self._widths_mm(t)):
            col.width = Mm(mm)
        tbl = table._tbl
        layout = tbl.tblPr.makeelement(qn("w:tblLayout"), {qn("w:type"): "fixed"})
        tbl.tblPr.append(layout)
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
    _font_table(doc)
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
