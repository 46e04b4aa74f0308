"""The one runner of the engine's hand-worked cases: tests/method/cases/**/*.yaml (format below)."""
from scoring.inputs.rules_file import load_rules
from scoring.method import rules as rules_mod
from scoring.inputs.dataset import make_dataset
from scoring.method.engine import score
from scoring.errors import ScoringError
from scoring.method.points import to_milli

import copy
import dataclasses
import functools
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml

# ---- The case format ----------------------------------------------------------------------------
# A file holds one case, or a list of them under `cases:`. A case has
#   name:           a sentence (the test id is "<file path without .yaml>: <name>")
#   clause:         the R-number(s) of shared/spec/rules.md and the method's clause id, "R4 三(一)1"
#                   (cases on 优胜单位 / 优秀信息员 may cite just "五 …")
#   why:            the arithmetic, worked out by hand from the clause
#   rules_file:     optional, a rules or variant file relative to the repository root
#   rules_overlay:  optional, merged over the rules (rules.derive), e.g. {late: {factor: 0.7}}
#   units:          optional, the unit register; default tests/method/register.yaml
#   submissions:, events:, targets:   records with the data contract's canonical names; a
#                   submission with `repeat: n` stands for n rows with record ids <id>000, <id>001, …
#   year:           optional, default 2023
#   runs:           one entry per scoring run: `quarter:` (and optionally `year:`), then expectations:
#     expect / annual / targets / ledger / earnings / informants: rows of that result table.
#         A row is picked by the table's key columns it gives (KEYS below); exactly one row must
#         match, and every other field given must equal it. With `rows: n` the row is a filter
#         instead: exactly n rows must match all fields given ({rows: 0} = no such row).
#         Point figures are written as the method writes them (12.5); booleans as true / false;
#         {contains: text} matches a text column by substring; null matches an empty cell.
#     notes_contain:  texts the run's notes must contain; a list of texts must all be in one note
#     notes_exclude:  texts that no note may contain
#     raises:         the run must stop with a ScoringError whose message contains this text
# In every run the runner also checks that the ledger adds up to each unit's quarterly score, and
# after all runs that scoring did not modify the input tables.

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
CASES_DIR = HERE / "cases"
REGISTER = HERE / "register.yaml"
YEAR = 2023
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)    # libyaml where PyYAML has it: read at collection
MIN_CASES = 66          # the cases of the converted Python tests and stories; guards against lost files

TABLES = {              # run key → Result attribute
    "expect": "quarterly", "annual": "annual", "targets": "targets", "ledger": "ledger",
    "earnings": "earnings", "informants": "informants",
}
KEYS = {                # the columns that pick one row of each table
    "quarterly": ("unit_id", "quarter"), "annual": ("unit_id",), "targets": ("unit_id", "column"),
    "ledger": ("unit_id", "quarter", "kind", "ref"), "earnings": ("record_id", "quarter"),
    "informants": ("unit_id", "informant"),
}
POINTS = {"key_points", "info_points", "carry_in", "bonus", "gross", "carry_out", "deductions", "reward", "score",
          "ytd_total", "total", "points", "ytd_points", "info_capped", "base_points"}
DATES = {"adopted_on", "date", "submitted_on", "due_on"}
CASE_KEYS = {"name", "clause", "why", "rules_file", "rules_overlay", "units", "submissions", "events", "targets",
             "year", "runs"}
EXPECTATIONS = set(TABLES) | {"notes_contain", "notes_exclude", "raises"}
RUN_KEYS = {"quarter", "year"} | EXPECTATIONS


# ---- Loading ------------------------------------------------------------------------------------
def load_cases(directory: Path = CASES_DIR) -> list[tuple[str, dict]]:
    out = []
    for path in sorted(directory.rglob("*.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
        cases = data["cases"] if isinstance(data, dict) and set(data) == {"cases"} else [data]
        rel = path.relative_to(directory).with_suffix("").as_posix()
        out += [(f"{rel}: {c.get('name') if isinstance(c, dict) else repr(c)}", c) for c in cases]
    return out


CASES = load_cases()


def _records(rows: list[dict] | None) -> list[dict]:
    out = []
    for r in rows or []:
        r = {k: (str(v) if k in DATES and v is not None else v) for k, v in r.items()}
        n = r.pop("repeat", None)
        if n is None:
            out.append(r)
        else:
            out += [{**r, "record_id": f"{r['record_id']}{i:03d}"} for i in range(n)]
    return out


@functools.cache
def _register() -> tuple[dict, ...]:
    return tuple(yaml.load(REGISTER.read_text(encoding="utf-8"), Loader=SAFE_LOADER))


@functools.cache
def _rules_file(path: str | None):
    return load_rules(ROOT / path) if path else load_rules()


def case_rules(case: dict):
    rules = _rules_file(case.get("rules_file"))
    if case.get("rules_overlay"):
        rules = rules_mod.derive(rules, case["rules_overlay"], name=case["name"])
    return rules


def case_dataset(case: dict):
    units = case.get("units") or [dict(u) for u in _register()]
    return make_dataset(units=units, submissions=_records(case.get("submissions")),
                        events=_records(case.get("events")), targets=list(case.get("targets") or []))


# ---- Checking -----------------------------------------------------------------------------------
def _blank(value: Any) -> bool:
    """None, NaN, NaT, <NA> or an empty text: an empty cell."""
    if isinstance(value, str):
        return value == ""
    return value is None or (not isinstance(value, (list, tuple, dict)) and bool(pd.isna(value)))


def _same(column: str, actual: Any, want: Any) -> bool:
    """Whether a cell of a result table equals an expected value as a case writes it."""
    if isinstance(want, dict):
        if set(want) != {"contains"}:
            raise AssertionError(f"{column}: unknown matcher {want!r} (only {{contains: text}})")
        return not _blank(actual) and str(want["contains"]) in str(actual)
    if _blank(actual):
        return want is None or want == ""
    if want is None:
        return False
    if isinstance(want, bool):
        return isinstance(actual, (bool, np.bool_)) and bool(actual) == want
    if column in POINTS:
        return int(actual) == to_milli(want)
    if isinstance(want, str):
        return str(actual) == want
    return not isinstance(actual, str) and actual == want


def _show(column: str, value: Any) -> str:
    if column in POINTS and not _blank(value) and not isinstance(value, bool):
        return f"{int(value) / 1000:g} (milli {int(value)})"
    return repr(value)


def check_rows(frame: pd.DataFrame, expected: list[dict], keys: tuple[str, ...], what: str) -> None:
    records = frame.to_dict("records")
    for exp in expected:
        exp = dict(exp)
        unknown = sorted(set(exp) - set(frame.columns) - {"rows"})
        assert not unknown, f"{what}: no column {unknown} in {list(frame.columns)}"
        if "rows" in exp:
            n = exp.pop("rows")
            got = sum(all(_same(k, r[k], v) for k, v in exp.items()) for r in records)
            assert got == n, f"{what}: {got} rows match {exp}, expected {n}"
            continue
        pick = {k: v for k, v in exp.items() if k in keys}
        matches = [r for r in records if all(_same(k, r[k], v) for k, v in pick.items())]
        assert len(matches) == 1, f"{what}: {len(matches)} rows match {pick}, expected exactly 1"
        for k, v in exp.items():
            assert _same(k, matches[0][k], v), f"{what} {pick}: {k} = {_show(k, matches[0][k])}, expected {v!r}"


def check_notes(notes: tuple[str, ...], run: dict, what: str) -> None:
    for want in run.get("notes_contain") or []:
        texts = want if isinstance(want, list) else [want]
        if isinstance(want, list):
            assert any(all(t in n for t in texts) for n in notes), f"{what}: no note contains all of {texts}: {notes}"
        else:
            assert any(want in n for n in notes), f"{what}: notes lack {want!r}: {notes}"
    for text in run.get("notes_exclude") or []:
        assert not any(text in n for n in notes), f"{what}: notes should not contain {text!r}: {notes}"


def check_ledger_adds_up(result, what: str) -> None:
    """Every unit's ledger rows of a quarter add up to its score of that quarter."""
    sums: dict[tuple[str, int], int] = {}
    for r in result.ledger[["unit_id", "quarter", "points"]].itertuples(index=False):
        key = (str(r.unit_id), int(r.quarter))
        sums[key] = sums.get(key, 0) + int(r.points)
    for r in result.quarterly[["unit_id", "quarter", "score"]].itertuples(index=False):
        got = sums.get((str(r.unit_id), int(r.quarter)), 0)
        assert got == int(r.score), f"{what}: ledger of {r.unit_id} Q{r.quarter} adds up to {got}, score {r.score}"


def run_case(case: dict) -> None:
    """Score every run of a case and check its expectations; AssertionError on the first mismatch."""
    rules, data = case_rules(case), case_dataset(case)
    inputs = {name: getattr(data, name).copy(deep=True) for name in ("units", "submissions", "events", "targets")}
    for run in case["runs"]:
        year, quarter = run.get("year", case.get("year", YEAR)), run["quarter"]
        what = f"{case['name']} ({year} Q{quarter})"
        if "raises" in run:
            try:
                score(data, rules, year, quarter)
            except ScoringError as err:
                assert run["raises"] in str(err), f"{what}: stopped with {err}, expected {run['raises']!r}"
                continue
            raise AssertionError(f"{what}: the run went through, expected it to stop with {run['raises']!r}")
        result = score(data, rules, year, quarter)
        for key, attr in TABLES.items():
            check_rows(getattr(result, attr), run.get(key) or [], KEYS[attr], f"{what} {key}")
        check_notes(result.notes, run, what)
        check_ledger_adds_up(result, what)
    for name, before in inputs.items():
        pd.testing.assert_frame_equal(getattr(data, name), before, obj=f"{case['name']}: input {name}")


# ---- The cases ----------------------------------------------------------------------------------
@pytest.mark.parametrize("case", [c for _, c in CASES], ids=[i for i, _ in CASES])
def test_case(case):
    run_case(case)


# ---- The cases themselves -----------------------------------------------------------------------
def case_problems(case: Any) -> list[str]:
    """What makes a case unfit to be a specification (an empty list when nothing does)."""
    if not isinstance(case, dict):
        return [f"not a mapping: {case!r}"]
    problems = [f"unknown key {k!r}" for k in sorted(set(case) - CASE_KEYS)]
    for key in ("name", "why"):
        if not (isinstance(case.get(key), str) and case[key].strip()):
            problems.append(f"no {key}")
    clause = case.get("clause")
    if not (isinstance(clause, str) and re.search(r"[一二三四五]|附件", clause)
            and (re.search(r"\bR\d+\b", clause) or clause.startswith("五"))):
        problems.append(f"clause {clause!r} names no clause of the method and R-number")
    if case.get("rules_file") and not (ROOT / case["rules_file"]).is_file():
        problems.append(f"no rules file {case['rules_file']}")
    runs = case.get("runs")
    if not (isinstance(runs, list) and runs):
        return problems + ["no runs"]
    for i, run in enumerate(runs, 1):
        if not isinstance(run, dict):
            problems.append(f"run {i} is not a mapping")
            continue
        problems += [f"run {i}: unknown key {k!r}" for k in sorted(set(run) - RUN_KEYS)]
        if not isinstance(run.get("quarter"), int):
            problems.append(f"run {i}: no quarter")
        if not any(run.get(k) for k in EXPECTATIONS):
            problems.append(f"run {i}: no expectation")
    return problems


def test_every_case_explains_its_numbers_and_expects_something():
    assert len(CASES) >= MIN_CASES, f"only {len(CASES)} cases found under {CASES_DIR}"
    problems = [f"{cid}: {p}" for cid, case in CASES for p in case_problems(case)]
    assert not problems, "\n".join(problems)


def test_case_ids_are_unique():
    ids = [cid for cid, _ in CASES]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_a_clause_group_file_holds_only_cases_of_its_clauses():
    for cid, case in CASES:
        m = re.search(r"_R(\d+)-R(\d+)$", cid.split(": ", 1)[0])
        if not m:
            continue
        lo, hi = int(m[1]), int(m[2])
        cited = [int(n) for n in re.findall(r"\bR(\d+)\b", case["clause"])]
        assert any(lo <= n <= hi for n in cited) or (case["clause"].startswith("五") and hi >= 12), cid


# ---- The runner can fail ------------------------------------------------------------------------
# A correct in-memory case, and ways to make it wrong: the runner must pass the first and raise
# AssertionError on every one of the others. By hand: 在线访谈 常州市 = 20 (附件), no_plan −2
# (三(二)1(1)) → S = 18; the 2022 row earns nothing in 2023 and is counted in a note (R1); the
# item's informant is the register's (王敏 of Z01).
GOOD = {
    "name": "在线访谈 常州市 in February and a missing plan in March",
    "clause": "R9 三(二)1(1)",
    "why": "K = 20, D = 2 → S = 18.",
    "submissions": [
        {"record_id": "A", "unit_id": "Z01", "column": "在线访谈", "level": "常州市", "adopted_on": "2023-02-01"},
        {"record_id": "OLD", "unit_id": "Z01", "column": "在线访谈", "level": "常州市", "adopted_on": "2022-06-01"},
    ],
    "events": [{"event_id": "E", "unit_id": "Z01", "date": "2023-03-01", "type": "no_plan"}],
    "runs": [{
        "quarter": 1,
        "expect": [{"unit_id": "Z01", "quarter": 1, "key_points": 20, "deductions": 2, "score": 18,
                    "quarter_veto": False, "veto_reason": None}],
        "ledger": [{"unit_id": "Z01", "quarter": 1, "kind": "item", "ref": "A", "points": 20},
                   {"kind": "deduction", "rows": 1}],
        "earnings": [{"record_id": "A", "quarter": 1, "level": "常州市", "points": 20}],
        "informants": [{"unit_id": "Z01", "informant": "王敏", "points": 20}],
        "notes_contain": ["早于 2023 年"],
    }],
}


def _wrong(change):
    case = copy.deepcopy(GOOD)
    change(case["runs"][0])
    return case


WRONG = {
    "a wrong score": lambda r: r["expect"][0].update(score=19),
    "a wrong flag": lambda r: r["expect"][0].update(quarter_veto=True),
    "a text expected where the cell is empty": lambda r: r["expect"][0].update(veto_reason={"contains": "涉密"}),
    "a misspelt column": lambda r: r["expect"][0].update(scroe=18),
    "a row that does not exist": lambda r: r["expect"].append({"unit_id": "Z99", "quarter": 1, "score": 0}),
    "a quarter the run does not have": lambda r: r["expect"].append({"unit_id": "Z01", "quarter": 2, "score": 0}),
    "a wrong ledger figure": lambda r: r["ledger"][0].update(points=10),
    "a wrong number of rows": lambda r: r["ledger"][1].update(rows=2),
    "a row that should not be there": lambda r: r["ledger"].append({"kind": "floor", "rows": 1}),
    "a wrong earning": lambda r: r["earnings"][0].update(level="溧阳市"),
    "a wrong informant figure": lambda r: r["informants"][0].update(points=21),
    "a missing note": lambda r: r["notes_contain"].append("晚于 2023 年"),
    "two texts that are not in one note": lambda r: r["notes_contain"].append(["早于 2023 年", "昆仑街道"]),
    "a note that must not be there": lambda r: r.update(notes_exclude=["早于 2023 年"]),
    "an error that does not come": lambda r: r.update(raises="同一稿件编号"),
}


def test_the_correct_in_memory_case_passes():
    assert case_problems(GOOD) == []
    run_case(copy.deepcopy(GOOD))


@pytest.mark.parametrize("how", sorted(WRONG))
def test_the_runner_fails_on_a_wrong_expectation(how):
    with pytest.raises(AssertionError):
        run_case(_wrong(WRONG[how]))


def test_the_runner_fails_when_the_ledger_does_not_add_up():
    result = score(case_dataset(GOOD), case_rules(GOOD), YEAR, 1)
    check_ledger_adds_up(result, "as computed")
    with pytest.raises(AssertionError):
        check_ledger_adds_up(dataclasses.replace(result, ledger=result.ledger.iloc[1:]), "one row dropped")


def test_the_validator_rejects_a_case_without_why_or_expectations():
    bad = copy.deepcopy(GOOD)
    bad["why"] = " "
    bad["runs"] = [{"quarter": 1, "expcet": [{"unit_id": "Z01", "quarter": 1, "score": 18}]}]
    problems = case_problems(bad)
    assert "no why" in problems and "run 1: no expectation" in problems and "run 1: unknown key 'expcet'" in problems
