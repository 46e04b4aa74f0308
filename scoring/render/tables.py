"""scores.csv and ledger.csv exactly as the data contract says (the I/O edge of the engine).

UTF-8, contract columns first, points as plain decimals (points.fmt_series), flags true/false,
dates YYYY-MM-DD, ``\\n`` line endings, rows in the Result's deterministic order; each file is
written atomically like atomic.write_bytes_atomic (a temporary file beside it, then os.replace), so a
reader never sees half a file and a failed run leaves the previous output untouched.
"""
from __future__ import annotations

import os
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from scoring.render.files import _umask
from scoring.method.points import fmt_series
from scoring.method.result import (
    LEDGER_COLUMNS,
    LEDGER_DETAIL,
    QUARTERLY_COLUMNS,
    QUARTERLY_EXTRA,
    Result,
)

SCORE_POINT_COLUMNS = ("key_points", "info_points", "carry_in", "bonus", "gross", "carry_out", "deductions",
                       "reward", "score", "ytd_total", "info_capped")
LEDGER_POINT_COLUMNS = ("points", "base_points", "ytd_points")
BATCH_ROWS = 65_536              # rows turned into text at a time (a few MB of lines)
IN_FLIGHT = 3                    # batches being made or waiting to be written
CSV_OPTIONS = pcsv.WriteOptions(include_header=False, quoting_style="none", batch_size=16_384)


def _by_distinct(values: np.ndarray, render) -> pa.Array:
    """Render only the distinct values (a ledger has a million rows but few distinct figures)."""
    inv, uniq = pd.factorize(values)
    return pa.array(list(render(np.asarray(uniq))), pa.large_string()).take(pa.array(inv))


def _blank_where(text: pa.Array, na: np.ndarray) -> pa.Array:
    return pc.if_else(pa.array(na), "", text) if na.any() else text


def _points_text(s: pd.Series) -> pa.Array:
    na = s.isna().to_numpy()
    vals = s.fillna(0).to_numpy(dtype=np.int64)
    return _blank_where(_by_distinct(vals, lambda u: fmt_series(pd.Series(u, dtype="int64"))), na)


def _flag_text(s: pd.Series) -> pa.Array:
    na = s.isna().to_numpy()
    code = np.where(na, 2, s.fillna(False).to_numpy(dtype=bool).astype(np.int64))
    return pa.array(["false", "true", ""], pa.large_string()).take(pa.array(code))


def _date_text(s: pd.Series) -> pa.Array:
    na = s.isna().to_numpy()
    days = s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    days = np.where(na, np.datetime64("1970-01-01"), days)
    return _blank_where(_by_distinct(days, lambda u: np.datetime_as_string(u, unit="D")), na)


def _int_text(s: pd.Series) -> pa.Array:
    na = s.isna().to_numpy()
    return _blank_where(_by_distinct(s.fillna(0).to_numpy(dtype=np.int64), lambda u: u.astype(str)), na)


def _str_text(s: pd.Series) -> pa.Array:
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = _str_text(pd.Series(s.cat.categories.astype(str), dtype="string")) if len(s.cat.categories) \
            else pa.array([], pa.large_string())
        codes = s.cat.codes.to_numpy().astype(np.int64)
        text = pa.concat_arrays([cats, pa.array([""], pa.large_string())]).take(
            pa.array(np.where(codes < 0, len(cats), codes)))
        return text
    arr = pa.array(s.array) if len(s) else pa.array([], pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = pc.fill_null(arr.cast(pa.large_string()), "")
    # CSV quoting as the csv module's QUOTE_MINIMAL: only fields holding a comma, quote or line break.
    needs = pc.match_substring_regex(arr, r'[",\r\n]')
    if not pc.any(needs).as_py():
        return arr
    q = pa.scalar("\"", pa.large_string())
    picked = arr.filter(needs)
    quoted = pc.binary_join_element_wise(q, pc.replace_substring(picked, "\"", "\"\""), q,
                                         pa.scalar("", pa.large_string()))
    return pc.replace_with_mask(arr, needs, quoted)


def _column_text(c: str, s: pd.Series, points: tuple[str, ...]) -> pa.Array:
    if c in points:
        return _points_text(s)
    if pd.api.types.is_bool_dtype(s.dtype):
        return _flag_text(s)
    if pd.api.types.is_datetime64_any_dtype(s.dtype):
        return _date_text(s)
    if pd.api.types.is_integer_dtype(s.dtype):
        return _int_text(s)
    return _str_text(s)


def _as_text(df: pd.DataFrame, points: tuple[str, ...]) -> dict[str, pa.Array]:
    return {c: _column_text(c, df[c], points) for c in df.columns}


def _coded(c: str, s: pd.Series, points: tuple[str, ...]) -> tuple[np.ndarray, pa.Array] | None:
    """A column of few distinct values as (code per row, CSV text per code), each text made once
    exactly as :func:`_column_text` makes it; None for free text (record ids, titles)."""
    blank = pa.array([""], pa.large_string())
    if isinstance(s.dtype, pd.CategoricalDtype):
        cats = _str_text(pd.Series(s.cat.categories.astype(str), dtype="string")) if len(s.cat.categories) \
            else pa.array([], pa.large_string())
        codes = s.cat.codes.to_numpy().astype(np.int64)
        return np.where(codes < 0, len(cats), codes), pa.concat_arrays([cats, blank])
    if c in points:
        render = lambda u: fmt_series(pd.Series(u, dtype="int64"))
        vals = s.fillna(0).to_numpy(dtype=np.int64)
    elif pd.api.types.is_bool_dtype(s.dtype):
        na = s.isna().to_numpy()
        code = np.where(na, 2, s.fillna(False).to_numpy(dtype=bool).astype(np.int64))
        return code, pa.array(["false", "true", ""], pa.large_string())
    elif pd.api.types.is_datetime64_any_dtype(s.dtype):
        render = lambda u: np.datetime_as_string(u, unit="D")
        vals = np.where(s.isna().to_numpy(), np.datetime64("1970-01-01"),
                        s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]"))
    elif pd.api.types.is_integer_dtype(s.dtype):
        render = lambda u: u.astype(str)
        vals = s.fillna(0).to_numpy(dtype=np.int64)
    else:
        return None
    na = s.isna().to_numpy()
    codes, uniq = pd.factorize(vals)
    texts = pa.array(list(render(np.asarray(uniq))), pa.large_string())
    return np.where(na, len(texts), codes).astype(np.int64), pa.concat_arrays([texts, blank])


@dataclass
class _Segment:
    """Neighbouring columns written as one piece ("a,b,c"): a code per row into ``texts``; or one
    free-text column (``series``), made into text batch by batch."""
    codes: np.ndarray | None = None
    texts: pa.Array | None = None
    series: pd.Series | None = None


def _segments(df: pd.DataFrame, points: tuple[str, ...]) -> list[_Segment]:
    """Columns of few distinct values, run together while their combinations stay few (the product
    of their counts at most half the rows), become one segment whose text is made once per
    combination that occurs: a million ledger lines are then a handful of lookups each."""
    limit = max(len(df) // 2, 1 << 12)
    out: list[_Segment] = []
    run: list[tuple[np.ndarray, pa.Array]] = []

    def close() -> None:
        if not run:
            return
        if len(run) == 1:
            out.append(_Segment(codes=run[0][0], texts=run[0][1]))
        else:
            key = run[0][0].copy()
            for codes, texts in run[1:]:
                key = key * len(texts) + codes
            inv, combos = pd.factorize(key)
            parts = []
            for codes, texts in reversed(run):
                parts.append(texts.take(pa.array(combos % len(texts))))
                combos = combos // len(texts)
            comma = pa.scalar(",", pa.large_string())
            out.append(_Segment(codes=inv.astype(np.int64), texts=pc.binary_join_element_wise(*parts[::-1], comma)))
        run.clear()

    product = 1
    for c in df.columns:
        coded = _coded(c, df[c], points)
        if coded is None:
            close()
            product = 1
            out.append(_Segment(series=df[c]))
            continue
        width = len(coded[1])
        if run and product * width > limit:
            close()
            product = 1
        run.append(coded)
        product *= width
    close()
    return out


def _lines(segments: list[_Segment], a: int, b: int) -> pa.Buffer | memoryview:
    """CSV lines of rows a..b (no header): each segment's text joined with commas, a newline after."""
    arrays = [seg.texts.take(pa.array(seg.codes[a:b])) if seg.series is None else _str_text(seg.series.iloc[a:b])
              for seg in segments]
    ls = lambda v: pa.scalar(v, pa.large_string())
    arrays[-1] = pc.binary_join_element_wise(arrays[-1], ls(""), ls("\n"))
    line = pc.binary_join_element_wise(*arrays, ls(",")).cast(pa.large_string())
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int64)[line.offset: line.offset + len(line) + 1]
    return memoryview(line.buffers()[2])[offsets[0]:offsets[-1]]


def _csv_bytes(cols: dict[str, pa.Array]) -> bytes:
    """Header plus one line per row, built in Arrow (no Python string per row).

    Fields are already text (quoted where CSV needs it). When no field needed quoting, Arrow's CSV
    writer in its no-quoting mode writes them as they are (the fast path); it refuses any field
    holding a quote, comma or line break, and then the fields are joined here instead.
    """
    header = (",".join(cols) + "\n").encode("utf-8")
    return header + bytes(_csv_body(cols))


def _csv_body(cols: dict[str, pa.Array]) -> pa.Buffer | bytes:
    """The lines of :func:`_csv_bytes` without the header."""
    arrays = list(cols.values())
    if not arrays or len(arrays[0]) == 0:
        return b""
    try:
        sink = pa.BufferOutputStream()
        pcsv.write_csv(pa.table(dict(cols)), sink, CSV_OPTIONS)
        return sink.getvalue()
    except pa.ArrowInvalid:
        pass
    ls = lambda v: pa.scalar(v, pa.large_string())
    # Each line ends with \n: append it to the last field only, then join the fields with commas.
    arrays[-1] = pc.binary_join_element_wise(arrays[-1], ls(""), ls("\n"))
    line = pc.binary_join_element_wise(*arrays, ls(",")).cast(pa.large_string())
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int64)[line.offset: line.offset + len(line) + 1]
    return memoryview(line.buffers()[2])[offsets[0]:offsets[-1]]


def scores_text(result: Result) -> dict[str, pa.Array]:
    """scores.csv as text columns: the contract's columns in order, then the engine's extra columns."""
    return _as_text(result.quarterly[list(QUARTERLY_COLUMNS + QUARTERLY_EXTRA)], SCORE_POINT_COLUMNS)


def ledger_text(result: Result) -> dict[str, pa.Array]:
    """ledger.csv as text columns: unit_id, year, quarter, kind, ref, points, clause, then the details."""
    return _as_text(result.ledger[list(LEDGER_COLUMNS + LEDGER_DETAIL)], LEDGER_POINT_COLUMNS)


def _write_csv_temp(path: Path, df: pd.DataFrame, points: tuple[str, ...]) -> Path:
    """The CSV of ``df`` in a temporary file beside ``path`` (renamed into place by the caller).

    Text is made and written in row batches: two threads each turn a batch into CSV lines
    (Arrow's kernels and writer release the GIL) while this one writes the finished batches in
    order, so a million-row ledger is never whole in memory as text. The bytes are those of
    :func:`_csv_bytes` over the whole frame (every field's text depends on its value only)."""
    header = (",".join(df.columns) + "\n").encode("utf-8")
    bounds = list(range(0, len(df), BATCH_ROWS)) + [len(df)]
    batches = list(pairwise(bounds))
    segments = _segments(df, points) if len(df) else []
    body = lambda ab: _lines(segments, ab[0], ab[1])
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(header)
            if len(batches) <= 1:
                for ab in batches:
                    fh.write(body(ab))
            else:
                with ThreadPoolExecutor(2) as pool:
                    pending = [pool.submit(body, ab) for ab in batches[:IN_FLIGHT]]
                    for i in range(len(batches)):
                        done = pending.pop(0).result()
                        if i + IN_FLIGHT < len(batches):
                            pending.append(pool.submit(body, batches[i + IN_FLIGHT]))
                        fh.write(done)
        os.chmod(tmp, 0o666 & ~_umask())
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def write_scores(result: Result, out_dir: str | os.PathLike) -> list[Path]:
    """Write OUT/scores.csv and OUT/ledger.csv; return their paths. Both are complete in temporary
    files before either replaces its previous version."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "scores.csv", out / "ledger.csv"]
    frames = [(result.quarterly[list(QUARTERLY_COLUMNS + QUARTERLY_EXTRA)], SCORE_POINT_COLUMNS),
              (result.ledger[list(LEDGER_COLUMNS + LEDGER_DETAIL)], LEDGER_POINT_COLUMNS)]
    temps: list[Path] = []
    try:
        for (df, points), path in zip(frames, paths):
            temps.append(_write_csv_temp(path, df, points))
        for tmp, path in zip(temps, paths):
            os.replace(tmp, path)
    except BaseException:
        for tmp in temps:
            tmp.unlink(missing_ok=True)
        raise
    return paths
