"""Vectorized normalisation of the text cells users type: spaces, dates, booleans, whole numbers, names.

Every function takes a string Series ("" for an empty cell) and returns new Series; inputs are
never mutated. Values repeat a lot (a million adoptions fall on a few hundred dates and a few
dozen units), so the work is done once per distinct value (``pd.factorize``) and spread back by
position, which keeps a million rows well under a second.
"""
from __future__ import annotations

import datetime as dt
import re
import unicodedata
from functools import lru_cache
from typing import Callable, Mapping, NamedTuple

import numpy as np
import pandas as pd
import pyarrow
import pyarrow.compute as pc

from scoring.inputs.schema import FALSE_WORDS, FIRST_YEAR, LAST_YEAR, TRUE_WORDS

# ASCII whitespace, the ideographic (full-width) space, NBSP and a stray BOM.
SPACES = " \t\r\n\u3000\u00a0\ufeff\u200b"

# The date spellings of the data contract, each read with its own explicit pattern.
DATE_SPELLINGS: tuple[tuple[str, str], ...] = (
    # 2023-07-01, 2023/7/1, 2023.7.1 (one separator throughout; a time part, as Excel may append, is ignored)
    ("separated", r"^(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})"
                  r"(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    # 2023年7月1日 (also 号, or no day suffix)
    ("chinese", r"^(?P<y>\d{4})\s*年\s*(?P<m>\d{1,2})\s*月\s*(?P<d>\d{1,2})\s*[日号]?$"),
    # 20230701
    ("compact", r"^(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})$"),
)
DATE_EXAMPLES = "2023-07-01、2023/7/1、2023.7.1、2023年7月1日、20230701 或 Excel 日期单元格"

_TRUE = {w.casefold() for w in TRUE_WORDS}
_FALSE = {w.casefold() for w in FALSE_WORDS}
BOOL_EXAMPLES = "、".join(TRUE_WORDS) + "（表示“是”）或 " + "、".join(FALSE_WORDS) + "（表示“否”），留空表示未填写"


def strip_spaces(s: pd.Series) -> pd.Series:
    """Leading/trailing ASCII, full-width (U+3000) and non-breaking spaces removed.

    Almost no cell has such a space: a byte test on each cell's first and last byte finds the few
    that may, and only those are trimmed (trimming a million cells costs far more than the test)."""
    arr = s.array
    if not isinstance(arr, pd.arrays.ArrowStringArray) or s.isna().any():
        return s.str.strip(SPACES)
    chunked = pyarrow.chunked_array(arr._pa_array.chunks, arr._pa_array.type) if isinstance(
        arr._pa_array, pyarrow.ChunkedArray) else pyarrow.chunked_array([arr._pa_array])
    maybe = np.concatenate([_may_have_edge_space(c) for c in chunked.chunks]) if chunked.num_chunks \
        else np.zeros(0, dtype=bool)
    if not maybe.any():
        return s.copy(deep=False)
    out = s.copy()
    out[maybe] = s[maybe].str.strip(SPACES)
    return out


# Bytes a cell starting (ending) with one of SPACES can start (end) with, in UTF-8.
_EDGE_FIRST = np.zeros(256, dtype=bool)
_EDGE_LAST = np.zeros(256, dtype=bool)
for _ch in SPACES:
    _b = _ch.encode("utf-8")
    _EDGE_FIRST[_b[0]] = True
    _EDGE_LAST[_b[-1]] = True


def _may_have_edge_space(chunk: pyarrow.Array) -> np.ndarray:
    """Per cell: its first or last byte could belong to one of SPACES (a superset of the cells to trim)."""
    n = len(chunk)
    if n == 0:
        return np.zeros(0, dtype=bool)
    width = np.int64 if pyarrow.types.is_large_string(chunk.type) else np.int32
    bufs = chunk.buffers()
    offsets = np.frombuffer(bufs[1], dtype=width)[chunk.offset: chunk.offset + n + 1].astype(np.int64)
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else np.zeros(0, dtype=np.uint8)
    start, end = offsets[:-1], offsets[1:]
    filled = end > start
    first = np.zeros(n, dtype=bool)
    last = np.zeros(n, dtype=bool)
    first[filled] = _EDGE_FIRST[data[start[filled]]]
    last[filled] = _EDGE_LAST[data[end[filled] - 1]]
    return first | last


_INNER_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=1 << 16)
def normalise_name(text: str) -> str:
    """How two spellings of one name are compared: NFKC (full-width → half-width), case and inner spaces ignored.

    Cached: the same unit codes and names are looked up from the register and from every table."""
    return _INNER_SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


def _codes(s: pd.Series) -> tuple[np.ndarray, pd.Index | np.ndarray]:
    """``pd.factorize`` (NA kept as a value); a column left empty (a header the file lacks) is
    one value without hashing a million cells."""
    if len(s) and _all_empty(s):
        return np.zeros(len(s), dtype=np.intp), np.array([""], dtype=object)
    return pd.factorize(s, use_na_sentinel=False)


def _all_empty(s: pd.Series) -> bool:
    arr = s.array
    if not isinstance(arr, pd.arrays.ArrowStringArray):
        return False
    chunks = arr._pa_array.chunks if isinstance(arr._pa_array, pyarrow.ChunkedArray) else [arr._pa_array]
    return all(c.null_count == 0 and (len(c) == 0 or pc.max(pc.binary_length(c)).as_py() == 0) for c in chunks)


def per_distinct(s: pd.Series, fn: Callable[[pd.Series], pd.Series | np.ndarray], dtype: str | None = None) -> pd.Series:
    """``fn`` applied to the distinct values of ``s`` only, spread back to every row (same index)."""
    codes, uniques = _codes(s)
    done = pd.array(np.asarray(fn(pd.Series(uniques, dtype=object)), dtype=object), dtype=dtype)
    return pd.Series(done.take(codes), index=s.index)


def lookup(mapping: Mapping[str, str]) -> dict[str, str]:
    """A name map keyed by :func:`normalise_name`, for :func:`resolve`."""
    return {normalise_name(k): v for k, v in mapping.items()}


def resolve(s: pd.Series, table: Mapping[str, str]) -> pd.Series:
    """Each spelling → its canonical key via a normalised lookup table (see :func:`lookup`); <NA> where unknown or empty."""
    return per_distinct(s, lambda u: [table.get(normalise_name(x)) if x else None for x in u], dtype="string")


def too_long(s: pd.Series, limit: int) -> pd.Series:
    """Cells longer than ``limit`` characters. Byte lengths (cheap) rule out almost every cell first."""
    try:
        nbytes = pd.Series(pc.binary_length(pyarrow.array(s.array)).to_numpy(zero_copy_only=False), index=s.index)
    except (TypeError, ValueError, pyarrow.ArrowException):
        return s.str.len() > limit
    maybe = nbytes > limit          # a character is at least one byte
    if not maybe.any():
        return maybe.astype(bool)
    out = pd.Series(False, index=s.index)
    out[maybe] = s[maybe].str.len() > limit
    return out


class Parsed(NamedTuple):
    values: pd.Series     # typed values; missing where empty or bad
    bad: pd.Series        # bool: not empty and not understood
    impossible: pd.Series  # bool: understood but not a real value (dates: 2023-02-30)
    out_of_range: pd.Series | None = None   # bool: a real value outside the plausible range (dates: 2923-07-01)


_DATE_PATTERNS = tuple(re.compile(pattern) for _, pattern in DATE_SPELLINGS)
_NAT = np.datetime64("NaT", "ns")
# What one distinct cell is: read as a date, empty, bad (no spelling fits), impossible (2023-02-30),
# far (a real month and day in a year outside FIRST_YEAR–LAST_YEAR).
_OK, _EMPTY, _BAD, _IMPOSSIBLE, _FAR = range(5)


def _date_of(value: object) -> tuple[np.datetime64, int]:
    """One cell's date and what it is (above)."""
    # Full-width digits and separators typed with a Chinese IME read as their ASCII forms.
    text = unicodedata.normalize("NFKC", value) if isinstance(value, str) else ""
    if not text:
        return _NAT, _EMPTY
    m = next(filter(None, (p.search(text) for p in _DATE_PATTERNS)), None)
    if m is None:
        return _NAT, _BAD
    # Digits of other scripts (\d matches them) are never a number here.
    if not (m["m"] + m["d"]).isascii():
        return _NAT, _IMPOSSIBLE
    month, day = int(m["m"]), int(m["d"])
    try:
        dt.date(2000, month, day)                       # month and day exist (2000 is a leap year)
    except ValueError:
        return _NAT, _IMPOSSIBLE
    # Years outside FIRST_YEAR–LAST_YEAR are never converted (datetime64[ns] ends in 2262).
    if not (m["y"].isascii() and FIRST_YEAR <= int(m["y"]) <= LAST_YEAR):
        return _NAT, _FAR
    try:
        return np.datetime64(dt.date(int(m["y"]), month, day), "ns"), _OK
    except ValueError:                                  # 29 February of a common year
        return _NAT, _IMPOSSIBLE


def _dates_of_distinct(uniques: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Dates of distinct cells, one at a time: distinct dates are few (a year has 366 days), so a
    plain loop is quick at every size of input."""
    read = [_date_of(u) for u in uniques]
    when = np.array([w for w, _ in read], dtype="datetime64[ns]")
    kind = np.array([k for _, k in read], dtype=np.int8)
    return when, kind == _BAD, kind == _IMPOSSIBLE, kind == _FAR


def parse_dates(s: pd.Series) -> Parsed:
    """Every date spelling of the data contract → datetime64[ns]; NaT for empty, bad, impossible or
    out of range (a year outside FIRST_YEAR–LAST_YEAR)."""
    codes, uniques = _codes(s)
    when, bad, impossible, far = _dates_of_distinct(pd.Series(uniques, dtype=object))
    return Parsed(pd.Series(when[codes], index=s.index, dtype="datetime64[ns]"),
                  pd.Series(bad[codes], index=s.index), pd.Series(impossible[codes], index=s.index),
                  pd.Series(far[codes], index=s.index))


def parse_bools(s: pd.Series) -> Parsed:
    """是/否, true/false, yes/no, y/n, 1/0 … (schema.TRUE_WORDS / FALSE_WORDS, any case) → boolean; empty → <NA>."""
    word = per_distinct(s, lambda u: [1 if x.casefold() in _TRUE else 0 if x.casefold() in _FALSE else -1 if x else 2
                                      for x in u], dtype="int8")
    is_true, is_false = word == 1, word == 0
    values = pd.Series(pd.NA, index=s.index, dtype="boolean").mask(is_true, True).mask(is_false, False)
    bad = word == -1
    return Parsed(values, bad.astype(bool), pd.Series(False, index=s.index))


_NUMBER = r"^[+-]?\d+(?:\.\d+)?$"


def parse_numbers(s: pd.Series) -> Parsed:
    """Plain decimal numbers (``3``, ``3.0``, ``-1``) → float64; NaN for empty or bad. Range checks are the caller's."""
    text = s.astype("string")
    ok = text.str.fullmatch(_NUMBER).fillna(False).astype(bool)
    values = pd.to_numeric(text.where(ok), errors="coerce").astype("float64")
    bad = ~ok & (text != "")
    return Parsed(values, bad.astype(bool), pd.Series(False, index=s.index))


# ---- characters no document can hold -------------------------------------------------------------------
# Separators (vertical tab, form feed, the file/group/record/unit separators, next line, line and
# paragraph separators, the ogham space mark) become a space; other control characters (C0 but tab,
# line feed and carriage return; DEL; C1, the escape that starts terminal sequences among them) and
# the non-characters U+FFFE/U+FFFF become 〓. Tab and line breaks typed in a cell (Alt+Enter) stay.
SEPARATORS = "\x0b\x0c\x1c\x1d\x1e\x1f\x85\u1680\u2028\u2029"
REPLACEMENT = "〓"
_UNPRINTABLE = ({chr(c): " " for c in map(ord, SEPARATORS)}
                | {chr(c): REPLACEMENT for c in [*range(0x00, 0x09), *range(0x0e, 0x1c), *range(0x7f, 0x85),
                                                 *range(0x86, 0xa0), 0xfffe, 0xffff]})
_TRANSLATE = str.maketrans(_UNPRINTABLE)
_UNPRINTABLE_RE = "[" + "".join(f"\\x{{{ord(c):x}}}" for c in _UNPRINTABLE) + "]"


_MULTIBYTE = tuple(c.encode("utf-8") for c in _UNPRINTABLE if ord(c) > 0x9f)     # U+1680, U+2028 …


def _bytes_may_hold_unprintable(data: np.ndarray, raw: bytes) -> bool:
    """Whether UTF-8 bytes may hold a character of _UNPRINTABLE: vector comparisons for the one-byte
    controls, the byte after each (rare) 0xC2 for C1, a substring search for the rest."""
    low = data[data < 0x20]                                     # few: tabs and line breaks, if any
    if ((low != 0x09) & (low != 0x0a) & (low != 0x0d)).any() or (data == 0x7f).any():
        return True
    c2 = np.flatnonzero(data[:-1] == 0xc2) if len(data) > 1 else np.zeros(0, dtype=np.int64)
    if c2.size and (data[c2 + 1] < 0xa0).any():
        return True
    return any(seq in raw for seq in _MULTIBYTE)


def _column_may_hold_unprintable(s: pd.Series) -> bool:
    arr = s.array
    if not isinstance(arr, pd.arrays.ArrowStringArray):
        return True
    data = arr._pa_array
    for chunk in (data.chunks if isinstance(data, pyarrow.ChunkedArray) else [data]):
        buf = chunk.buffers()[2]
        if buf is not None and _bytes_may_hold_unprintable(np.frombuffer(buf, dtype=np.uint8), buf.to_pybytes()):
            return True
    return False


def has_unprintable(s: pd.Series) -> np.ndarray:
    """Per cell: it holds a character of :data:`_UNPRINTABLE` (a test of the column's bytes first:
    nearly every column has none, and then no cell is looked at; else one RE2 pass)."""
    if not len(s) or not _column_may_hold_unprintable(s):
        return np.zeros(len(s), dtype=bool)
    try:
        found = pc.match_substring_regex(pyarrow.array(s.astype("string").array), _UNPRINTABLE_RE)
        return found.to_numpy(zero_copy_only=False).astype(bool)
    except (TypeError, ValueError, pyarrow.ArrowException):
        return s.astype("string").str.contains(_UNPRINTABLE_RE, regex=True).fillna(False).to_numpy(dtype=bool)


def printable(text: str) -> str:
    """``text`` with separators as spaces and other control characters as 〓."""
    return text.translate(_TRANSLATE)


def unprintable_names(text: str) -> str:
    """The control characters of ``text`` as the user can look them up: U+000B、U+2028 …"""
    return "、".join(f"U+{ord(c):04X}" for c in dict.fromkeys(c for c in text if c in _UNPRINTABLE))
