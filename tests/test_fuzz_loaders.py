"""Fuzzing the loader: whatever bytes a CSV holds and whatever a workbook's cells hold, load_dataset
either returns a Dataset or raises the project's own InputError (every user problem a Chinese
message, never a traceback) — never any other exception.

Inputs stay small (a few rows). Each example loads a dataset (about a third of a second), so a test
run tries a fixed, derandomized 60 examples (45 CSV, 15 workbook) spread over the strategies below;
``FUZZ_SCALE=30`` tries 1,800 (a deep run, minutes).
"""
from __future__ import annotations

import datetime as dt
import os
import shutil
import sys
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from reliability_support import BROKEN

sys.path.insert(0, str(BROKEN))
import make_corpus  # noqa: E402

from scoring.inputs.dataset import Dataset  # noqa: E402
from scoring.errors import InputError, InputProblem  # noqa: E402
from scoring.inputs.loading import load_dataset  # noqa: E402

FUZZ = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                                      HealthCheck.function_scoped_fixture],
                derandomize=True, database=None)
# FUZZ_SCALE=30 for a deep run (1,800 examples); make test runs 60.
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))
TABLES = ("units", "submissions", "events", "targets")
VALID_CSV = {t: make_corpus.csv_bytes(make_corpus.BASE[t]) for t in TABLES}
# Beside the fuzzed file, the least the loader needs: the register and one adoption (events and
# targets are optional), which keeps each example cheap.
COMPANION = {"units": VALID_CSV["units"], "submissions": make_corpus.csv_bytes(make_corpus.BASE["submissions"][:2])}

# Text a user (or a broken export) may put in a cell: the contract's own spellings next to hostile ones.
CELL_TEXT = st.one_of(
    st.sampled_from(["", " ", "\u3000", "Z01", "昆仑街道", "公安局", "要闻动态", "溧阳", "江苏省", "镇区街道",
                     "content_error", "2023-07-01", "2023/7/1", "2023年7月1日", "20230701", "2023-02-30",
                     "2023-13-01", "是", "否", "TRUE", "1", "0", "-1", "1.5", "1e3", "nan", "inf", "NULL",
                     "=1+1", "=HYPERLINK(\"http://x\")", "@SUM(A1)", "<script>", "\u202e", "𠀀", "🎉",
                     '"', '""', ",", "\n", "\r", "\t", ";", "、", "x" * 1001]),
    st.text(max_size=12),
)


def _load(folder: Path) -> None:
    try:
        got = load_dataset(folder, _load.rules, year=2023)
    except InputError as err:
        assert err.problems, "an InputError must hold at least one problem"
        assert all(isinstance(p, InputProblem) and p.code and p.expected for p in err.problems)
        err.report()                     # the message itself must build
        return
    assert isinstance(got, Dataset)


@pytest.fixture(scope="module", autouse=True)
def _rules(rules):
    _load.rules = rules


class _Folder:
    """One scratch dataset folder reused by every example of a test (examples run one after another)."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="fuzz-"))

    def reset(self) -> Path:
        for p in self.path.iterdir():
            p.unlink()
        return self.path

    def close(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


@pytest.fixture
def folder():
    f = _Folder()
    yield f
    f.close()


# ---- CSV bytes ---------------------------------------------------------------------------------------
def _rows_to_bytes(rows: list[list[str]], encoding: str, bom: bool) -> bytes:
    raw = make_corpus.csv_bytes(rows, "utf-8").decode("utf-8")
    data = raw.encode(encoding, errors="replace")
    return (b"\xef\xbb\xbf" if bom else b"") + data


@st.composite
def mutated_table(draw):
    """The valid table with a few cells replaced, written in one of the encodings a user may save."""
    table = draw(st.sampled_from(TABLES))
    rows = [list(r) for r in make_corpus.BASE[table]]
    for _ in range(draw(st.integers(1, 4))):
        r = draw(st.integers(0, len(rows) - 1))
        c = draw(st.integers(0, len(rows[r]) - 1))
        rows[r][c] = draw(CELL_TEXT)
    if draw(st.booleans()):
        rows = rows[: draw(st.integers(0, len(rows)))]
    if draw(st.integers(0, 4)) == 0:           # a ragged row
        rows.append([draw(CELL_TEXT)] * draw(st.integers(1, 14)))
    encoding = draw(st.sampled_from(["utf-8", "gb18030", "utf-16", "latin-1"]))
    return table, _rows_to_bytes(rows, encoding, draw(st.booleans()))


@st.composite
def spliced_bytes(draw):
    """The valid file's bytes with random bytes spliced in or cut off."""
    table = draw(st.sampled_from(TABLES))
    raw = VALID_CSV[table]
    at = draw(st.integers(0, len(raw)))
    cut = draw(st.integers(0, 20))
    return table, raw[:at] + draw(st.binary(max_size=24)) + raw[at + cut:]


@st.composite
def raw_bytes(draw):
    table = draw(st.sampled_from(TABLES))
    return table, draw(st.binary(max_size=200))


def _check_csv(folder: _Folder, table: str, data: bytes) -> None:
    path = folder.reset()
    for t, companion in COMPANION.items():
        (path / f"{t}.csv").write_bytes(companion)
    (path / f"{table}.csv").write_bytes(data)
    _load(path)


@pytest.mark.slow
@settings(FUZZ, max_examples=int(20 * SCALE))
@given(case=mutated_table())
def test_any_mutated_csv_cells_give_a_dataset_or_an_input_error(folder, case):
    _check_csv(folder, *case)


@pytest.mark.slow
@settings(FUZZ, max_examples=int(15 * SCALE))
@given(case=spliced_bytes())
def test_any_bytes_spliced_into_a_csv_give_a_dataset_or_an_input_error(folder, case):
    _check_csv(folder, *case)


@pytest.mark.slow
@settings(FUZZ, max_examples=int(10 * SCALE))
@given(case=raw_bytes())
def test_any_raw_bytes_as_a_csv_give_a_dataset_or_an_input_error(folder, case):
    _check_csv(folder, *case)


# ---- workbook cells ------------------------------------------------------------------------------------
CELL_VALUE = st.one_of(
    CELL_TEXT,
    st.none(),
    st.booleans(),
    st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=False, width=64),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.sampled_from(["=1+1", "=A1", "=SUM(B2:B3)", "=NOW()", '="是"']),
)


@st.composite
def mutated_workbook(draw):
    tables = make_corpus.xlsx_tables()
    for _ in range(draw(st.integers(1, 5))):
        name = draw(st.sampled_from(TABLES))
        rows = tables[name]
        r = draw(st.integers(0, len(rows)))          # len(rows): a new row below the last
        if r == len(rows):
            rows.append([None] * len(rows[0]))
        c = draw(st.integers(0, len(rows[0])))       # len(row): a cell beyond the last header
        while len(rows[r]) <= c:
            rows[r].append(None)
        rows[r][c] = draw(CELL_VALUE)
    if draw(st.integers(0, 5)) == 0:
        del tables[draw(st.sampled_from(TABLES))]
    merge = draw(st.integers(0, 6)) == 0
    sheet_names = draw(st.sampled_from([None, {"units": "单位", "submissions": "录用记录"},
                                        {"events": "扣分事项", "targets": " targets "}]))
    return tables, merge, sheet_names


def _workbook(tables, merge, sheet_names) -> bytes | None:
    from openpyxl.utils.exceptions import IllegalCharacterError

    def tweak(wb):
        if merge and wb.sheetnames:
            wb[wb.sheetnames[0]].merge_cells("A1:B1")
        for old, new in (sheet_names or {}).items():
            if old in wb.sheetnames:
                wb[old].title = new

    try:
        return make_corpus.workbook_bytes(tables, tweak, reproducible=False)
    except (IllegalCharacterError, ValueError, TypeError, OverflowError):
        return None                      # openpyxl refuses to write it: not an input Excel can produce


@pytest.mark.slow
@settings(FUZZ, max_examples=int(15 * SCALE))
@given(case=mutated_workbook())
def test_any_workbook_cells_give_a_dataset_or_an_input_error(folder, case):
    data = _workbook(*case)
    assume(data is not None)
    path = folder.reset()
    (path / "数据.xlsx").write_bytes(data)
    _load(path)


def test_the_fuzz_strategies_reach_both_outcomes(folder):
    """Guard against a fuzz that can only fail: the unbroken base loads, and a broken cell is reported."""
    path = folder.reset()
    for t in TABLES:
        (path / f"{t}.csv").write_bytes(VALID_CSV[t])
    assert isinstance(load_dataset(path, _load.rules), Dataset)
    (path / "units.csv").write_bytes(b"unit_id\n")
    with pytest.raises(InputError):
        load_dataset(path, _load.rules)
