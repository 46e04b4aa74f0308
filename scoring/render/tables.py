"""scores.csv and ledger.csv exactly as the data contract says (the I/O edge of the engine).

UTF-8, contract columns first, points as plain decimals (points.fmt_series), flags true/false,
dates YYYY-MM-DD, ``\\n`` line endings, fields quoted only where CSV needs it (a comma, a quote,
a line break), rows in the Result's deterministic order.

The points, flags and dates are first turned into text, each distinct value once; then a
library writes the file: pyarrow's CSV writer when no field needs quoting (all but always, and
4–5 times faster than pandas at a million ledger rows), else pandas' ``to_csv`` (QUOTE_MINIMAL).
Where both can write, they write the same bytes. A lone carriage return in input text is written
as a line feed: Python's csv writer, ending lines with ``\\n``, would leave a field holding only
a CR unquoted (and the file unreadable).
Both files are complete in temporary files before either replaces its previous version
(files.replacing), so a reader never sees half a file and a failed run leaves the previous
output untouched.
"""
from __future__ import annotations

import os
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pcsv

from scoring.method.points import fmt_series
from scoring.method.result import (
    LEDGER_COLUMNS,
    LEDGER_DETAIL,
    QUARTERLY_COLUMNS,
    QUARTERLY_EXTRA,
    Result,
)
from scoring.render.files import replacing

SCORE_POINT_COLUMNS = ("key_points", "info_points", "carry_in", "bonus", "gross", "carry_out", "deductions",
                       "reward", "score", "ytd_total", "info_capped")
LEDGER_POINT_COLUMNS = ("points", "base_points", "ytd_points")
# Fields as they are, header unquoted: Arrow refuses (ArrowInvalid) a field that needs quoting.
ARROW_CSV = pcsv.WriteOptions(quoting_style="none", quoting_header="none")
LONE_CR = re.compile(r"\r(?!\n)")


def _points(values) -> list[str]:
    return fmt_series(pd.Series(values, dtype="int64")).tolist()


def _flags(values) -> list[str]:
    return ["true" if v else "false" for v in values]


def _dates(values) -> list[str]:
    return pd.DatetimeIndex(values).strftime("%Y-%m-%d").tolist()


def _as_text(s: pd.Series, render) -> pd.Categorical:
    """``s`` as text, ``render`` called once on its distinct values (a ledger has a million rows but
    few distinct figures); missing values stay missing (an empty field)."""
    codes, uniq = pd.factorize(s)
    return pd.Categorical.from_codes(codes, categories=render(np.asarray(uniq)) if len(uniq) else [])


def _without_lone_cr(s: pd.Series) -> pd.Series:
    """Text with each lone carriage return as a line feed (see the module's docstring); as it is
    when it holds none, which is all but always."""
    values = s.cat.categories if isinstance(s.dtype, pd.CategoricalDtype) else s
    if not values.astype("string").str.contains("\r", regex=False).any():
        return s
    return s.astype(object).map(lambda v: LONE_CR.sub("\n", v) if isinstance(v, str) else v)


def csv_frame(df: pd.DataFrame, points: tuple[str, ...]) -> pd.DataFrame:
    """``df`` with its points, flags and dates as the contract spells them; other columns as they
    are (text, categories, integers: ``to_csv`` writes those as the contract wants)."""
    out = {}
    for c in df.columns:
        s = df[c]
        if c in points:
            out[c] = _as_text(s, _points)
        elif pd.api.types.is_bool_dtype(s.dtype):
            out[c] = _as_text(s, _flags)
        elif pd.api.types.is_datetime64_any_dtype(s.dtype):
            out[c] = _as_text(s, _dates)
        else:
            out[c] = s
    return pd.DataFrame(out, index=df.index, copy=False)


def scores_frame(result: Result) -> pd.DataFrame:
    """scores.csv: the contract's columns in order, then the engine's extra columns."""
    return csv_frame(result.quarterly[list(QUARTERLY_COLUMNS + QUARTERLY_EXTRA)], SCORE_POINT_COLUMNS)


def ledger_frame(result: Result) -> pd.DataFrame:
    """ledger.csv: unit_id, year, quarter, kind, ref, points, clause, then the details."""
    return csv_frame(result.ledger[list(LEDGER_COLUMNS + LEDGER_DETAIL)], LEDGER_POINT_COLUMNS)


def write_csv(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    """Write a frame from :func:`scores_frame` / :func:`ledger_frame` to ``path`` (module docstring)."""
    try:
        pcsv.write_csv(pa.Table.from_pandas(frame, preserve_index=False), path, ARROW_CSV)
    except pa.ArrowInvalid:       # a comma, quote or line break in some field
        text = {c: _without_lone_cr(frame[c]) for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])}
        frame.assign(**text).to_csv(path, index=False, lineterminator="\n", encoding="utf-8")


def write_scores(result: Result, out_dir: str | os.PathLike) -> list[Path]:
    """Write OUT/scores.csv and OUT/ledger.csv; return their paths."""
    out = Path(out_dir)
    paths = [out / "scores.csv", out / "ledger.csv"]
    with replacing(*paths) as temps:
        for frame, tmp in zip((scores_frame(result), ledger_frame(result)), temps):
            write_csv(frame, tmp)
    return paths
