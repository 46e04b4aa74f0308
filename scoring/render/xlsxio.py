"""Workbooks written byte for byte the same from the same content.

openpyxl stamps the current time into ``docProps/core.xml`` and into every zip entry; both are
fixed here (the entries by files.restamp_zip), so a template or a scores workbook written twice
from the same inputs has the same bytes (and the same hash in the manifest).
"""
from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from scoring.render.files import restamp_zip, write_bytes_atomic

FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)


def _fixed_core_times(xml: bytes) -> bytes:
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp + rb"\g<2>", xml)


def deterministic_bytes(wb) -> bytes:
    """The workbook as .xlsx bytes with fixed document times and zip entry times."""
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    wb.properties.lastModifiedBy = None
    raw = io.BytesIO()
    wb.save(raw)
    return restamp_zip(raw.getvalue(),
                       edit=lambda name, xml: _fixed_core_times(xml) if name == "docProps/core.xml" else xml)


def save_workbook_deterministic(wb, path: str | Path) -> Path:
    """Write ``wb`` to ``path`` (parents created; replaced atomically) with deterministic bytes."""
    return write_bytes_atomic(path, deterministic_bytes(wb))
