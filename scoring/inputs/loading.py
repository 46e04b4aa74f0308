"""Read a dataset folder (CSV files or one workbook), check every cell, and return a Dataset.

The data contract (shared/spec/data-contract.md) fixes what a folder may hold; this module accepts
every spelling it allows and reports, all at once, every cell it cannot trust: each
:class:`~scoring.errors.InputProblem` names the file (and sheet), the row as the user sees it
(header = row 1), the header as the user wrote it, the value and, in Chinese, what was expected.

Stages: read (bytes → string cells, never raising) → headers (English/Chinese → canonical) →
cell checks (one named check per problem code) → cross-row checks (duplicates, R2
conflicts) → typed canonical frames. Nothing here loops over rows in Python on the clean path.
"""
from __future__ import annotations

import csv
import difflib
import io
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute

from scoring.inputs import parsing
from scoring.inputs.names import clash_keys
from scoring.inputs.dataset import DTYPES, Dataset
from scoring.errors import InputError, InputProblem
from scoring.method.rules import Rules
from scoring.inputs.schema import (FIRST_YEAR, LAST_YEAR, MAX_COUNT, MAX_TEXT, TABLES, TABLES_BY_NAME, Field,
                                   Table)
from scoring.inputs.workbook import column_letters, scan_workbook
import datetime as dt
from python_calamine import CalamineWorkbook

# Beyond this many problems of one kind in one column, the rest are summed up in one line.
PER_COLUMN_LIMIT = 50
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
MAX_CSV_COLUMNS = 1000     # a header with more columns is refused before the file is read
ALIAS_SEPARATORS = r"[;；、]"


# ---- collecting problems ----------------------------------------------------------------------
@dataclass
class _Problems:
    items: list[InputProblem] = field(default_factory=list)

    def add(self, file: str, row: int | None, column: str | None, value: str | None, expected: str,
            code: str, sheet: str | None = None) -> None:
        self.items.append(InputProblem(file=file, row=None if row is None else int(row), column=column,
                                       value=value, expected=expected, code=code, sheet=sheet))

    def cells(self, src: "_Source", positions: np.ndarray, canon: str, code: str,
              expected: Callable[[str], str], values: pd.Series | None = None) -> None:
        """One problem per bad cell (at row positions ``positions``), at most PER_COLUMN_LIMIT of them."""
        positions = np.asarray(positions, dtype=np.int64)
        if positions.size == 0:
            return
        col = values if values is not None else src.cells[canon]
        header = src.headers.get(canon, canon)
        shown = positions[:PER_COLUMN_LIMIT]
        rows = src.rows[shown]
        vals = col.to_numpy(dtype=object)[shown]
        for row, value in zip(rows, vals):
            value = "" if value is None or value is pd.NA else str(value)
            self.add(src.file, row, header, value, expected(value), code, src.sheet)
        if positions.size > PER_COLUMN_LIMIT:
            rest = positions[PER_COLUMN_LIMIT:]
            self.add(src.file, None, header, None,
                     f"另有 {rest.size} 行同类问题未逐条列出（第 {src.rows[rest[0]]} 行至第 {src.rows[rest[-1]]} 行之间），"
                     f"请按上面的说明一并修正", code, src.sheet)


@dataclass
class _Source:
    """One table as read: string cells under canonical names, with where each came from."""
    table: Table
    file: str                    # file name as the user knows it
    sheet: str | None
    path: Path
    cells: pd.DataFrame          # canonical name → stripped text, "" for empty; RangeIndex
    rows: np.ndarray             # row number as the user sees it, per position
    headers: dict[str, str]      # canonical name → header as the user wrote it
    memo: dict = field(default_factory=dict)   # parsed columns, shared by the checks and the typed frame

    def once(self, key: tuple, make: Callable[[], object]):
        if key not in self.memo:
            self.memo[key] = make()
        return self.memo[key]

    @property
    def label(self) -> str:
        return f"{self.file}［{self.sheet}］" if self.sheet else self.file


# Hints: a misspelt word gets "the closest is X" only when X is clearly what it meant.
CLEAR_MARGIN = 0.1          # the best target's similarity must beat every other target's by this much
MAX_LISTED = 8              # an ambiguous word lists at most this many of the values it may mean


@dataclass(frozen=True)
class _Guess:
    """What a word that is not a known spelling most likely meant.

    ``spelling``: the known spelling to suggest, only when one target is clearly meant; ``several``:
    the targets the word may equally mean (then nothing is suggested and the message lists them)."""
    spelling: str | None = None
    several: tuple[str, ...] = ()


def _spellings(choices: Mapping[str, str] | Iterable[str]) -> dict[str, str]:
    """Known spelling → the value it stands for (a plain list: each spelling stands for itself)."""
    if isinstance(choices, Mapping):
        return {str(s): str(t) for s, t in choices.items() if s}
    return {str(c): str(c) for c in choices if c}


def _guess(word: str, choices: Mapping[str, str] | Iterable[str], cutoff: float = 0.5) -> _Guess:
    """The value a misspelt ``word`` most likely meant, decided on the values, not their spellings.

    A value is clearly meant when (1) its best spelling is more similar to the word (difflib ratio
    at least ``cutoff``) than any other value's by CLEAR_MARGIN, or, failing that, it is the only
    value with a spelling containing the word or contained in it; and (2) the word's Chinese
    characters that the value's spellings share are not all shared by another value's spellings as
    well. 「市级」 shares 市 and 级 with 常州市 (地市级) and with 溧阳市 (县级): two values, no hint."""
    word = str(word)
    spellings = _spellings(choices)
    if not word or not spellings:
        return _Guess()
    order = list(dict.fromkeys(spellings.values()))
    score: dict[str, float] = {}
    matcher = difflib.SequenceMatcher()
    matcher.set_seq2(word)
    for s, target in spellings.items():
        matcher.set_seq1(s)
        if matcher.real_quick_ratio() >= cutoff and matcher.quick_ratio() >= cutoff:
            r = matcher.ratio()
            if r >= cutoff and r > score.get(target, 0.0):
                score[target] = r
    if score:
        ranked = sorted(score, key=lambda t: (-score[t], order.index(t)))
        best = ranked[0]
        close = [t for t in ranked if score[best] - score[t] < CLEAR_MARGIN]
    else:
        close = [t for t in order if any(word in s or s in word for s, u in spellings.items() if u == t)]
        best = close[0] if close else None
    if best is None:
        return _Guess()
    letters = {t: set("".join(s for s, u in spellings.items() if u == t)) for t in order}
    chinese = {ch for ch in word if not ch.isascii()}
    shared = chinese & letters[best]
    if shared:
        close += [t for t in order if t not in close and shared <= letters[t]]
    if len(close) > 1:
        return _Guess(None, tuple(t for t in order if t in close))
    spelling = max((s for s, u in spellings.items() if u == best),
                   key=lambda s: difflib.SequenceMatcher(None, word, s).ratio())
    return _Guess(spelling, ())


def _closest(word: str, choices: Mapping[str, str] | Iterable[str], cutoff: float = 0.5) -> str | None:
    """The known spelling a misspelt word clearly meant, or None (none close, or several alike)."""
    return _guess(word, choices, cutoff).spelling


def _several(word: str, shown: Iterable[str]) -> str:
    """The tail of a message for a word that may mean several values: it lists them, guesses none."""
    shown = list(shown)
    listed = "、".join(f"「{s}」" for s in shown[:MAX_LISTED])
    more = f"等 {len(shown)} 个" if len(shown) > MAX_LISTED else ""
    return f"；「{word}」可能指{listed}{more}中的任何一个，无法确定，请写明是哪一个"


# ---- reading -----------------------------------------------------------------------------------
def _csv_records(data: bytes) -> tuple[pd.DataFrame, np.ndarray, list[tuple[int, int]]]:
    """All cells as strings (row 0 is the header), the line where each record starts, and the
    records with more cells than the header (line, cells), which are left out. UTF-8 only.

    pyarrow is the fast reader, but it drops blank lines and rejects ragged rows, and a quoted cell
    spanning lines (Alt+Enter in Excel) makes records and lines differ. When its record count is
    not the file's line count, the csv module reads again, noting the line each record starts on,
    so that row numbers stay as an editor shows them."""
    try:
        frame = pd.read_csv(io.BytesIO(data), header=None, dtype=str, keep_default_na=False, engine="pyarrow")
        if len(frame) == _content_lines(data):
            return frame, np.arange(1, len(frame) + 1, dtype=np.int64), []
    except Exception:  # noqa: BLE001 - fall back to the careful reader below
        pass
    text = data.decode("utf-8-sig")            # UnicodeDecodeError: the caller tries GB18030
    # No limit on a cell's length here: a cell longer than the contract allows is then reported
    # by its row and column (text_too_long), not as an unreadable file. 2**31 - 1: a C long everywhere.
    csv.field_size_limit(2**31 - 1)
    reader = csv.reader(io.StringIO(text, newline=""))
    records: list[list[str]] = []
    lines: list[int] = []
    ragged: list[tuple[int, int]] = []
    width, previous = None, 0
    for record in _located(reader):
        start, previous = previous + 1, reader.line_num
        width = len(record) if width is None else width
        if len(record) > width:
            ragged.append((start, len(record)))
            continue
        records.append(record + [""] * (width - len(record)))
        lines.append(start)
    return pd.DataFrame(records, dtype="str"), np.array(lines, dtype=np.int64), ragged


def _located(reader) -> Iterable[list[str]]:
    """The reader's records; a csv.Error carries the line where it happened (``err.line``)."""
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            err.line = reader.line_num
            raise
        yield record


def _lines_not_utf8(raw: bytes) -> list[int]:
    """Lines (from 1) that are not UTF-8 in a file whose other non-ASCII lines are: empty when the
    file has no UTF-8 line beyond ASCII (it is then another encoding as a whole)."""
    bad: list[int] = []
    utf8 = False
    for number, line in enumerate(raw.split(b"\n"), 1):
        if line.isascii():
            continue
        try:
            line.decode("utf-8")
            utf8 = True
        except UnicodeDecodeError:
            bad.append(number)
    return bad if utf8 else []


def _content_lines(data: bytes) -> int:
    """Lines up to the last non-blank character (blank lines at the very end change no row number)."""
    tail = data[-4096:]
    end = len(data) - (len(tail) - len(tail.rstrip(b" \t\r\n")))
    return data.count(b"\n", 0, end) + 1


def _read_csv(path: Path, table: Table, out: _Problems, notes: list[str]) -> _Source | None:
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as err:
        out.add(name, None, None, None, f"无法读取文件（{err.strerror or err}）", "unreadable_file")
        return None
    head = raw[:1 << 16]                 # enough to tell a CSV from a workbook or binary garbage
    if head.startswith(b"PK\x03\x04") or head.startswith(b"\xd0\xcf\x11\xe0"):
        out.add(name, None, None, None, "这是一个 Excel 工作簿，却以 .csv 为扩展名；请在 Excel 中“另存为”CSV UTF-8（逗号分隔），"
                "或把工作簿（.xlsx）单独放在数据目录中", "binary_file")
        return None
    if b"\x00" in head:
        out.add(name, None, None, None, "文件含有二进制内容，不是文本 CSV；如果是 Excel 的“Unicode 文本”(UTF-16)，"
                "请改为“另存为 → CSV UTF-8（逗号分隔）”", "binary_file")
        return None
    if not head.strip(b" \t\r\n\xef\xbb\xbf") and not raw.strip(b" \t\r\n\xef\xbb\xbf"):
        out.add(name, 1, None, "", f"文件是空的；第 1 行须为表头（{_header_list(table)}），其后每行一条记录", "empty_file")
        return None
    first = raw[:raw.find(b"\n") if b"\n" in raw[:1 << 20] else 1 << 20]
    if first.count(b",") >= MAX_CSV_COLUMNS:
        # A header of a million columns would take minutes to read: the file is not this table.
        out.add(name, 1, None, None, f"表头有 {first.count(b',') + 1:,} 列以上，远多于本表的 {len(table.fields)} 列"
                f"（{_header_list(table)}）；请检查是否选错了文件，或第 1 行是否被误填", "bad_csv")
        return None
    try:
        try:
            frame, lines, ragged = _csv_records(raw)    # the readers themselves reject bytes that are not UTF-8
        except UnicodeDecodeError:
            mixed = _lines_not_utf8(raw)
            if mixed:
                # A UTF-8 file with a few lines in another encoding (pasted from a GBK file): those lines.
                for line in mixed[:PER_COLUMN_LIMIT]:
                    out.add(name, line, None, None, "此行不是 UTF-8 编码，而文件的其余各行是：多半是从另一个文件（GBK/GB18030 编码）"
                            "粘贴来的文字；请在此行重新输入这些文字，或在 Excel 中打开后“另存为 → CSV UTF-8（逗号分隔）”",
                            "bad_encoding")
                if len(mixed) > PER_COLUMN_LIMIT:
                    out.add(name, None, None, None, f"另有 {len(mixed) - PER_COLUMN_LIMIT} 行不是 UTF-8 编码，未逐条列出",
                            "bad_encoding")
                return None
            try:
                data = raw.decode("gb18030").encode("utf-8")
            except UnicodeDecodeError as err:
                row = raw[:err.start].count(b"\n") + 1
                out.add(name, row, None, None, "无法识别文件的文字编码；CSV 须为 UTF-8（可带 BOM）或 GB18030/GBK（中文 Windows 上 "
                        "Excel 另存的 CSV），本行附近有不属于这两种编码的字节", "bad_encoding")
                return None
            frame, lines, ragged = _csv_records(data)
    except csv.Error as err:
        line = getattr(err, "line", None)
        out.add(name, line, None, None, f"无法按 CSV 读取（{err}）；请在 Excel 中打开后“另存为 → CSV UTF-8（逗号分隔）”",
                "bad_csv")
        return None
    except Exception:  # noqa: BLE001 - any reader failure is the user's file, not our bug
        out.add(name, None, None, None, "无法按 CSV 读取；请在 Excel 中打开后“另存为 → CSV UTF-8（逗号分隔）”", "bad_csv")
        return None
    if len(frame) == 0:
        out.add(name, 1, None, "", f"文件是空的；第 1 行须为表头（{_header_list(table)}），其后每行一条记录", "empty_file")
        return None
    for line, cells in ragged[:PER_COLUMN_LIMIT]:
        out.add(name, line, None, None, f"此行有 {cells} 格，比表头的 {frame.shape[1]} 格多；含逗号或换行的内容须用英文双引号括起",
                "bad_csv")
    if len(ragged) > PER_COLUMN_LIMIT:
        out.add(name, None, None, None, f"另有 {len(ragged) - PER_COLUMN_LIMIT} 行的格数多于表头，未逐条列出", "bad_csv")
    header = [str(h) for h in frame.iloc[0].tolist()]
    body = frame.iloc[1:].reset_index(drop=True)
    rows = lines[1:]
    return _build_source(table, name, None, path, header, body, rows, out, notes)


def _cell_text(value: object) -> str:
    """A workbook cell as the text a CSV export would show (Excel dates as ISO dates, 3.0 as 3)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def _read_workbook(path: Path, out: _Problems, notes: list[str]) -> dict[str, _Source]:

    name = path.name
    bad = ("不是可读取的 Excel 工作簿（.xlsx）；可能是旧版 .xls、加密的文件或改了扩展名的其他文件，"
           "请在 Excel 中“另存为 → Excel 工作簿 (*.xlsx)”")
    if not zipfile.is_zipfile(path):
        out.add(name, None, None, None, bad, "binary_file")
        return {}
    try:
        scan = scan_workbook(path)          # before the reader inflates anything: sizes, extent, error cells
    except Exception:  # noqa: BLE001 - a damaged zip or XML is the user's file, not our bug
        out.add(name, None, None, None, bad, "binary_file")
        return {}
    if any(p.sheet is None for p in scan.refused):          # the whole file: nothing is read
        out.items.extend(scan.refused)
        return {}
    refused_sheets = {p.sheet: p for p in scan.refused}     # reported if the sheet is one of the tables
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet_names = list(book.sheet_names)
    except Exception:  # noqa: BLE001
        out.add(name, None, None, None, bad, "binary_file")
        return {}

    sources: dict[str, _Source] = {}
    for table in TABLES:
        wanted = {parsing.normalise_name(s) for s in table.sheets}
        matches = [s for s in sheet_names if parsing.normalise_name(s) in wanted]
        if not matches:
            if table.required:
                out.add(name, None, None, None,
                        f"工作簿中没有「{table.sheet_zh}」工作表（也可命名为 {table.name}）；"
                        f"现有工作表：{'、'.join(sheet_names) or '（无）'}", "missing_sheet", table.sheet_zh)
            continue
        if len(matches) > 1:
            out.add(name, None, None, None,
                    f"工作表「{'」和「'.join(matches)}」都是{table.title_zh}，只能保留一个", "duplicate_sheet", matches[1])
            continue
        sheet_name = matches[0]
        if sheet_name in refused_sheets:
            out.items.append(refused_sheets[sheet_name])
            continue
        if sheet_name not in scan.sheets:        # not listed in the workbook part: the scan could not check it
            out.add(name, None, None, None, bad, "binary_file", sheet_name)
            continue
        try:
            sheet = book.get_sheet_by_name(sheet_name)
            grid = sheet.to_python(skip_empty_area=False)
            merged = list(sheet.merged_cell_ranges or [])
        except Exception:  # noqa: BLE001
            out.add(name, None, None, None, f"无法读取工作表「{sheet_name}」的内容；请在 Excel 中打开并重新保存为 .xlsx",
                    "binary_file", sheet_name)
            continue
        header_merges = [m for m in merged if m[0][0] == 0]
        if header_merges:
            (r0, c0), (r1, c1) = header_merges[0]
            out.add(name, 1, None, None,
                    f"第 1 行有合并单元格（{_cell_ref(r0, c0)}:{_cell_ref(r1, c1)}）；第 1 行须是表头、每列一个表头，"
                    f"请删除标题行并取消合并单元格", "merged_header", sheet_name)
            continue
        for (r0, c0), (r1, c1) in merged:
            # Only the first cell of a merged range holds the value; the others read as empty.
            out.add(name, r0 + 1, None, None,
                    f"有合并单元格（{_cell_ref(r0, c0)}:{_cell_ref(r1, c1)}）；合并后只有第一格有值，其余各格会被当作空，"
                    f"请取消合并并逐行填写", "merged_cells", sheet_name)
        if not grid or not any(str(v).strip(parsing.SPACES) for v in grid[0]):
            if not any(any(str(v).strip(parsing.SPACES) for v in r) for r in grid):
                out.add(name, 1, None, "", f"工作表是空的；第 1 行须为表头（{_header_list(table)}），其后每行一条记录",
                        "empty_file", sheet_name)
                continue
        width = max(len(r) for r in grid)
        columns = list(zip(*[list(r) + [""] * (width - len(r)) for r in grid]))
        text = {i: [_cell_text(v) for v in col] for i, col in enumerate(columns)}
        header = [text[i][0] for i in range(width)]
        body = pd.DataFrame({i: pd.Series(text[i][1:], dtype="str") for i in range(width)})
        rows = np.arange(2, len(body) + 2, dtype=np.int64)
        src = _build_source(table, name, sheet_name, path, header, body, rows, out, notes)
        if src is None:
            continue
        if all(s in sheet_names for s in TEMPLATE_SHEETS):
            src = _without_template_example(src, out)
        found = scan.sheets[sheet_name]
        for row, col, formula in found.uncached[:PER_COLUMN_LIMIT]:
            out.add(name, row, _written_header(header, col), formula, "公式单元格没有保存计算结果（缓存值），无法得知 Excel 显示的值；请在 Excel 中打开并保存一次，"
                    "或把公式“选择性粘贴 → 数值”", "formula_no_cache", sheet_name)
        for row, col, error in found.errors[:PER_COLUMN_LIMIT]:
            out.add(name, row, _written_header(header, col), error,
                    f"单元格 {_cell_ref(row - 1, col)} 是 Excel 的错误值 {error}（公式出错，或“#N/A”等查找不到的结果），"
                    f"读不出应有的内容；请改正公式或填入实际的值", "excel_error", sheet_name)
        if len(found.errors) > PER_COLUMN_LIMIT:
            out.add(name, None, None, None, f"另有 {len(found.errors) - PER_COLUMN_LIMIT} 个单元格是 Excel 的错误值，未逐条列出",
                    "excel_error", sheet_name)
        sources[table.name] = src
    return sources


def _cell_ref(row: int, col: int) -> str:
    """(0, 0) → A1."""
    return f"{column_letters(col)}{row + 1}"


def _written_header(header: list[str], col: int) -> str:
    """The header the user wrote over column ``col`` (0-based), else the column's letters."""
    written = header[col].strip(parsing.SPACES) if col < len(header) else ""
    return written or f"{column_letters(col)} 列"


# ---- headers -------------------------------------------------------------------------------------
def _header_list(table: Table) -> str:
    return "、".join(f.zh for f in table.fields)


def _required_headers(table: Table) -> list[tuple[str, ...]]:
    """Each entry: the canonical names of which at least one column must be present."""
    needs: list[tuple[str, ...]] = []
    unit_ref = [f.name for f in table.fields if f.kind == "unit"]
    if unit_ref:
        needs.append(tuple(unit_ref))
    needs += [(f.name,) for f in table.fields if f.required]
    return needs


def _build_source(table: Table, file: str, sheet: str | None, path: Path, header: list[str],
                  body: pd.DataFrame, rows: np.ndarray, out: _Problems, notes: list[str]) -> _Source | None:
    """Headers → canonical names; problems for missing/duplicated required headers; cells stripped."""
    accepted = parsing.lookup(table.header_map())
    written = [parsing.printable(h).strip(parsing.SPACES) for h in header]     # a header is text too
    fields = {f.name: f for f in table.fields}
    headers: dict[str, str] = {}
    positions: dict[str, int] = {}
    unknown: list[str] = []
    for i, h in enumerate(written):
        canon = accepted.get(parsing.normalise_name(h)) if h else None
        if canon is None:
            if h:
                unknown.append(h)
            continue
        if canon in headers:
            out.add(file, 1, h, h, f"与第 1 行已有的「{headers[canon]}」是同一列（{fields[canon].zh} / {canon}），每列只能出现一次",
                    "duplicate_column", sheet)
            continue
        headers[canon] = h
        positions[canon] = i

    where = f"{file}［{sheet}］" if sheet else file
    if not headers and len(body):
        # A title line above the real header: say so once instead of listing every column.
        second = [str(v).strip(parsing.SPACES) for v in body.iloc[0].tolist()]
        if sum(parsing.normalise_name(v) in accepted for v in second) >= 2:
            out.add(file, 1, None, " ".join(w for w in written if w)[:60],
                    f"第 1 行须是表头，但表头出现在第 2 行；请删除表头上方的标题行（{_header_list(table)}）",
                    "header_not_first_row", sheet)
            return None

    used: set[str] = set()
    for need in _required_headers(table):
        if any(n in headers for n in need):
            continue
        wanted = {x: n for n in need for x in (fields[n].zh, n)}
        guess = next((u for u in unknown if u not in used and _closest(u, wanted, 0.5)), None)
        names = "或".join(f"「{fields[n].zh}」" for n in need)
        english = " 或 ".join(need)
        if guess is not None:
            used.add(guess)
            hint = f"；表头「{guess}」与它最接近，是否拼写有误？"
        elif len(written) == 1 and re.search(r"[\t;；|]", written[0]):
            hint = "；整行表头被读成了一列，CSV 的分隔符须为英文逗号"
        else:
            hint = f"；本表的表头为：{_header_list(table)}（中文或英文均可）"
        out.add(file, 1, fields[need[0]].zh, None, f"缺少必填列{names}（英文表头 {english}）{hint}", "missing_column", sheet)
    ignored = [u for u in unknown if u not in used]
    for u in ignored:
        guess = _closest(u, {x: f.name for f in table.fields if f.name not in headers for x in (f.zh, f.name)}, 0.6)
        hint = f"（是否想写「{guess}」？）" if guess else ""
        notes.append(f"{where} 中的列「{u}」不是本表的列，已忽略{hint}。")

    cells = pd.DataFrame({canon: parsing.strip_spaces(body[positions[canon]].astype("str"))
                          for canon in headers}, index=pd.RangeIndex(len(body)), copy=False)
    # Rows left entirely empty (Excel keeps formatted blank rows) are not records.
    if len(cells.columns) and len(cells):
        filled = (cells != "").any(axis=1).to_numpy()
        if not filled.all():
            cells = cells[filled].reset_index(drop=True)
            rows = rows[filled]
    cells = _printable(cells, rows, where, headers, notes)
    return _Source(table, file, sheet, path, cells, rows, headers)


def _printable(cells: pd.DataFrame, rows: np.ndarray, where: str, headers: dict[str, str],
               notes: list[str]) -> pd.DataFrame:
    """The one normalisation of text at input: control characters no document can hold (vertical
    tab, U+2028 pasted from a web page, a terminal escape …) become a space or 〓, each cell with
    a note naming its file, sheet, row and column, so that no later step fails on accepted text."""
    changed: dict[str, pd.Series] = {}
    for canon in cells.columns:
        hit = parsing.has_unprintable(cells[canon])
        if not hit.any():
            continue
        col = cells[canon].copy()
        positions = np.flatnonzero(hit)
        for p in positions[:PER_COLUMN_LIMIT]:
            notes.append(f"{where} 第 {rows[p]} 行，列「{headers[canon]}」：含有文档无法显示的控制字符"
                         f"（{parsing.unprintable_names(str(col.iloc[p]))}），已把分隔符改为空格、其他改为「{parsing.REPLACEMENT}」；"
                         f"请在原文件中核对这一格。")
        if positions.size > PER_COLUMN_LIMIT:
            notes.append(f"{where} 列「{headers[canon]}」另有 {positions.size - PER_COLUMN_LIMIT} 格含有控制字符，同样处理，未逐条列出。")
        col.iloc[positions] = [parsing.printable(str(v)) for v in col.iloc[positions]]
        changed[canon] = parsing.strip_spaces(col)
    return cells.assign(**changed) if changed else cells


def _without_template_example(src: _Source, out: _Problems) -> _Source:
    """A sheet of a workbook made from the input template, less its untouched example row, which is
    reported: templates written before the examples moved to the 说明 sheet held one in row 2."""
    if not len(src.cells) or src.rows[0] != 2 or not _is_template_example(src.table, src.cells.iloc[0]):
        return src
    first = next(iter(src.headers))
    out.add(src.file, 2, src.headers[first], str(src.cells.iloc[0][first]), TEMPLATE_EXAMPLE, "template_example",
            src.sheet)
    return _Source(src.table, src.file, src.sheet, src.path, src.cells.iloc[1:].reset_index(drop=True),
                   src.rows[1:], src.headers)


TEMPLATE_SHEETS = ("说明", "选项")      # the template's guide and its hidden list sheet (scoring.inputs.template)
TEMPLATE_EXAMPLE = "模板示例行，请删除（这是录入模板自带的示例，不是数据；删除整行后再从第 2 行起填写）"


def _example_texts(table: Table) -> dict[str, str]:
    """Field → its example as the template's row 2 reads back (unit references: the register's example)."""
    units = {f.name: f.example for f in TABLES_BY_NAME["units"].fields}
    return {f.name: units[f.name] if f.kind == "unit" else f.example for f in table.fields}


def _is_template_example(table: Table, row: pd.Series) -> bool:
    """The row is the template's untouched example: the sheet has every column of the template, and
    each holds the example exactly (an event type may be spelt as any rules file names it)."""
    kinds = {f.name: f.kind for f in table.fields}
    if set(row.index) != set(kinds):
        return False
    examples = _example_texts(table)
    return all(value == examples[canon] for canon, value in row.items() if kinds[canon] != "event")


# ---- cell checks --------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Vocab:
    """Accepted spellings → canonical keys for one kind of value, and how to say what is accepted."""
    table: dict[str, str]
    expected: Callable[[str], str]


def _listing(keys: Iterable[str], aliases: dict[str, str]) -> str:
    keys = list(keys)
    extra = [a for a, k in aliases.items() if a not in keys and not re.fullmatch(r"[a-z_]+", a)]
    text = "、".join(keys)
    if extra:
        text += "（也接受：" + "、".join(extra) + "）"
    return text


def _vocabularies(rules: Rules) -> dict[str, _Vocab]:
    vocab: dict[str, _Vocab] = {}
    what = {"column": ("栏目", "考评办法附件中的栏目"), "level": ("录用级别", "录用级别"), "category": ("单位类别", "单位类别")}
    for kind, (label, noun) in what.items():
        mapping = rules.alias_map(kind)  # type: ignore[arg-type]
        keys = {"column": rules.column_keys, "level": rules.level_keys, "category": rules.category_keys}[kind]
        listing = _listing(keys, mapping)

        def expected(value: str, mapping=mapping, listing=listing, noun=noun) -> str:
            guess = _guess(value, mapping)
            tip = (f"；最接近的是「{mapping[guess.spelling]}」" if guess.spelling
                   else _several(value, guess.several) if guess.several else "")
            return f"不是{noun}；须为以下之一：{listing}{tip}"
        vocab[kind] = _Vocab(parsing.lookup(mapping), expected)

    events = rules.alias_map("event")
    codes = "、".join(f"{k}（{e.name}）" for k, e in rules.events.items())
    others = [a for a, k in events.items() if a != k and a != rules.events[k].name]

    def expected_event(value: str) -> str:
        guess = _guess(value, events)
        tip = (f"；最接近的是「{guess.spelling}」（{events[guess.spelling]}）" if guess.spelling
               else _several(value, (rules.events[c].name for c in guess.several)) if guess.several else "")
        return f"不是规则文件中的扣分或否决事项；类型须为以下代码或名称之一：{codes}（也接受：{'、'.join(others)}）{tip}"
    vocab["event"] = _Vocab(parsing.lookup(events), expected_event)
    return vocab


@dataclass(frozen=True)
class _Units:
    """The unit register as a lookup: id, name or alias → unit_id."""
    table: dict[str, str]
    names: dict[str, str]        # spelling → "名称（编码）" for suggestions
    source: str                  # where the register came from, for messages
    digits: dict[str, tuple[str, ...]] = field(default_factory=dict)   # all-digit id without leading 0s → ids

    def zero_twins(self, value: str) -> tuple[str, ...]:
        """Registered ids that are ``value`` with leading zeros added or dropped (0103 for 103)."""
        value = str(value)
        if not value.isdigit():
            return ()
        return tuple(i for i in self.digits.get(value.lstrip("0"), ()) if i != value)

    def expected(self, value: str) -> str:
        twins = self.zero_twins(value)
        if twins:
            tip = (f"；单位名册中有单位编码{'、'.join(f'「{self.names.get(i, i)}」' for i in twins)}，与「{value}」只差开头的 0："
                   f"{ZERO_ADVICE}")
        else:
            guess = _guess(value, self.names, 0.4)
            tip = (f"；最接近的是「{self.names[guess.spelling]}」" if guess.spelling
                   else _several(value, guess.several) if guess.several else "")
        return f"单位名册（{self.source}）中没有这个单位；可填单位编码、单位名称或别名{tip}"


ZERO_ADVICE = ("Excel 的“常规”格式会把 0103 存成 103；请把单位编码列设为“文本”格式后重新输入完整的编码"
               "（或在单元格中先输入英文单引号，如 '0103）")


def _digit_ids(ids: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """All-digit unit ids grouped by their value without leading zeros (0103 and 103 together)."""
    groups: dict[str, list[str]] = {}
    for uid in dict.fromkeys(str(i) for i in ids):
        if uid.isdigit():
            groups.setdefault(uid.lstrip("0"), []).append(uid)
    return {k: tuple(v) for k, v in groups.items()}


def _whole(num: parsing.Parsed, s: pd.Series, min_value: int, max_value: int) -> pd.Series:
    ok = num.values.notna() & (num.values % 1 == 0) & (num.values >= min_value) & (num.values <= max_value)
    return ok | (s == "")


def _number_reason(value: str, min_value: int, max_value: int) -> str:
    got = parsing.parse_numbers(pd.Series([value], dtype="str")).values.iloc[0]
    if pd.isna(got):
        return "须为阿拉伯数字"
    if got < 0:
        return "不能为负数"
    if got % 1:
        return "不能有小数"
    if got < min_value:
        return f"不能小于 {min_value}"
    if got > max_value:
        return f"不能大于 {max_value:,}（多半是输入有误）"
    return ""


INT_RULES = {  # field → (code, smallest accepted, largest accepted, what is expected)
    "count": ("bad_count", 1, MAX_COUNT, f"次数须为 1 至 {MAX_COUNT:,} 的整数（留空按 1 次计）"),
    "target": ("bad_target", 0, MAX_COUNT, f"目标数须为 0 至 {MAX_COUNT:,} 的整数"),
    "year": ("bad_year", FIRST_YEAR, LAST_YEAR, f"年度须为 {FIRST_YEAR} 至 {LAST_YEAR} 年之间的四位数年份，如 2023"),
}


def _dates_of(src: _Source, canon: str) -> parsing.Parsed:
    return src.once(("date", canon), lambda: parsing.parse_dates(_text(src, canon)))


def _bools_of(src: _Source, canon: str) -> parsing.Parsed:
    return src.once(("bool", canon), lambda: parsing.parse_bools(_text(src, canon)))


def _numbers_of(src: _Source, canon: str) -> parsing.Parsed:
    return src.once(("number", canon), lambda: parsing.parse_numbers(_text(src, canon)))


def _resolved(src: _Source, canon: str, table: dict[str, str]) -> pd.Series:
    return src.once(("resolve", canon, id(table)), lambda: parsing.resolve(_text(src, canon), table))


@dataclass(frozen=True)
class _Check:
    """One cell check: its problem code, the vectorized test (True = fine), and the Chinese explanation."""
    code: str
    fn: Callable[[pd.Series], pd.Series]
    expected: Callable[[str], str]


def _checks(src: _Source, f: Field, vocab: dict[str, _Vocab], units: _Units | None) -> list[_Check]:
    """The checks of one field, each named by its problem code, with its Chinese explanation.

    Each check reads the column it is given; parsing is memoised on the source so that the typed
    frame built afterwards reuses it rather than parsing a million cells twice."""
    checks: list[_Check] = []
    c = f.name

    def add(code: str, fn: Callable[[pd.Series], pd.Series], expected: Callable[[str], str]) -> None:
        checks.append(_Check(code, fn, expected))

    if f.required and f.kind != "unit":
        add("missing_value", lambda s: s != "", lambda v, f=f: f"「{f.zh}」是必填项，不能为空")
    if f.kind == "str":
        add("text_too_long", lambda s: ~parsing.too_long(s, MAX_TEXT),
            lambda v: f"文字过长（{len(v)} 字）；不得超过 {MAX_TEXT} 字")
    elif f.kind == "date":
        add("bad_date", lambda s: ~_dates_of(src, c).bad,
            lambda v: f"无法识别的日期；可写作 {parsing.DATE_EXAMPLES}")
        add("impossible_date", lambda s: ~_dates_of(src, c).impossible,
            lambda v: "日期不存在（请核对年、月、日，例如 2 月没有 30 日、没有 13 月）")
        add("date_out_of_range", lambda s: ~_dates_of(src, c).out_of_range,
            lambda v: f"日期的年份不在 {FIRST_YEAR}–{LAST_YEAR} 年之间，多半是年份输入有误；请核对")
    elif f.kind == "bool":
        add("bad_bool", lambda s: ~_bools_of(src, c).bad,
            lambda v: f"无法识别的是/否值；可填 {parsing.BOOL_EXAMPLES}")
    elif f.kind == "int":
        code, low, high, text = INT_RULES[f.name]
        add(code, lambda s, low=low, high=high: _whole(_numbers_of(src, c), s, low, high),
            lambda v, low=low, high=high, text=text: f"{text}；「{v}」{_number_reason(v, low, high)}")
    elif f.kind in vocab:
        v = vocab[f.kind]
        add(f"unknown_{f.kind}", lambda s, v=v: (s == "") | _resolved(src, c, v.table).notna(), v.expected)
    elif f.kind == "unit" and units is not None:
        add("unknown_unit", lambda s: (s == "") | _resolved(src, c, units.table).notna(), units.expected)
    return checks


def _failing(result: object, n: int) -> np.ndarray:
    """Row positions a check's answer does not pass: False or missing (an answer of another length
    or type fails every row rather than none)."""
    try:
        answer = pd.Series(result)
        if len(answer) != n:
            return np.arange(n)
        return np.flatnonzero(~answer.fillna(False).to_numpy(dtype=bool))
    except (TypeError, ValueError):
        return np.arange(n)


def _check_cells(src: _Source, vocab: dict[str, _Vocab], units: _Units | None, out: _Problems) -> None:
    """Column-level checks, each a vectorized function of the column answering per cell; every
    failing cell becomes an InputProblem (at most PER_COLUMN_LIMIT per column and check)."""
    fields = {f.name: f for f in src.table.fields}
    for canon in src.cells.columns:
        column = src.cells[canon]
        for check in _checks(src, fields[canon], vocab, units):
            out.cells(src, _failing(check.fn(column), len(column)), canon, check.code, check.expected)


# ---- table checks and typed frames ------------------------------------------------------------------
def _empty_source(table: Table) -> _Source:
    return _Source(table, table.csv, None, Path(table.csv), pd.DataFrame(index=pd.RangeIndex(0)),
                   np.zeros(0, dtype=np.int64), {})


def _text(src: _Source, canon: str) -> pd.Series:
    if canon in src.cells.columns:
        return src.cells[canon].astype("string")
    return pd.Series("", index=src.cells.index, dtype="string")


def _provenance(frame: dict[str, pd.Series], src: _Source) -> pd.DataFrame:
    out = pd.DataFrame(frame, index=pd.RangeIndex(len(src.cells)), copy=False)   # copy-on-write guards the columns
    out["_file"] = pd.Series(src.label, index=out.index, dtype="string")
    out["_row"] = pd.Series(src.rows, index=out.index, dtype="int64")
    return out


def _dates(src: _Source, canon: str) -> pd.Series:
    return _dates_of(src, canon).values


def _bools(src: _Source, canon: str) -> pd.Series:
    return _bools_of(src, canon).values


def _key_codes(key: pd.Series) -> tuple[np.ndarray, int]:
    """A code per row (equal keys, equal codes) and how many keys. Arrow text is encoded in one
    piece by Arrow itself (a million record ids: about half of pandas' time)."""
    arr = key.array
    if isinstance(arr, pd.arrays.ArrowStringArray) and not key.isna().any() and len(key):
        data = arr._pa_array
        data = data.combine_chunks() if isinstance(data, pyarrow.ChunkedArray) else data
        enc = pyarrow.compute.dictionary_encode(data)
        return enc.indices.to_numpy(zero_copy_only=False).astype(np.int64), len(enc.dictionary)
    codes, uniques = pd.factorize(key, use_na_sentinel=False)
    return codes, len(uniques)


def _first_of_each(key: pd.Series) -> np.ndarray:
    """For each row, the position of the first row with the same key."""
    codes, n_keys = _key_codes(key)
    n = len(codes)
    if n_keys == n:
        return np.arange(n)
    first = np.empty(n_keys, dtype=np.int64)
    first[codes[::-1]] = np.arange(n)[::-1]      # the last write wins: the earliest row
    return first[codes]


def _duplicates(src: _Source, canon: str, code: str, what: str, out: _Problems) -> None:
    text = _text(src, canon)
    keyed = pd.Series(parsing.per_distinct(text, lambda u: [parsing.normalise_name(x) for x in u]), index=text.index)
    dup = keyed.duplicated(keep="first") & (text != "")
    if dup.any():
        first = _first_of_each(keyed)
        positions = np.flatnonzero(dup.to_numpy())
        firsts = dict(zip(positions, src.rows[first[positions]]))
        # "expected" quotes the first row, so it differs per cell: add them one by one (units are few).
        header = src.headers.get(canon, canon)
        for p in positions[:PER_COLUMN_LIMIT]:
            out.add(src.file, src.rows[p], header, str(text.iloc[p]),
                    f"{what}重复：第 {firsts[p]} 行已有「{text.iloc[first[p]]}」；每个{what}只能出现一次", code, src.sheet)


def _file_name_clashes(src: _Source, out: _Problems) -> None:
    """Two unit ids that are different codes (not duplicates, reported above) but would give one
    statement file name where case does not count (names.clash_key: 「A/1」 and 「A1」, or 「Ab」
    and 「aB」 written with different widths): both rows named."""
    ids = _text(src, "unit_id")
    header = src.headers.get("unit_id", "unit_id")
    first: dict[str, int] = {}
    normal: dict[str, int] = {}
    keys = clash_keys(ids.where(ids.str.len() <= MAX_TEXT, ""))     # the over-long are reported elsewhere
    for pos, uid in enumerate(ids):
        if not uid or len(uid) > MAX_TEXT:
            continue
        same = normal.setdefault(parsing.normalise_name(uid), pos)
        if same != pos:             # the same code again: a duplicate, reported as such
            continue
        other = first.setdefault(keys[pos], pos)
        if other != pos:
            out.add(src.file, src.rows[pos], header, uid,
                    f"单位编码「{uid}」与第 {src.rows[other]} 行的单位编码「{ids.iloc[other]}」生成的得分明细单文件名相同"
                    f"（文件名不区分大小写，且不能含 \\ / : * ? \" < > | 等字符）；请修改其中一个单位编码",
                    "statement_name_clash", src.sheet)


def _units(src: _Source, vocab: dict[str, _Vocab], out: _Problems) -> tuple[pd.DataFrame, _Units]:
    """单位名册: ids and names unique, aliases split on ; or 、 and pointing at one unit only."""
    _check_cells(src, vocab, None, out)
    if "unit_id" in src.cells and "unit_name" in src.cells and len(src.cells) == 0:
        out.add(src.file, 2, None, None, "单位名册没有任何单位；第 2 行起每行填写一个单位", "empty_file", src.sheet)
    _duplicates(src, "unit_id", "duplicate_unit_id", "单位编码", out)
    _duplicates(src, "unit_name", "duplicate_unit_name", "单位名称", out)
    _file_name_clashes(src, out)

    ids, names = _text(src, "unit_id"), _text(src, "unit_name")
    alias_lists = _text(src, "aliases").str.split(ALIAS_SEPARATORS, regex=True).map(
        lambda xs: [x.strip(parsing.SPACES) for x in xs if x.strip(parsing.SPACES)])
    lookup: dict[str, str] = {}
    owner: dict[str, tuple[int, str]] = {}     # normalised spelling → (position, what it is there)
    shown: dict[str, str] = {}
    for pos, (uid, name) in enumerate(zip(ids, names)):
        for spelling, what in ((uid, "编码"), (name, "名称")):
            if spelling:
                key = parsing.normalise_name(spelling)
                if key in owner and owner[key][1] != what and ids.iloc[owner[key][0]] != uid:
                    # One unit's code is another unit's name (same-kind repeats are duplicates above).
                    other, other_what = owner[key]
                    out.add(src.file, src.rows[pos], src.headers.get("unit_id" if what == "编码" else "unit_name"),
                            spelling, f"「{spelling}」已是第 {src.rows[other]} 行单位「{names.iloc[other]}」"
                            f"（{ids.iloc[other]}）的{other_what}；一个名字只能指向一个单位", "ambiguous_unit", src.sheet)
                owner.setdefault(key, (pos, what))
                lookup.setdefault(key, uid)
                shown.setdefault(spelling, f"{name}（{uid}）")
    alias_header = src.headers.get("aliases", "aliases")
    for pos, (uid, name, aliases) in enumerate(zip(ids, names, alias_lists)):
        for a in dict.fromkeys(aliases):
            key = parsing.normalise_name(a)
            if len(a) > MAX_TEXT:
                continue
            if key in owner and ids.iloc[owner[key][0]] != uid:
                other, what = owner[key]
                out.add(src.file, src.rows[pos], alias_header, a,
                        f"别名「{a}」已是第 {src.rows[other]} 行单位「{names.iloc[other]}」（{ids.iloc[other]}）的{what}；"
                        f"一个名字只能指向一个单位", "duplicate_alias", src.sheet)
                continue
            owner.setdefault(key, (pos, "别名"))
            lookup.setdefault(key, uid)
            shown.setdefault(a, f"{name}（{uid}）")
    category = _resolved(src, "category", vocab["category"].table).fillna("")
    frame = _provenance({
        "unit_id": ids, "unit_name": names, "category": category.astype("string"),
        "informant": _text(src, "informant"),
        "aliases": alias_lists.map(";".join).astype("string"),
    }, src)
    return frame, _Units(lookup, shown, src.label, _digit_ids(ids))


def _unit_ids(src: _Source, units: _Units | None, out: _Problems) -> pd.Series:
    """单位编码 / 单位名称 (either, any spelling) → unit_id; both empty or disagreeing is a problem."""
    units = units if units is not None else _Units({}, {}, "")
    by_id = _resolved(src, "unit_id", units.table)
    by_name = _resolved(src, "unit_name", units.table)
    raw_id, raw_name = _text(src, "unit_id"), _text(src, "unit_name")
    has_ref = any(c in src.cells for c in ("unit_id", "unit_name"))
    if has_ref:
        neither = ((raw_id == "") & (raw_name == "")).to_numpy()
        canon = "unit_id" if "unit_id" in src.cells else "unit_name"
        out.cells(src, np.flatnonzero(neither), canon, "missing_value",
                  lambda v: "须填写单位编码或单位名称（二者至少其一）", values=raw_id if canon == "unit_id" else raw_name)
        clash = (by_id.notna() & by_name.notna() & (by_id != by_name)).fillna(False).to_numpy()
        if clash.any():
            for p in np.flatnonzero(clash)[:PER_COLUMN_LIMIT]:
                out.add(src.file, src.rows[p], src.headers["unit_name"], str(raw_name.iloc[p]),
                        f"与同一行的单位编码「{raw_id.iloc[p]}」指向不同的单位（编码对应「{units.names.get(raw_id.iloc[p], by_id.iloc[p])}」）；"
                        f"请核对，或只填其中一列", "unit_mismatch", src.sheet)
    _zero_ambiguous(src, units, by_id, by_name, out)
    return by_id.fillna(by_name).fillna("").astype("string")


def _zero_ambiguous(src: _Source, units: _Units, by_id: pd.Series, by_name: pd.Series, out: _Problems) -> None:
    """A 单位编码 that is a registered id while another registered id differs from it only by leading
    zeros (103 and 0103): Excel's General format turns 0103 into 103, so which unit is meant is
    unknown, unless the same row's 单位名称 says so."""
    if not any(len(ids) > 1 for ids in units.digits.values()) or "unit_id" not in src.cells:
        return
    raw = _text(src, "unit_id")
    twins = {v: units.zero_twins(v) for v in raw.unique() if v and units.zero_twins(v)}
    if not twins:
        return
    unsure = (raw.isin(list(twins)) & by_id.notna() & ~(by_name == by_id).fillna(False)).to_numpy(dtype=bool)
    header = src.headers["unit_id"]
    for p in np.flatnonzero(unsure)[:PER_COLUMN_LIMIT]:
        value = str(raw.iloc[p])
        others = "、".join(f"「{units.names.get(i, i)}」" for i in twins[value])
        out.add(src.file, src.rows[p], header, value,
                f"「{value}」是单位「{units.names.get(value, value)}」的编码，但单位名册中还有{others}，编码只差开头的 0，"
                f"无法确定指哪个单位；{ZERO_ADVICE}，或在同一行填写单位名称", "ambiguous_unit_id", src.sheet)


def _conflicting_records(src: _Source, frame: pd.DataFrame, out: _Problems) -> None:
    """R2: 被上级录用以最高分值计，不重复计算 — rows of one record id are one item, so they must agree
    on the unit and the column; rows that disagree with the record's first row are input errors."""
    rid = frame["record_id"]
    if not len(rid) or "record_id" not in src.cells:
        return
    first = _first_of_each(rid)
    if (first == np.arange(len(first))).all():
        return                                   # every record id occurs once: nothing can disagree
    has_id = (rid != "").to_numpy(dtype=bool)
    for canon, what in (("unit_id", "单位"), ("column", "栏目")):
        codes, uniques = pd.factorize(frame[canon], use_na_sentinel=False)
        given = np.asarray(uniques, dtype=object)[codes] != "" if len(uniques) else np.zeros(len(codes), bool)
        differs = has_id & given & given[first] & (codes != codes[first])
        if not differs.any():
            continue
        if canon == "unit_id":
            # The unit was given by code or, where the code is empty, by name: quote what the user wrote.
            by_id = _text(src, "unit_id") != ""
            shown = _text(src, "unit_id").where(by_id, _text(src, "unit_name"))
            header = pd.Series(src.headers.get("unit_id", "unit_id"), index=shown.index).where(
                by_id, src.headers.get("unit_name", "unit_name"))
        else:
            shown = _text(src, "column")
            header = pd.Series(src.headers.get("column", "column"), index=shown.index)
        for p in np.flatnonzero(differs)[:PER_COLUMN_LIMIT]:
            q = first[p]
            out.add(src.file, src.rows[p], str(header.iloc[p]), str(shown.iloc[p]),
                    f"稿件编号「{rid.iloc[p]}」在第 {src.rows[q]} 行的{what}是「{shown.iloc[q]}」，此行却是「{shown.iloc[p]}」；"
                    f"同一稿件的各行（各级录用）须为同一单位、同一栏目（附件注：被上级录用以最高分值计，不重复计算）",
                    "conflicting_record", src.sheet)


def _submissions(src: _Source, vocab: dict[str, _Vocab], units: _Units | None, out: _Problems) -> pd.DataFrame:
    _check_cells(src, vocab, units, out)
    frame = _provenance({
        "record_id": _text(src, "record_id"),
        "unit_id": _unit_ids(src, units, out),
        "column": _resolved(src, "column", vocab["column"].table).fillna(""),
        "level": _resolved(src, "level", vocab["level"].table).fillna(""),
        "adopted_on": _dates(src, "adopted_on"),
        "title": _text(src, "title"),
        "submitted_on": _dates(src, "submitted_on"),
        "due_on": _dates(src, "due_on"),
        "late": _bools(src, "late"),
        "solicited": _bools(src, "solicited"),
        "informant": _text(src, "informant"),
    }, src)
    _conflicting_records(src, frame, out)
    return frame


def _events(src: _Source, vocab: dict[str, _Vocab], units: _Units | None, out: _Problems) -> pd.DataFrame:
    _check_cells(src, vocab, units, out)
    ints = _numbers_of(src, "count").values
    count = ints.where(ints.notna() & (ints % 1 == 0) & (ints >= 1) & (ints <= MAX_COUNT), 1).astype("int64")
    return _provenance({
        "event_id": _text(src, "event_id"),
        "unit_id": _unit_ids(src, units, out),
        "date": _dates(src, "date"),
        "type": _resolved(src, "type", vocab["event"].table).fillna(""),
        "count": count,
        "note": _text(src, "note"),
    }, src)


def _targets(src: _Source, vocab: dict[str, _Vocab], units: _Units | None, out: _Problems) -> pd.DataFrame:
    _check_cells(src, vocab, units, out)
    year = _numbers_of(src, "year").values
    target = _numbers_of(src, "target").values
    frame = _provenance({
        "unit_id": _unit_ids(src, units, out),
        "year": year.where(year.notna() & (year % 1 == 0) & (year >= FIRST_YEAR) & (year <= LAST_YEAR), 0).astype("int64"),
        "column": _resolved(src, "column", vocab["column"].table).fillna(""),
        "target": target.where(target.notna() & (target % 1 == 0) & (target >= 0) & (target <= MAX_COUNT), 0
                               ).astype("int64"),
    }, src)
    key = frame["unit_id"] + "\x1f" + frame["year"].astype("string") + "\x1f" + frame["column"]
    complete = (frame["unit_id"] != "") & (frame["column"] != "") & (frame["year"] > 0)
    dup = (key.duplicated(keep="first") & complete).to_numpy()
    if dup.any():
        first = _first_of_each(key)
        header = src.headers.get("target", "目标数")
        for p in np.flatnonzero(dup)[:PER_COLUMN_LIMIT]:
            out.add(src.file, src.rows[p], header, str(_text(src, "target").iloc[p]),
                    f"同一单位（{frame['unit_id'].iloc[p]}）、同一年度（{frame['year'].iloc[p]}）、同一栏目（{frame['column'].iloc[p]}）"
                    f"的目标已在第 {src.rows[first[p]]} 行给出；每个单位每年每个栏目只能有一个目标数", "duplicate_target", src.sheet)
    return frame


def _typed(frame: pd.DataFrame, name: str) -> pd.DataFrame:
    """The canonical dtypes of scoring.dataset.DTYPES (str columns as the nullable "string" dtype)."""
    cols = {}
    for col, dtype in DTYPES[name].items():
        s = frame[col]
        cols[col] = s.astype("string").fillna("") if dtype == "str" else s.astype(dtype)
    cols["_file"] = frame["_file"].astype("string")
    cols["_row"] = frame["_row"].astype("int64")
    return pd.DataFrame(cols, index=pd.RangeIndex(len(frame)), copy=False)


def _year_notes(year: int, subs: pd.DataFrame, events: pd.DataFrame, targets: pd.DataFrame) -> list[str]:
    """R1: rows of other years are not errors; the run counts them in its notes."""
    notes = []
    for frame, col, what in ((subs, "adopted_on", "条录用记录的录用日期"), (events, "date", "条扣分事项的日期")):
        other = int((frame[col].dt.year != year).sum()) if len(frame) else 0
        if other:
            notes.append(f"有 {other} {what}不在 {year} 年，不计入 {year} 年的得分（R1）。")
    other = int((targets["year"] != year).sum()) if len(targets) else 0
    if other:
        notes.append(f"有 {other} 条年度目标属于 {year} 年以外的年度，本次不评判。")
    return notes


# ---- the folder ---------------------------------------------------------------------------------
def _read_folder(folder: Path, out: _Problems, notes: list[str]) -> tuple[dict[str, _Source], list[Path]]:
    entries = sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(("~$", ".")))
    by_lower = {p.name.lower(): p for p in entries}
    csvs = {t.name: by_lower[t.csv] for t in TABLES if t.csv in by_lower}
    books = [p for p in entries if p.suffix.lower() in WORKBOOK_SUFFIXES]
    label = folder.name or str(folder)
    if csvs and books:
        out.add(label, None, None, None,
                f"数据目录中同时有 CSV 文件（{'、'.join(p.name for p in csvs.values())}）和工作簿"
                f"（{'、'.join(p.name for p in books)}）；一个数据目录只能二选一，请移走其中一种", "both_forms")
        return {}, []
    if len(books) > 1:
        out.add(label, None, None, None,
                f"数据目录中有多个工作簿（{'、'.join(p.name for p in books)}）；只能有一个 .xlsx 工作簿", "several_workbooks")
        return {}, []
    if books:
        return _read_workbook(books[0], out, notes), [books[0]]
    sources: dict[str, _Source] = {}
    old = [p.name for p in entries if p.suffix.lower() in (".xls", ".et", ".numbers", ".ods")]
    for table in TABLES:
        path = csvs.get(table.name)
        if path is None:
            if table.required:
                tip = f"；目录中的 {'、'.join(old)} 不是可读取的格式，请另存为 .xlsx 或 CSV" if old else ""
                out.add(table.csv, None, None, None,
                        f"缺少必需的文件 {table.csv}（{table.title_zh}）；数据目录须包含 units.csv 和 submissions.csv"
                        f"（events.csv、targets.csv 可选），或只放一个 .xlsx 工作簿{tip}", "missing_file")
            continue
        src = _read_csv(path, table, out, notes)
        if src is not None:
            sources[table.name] = src
    ignored = [p.name for p in entries if p.suffix.lower() == ".csv" and p not in csvs.values()]
    if ignored:
        notes.append(f"数据目录中的 {'、'.join(ignored)} 不是约定的输入文件，已忽略。")
    return sources, list(csvs.values())


# Dates that must have happened already (a 计划完成日期 may lie ahead).
PAST_DATES = {"submissions": ("adopted_on", "submitted_on"), "events": ("date",)}


def _future(tables: dict[str, pd.DataFrame], sources: dict[str, _Source], today: dt.date, out: _Problems) -> None:
    """A record dated after today is an input error (a mistyped year), named by file, row and column."""
    limit = pd.Timestamp(today)
    for name, columns in PAST_DATES.items():
        frame, src = tables.get(name), sources.get(name)
        if frame is None or src is None or not len(frame):
            continue
        for canon in columns:
            if canon not in src.cells:
                continue
            after = (frame[canon].notna() & (frame[canon] > limit)).to_numpy(dtype=bool)
            out.cells(src, np.flatnonzero(after), canon, "future_date",
                      lambda v: f"日期晚于今天（{today.isoformat()}），应是已经发生的日期；请检查年份是否写错")


def load_dataset(path: str | Path, rules: Rules, year: int | None = None, today: dt.date | None = None) -> Dataset:
    """Read and check a dataset folder; return a Dataset or raise InputError holding every problem
    (a record dated after ``today``, by default the day of the run, among them)."""
    folder = Path(path)
    out = _Problems()
    notes: list[str] = []
    if not folder.is_dir():
        what = "这是一个文件，不是数据目录" if folder.exists() else "数据目录不存在"
        out.add(str(folder), None, None, None, f"{what}；--data 须指向放有 units.csv、submissions.csv"
                f"（或一个 .xlsx 工作簿）的目录", "missing_folder")
        raise InputError(out.items)
    try:
        sources, files = _read_folder(folder, out, notes)
    except OSError as err:
        out.add(str(folder), None, None, None, f"无法读取数据目录（{err.strerror or err}）", "unreadable_file")
        raise InputError(out.items) from None

    vocab = _vocabularies(rules)
    units_src = sources.get("units", _empty_source(TABLES_BY_NAME["units"]))
    units, register = _units(units_src, vocab, out)
    tables = {"units": units}
    # Without a readable register every unit would be unknown: that is one problem, not thousands.
    usable = "units" in sources and {"unit_id", "unit_name"} <= set(units_src.headers) and len(units) > 0
    known = register if usable else None
    for name, check in (("submissions", _submissions), ("events", _events), ("targets", _targets)):
        src = sources.get(name, _empty_source(TABLES_BY_NAME[name]))
        tables[name] = check(src, vocab, known, out)
    _future(tables, sources, today or dt.date.today(), out)
    # An Excel error cell reads as empty: say what it is, not also that it is empty or not a number.
    errors = {(p.file, p.sheet, p.row, p.column) for p in out.items if p.code == "excel_error"}
    if errors:
        out.items = [p for p in out.items if p.code == "excel_error" or (p.file, p.sheet, p.row, p.column) not in errors]
    if out.items:
        raise InputError(out.items)
    typed = {name: _typed(frame, name) for name, frame in tables.items()}
    if year is not None:
        notes += _year_notes(year, typed["submissions"], typed["events"], typed["targets"])
    return Dataset(units=typed["units"], submissions=typed["submissions"], events=typed["events"],
                   targets=typed["targets"], files=tuple(files), notes=tuple(notes), source=str(folder))
