"""Exact points: integer thousandths of a point ("milli-points").

Rules (Arithmetic): points are exact decimals; results never depend on row order or float
summation. Every sum in the engine is over int64 milli-points; floats appear only for charts.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

SCALE = 1000


def to_milli(value: float | int | str | Decimal) -> int:
    """A points value from the rules (0.5, 25, "12.25") → 500, 25000, 12250; half up past 0.001."""
    d = Decimal(str(value)) * SCALE
    return int(d.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def scale_half_up(milli: np.ndarray | pd.Series, factor: float | int | Decimal) -> np.ndarray | pd.Series:
    """milli × factor, rounded half up to whole thousandths, in exact integer arithmetic.

    The factor is itself taken as an exact decimal with at most 6 places (0.5, 0.7, 0.333333).
    """
    f = Decimal(str(factor))
    num = int((f * 10**6).to_integral_value(rounding=ROUND_HALF_UP))
    den = 10**6
    prod = milli * num
    # floor((2*prod + den) / (2*den)) is half-up rounding for non-negative values.
    return (2 * prod + den) // (2 * den)


def fmt(milli: int | np.integer | None) -> str:
    """Show a figure as computed, without trailing zeros: 25000 → '25', 12500 → '12.5', -250 → '-0.25'."""
    if milli is None or (isinstance(milli, float) and np.isnan(milli)):
        return ""
    m = int(milli)
    sign = "-" if m < 0 else ""
    m = abs(m)
    whole, frac = divmod(m, SCALE)
    if frac == 0:
        return f"{sign}{whole}"
    return f"{sign}{whole}.{frac:03d}".rstrip("0")


def fmt_series(milli: pd.Series) -> pd.Series:
    """Vectorized :func:`fmt` for a whole column of milli-points (for CSV writing)."""
    m = milli.astype("int64")
    neg = m < 0
    a = m.abs()
    whole = (a // SCALE).astype(str)
    frac = (a % SCALE)
    frac_s = frac.map("{:03d}".format).str.rstrip("0")
    out = whole.where(frac == 0, whole + "." + frac_s)
    return out.where(~neg, "-" + out)


def to_float(milli: pd.Series | int) -> pd.Series | float:
    """For charts only: milli-points → float points."""
    return milli / SCALE
