"""The bundled fonts: Noto Serif CJK SC (body, title) and Noto Sans CJK SC (tables, charts).

Both ship inside the PyPI package ``mplfonts`` under the SIL Open Font License. mplfonts also ships
SimHei, which is not free to redistribute: it is never referenced here.

A character of the input that these fonts cannot draw (an emoji, a rare CJK Ext-B character) is
printed as 〓, the placeholder Chinese typesetting uses, and reported with its file and row
(bulletin spec, "Look").
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache
from pathlib import Path
from typing import Iterable

import matplotlib
import mplfonts
import pandas as pd
from matplotlib import font_manager
import numpy as np
from fontTools.ttLib import TTFont

PLACEHOLDER = "〓"
SERIF_FAMILY = "Noto Serif CJK SC"
SANS_FAMILY = "Noto Sans CJK SC"
# Families we declare in @font-face for WeasyPrint; the PDF's BaseFont carries this name, so it
# says which file was embedded (and never matches a differently named system font).
SERIF_FACE = "NotoSerifCJKsc"
SANS_FACE = "NotoSansCJKsc"

_FILES = {"serif": "NotoSerifCJKsc-Regular.otf", "sans": "NotoSansCJKsc-Regular.otf"}


def _font_dir() -> Path:
    return Path(mplfonts.__file__).resolve().parent / "fonts"


def serif_path() -> Path:
    """Noto Serif CJK SC (Song style): body text and the title."""
    return _font_dir() / _FILES["serif"]


def sans_path() -> Path:
    """Noto Sans CJK SC (Hei style): tables and charts."""
    return _font_dir() / _FILES["sans"]


def font_paths() -> dict[str, Path]:
    return {"serif": serif_path(), "sans": sans_path()}


def _format12_codes(path: Path) -> frozenset[int] | None:
    """Code points of the font's Windows full-repertoire cmap (platform 3, encoding 10, format 12),
    read straight from the table's bytes: fontTools' decompiler builds a dict of every mapping in
    Python (≈0.5 s per CJK font, paid by every process that checks text). None if absent."""

    with TTFont(str(path), lazy=True, fontNumber=0) as f:
        raw = f.reader["cmap"]
    n = int.from_bytes(raw[2:4], "big")
    for i in range(n):
        platform, encoding, offset = (int.from_bytes(raw[4 + 8 * i + a:4 + 8 * i + b], "big")
                                      for a, b in ((0, 2), (2, 4), (4, 8)))
        if (platform, encoding) != (3, 10) or int.from_bytes(raw[offset:offset + 2], "big") != 12:
            continue
        groups = int.from_bytes(raw[offset + 12:offset + 16], "big")
        table = np.frombuffer(raw, dtype=">u4", count=3 * groups, offset=offset + 16).reshape(groups, 3)
        starts, ends = table[:, 0].astype(np.int64), table[:, 1].astype(np.int64)
        lengths = ends - starts + 1
        # Every code of every [start, end] group: repeat each start, add 0..len-1 within its group.
        codes = np.repeat(starts, lengths) + (np.arange(lengths.sum()) - np.repeat(np.cumsum(lengths) - lengths, lengths))
        return frozenset(codes.tolist())
    return None


def _cmap_codes(path: Path) -> frozenset[int]:
    codes = _format12_codes(path)
    if codes is not None:
        return codes

    with TTFont(str(path), lazy=True, fontNumber=0) as f:
        return frozenset(f.getBestCmap())


@lru_cache(maxsize=1)
def covered() -> frozenset[int]:
    """Code points both bundled fonts can draw (text may land in body or in a table)."""
    return frozenset.intersection(*(_cmap_codes(p) for p in font_paths().values()))


def _ignorable(ch: str) -> bool:
    # Zero-width joiners, variation selectors and other format characters are not drawn at all:
    # dropping them keeps "❤️" or a ZWJ emoji sequence from turning into a row of 〓.
    cp = ord(ch)
    return (unicodedata.category(ch) == "Cf" or 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF)


@lru_cache(maxsize=65536)
def drawable(text: str) -> tuple[str, tuple[str, ...]]:
    """``text`` with every character the bundled fonts cannot draw replaced by 〓.

    Returns the printable text and the characters that were replaced (in order of appearance,
    each once). Whitespace is kept as is; invisible format characters are dropped.
    """
    cmap = covered()
    if all(ord(ch) in cmap or ch.isspace() for ch in text):
        return text, ()
    out: list[str] = []
    missing: dict[str, None] = {}
    for ch in text:
        if ord(ch) in cmap or ch.isspace():
            out.append(ch)
        elif _ignorable(ch):
            continue
        else:
            out.append(PLACEHOLDER)
            missing.setdefault(ch, None)
    return "".join(out), tuple(missing)


def describe(chars: Iterable[str]) -> str:
    """'😀'(U+1F600)、'𠀀'(U+20000) — for warnings a user can search for."""
    return "、".join(f"「{c}」(U+{ord(c):04X})" for c in chars)


def drawable_series(values: pd.Series, frame: pd.DataFrame | None = None,
                    column: str | None = None) -> tuple[pd.Series, list[str]]:
    """Apply :func:`drawable` to a text column; warn once per cell that changed.

    ``frame`` (the table ``values`` comes from, with ``_file`` / ``_row`` provenance) lets each
    warning name the file and row the user can open. The input series is not modified.
    """

    text = values.astype("string").fillna("")
    # Only distinct values are checked: a register of 200 units repeats its names thousands of times.
    codes, uniques = pd.factorize(text)
    checked = [drawable(str(u)) for u in uniques]
    printable = np.array([c[0] for c in checked] + [""], dtype=object)      # code -1: an empty cell
    replaced = np.array([bool(c[1]) for c in checked] + [False])
    fixed = pd.Series(printable[codes], index=text.index, dtype="string", name=values.name)
    bad_at = np.flatnonzero(replaced[codes])
    warnings: list[str] = []
    if len(bad_at):
        files = (frame["_file"].to_numpy()[bad_at] if frame is not None and "_file" in frame.columns
                 else [""] * len(bad_at))
        rows = (frame["_row"].to_numpy()[bad_at] if frame is not None and "_row" in frame.columns
                else [pd.NA] * len(bad_at))
        col = f"列「{column}」" if column else ""
        for pos, file, row in zip(bad_at, files, rows):
            where = "，".join(p for p in (str(file) if isinstance(file, str) and file else "",
                                          f"第 {row} 行" if pd.notna(row) else "", col) if p)
            warnings.append(f"{where or '输入数据'}：字符 {describe(checked[codes[pos]][1])} 无法用内置字体显示，"
                            f"已印作「{PLACEHOLDER}」")
    return fixed, warnings


def drawable_frame(frame: pd.DataFrame, columns: Iterable[str]) -> tuple[pd.DataFrame, list[str]]:
    """A copy of ``frame`` with the given text columns made drawable, and every warning."""
    out = frame.copy()
    warnings: list[str] = []
    for col in columns:
        if col in out.columns:
            out[col], w = drawable_series(out[col], frame, col)
            warnings.extend(w)
    return out, warnings


@lru_cache(maxsize=1)
def _register_with_matplotlib() -> None:
    # Once per process: addfont parses the whole font file, and every chart calls setup_matplotlib.
    for path in font_paths().values():
        font_manager.fontManager.addfont(str(path))


def setup_matplotlib() -> None:
    """Register the bundled fonts and set rcParams for reproducible SVG charts with Chinese text.

    Text becomes paths (the SVG needs no font to display), the hash salt and metadata are fixed so
    two runs give the same bytes.
    """
    _register_with_matplotlib()
    matplotlib.rcParams.update({
        "font.family": "sans-serif",
        "font.sans-serif": [SANS_FAMILY],
        "font.serif": [SERIF_FAMILY],
        "axes.unicode_minus": False,       # U+2212 is drawable, but "-" matches the tables
        "svg.fonttype": "path",
        "svg.hashsalt": "liyang-bulletin",
        "pdf.fonttype": 42,
        "figure.dpi": 100,
        "savefig.dpi": 100,
    })


# Metadata to pass to savefig for byte-identical SVGs (no date, no tool version).
SVG_METADATA = {"Date": None, "Creator": None}
