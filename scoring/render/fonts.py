"""Font files cut to a document's own characters, with HarfBuzz's hb-subset (through uharfbuzz, the
binding HarfBuzz's authors keep): milliseconds for a CJK font, and the same characters always give
the same bytes."""
from __future__ import annotations

import io
from pathlib import Path

import uharfbuzz as hb
from fontTools.ttLib import TTFont

# Tables serving vertical or contextual forms (GSUB/GPOS, vertical metrics) that horizontal Chinese
# text does not use: a subset without them is smaller and made faster.
SUBSET_DROPPED_TABLES = ("GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG")
_FLAGS = hb.SubsetFlags.DESUBROUTINIZE | hb.SubsetFlags.NOTDEF_OUTLINE


def _tag(name: str) -> int:
    return int.from_bytes(name.encode("ascii"), "big")


def subset_font(path: Path, chars: str) -> bytes:
    """The font at ``path`` cut down to ``chars`` (plus .notdef), as an OpenType font without the
    tables of :data:`SUBSET_DROPPED_TABLES`."""
    face = hb.Face(hb.Blob.from_file_path(str(path)))
    spec = hb.SubsetInput()
    spec.unicode_set.update(ord(ch) for ch in chars)
    spec.drop_table_tag_set.update(_tag(t) for t in SUBSET_DROPPED_TABLES)
    spec.flags = _FLAGS
    cut = hb.subset(face, spec)
    if cut is None:
        raise ValueError(f"hb-subset failed on {path}")
    return cut.blob.data


def renamed(font: bytes, family: str) -> bytes:
    """``font`` with its family and full names (name IDs 1, 4, 16) set to ``family``: the name
    WeasyPrint writes into the PDF comes from Pango, which reports either the @font-face family or
    the file's own; made equal, the PDF names the font the same way every run."""
    tt = TTFont(io.BytesIO(font), lazy=True, recalcBBoxes=False, recalcTimestamp=False)
    for record in tt["name"].names:
        if record.nameID in (1, 4, 16):
            record.string = family
    out = io.BytesIO()
    tt.save(out)
    return out.getvalue()
