"""Hostile text in unit names, titles, informants and notes (markup, spreadsheet formulas,
right-to-left overrides, emoji, characters outside the fonts, 1,000-character texts) is valid input:
the bulletin shows it escaped in HTML, keeps it inert text in the workbook, and lays it out in the
PDFs without breaking them. A character the bundled fonts lack is printed as 〓 and the run says
where it came from.

Every test reads the one shared run of ``hostile_bulletin`` (conftest.py, with statements).
"""
from __future__ import annotations

import csv
import re
import subprocess
import zipfile
from html.parser import HTMLParser

import pytest

from reliability_support import AT_SUM, HOSTILE_UNITS, HYPERLINK, IMG, LONG, RARE, SCRIPT

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def out(hostile_bulletin):
    return hostile_bulletin.folder


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[str] = []
        self._in_script = False
        self.bold: list[str] = []
        self._in_b = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        self._in_b = tag == "b"

    def handle_endtag(self, tag):
        self._in_script = self._in_script and tag != "script"
        self._in_b = self._in_b and tag != "b"

    def handle_data(self, data):
        if self._in_script:
            self.scripts.append(data)
        if self._in_b:
            self.bold.append(data)


def test_markup_in_names_titles_and_notes_is_escaped_in_the_html(out):
    html = (out / "bulletin.html").read_text(encoding="utf-8")
    tags = _Tags()
    tags.feed(html)
    assert not any("alert(" in s for s in tags.scripts), "a unit name ran as a script"
    handlers = [(t, a) for t, a in tags.tags for k in a if k.lower().startswith("on")]
    assert not handlers, f"event-handler attributes in the bulletin: {handlers[:3]}"
    assert not [a for t, a in tags.tags if t == "img" and a.get("src") == "x"]
    assert "粗" not in "".join(tags.bold), "markup inside a 1,000-character name became bold text"
    # The names are there, escaped (not dropped): what the reader sees is the literal text.
    assert "&lt;script&gt;alert(" in html
    assert "昆仑街道" in html


def test_direction_overrides_in_names_cannot_reverse_the_html_around_them(out):
    html = (out / "bulletin.html").read_text(encoding="utf-8")
    overrides = re.findall("[\u202a-\u202e\u2066-\u2069]", html)
    # Either dropped, or each name isolated so an unclosed override stops at its element.
    assert not overrides or html.count("<bdi") >= len(overrides), f"{len(overrides)} bare bidi controls"
    assert "溧城镇" in html


def test_names_reach_scores_csv_exactly_as_written(out):
    with (out / "scores.csv").open(encoding="utf-8", newline="") as f:
        names = {row["unit_id"]: row["unit_name"] for row in csv.DictReader(f)}
    assert names == HOSTILE_UNITS | {"B02": LONG}


def test_formulas_in_names_are_inert_text_in_the_workbook(out):
    from openpyxl import load_workbook

    path = out / "scores.xlsx"
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not re.search(rb"<f[ >]", z.read(name)), f"a formula cell in {name}"
    wb = load_workbook(path)
    texts = []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    texts.append(cell.value)
    joined = "\n".join(texts)
    assert "HYPERLINK" in joined, "the =HYPERLINK name was dropped instead of kept as text"
    assert "<script>" in joined, "the workbook should show the name as written"


def _pdf_checks(path):
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    assert 1 <= len(reader.pages) <= 40, f"{path.name}: {len(reader.pages)} pages"
    text = "".join(page.extract_text() or "" for page in reader.pages)
    for page in reader.pages:
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - 595.3) < 2 and abs(h - 841.9) < 2, f"{path.name}: page {w}×{h} pt is not A4"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert rows, f"{path.name}: no fonts"
    for row in rows:
        assert re.search(r"\byes\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$", row), f"{path.name}: font not embedded: {row}"
    return text


def test_the_pdf_bulletin_lays_out_hostile_text_on_a4_pages_with_embedded_fonts(out):
    text = _pdf_checks(out / "bulletin.pdf")
    assert "昆仑街道" in text


def test_every_unit_statement_pdf_survives_hostile_text(out):
    pdfs = sorted((out / "statements").glob("*.pdf"))
    assert len(pdfs) == len(HOSTILE_UNITS)
    for pdf in pdfs:
        _pdf_checks(pdf)
    # Statement file names come from unit names: no path separators or markup may leak into them.
    for pdf in pdfs:
        assert "/" not in pdf.name and "<" not in pdf.name and ">" not in pdf.name, pdf.name
        assert len(pdf.name.encode("utf-8")) <= 255, pdf.name


def test_statement_file_names_hold_no_invisible_or_direction_controls(out):
    import unicodedata

    for pdf in (out / "statements").glob("*.pdf"):
        bad = [f"U+{ord(ch):04X}" for ch in pdf.name if unicodedata.category(ch) in ("Cc", "Cf")]
        assert not bad, f"{pdf.name!r}: {bad}"


def test_the_hostile_texts_used_here_are_what_the_contract_allows(out):
    # 1,000 characters is the longest text the contract accepts; the others are ordinary strings.
    assert len(LONG) == 1000
    assert all(len(s) < 1000 for s in (SCRIPT, IMG, HYPERLINK, AT_SUM))


def test_the_word_bulletin_holds_hostile_names_as_plain_text_when_it_is_written(out):
    path = out / "bulletin.docx"
    from docx import Document

    doc = Document(str(path))
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    text = "\n".join([p.text for p in doc.paragraphs] + cells)
    assert "<script>alert(" in text, "the name should read as written, not be dropped or interpreted"
    with zipfile.ZipFile(path) as z:
        body = z.read("word/document.xml")
    assert b"<script>" not in body, "raw markup in document.xml: the name was not escaped as XML text"
    assert b"w:fldSimple" not in body and b"HYPERLINK \"http://example.invalid" not in body, \
        "a unit name became a Word field"


# ---- characters the fonts lack ------------------------------------------------------------------------
def _pdf_text(pdf) -> str:
    from pypdf import PdfReader

    return re.sub(r"\s+", "", "".join(page.extract_text() or "" for page in PdfReader(str(pdf)).pages))


def test_a_run_with_characters_the_fonts_lack_succeeds_and_warns_naming_file_row_and_column(hostile_bulletin):
    # RARE (团市委🎉𠀀) is Q01's name (units.csv row 5) and part of S005's title (submissions.csv row 7).
    notes = hostile_bulletin.notes
    unit = [n for n in notes if "units.csv" in n and "第 5 行" in n and "unit_name" in n]
    title = [n for n in notes if "submissions.csv" in n and "第 7 行" in n and "title" in n]
    for found in (unit, title):
        assert len(found) == 1 and "U+1F389" in found[0] and "U+20000" in found[0] and "〓" in found[0], notes
    assert "Traceback" not in hostile_bulletin.stderr


def test_characters_the_fonts_lack_are_printed_as_the_geta_mark(out):
    bulletin = _pdf_text(out / "bulletin.pdf")
    assert "团市委〓〓" in bulletin                        # Q01's name, in the bulletin's tables
    statement = _pdf_text(next((out / "statements").glob("Z01-*.pdf")))
    assert "团市委〓〓" in statement                       # S005's title, a line of Z01's statement
    statement_q01 = _pdf_text(next((out / "statements").glob("Q01-*.pdf")))
    assert "团市委〓〓" in statement_q01                   # the unit's own name on its statement
    assert not set(RARE[-2:]) & set(bulletin + statement + statement_q01)
