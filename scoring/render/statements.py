"""得分明细单 as files: each unit's statement (content from scoring.report.statements) laid out by
WeasyPrint, one PDF per unit, and statements.zip.

Speed: one WeasyPrint pass per unit costs 0.3–1 s, mostly layout set-up and font subsetting. So
units are rendered in chunks: each chunk is one HTML document, one statement per page group
(page numbers restart per unit), one WeasyPrint pass, then split into one PDF per unit with pypdf
by the named destination each statement starts with. Chunks run on a process pool.
"""
from __future__ import annotations

import datetime as _dt
import io
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from functools import lru_cache
from typing import Any, Iterable

import jinja2

from scoring.errors import ScoringError
from scoring.inputs.names import clash_key, safe_name, statement_filename  # noqa: F401 (safe_name: public here too)
from scoring.method.calendar import default_issue_date, quarter_zh
from scoring.render.files import ZIP_TIME, write_bytes_atomic, zip_bytes
from scoring.render.html import page_css
from scoring.report import glyphs as fonts
from scoring.report.statements import _anchor, _section, statement_data
import weasyprint
import tempfile
from pypdf import PdfReader, PdfWriter
from scoring.render.pdf import html_to_pdf
import multiprocessing as mp
from tqdm import tqdm

TEMPLATE_DIR = Path(__file__).resolve().parent / "templates" / "statement"


@lru_cache(maxsize=1)
def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATE_DIR)), autoescape=True,
                              trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined,
                              keep_trailing_newline=True)


def _document(sections: Iterable[str], title: str, issue: _dt.date, author: str) -> str:
    css = page_css() + "\n" + (TEMPLATE_DIR / "statement.css").read_text(encoding="utf-8")
    return _env().get_template("document.html.j2").render(
        title=title, css=css, date=issue.isoformat(), author=author, sections=list(sections))


def statement_html(result, unit_id: str, quarter: int | None = None, *, issuer: str | None = None,
                   issue_date: _dt.date | str | None = None) -> str:
    """The statement of one unit as a complete HTML document (pure: no I/O besides templates)."""
    stmt = statement_data(result, unit_id, quarter)
    issue = _issue(result, issue_date, stmt.quarter)
    issuer = issuer or result.rules.meta.issuer
    return _document([_section(stmt, result.rules, issuer, issue)],
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
# Each worker holds the Result once (set by the pool initializer) and renders chunks of units.
_WORKER: dict[str, Any] = {}


def _init_worker(result, issuer: str, issue: _dt.date) -> None:
    """Worker start: the Result, WeasyPrint and the font coverage table, loaded once per process."""

    fonts.covered()
    led = result.ledger
    led = led[(led["quarter"] == result.quarter) & (led["year"] == result.year)]
    ledgers = {str(u): part for u, part in led.groupby("unit_id", sort=False, observed=True)}
    _WORKER.update(result=result, issuer=issuer, issue=issue, ledgers=ledgers, empty=led.iloc[:0])


def _render_chunk(unit_ids: list[str]) -> tuple[list[tuple[str, bytes]], list[str]]:
    """Statements of a chunk of units in one WeasyPrint pass, split per unit with pypdf.

    Each statement starts with an anchor (a named destination in the PDF) and is its own page
    group, so its pages are those from its anchor to the next one and its page numbers start at 1.
    """



    result, issuer, issue = _WORKER["result"], _WORKER["issuer"], _WORKER["issue"]
    stmts = [statement_data(result, u, ledger=_WORKER["ledgers"].get(u, _WORKER["empty"])) for u in unit_ids]
    warnings = [w for st in stmts for w in st.warnings]
    html = _document([_section(st, result.rules, issuer, issue) for st in stmts],
                     f"{result.year}年{quarter_zh(result.quarter)}得分明细单", issue, issuer)
    created = _pdf_date(issue)
    with tempfile.TemporaryDirectory(prefix="statements-") as tmp:
        path = Path(tmp) / "chunk.pdf"
        warnings += html_to_pdf(html, path)
        reader = PdfReader(str(path))
        starts = {str(name).lstrip("/"): reader.get_destination_page_number(dest)
                  for name, dest in reader.named_destinations.items()}
        anchors = [_anchor(st.unit_id) for st in stmts]
        if any(a not in starts for a in anchors):
            raise ScoringError("得分明细单分页失败：合并排版的文档中找不到某些单位的起始页")
        bounds = sorted(starts[a] for a in anchors) + [len(reader.pages)]
        nxt = {b: e for b, e in zip(bounds, bounds[1:])}
        out = []
        for unit, st, anchor in zip(unit_ids, stmts, anchors):
            writer = PdfWriter()
            for page in range(starts[anchor], nxt[starts[anchor]]):
                writer.add_page(reader.pages[page])
            writer.add_metadata({"/Title": f"{st.unit_name}{result.year}年{quarter_zh(st.quarter)}得分明细单",
                                 "/Author": issuer, "/Creator": "liyang-scoring", "/Producer": "liyang-scoring",
                                 "/CreationDate": created, "/ModDate": created})
            buf = io.BytesIO()
            writer.write(buf)
            out.append((unit, buf.getvalue()))
    return out, warnings


def _pdf_date(d: _dt.date) -> str:
    return f"D:{d.year:04d}{d.month:02d}{d.day:02d}000000+08'00'"


def render_all(result, folder: Path, progress: bool = True, workers: int = 2, *,
               issuer: str | None = None, issue_date: _dt.date | str | None = None,
               chunk_size: int | None = None, warnings_out: list[str] | None = None) -> list[Path]:
    """Write ``folder/statements/<unit_id>-<unit_name>.pdf`` for every unit of the register (also
    those with nothing adopted) and ``folder/statements.zip``; return the PDF paths in register
    order, then the zip's.

    Units are rendered in chunks (one WeasyPrint pass each) on ``workers`` processes, with a tqdm
    bar on stderr. Deterministic: PDF dates are the issue date (default: the 10th of the month
    after the quarter), zip entries are sorted, dated the issue date, mode 0644. Warnings (a 〓
    replacement, a WeasyPrint note) go to ``warnings_out`` when given, else to stderr.
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
    for old in out_dir.glob("*.pdf"):      # a unit removed from the register leaves no stale file
        old.unlink()
    written: dict[str, bytes] = {}
    warnings: list[str] = []
    # tqdm's monitor thread (started by the first bar, shown or not) only retunes miniters; it
    # would be running when the pool forks, and may hold tqdm's lock at that moment.
    class _Bar(tqdm):
        monitor_interval = 0

    bar = _Bar(total=n, desc="得分明细单", unit="份", file=sys.stderr, disable=not progress, leave=False)

    def store(res: tuple[list[tuple[str, bytes]], list[str]]) -> None:
        pdfs, warns = res
        for unit, data in pdfs:
            (out_dir / files[unit]).write_bytes(data)
            written[files[unit]] = data
        warnings.extend(warns)
        bar.update(len(pdfs))

    try:
        if workers == 1 or len(chunks) == 1:
            _init_worker(result, issuer, issue)
            for chunk in chunks:
                store(_render_chunk(chunk))
        else:
            # fork shares the parent's loaded modules; elsewhere the initializer loads them.
            ctx = mp.get_context("fork") if "fork" in mp.get_all_start_methods() else None
            with ProcessPoolExecutor(max_workers=min(workers, len(chunks)), mp_context=ctx,
                                     initializer=_init_worker, initargs=(result, issuer, issue)) as pool:
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
