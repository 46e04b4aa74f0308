"""得分明细单 as files: each unit's statement (content from scoring.report.statements) laid out by
WeasyPrint, one PDF per unit, and statements.zip.

Speed and size: units are laid out in chunks: each chunk is one HTML document, one statement per
page group (page numbers restart per unit), laid out once by WeasyPrint with the bundled fonts cut
to the chunk's characters (render.pdf.lay_out); then each unit's pages, found by the anchor its
statement starts with, are written as its own PDF, embedding only the glyphs those pages show.
Chunks run on a process pool.
"""
from __future__ import annotations

import datetime as _dt
import multiprocessing as mp
import sys
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from tqdm import tqdm

from scoring.errors import ScoringError
from scoring.inputs.names import clash_key, safe_name, statement_filename  # noqa: F401 (safe_name: public here too)
from scoring.method.calendar import default_issue_date, quarter_zh
from scoring.render.files import ZIP_TIME, write_bytes_atomic, zip_bytes
from scoring.render.html import page_css
from scoring.render.pdf import lay_out, pdf_bytes
from scoring.render.xlsxio import deterministic_bytes
from scoring.report import glyphs as fonts
from scoring.report.statements import ITEM_SHEET_HEADERS, Statement, _anchor, _section, item_rows, statement_data
from scoring.report.wording import environment

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "statement"


def _document(sections: Iterable[str], title: str, issue: _dt.date, author: str) -> str:
    css = page_css() + "\n" + (TEMPLATE_DIR / "statement.css").read_text(encoding="utf-8")
    return environment(TEMPLATE_DIR).get_template("document.html.j2").render(
        title=title, css=css, date=issue.isoformat(), author=author, sections=list(sections))


def statement_html(result, unit_id: str, quarter: int | None = None, *, issuer: str | None = None, sample: bool = False,
                   issue_date: _dt.date | str | None = None) -> str:
    """The statement of one unit as a complete HTML document (pure: no I/O besides templates)."""
    stmt = statement_data(result, unit_id, quarter)
    issue = _issue(result, issue_date, stmt.quarter)
    issuer = issuer or result.rules.meta.issuer
    return _document([_section(stmt, result.rules, issuer, issue, sample)],
                     f"{stmt.unit_name}{result.year}年{quarter_zh(stmt.quarter)}得分明细单", issue, issuer)


def _issue(result, issue_date, quarter: int | None = None) -> _dt.date:
    if issue_date is None:
        return default_issue_date(int(result.year), int(quarter or result.quarter))
    if isinstance(issue_date, str):
        return _dt.date.fromisoformat(issue_date)
    if isinstance(issue_date, _dt.datetime):
        return issue_date.date()
    return issue_date


# ---- files ----------------------------------------------------------------------------------------
# Column widths of the unit's workbook (characters), in ITEM_SHEET_HEADERS order.
_ITEM_WIDTHS = (14, 40, 12, 8, 30, 18, 24, 12, 12, 9, 8, 18)


def unit_workbook(stmt: Statement) -> bytes:
    """The unit's item rows as an .xlsx (the same rows as the statement's item tables, one item a
    row), deterministic bytes: the file handed to the unit with its statement."""
    wb = Workbook()
    ws = wb.active
    ws.title = "计分稿件"
    title = f"{stmt.unit_name}（{stmt.unit_id}）{stmt.year}年{quarter_zh(stmt.quarter)}计分稿件明细"
    ws.append([title])
    ws["A1"].font = Font(bold=True, size=12)
    ws.append(list(ITEM_SHEET_HEADERS))
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    rows = item_rows(stmt)
    for row in rows:
        ws.append(list(row))
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = "s"        # input text stays text: openpyxl would store "=..." as a formula
    ws.append(["合计", "", "", "", "", "", "", "", "", "", sum((r[10] for r in rows), Decimal(0)), ""])
    ws[f"A{ws.max_row}"].font = Font(bold=True)
    for i, width in enumerate(_ITEM_WIDTHS, start=1):
        ws.column_dimensions[ws.cell(row=2, column=i).column_letter].width = width
    ws.freeze_panes = "A3"
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    return deterministic_bytes(wb)


# Each worker holds the Result once (set by the pool initializer) and renders chunks of units.
_WORKER: dict[str, Any] = {}


def _init_worker(result, issuer: str, issue: _dt.date, sample: bool = False) -> None:
    """Worker start: the Result, WeasyPrint and the font coverage table, loaded once per process."""

    fonts.covered()
    led = result.ledger
    led = led[(led["quarter"] == result.quarter) & (led["year"] == result.year)]
    ledgers = {str(u): part for u, part in led.groupby("unit_id", sort=False, observed=True)}
    ad = result.adoptions
    adoptions = {str(u): part for u, part in ad.groupby(ad["unit_id"].astype(str), sort=False)} if len(ad) else {}
    _WORKER.update(result=result, issuer=issuer, issue=issue, sample=sample, ledgers=ledgers, empty=led.iloc[:0],
                   adoptions=adoptions, no_adoptions=ad.iloc[:0])


def _render_chunk(unit_ids: list[str]) -> tuple[list[tuple[str, bytes, bytes]], list[str]]:
    """Statements of a chunk of units in one WeasyPrint pass, split per unit with pypdf; with
    each, the unit's workbook (PDF bytes, xlsx bytes).

    Each statement starts with an anchor (a named destination in the PDF) and is its own page
    group, so its pages are those from its anchor to the next one and its page numbers start at 1.
    """
    result, issuer, issue = _WORKER["result"], _WORKER["issuer"], _WORKER["issue"]
    stmts = [statement_data(result, u, ledger=_WORKER["ledgers"].get(u, _WORKER["empty"]),
                            adoptions=_WORKER["adoptions"].get(u, _WORKER["no_adoptions"])) for u in unit_ids]
    warnings = [w for st in stmts for w in st.warnings]
    html = _document([_section(st, result.rules, issuer, issue, _WORKER["sample"]) for st in stmts],
                     f"{result.year}年{quarter_zh(result.quarter)}得分明细单", issue, issuer)
    laid = lay_out(html)
    starts = {}
    for number, page in enumerate(laid.document.pages):
        for name in page.anchors:
            starts.setdefault(name, number)
    anchors = [_anchor(st.unit_id) for st in stmts]
    if any(a not in starts for a in anchors):
        raise ScoringError("得分明细单分页失败：合并排版的文档中找不到某些单位的起始页")
    bounds = sorted(starts[a] for a in anchors) + [len(laid.document.pages)]
    nxt = {b: e for b, e in zip(bounds, bounds[1:])}
    out = []
    for unit, st, anchor in zip(unit_ids, stmts, anchors):
        data, warns = pdf_bytes(laid, range(starts[anchor], nxt[starts[anchor]]),
                                title=f"{st.unit_name}{result.year}年{quarter_zh(st.quarter)}得分明细单")
        warnings += warns
        out.append((unit, data, unit_workbook(st)))
    return out, warnings


def render_all(result, folder: Path, progress: bool = True, workers: int = 2, *,
               issuer: str | None = None, issue_date: _dt.date | str | None = None,
               chunk_size: int | None = None, warnings_out: list[str] | None = None,
               sample: bool = False) -> list[Path]:
    """Write ``folder/statements/<unit_id>-<unit_name>.pdf`` and ``.xlsx`` (the statement's item
    rows) for every unit of the register (also those with nothing adopted) and
    ``folder/statements.zip`` holding both; return the PDF paths in register order, then the zip's.

    Units are rendered in chunks (one WeasyPrint pass each) on ``workers`` processes, with a tqdm
    bar on stderr. Deterministic: PDF dates are the issue date (default: the 10th of the month
    after the quarter), zip entries are sorted, dated the issue date, mode 0644. Warnings (a 〓
    replacement, a WeasyPrint note) go to ``warnings_out`` when given, else to stderr. ``sample``:
    computed from the sample data, each statement says 样例数据，非正式通报 above its title.
    """
    folder = Path(folder)
    issue = _issue(result, issue_date)
    issuer = issuer or result.rules.meta.issuer
    q_now = result.quarterly[result.quarterly["quarter"] == result.quarter]
    names = dict(zip(q_now["unit_id"].astype(str), q_now["unit_name"].astype(str)))
    register = result.units["unit_id"].astype(str).tolist()
    absent = [u for u in register if u not in names]
    if absent:
        raise ScoringError(f"单位 {'、'.join(absent[:5])} 没有本季度得分，无法生成得分明细单")
    files = {u: statement_filename(u, names[u]) for u in register}
    books = {u: statement_filename(u, names[u], ".xlsx") for u in register}
    seen: dict[str, str] = {}
    for u in register:          # validation refuses such a register; a Result made otherwise lands here
        other = seen.setdefault(clash_key(u), u)
        if other != u:
            raise ScoringError(f"单位编码「{other}」和「{u}」的得分明细单文件名相同（文件名不区分大小写，"
                               f"且去掉 \\/:*?\"<>| 等字符），请修改其中一个单位编码")
    workers = max(1, int(workers))
    n = len(register)
    # Each WeasyPrint pass pays a fixed price (stylesheets, font faces) and layout grows faster
    # than linearly with very long documents: two balanced chunks per worker, at most 16 units each.
    size = chunk_size or min(16, max(4, -(-n // (workers * 2))))
    chunks = [register[i:i + size] for i in range(0, n, size)]
    out_dir = folder / "statements"
    out_dir.mkdir(parents=True, exist_ok=True)
    for pattern in ("*.pdf", "*.xlsx"):    # a unit removed from the register leaves no stale file
        for old in out_dir.glob(pattern):
            old.unlink()
    written: dict[str, bytes] = {}
    warnings: list[str] = []
    # tqdm's monitor thread (started by the first bar, shown or not) only retunes miniters; it
    # would be running when the pool forks, and may hold tqdm's lock at that moment.
    class _Bar(tqdm):
        monitor_interval = 0

    bar = _Bar(total=n, desc="得分明细单", unit="份", file=sys.stderr, disable=not progress, leave=False)

    def store(res: tuple[list[tuple[str, bytes, bytes]], list[str]]) -> None:
        pdfs, warns = res
        for unit, data, book in pdfs:
            (out_dir / files[unit]).write_bytes(data)
            (out_dir / books[unit]).write_bytes(book)
            written[files[unit]] = data
            written[books[unit]] = book
        warnings.extend(warns)
        bar.update(len(pdfs))

    try:
        if workers == 1 or len(chunks) == 1:
            _init_worker(result, issuer, issue, sample)
            for chunk in chunks:
                store(_render_chunk(chunk))
        else:
            # fork shares the parent's loaded modules; elsewhere the initializer loads them.
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=ctx,
                                     initializer=_init_worker, initargs=(result, issuer, issue, sample)) as pool:
                for res in pool.map(_render_chunk, chunks):
                    store(res)
    finally:
        bar.close()
    if warnings_out is not None:
        warnings_out.extend(dict.fromkeys(warnings))
    else:
        for w in dict.fromkeys(warnings):
            print(f"提示：{w}", file=sys.stderr)
    zpath = write_zip(folder / "statements.zip", written, issue)
    return [out_dir / files[u] for u in register] + [zpath]


def write_zip(path: Path, files: dict[str, bytes], when: _dt.date | None = None) -> Path:
    """statements.zip (files.zip_bytes): entries ``statements/<name>`` sorted, one fixed time (the
    issue date, else 1980-01-01), mode 0644."""
    stamp = (when.year, when.month, when.day, 0, 0, 0) if when else ZIP_TIME
    entries = [(f"statements/{name}", files[name]) for name in sorted(files)]
    return write_bytes_atomic(path, zip_bytes(entries, stamp, external_attr=0o100644 << 16, create_system=3))
