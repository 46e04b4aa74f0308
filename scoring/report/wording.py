"""The one way the report layer's Jinja templates are loaded: HTML-escaped, strict about names,
with the filters that show points (``pts`` 12.5, ``signed`` +12.5, ``signed_count`` +3).

Each document keeps its templates in a folder of its own under ``report/templates/`` (or, for the
statement's frame, ``render/templates/``); ``environment(folder)`` is cached per folder.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import jinja2

from scoring.method.points import fmt

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _signed(milli: object) -> str:
    return ("+" if int(milli) > 0 else "") + fmt(milli)


def _signed_count(n: object) -> str:
    return ("+" if int(n) > 0 else "") + str(int(n))


@lru_cache(maxsize=None)
def environment(folder: Path) -> jinja2.Environment:
    """The templates of ``folder``: autoescaped, undefined names an error, blocks trimmed."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True, trim_blocks=True,
                             lstrip_blocks=True, undefined=jinja2.StrictUndefined, keep_trailing_newline=True)
    env.filters.update(pts=fmt, signed=_signed, signed_count=_signed_count)
    return env
