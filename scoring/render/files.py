"""Files the run writes: atomically (a reader never sees half a file) and, for zip packages,
byte for byte the same from the same content.

- :func:`replacing` / :func:`write_bytes_atomic`: a temporary file beside each target, then
  ``os.replace``; a failed write leaves the previous versions untouched.
- :func:`zip_bytes`: the one deterministic zip writer — statements.zip, and the .xlsx and .docx
  packages re-written by :func:`restamp_zip` (their writers stamp the current time into every entry).
"""
from __future__ import annotations

import io
import os
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

ZIP_TIME = (1980, 1, 1, 0, 0, 0)          # the earliest time a zip entry can carry
DateTime = tuple[int, int, int, int, int, int]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextmanager
def replacing(*paths: str | os.PathLike) -> Iterator[list[Path]]:
    """Temporary files beside ``paths`` (parents created) for the block to write; when it ends
    without error they replace ``paths`` — all written before any is replaced — else they go.

    mkstemp creates files readable by the owner only; the results get the usual mode (0666 less
    the umask) so that colleagues on a shared drive can open what the bureau sends out.
    """
    temps: list[Path] = []
    try:
        for path in map(Path, paths):
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
            os.close(fd)
            temps.append(Path(tmp))
        yield list(temps)
        mode = 0o666 & ~_umask()
        for tmp in temps:
            os.chmod(tmp, mode)
        for tmp, path in zip(temps, paths):
            os.replace(tmp, path)
    finally:
        for tmp in temps:
            tmp.unlink(missing_ok=True)


def write_bytes_atomic(path: str | os.PathLike, data: bytes) -> Path:
    """Replace ``path`` with ``data`` atomically (parents created); see :func:`replacing`."""
    with replacing(path) as (tmp,):
        tmp.write_bytes(data)
    return Path(path)


def zip_bytes(entries: Iterable[tuple[str, bytes]], date_time: DateTime = ZIP_TIME, *,
              external_attr: int = 0o600 << 16, create_system: int = 0) -> bytes:
    """A deflated zip of ``entries`` (name, content) in the order given, every entry dated
    ``date_time`` with the given attributes: the same entries give the same bytes. Names that
    are not ASCII are stored as UTF-8 (zipfile sets the flag)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in entries:
            entry = zipfile.ZipInfo(name, date_time=date_time)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = external_attr
            entry.create_system = create_system
            zf.writestr(entry, content)
    return out.getvalue()


def restamp_zip(data: bytes, date_time: DateTime = ZIP_TIME, *, external_attr: int = 0o600 << 16,
                create_system: int = 0, edit: Callable[[str, bytes], bytes] | None = None) -> bytes:
    """The zip package ``data`` (an .xlsx, a .docx) re-written by :func:`zip_bytes`, entries in
    their order; ``edit(name, content)`` may change an entry's content."""
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        entries = [(info.filename, src.read(info.filename)) for info in src.infolist()]
    if edit:
        entries = [(name, edit(name, content)) for name, content in entries]
    return zip_bytes(entries, date_time, external_attr=external_attr, create_system=create_system)
