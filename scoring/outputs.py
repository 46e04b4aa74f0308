"""scores.csv and ledger.csv exactly as the data contract says (the I/O edge of the engine).

UTF-8, contract columns first, points as plain decimals (points.fmt_series), flags true/false,
dates YYYY-MM-DD, ``\\n`` line endings, rows in the Result's deterministic order; each file is
written through atomic.write_bytes_atomic (a temporary file beside it, then os.replace), so a
reader never sees half a file and a failed run leaves the previous output untouched.
"""
from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from .atomic import write_bytes_atomic
from .points import fmt_series
from .result import (
    LEDGER_COLUMNS,
    LEDGER_DETAIL,
    QUARTERLY_COLUMNS,
    QUARTERLY_EXTRA,
    Result,
)

SCORE_POINT_COLUMNS = ("key_points", "info_points", "carry_in", "bonus", "gross", "carry_out", "deductions",
                       "reward", "score", "ytd_total", "info_capped")
LEDGER_POINT_COLUMNS = ("points", "base_points", "ytd_points")


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


def _as_text(df: pd.DataFrame, points: tuple[str, ...]) -> dict[str, pa.Array]:
    out = {}
    for c in df.columns:
        s = df[c]
        if c in points:
            out[c] = _points_text(s)
        elif pd.api.types.is_bool_dtype(s.dtype):
            out[c] = _flag_text(s)
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            out[c] = _date_text(s)
        elif pd.api.types.is_integer_dtype(s.dtype):
            out[c] = _int_text(s)
        else:
            out[c] = _str_text(s)
    return out


def _csv_bytes(cols: dict[str, pa.Array]) -> bytes:
    """Header plus one line per row, built in Arrow (no Python string per row).

    Fields are already text (quoted where CSV needs it). When no field needed quoting, Arrow's CSV
    writer in its no-quoting mode writes them as they are (the fast path); it refuses any field
    holding a quote, comma or line break, and then the fields are joined here instead.
    """
    header = (",".join(cols) + "\n").encode("utf-8")
    arrays = list(cols.values())
    if not arrays or len(arrays[0]) == 0:
        return header
    try:
        buf = io.BytesIO()
        buf.write(header)
        pcsv.write_csv(pa.table(dict(cols)), buf, pcsv.WriteOptions(include_header=False, quoting_style="none"))
        return buf.getvalue()
    except pa.ArrowInvalid:
        pass
    ls = lambda v: pa.scalar(v, pa.large_string())
    # Each line ends with \n: append it to the last field only, then join the fields with commas.
    arrays[-1] = pc.binary_join_element_wise(arrays[-1], ls(""), ls("\n"))
    line = pc.binary_join_element_wise(*arrays, ls(",")).cast(pa.large_string())
    offsets = np.frombuffer(line.buffers()[1], dtype=np.int64)[line.offset: line.offset + len(line) + 1]
    body = memoryview(line.buffers()[2])[offsets[0]:offsets[-1]]
    return header + bytes(body)


def scores_text(result: Result) -> dict[str, pa.Array]:
    """scores.csv as text columns: the contract's columns in order, then the engine's extra columns."""
    return _as_text(result.quarterly[list(QUARTERLY_COLUMNS + QUARTERLY_EXTRA)], SCORE_POINT_COLUMNS)


def ledger_text(result: Result) -> dict[str, pa.Array]:
    """ledger.csv as text columns: unit_id, year, quarter, kind, ref, points, clause, then the details."""
    return _as_text(result.ledger[list(LEDGER_COLUMNS + LEDGER_DETAIL)], LEDGER_POINT_COLUMNS)


def write_scores(result: Result, out_dir: str | os.PathLike) -> list[Path]:
    """Write OUT/scores.csv and OUT/ledger.csv; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "scores.csv", out / "ledger.csv"]
    payloads = [_csv_bytes(scores_text(result)), _csv_bytes(ledger_text(result))]   # both built before writing
    for payload, path in zip(payloads, paths):
        write_bytes_atomic(path, payload)
    return paths
