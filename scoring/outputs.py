"""scores.csv and ledger.csv exactly as the data contract says (the I/O edge of the engine).

UTF-8, contract columns first, points as plain decimals (points.fmt_series), flags true/false,
dates YYYY-MM-DD, ``\\n`` line endings, rows in the Result's deterministic order; each file is
written to a temporary file beside it and moved into place (os.replace), so a reader never sees
half a file and a failed run leaves the previous output untouched.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

from .points import fmt_series
from .result import LEDGER_COLUMNS, LEDGER_DETAIL, QUARTERLY_COLUMNS, QUARTERLY_EXTRA, Result

SCORE_POINT_COLUMNS = ("key_points", "info_points", "carry_in", "bonus", "gross", "carry_out", "deductions",
                       "reward", "score", "ytd_total", "info_capped")
LEDGER_POINT_COLUMNS = ("points", "base_points", "ytd_points")


def _points_text(s: pd.Series) -> np.ndarray:
    """fmt_series over the distinct values only (a ledger has a million rows but few distinct figures)."""
    na = s.isna().to_numpy()
    vals = s.fillna(0).to_numpy(dtype=np.int64)
    uniq, inv = np.unique(vals, return_inverse=True)
    text = fmt_series(pd.Series(uniq, dtype="int64")).to_numpy(dtype=object)[inv]
    return np.where(na, "", text)


def _flag_text(s: pd.Series) -> np.ndarray:
    na = s.isna().to_numpy()
    v = s.fillna(False).to_numpy(dtype=bool)
    return np.where(na, "", np.where(v, "true", "false"))


def _date_text(s: pd.Series) -> np.ndarray:
    na = s.isna().to_numpy()
    days = s.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
    uniq, inv = np.unique(days, return_inverse=True)
    text = np.datetime_as_string(uniq, unit="D").astype(object)[inv]
    return np.where(na, "", text)


def _as_text(df: pd.DataFrame, points: tuple[str, ...]) -> pd.DataFrame:
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
            na = s.isna().to_numpy()
            out[c] = np.where(na, "", s.fillna(0).to_numpy(dtype=np.int64).astype(str).astype(object))
        else:
            out[c] = s.fillna("").to_numpy(dtype=object)
    return pd.DataFrame(out, columns=df.columns)


def scores_frame(result: Result) -> pd.DataFrame:
    """scores.csv as text: the contract's columns in order, then the engine's extra columns."""
    return _as_text(result.quarterly[list(QUARTERLY_COLUMNS + QUARTERLY_EXTRA)], SCORE_POINT_COLUMNS)


def ledger_frame(result: Result) -> pd.DataFrame:
    """ledger.csv as text: unit_id, year, quarter, kind, ref, points, clause, then the details."""
    return _as_text(result.ledger[list(LEDGER_COLUMNS + LEDGER_DETAIL)], LEDGER_POINT_COLUMNS)


def _write_atomic(df: pd.DataFrame, path: Path) -> None:
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            df.to_csv(fh, index=False, lineterminator="\n")
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_scores(result: Result, out_dir: str | os.PathLike) -> list[Path]:
    """Write OUT/scores.csv and OUT/ledger.csv; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / "scores.csv", out / "ledger.csv"]
    _write_atomic(scores_frame(result), paths[0])
    _write_atomic(ledger_frame(result), paths[1])
    return paths
