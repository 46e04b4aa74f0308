"""Workbooks written byte for byte the same from the same content.

openpyxl stamps the current time into ``docProps/core.xml`` and into every zip entry; both are
fixed here, so a template or a scores workbook written twice from the same inputs has the same
bytes (and the same hash in the manifest).
"""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from pathlib import Path

from .atomic import write_bytes_atomic

FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)          # the earliest time a zip entry can carry


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
    out = io.BytesIO()
    with zipfile.ZipFile(raw) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fixed_core_times(data)
            entry = zipfile.ZipInfo(info.filename, date_time=ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            entry.create_system = 0
            dst.writestr(entry, data)
    return out.getvalue()


def save_workbook_deterministic(wb, path: str | Path) -> Path:
    """Write ``wb`` to ``path`` (parents created; replaced atomically) with deterministic bytes."""
    return write_bytes_atomic(path, deterministic_bytes(wb))
