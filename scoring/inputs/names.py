"""The file names a unit gets in the output (its statement, ``<unit_id>-<unit_name>.pdf``), named
here, below the loader, so that validation can refuse a register whose units would share one.

A file name must be unique *without regard to case* (and to Unicode normalisation): statements.zip
is unpacked on Windows and macOS, where 「A1-…」 and 「a1-…」 are one file. The unit id is the
unique part; :func:`id_part` keeps it whole up to :data:`PART_CHARS` characters and, when it must
cut, ends the cut id with a hash of the whole id, so that two ids sharing a long prefix never give
one name. What remains is two ids that differ only in case or in characters a file name cannot hold
(「A/1」 and 「A1」): the loader reports those rows (:func:`clash_key`).
"""
from __future__ import annotations

import hashlib
import unicodedata
from typing import Sequence

import pandas as pd
from pathvalidate import sanitize_filename

PART_CHARS = 30          # each part of a statement's name, in characters (≤ 245 bytes in UTF-8 as a whole)
HASH_CHARS = 8
# An id of these characters, not longer than a part and not a name Windows reserves, stands in a file
# name as it is (safe_name and id_part leave it unchanged).
PLAIN_ID = rf"[0-9A-Za-z_\-\u4e00-\u9fff]{{1,{PART_CHARS}}}"
RESERVED = r"(?i:con|prn|aux|nul|com[0-9]|lpt[0-9])"


def safe_name(text: str) -> str:
    """A file name part Windows accepts (pathvalidate: no \\ / : * ? " < > |, no control chars),
    without leading/trailing spaces or a trailing dot.

    Invisible format characters (Unicode Cf: direction overrides U+202E, zero-width joiners) go too,
    so that a name cannot make a file name display reversed.
    """
    visible = "".join(ch for ch in str(text) if unicodedata.category(ch) != "Cf")
    name = sanitize_filename(visible, platform="windows").strip().rstrip(". ")
    return name or "_"


def id_part(unit_id: str) -> str:
    """The unit id as it stands in a file name: :func:`safe_name`, at most :data:`PART_CHARS`
    characters; a longer one is cut and ends in ``~`` and the first 8 hex digits of the whole id's
    SHA-1, so that ids sharing their first 30 characters still give different names."""
    name = safe_name(unit_id)
    if len(name) <= PART_CHARS:
        return name
    digest = hashlib.sha1(str(unit_id).encode("utf-8")).hexdigest()[:HASH_CHARS]
    return f"{name[:PART_CHARS - HASH_CHARS - 1]}~{digest}"


def statement_filename(unit_id: str, unit_name: str, suffix: str = ".pdf") -> str:
    """``<unit_id>-<unit_name>.pdf`` (or ``suffix``: the unit's workbook beside it): :func:`id_part`
    and the name's first 30 characters (:func:`safe_name`); pathvalidate checks the whole (e.g.
    reserved names)."""
    return sanitize_filename(f"{id_part(unit_id)}-{safe_name(unit_name)[:PART_CHARS]}{suffix}", platform="windows")


def clash_key(unit_id: str) -> str:
    """What two units' file names are compared by: the id part, NFC, case folded. Two units with
    one key would write one file where case does not count (Windows, macOS)."""
    return unicodedata.normalize("NFC", id_part(unit_id)).casefold()


def clash_keys(unit_ids: Sequence[str]) -> list[str]:
    """:func:`clash_key` of every id of a register. A plain id (:data:`PLAIN_ID`, the usual case)
    is its own id part, so its key is the id, NFC and case folded, without the file-name check
    that a register of ten thousand units would otherwise run ten thousand times."""
    ids = pd.Series(list(unit_ids), dtype=object).astype(str)
    plain = ids.str.fullmatch(PLAIN_ID) & ~ids.str.fullmatch(RESERVED)
    keys = ids.str.normalize("NFC").str.casefold()
    keys[~plain] = [clash_key(u) for u in ids[~plain]]
    return keys.tolist()
