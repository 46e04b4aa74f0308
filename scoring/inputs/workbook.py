"""What a workbook's zip holds, checked before any reader inflates it.

The fast reader (calamine) trusts the file: a part that inflates to gigabytes is inflated, and one
cell at XFD1048576 makes it allocate the whole grid up to that cell (half a terabyte; the process
aborts). So before it reads anything, :func:`scan_workbook`

- refuses a part whose inflated size (as the zip declares it) is over PART_LIMIT, or parts over
  TOTAL_LIMIT together; a part is then read through Python's zipfile, which stops at the declared
  size and checks the CRC, so a part cannot inflate beyond what was checked;
- refuses a sheet whose used area (from A1 to the farthest row and column holding a cell) is over
  MAX_CELLS cells, naming a cell that lies that far out;
- finds the cells Excel saved as error values (``#DIV/0!``, ``#N/A`` …: the reader gives them as
  empty) and formulas saved without their value.

The XML is scanned with regular expressions whose repetitions cannot cross a ``<`` or ``>``, so
each byte is looked at a bounded number of times however malformed the part is (linear time); the
two small XML parts (the workbook and its relationships) are parsed with defusedxml.
"""
from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import defusedxml.ElementTree as SafeXML
import numpy as np

from scoring.errors import InputProblem

MB = 1 << 20
PART_LIMIT = 200 * MB            # one part (a sheet, the shared strings) inflated
TOTAL_LIMIT = 400 * MB           # every part together
SMALL_PART_LIMIT = 16 * MB       # the workbook part and its relationships (a few KB in practice)
MAX_ROWS = 1_048_576             # Excel's own limits
MAX_COLUMNS = 16_384
MAX_CELLS = 16 * MAX_ROWS        # used area read at once: a full-height sheet of 16 columns (A:P)
MAX_FINDINGS = 1000              # error cells or uncached formulas kept per sheet (the loader lists fewer)
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class SheetScan:
    """Cells of one sheet the reader cannot show truthfully: (row from 1, column index from 0, text)."""
    errors: list[tuple[int, int, str]] = field(default_factory=list)      # text: #DIV/0!, #N/A …
    uncached: list[tuple[int, int, str]] = field(default_factory=list)    # text: "=" + the formula


@dataclass
class BookScan:
    refused: list[InputProblem] = field(default_factory=list)   # non-empty: the workbook must not be read
    sheets: dict[str, SheetScan] = field(default_factory=dict)   # sheet name → its findings


def column_letters(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_index(letters: bytes | str) -> int:
    """A → 0, AA → 26."""
    n = 0
    for ch in (letters.decode("ascii") if isinstance(letters, bytes) else letters):
        n = n * 26 + (ord(ch) - 64)
    return n - 1


def _mb(n: int) -> str:
    return f"{n / MB:,.0f} MB"


def scan_workbook(path: Path) -> BookScan:
    """Check the zip's parts and scan every sheet (see the module's docstring). Raises
    zipfile.BadZipFile (or OSError) for a file that is not a readable zip: the caller says so."""
    scan = BookScan()
    name = path.name
    with zipfile.ZipFile(path) as z:
        infos = {i.filename: i for i in z.infolist()}
        big = [i for i in infos.values() if i.file_size > PART_LIMIT]
        total = sum(i.file_size for i in infos.values())
        if big or total > TOTAL_LIMIT:
            what = (f"其中「{big[0].filename}」解压后有 {_mb(big[0].file_size)}（每个部分上限 {_mb(PART_LIMIT)}）" if big
                    else f"各部分解压后共 {_mb(total)}（上限 {_mb(TOTAL_LIMIT)}）")
            scan.refused.append(InputProblem(
                name, None, None, None,
                f"工作簿解压后过大，未读取：{what}；正常的录入工作簿解压后只有几 MB。可能是文件已损坏或被恶意构造；"
                f"请在 Excel 中打开后另存为新的 .xlsx（或另存为 CSV）", "workbook_too_large"))
            return scan
        for small in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels"):
            if small in infos and infos[small].file_size > SMALL_PART_LIMIT:
                scan.refused.append(InputProblem(name, None, None, None, f"工作簿的「{small}」部分异常庞大"
                                                 f"（{_mb(infos[small].file_size)}），未读取；请在 Excel 中另存为新的 .xlsx",
                                                 "workbook_too_large"))
                return scan
        for part in infos:
            if part not in ("xl/workbook.xml", "xl/_rels/workbook.xml.rels") and not part.startswith("xl/worksheets/"):
                _read_part(z, infos[part])              # inflates within the declared size, checks the CRC
        for sheet, part in _sheet_parts(z, infos):
            xml = _read_part(z, infos[part])
            problem = _too_wide(xml, name, sheet)
            if problem is not None:
                scan.refused.append(problem)
                continue
            scan.sheets[sheet] = SheetScan(_error_cells(xml), _uncached_formulas(xml))
    return scan


def _read_part(z: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The part's bytes: at most its declared size (zipfile stops there and checks the CRC)."""
    chunks = []
    with z.open(info) as f:
        while chunk := f.read(4 * MB):
            chunks.append(chunk)
    return b"".join(chunks)


def _sheet_parts(z: zipfile.ZipFile, infos: dict[str, zipfile.ZipInfo]) -> list[tuple[str, str]]:
    """(sheet name, part name) of every worksheet the workbook part lists."""
    if "xl/workbook.xml" not in infos:
        return []
    book = SafeXML.fromstring(_read_part(z, infos["xl/workbook.xml"]))
    rels_name = "xl/_rels/workbook.xml.rels"
    rels = SafeXML.fromstring(_read_part(z, infos[rels_name])) if rels_name in infos else None
    targets = {r.get("Id"): r.get("Target", "") for r in (rels if rels is not None else [])}
    found = []
    for sheet in book.iter():
        if not str(sheet.tag).endswith("}sheet"):
            continue
        target = targets.get(sheet.get(_NS_REL), "")
        part = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
        if part in infos:
            found.append((sheet.get("name", ""), part))
    return found


# ---- the sheet's extent --------------------------------------------------------------------------
# Excel writes a cell as <c r="B7" …> and a row as <row r="7" …>: one space before r, double quotes.
# Other spellings XML allows are rewritten to that one first (rare; linear), so that the searches
# below can start from a literal, which keeps them fast.
_ODD_SPELLINGS = (((b"<c\t", b"<c\r", b"<c\n"), re.compile(rb"<c[\t\r\n]+"), b"<c "),
                  ((b"\tr=", b"\rr=", b"\nr="), re.compile(rb"[\t\r\n]+r="), b" r="),
                  ((b" r='",), re.compile(rb" r='([^'<>]{0,20})'"), rb' r="\1"'))
_ROW_OF_LAST = re.compile(rb'<row r="(\d{1,9})"')


def _plain(xml: bytes) -> bytes:
    for probes, pattern, plain in _ODD_SPELLINGS:
        if any(probe in xml for probe in probes):          # found fast, rewritten rarely
            xml = pattern.sub(plain, xml)
    return xml


def _greater(number: int) -> bytes:
    """A pattern for whole numbers greater than ``number`` (in plain digits, no leading zeros)."""
    digits = str(number)
    options = [rb"[1-9]\d{%d,}" % len(digits)]
    for i, d in enumerate(digits):
        if d < "9":
            options.append(digits[:i].encode() + b"[%d-9]" % (int(d) + 1) + rb"\d{%d}" % (len(digits) - i - 1))
    return b"(?:" + b"|".join(options) + b")"


def _farthest_row(xml: bytes) -> int:
    """The largest row number written on a row or a cell. Rows come in order in every file a
    program writes, so the last row's number is checked against the whole part with one search;
    only when a larger one exists (a crafted file) is every number read."""
    guess, tail = 0, len(xml)
    for _ in range(3):                                 # the last row element with a number
        tail = xml.rfind(b"<row r=", 0, tail)
        last = _ROW_OF_LAST.match(xml, tail) if tail >= 0 else None
        if last or tail < 0:
            guess = int(last.group(1)) if last else 0
            break
    if not re.search(rb' r="[A-Z]{0,3}' + _greater(guess) + b'"', xml):
        return guess
    return max(int(m.group(1)) for m in re.finditer(rb' r="[A-Z]{0,3}(\d{1,12})"', xml))


def _beyond(column: int) -> re.Pattern[bytes]:
    """Cell references whose column is after ``column`` (0-based): AA… after Z, Q… after P."""
    name = column_letters(column)
    options = [f"[A-Z]{{{len(name) + 1},3}}"] if len(name) < 3 else []
    for i, ch in enumerate(name):
        if ch < "Z":
            options.append(name[:i] + f"[{chr(ord(ch) + 1)}-Z]" + ("[A-Z]" * (len(name) - i - 1)))
    return re.compile(rb'<c r="(' + "|".join(options).encode() + rb')(\d{1,9})"[^<>]{0,400}?>')


def _too_wide(xml: bytes, file: str, sheet: str) -> InputProblem | None:
    """A problem when the area from A1 to the farthest row and column is over MAX_CELLS cells."""
    xml = _plain(xml)
    rows = max(_farthest_row(xml), 1)
    fits = max(min(MAX_CELLS // rows, MAX_COLUMNS), 1)            # columns that fit at this height
    if fits < MAX_COLUMNS:
        for far in _beyond(fits - 1).finditer(xml):
            if not far.group(0).endswith(b"/>"):                   # a formatted empty cell holds nothing
                ref = (far.group(1) + far.group(2)).decode("ascii")
                return _wide_problem(file, sheet, ref, rows, fits)
    if _cells_per_row(xml) > fits:                    # cells written without r="…" fill a row from A
        return _wide_problem(file, sheet, None, rows, fits)
    return None


def _cells_per_row(xml: bytes) -> int:
    """The most cells any one row holds; 0 when every cell says where it is (then none is needed)."""
    if xml.count(b'<c r="') == xml.count(b"<c ") + xml.count(b"<c>"):
        return 0                                      # the common case, counted fast
    rows = np.fromiter((m.start() for m in re.finditer(rb"<row[ >/]", xml)), dtype=np.int64)
    cells = np.fromiter((m.start() for m in re.finditer(rb"<c[ >]", xml)), dtype=np.int64)
    if not len(cells):
        return 0
    owner = np.searchsorted(rows, cells, side="right")
    return int(np.bincount(owner).max())


def _wide_problem(file: str, sheet: str, ref: str | None, rows: int, fits: int) -> InputProblem:
    where = f"单元格 {ref} 有内容，" if ref else ""
    return InputProblem(
        file, None, None, ref,
        f"工作表的数据区域过大，未读取：{where}从 A1 到最远的有内容的单元格共 {rows:,} 行、超过 {fits:,} 列"
        f"（上限 {MAX_CELLS:,} 个单元格）。多半是在很远的行或列误输入了内容：请按 Ctrl+End 找到它，"
        f"删除多余的行和列后保存", "sheet_too_large", sheet)


# ---- cells the reader shows as empty ------------------------------------------------------------------
_ERROR_CELL = re.compile(rb'<c\s[^<>]{0,400}?\st="e"[^<>]{0,400}?>')
_REF = re.compile(rb'\sr="([A-Z]{1,3})(\d{1,7})"')
_VALUE = re.compile(rb"<v>([^<>]{0,64})</v>")
_FORMULA = re.compile(rb"<f[\s>/]")
_CACHED = re.compile(rb'(?:</f>|<f\s[^<>]{0,400}?/>)<v>[^<]')
_CELL_END = b"</c>"
_FORMULA_TEXT = re.compile(rb"<f(?:\s[^<>]{0,400}?)?>([^<]{0,8192})</f>")


def _ref(cell_tag: bytes) -> tuple[int, int] | None:
    m = _REF.search(cell_tag)
    return (int(m.group(2)), column_index(m.group(1))) if m else None


def _error_cells(xml: bytes) -> list[tuple[int, int, str]]:
    """(row, column, error value) of cells saved as an Excel error (t="e")."""
    found = []
    if b't="e"' not in xml:
        return found
    for m in _ERROR_CELL.finditer(xml):
        where = _ref(m.group(0))
        if where is None:
            continue
        end = xml.find(_CELL_END, m.end(), m.end() + 16384)
        v = _VALUE.search(xml, m.end(), end if end >= 0 else m.end())
        text = v.group(1).decode("utf-8", "replace") if v else "#错误"
        found.append((*where, text))
        if len(found) >= MAX_FINDINGS:
            break
    return found


def _uncached_formulas(xml: bytes) -> list[tuple[int, int, str]]:
    """(row, column, "=formula") of formula cells saved without their value (written by a program,
    never opened in Excel): the reader cannot know what Excel would show."""
    found = []
    if b"<f" not in xml:
        return found
    formulas = sum(xml.count(b"<f" + end) for end in (b" ", b">", b"/", b"\t", b"\n", b"\r"))
    if not formulas or formulas == sum(1 for _ in _CACHED.finditer(xml)):
        return found
    for f in _FORMULA.finditer(xml):
        start = xml.rfind(b"<c", max(0, f.start() - 16384), f.start())
        end = xml.find(_CELL_END, f.start(), f.start() + 16384)
        if start < 0 or end < 0:
            continue
        cell = xml[start:end]
        if _CACHED.search(cell):
            continue
        where = _ref(cell[:cell.find(b">") + 1])
        if where is None:
            continue
        text = _FORMULA_TEXT.search(cell)
        formula = (text.group(1) if text else b"").decode("utf-8", "replace")
        formula = formula.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace(
            "&apos;", "'").replace("&amp;", "&")
        found.append((*where, "=" + formula))
        if len(found) >= MAX_FINDINGS:
            break
    return found
