"""The loaded, validated input: four canonical tables (see scoring/schema.py for their columns).

``Dataset`` is what the loader returns and what the engine takes. ``make_dataset`` builds one from
plain records, filling defaults, for tests and what-if notebooks that do not start from files.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import pandas as pd

from scoring.inputs.schema import EVENTS, SUBMISSIONS, TARGETS, UNITS, Table

# Canonical dtypes after loading; "" for empty text, NaT for empty dates, <NA> for empty booleans.
DTYPES: dict[str, dict[str, str]] = {
    "units": {"unit_id": "str", "unit_name": "str", "category": "str", "informant": "str", "aliases": "str"},
    "submissions": {"record_id": "str", "unit_id": "str", "column": "str", "level": "str",
                    "adopted_on": "datetime64[ns]", "title": "str", "submitted_on": "datetime64[ns]",
                    "due_on": "datetime64[ns]", "late": "boolean", "solicited": "boolean", "informant": "str"},
    "events": {"event_id": "str", "unit_id": "str", "date": "datetime64[ns]", "type": "str",
               "count": "int64", "note": "str"},
    "targets": {"unit_id": "str", "year": "int64", "column": "str", "target": "int64"},
}
PROVENANCE = ("_file", "_row")


@dataclass(frozen=True)
class Dataset:
    units: pd.DataFrame
    submissions: pd.DataFrame
    events: pd.DataFrame
    targets: pd.DataFrame
    files: tuple[Path, ...] = ()
    notes: tuple[str, ...] = ()
    source: str = ""                      # the dataset folder, for messages and the manifest
    extra: Mapping[str, Any] = field(default_factory=dict)


def canonical_frame(table: Table | str, records: Iterable[Mapping[str, Any]] | pd.DataFrame) -> pd.DataFrame:
    """Records (dicts with canonical names, any subset) → a frame with every canonical column typed.

    Missing columns get defaults ("" / NaT / <NA> / 1 for count); provenance columns are added
    when absent (``_file`` = "<memory>", ``_row`` = position + 2, as if a header were row 1).
    """
    name = table if isinstance(table, str) else table.name
    dtypes = DTYPES[name]
    df = records.copy() if isinstance(records, pd.DataFrame) else pd.DataFrame(list(records))
    n = len(df)
    out = {}
    for col, dt in dtypes.items():
        s = df[col] if col in df.columns else pd.Series([None] * n, index=df.index, dtype=object)
        if dt == "str":
            out[col] = s.astype(object).where(s.notna(), "").astype(str).astype("string")
        elif dt.startswith("datetime"):
            out[col] = pd.to_datetime(s, errors="raise").astype("datetime64[ns]")
        elif dt == "boolean":
            out[col] = s.astype("boolean")
        elif col == "count":
            out[col] = s.fillna(1).astype("int64")
        else:
            out[col] = s.astype("int64")
    res = pd.DataFrame(out, index=pd.RangeIndex(n))
    res["_file"] = (df["_file"].astype(str).to_numpy() if "_file" in df.columns else "<memory>")
    res["_file"] = res["_file"].astype("string")
    res["_row"] = (df["_row"].astype("int64").to_numpy() if "_row" in df.columns else range(2, n + 2))
    res["_row"] = res["_row"].astype("int64")
    return res


def make_dataset(units: Iterable[Mapping[str, Any]] | pd.DataFrame = (),
                 submissions: Iterable[Mapping[str, Any]] | pd.DataFrame = (),
                 events: Iterable[Mapping[str, Any]] | pd.DataFrame = (),
                 targets: Iterable[Mapping[str, Any]] | pd.DataFrame = ()) -> Dataset:
    """A Dataset from canonical records, e.g. for tests: ``make_dataset(units=[{"unit_id": "U1", …}])``."""
    return Dataset(units=canonical_frame(UNITS, units),
                   submissions=canonical_frame(SUBMISSIONS, submissions),
                   events=canonical_frame(EVENTS, events),
                   targets=canonical_frame(TARGETS, targets))
