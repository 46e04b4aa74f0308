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
from collections.abc import Callable
from pathlib import Path

from scoring.render.atomic import write_bytes_atomic

FIXED_TIME = dt.datetime(2000, 1, 1, 0, 0, 0)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)          # the earliest time a zip entry can carry


def _fixed_core_times(xml: bytes) -> bytes:
    stamp = FIXED_TIME.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return re.sub(rb"(<dcterms:(?:created|modified)\b[^>]*>)[^<]*(</dcterms:)", rb"\g<1>" + stamp + rb"\g<2>", xml)


def restamp_zip(data: bytes, date_time: tuple[int, int, int, int, int, int] = ZIP_TIME, *,
                external_attr: int = 0o600 << 16, create_system: int = 0,
                edit: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """The zip package ``data`` (an .xlsx, a .docx) re-written deflated, entries in their order,
    every entry dated ``date_time`` with the given attributes (writers stamp the current time);
    ``edit(name, content)`` may change an entry's content."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            content = src.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = external_attr
            entry.create_system = create_system
            dst.writestr(entry, edit(info.filename, content) if edit else content)
    return out.getvalue()


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
