"""Table-driven stories across quarters: tests/scenarios/*.yaml (numbers worked out in each file's ``why``).

A scenario gives the records, an optional rules overlay, and for each run (a quarter) the expected
rows of ``quarterly``, ``annual``, ``targets`` and ``ledger`` (point figures as the method writes
them, e.g. 12.5), and texts that the notes must or must not contain.
"""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from engine_support import UNITS, dataset, m

from scoring.method import rules as rules_mod
from scoring.method.engine import score

SCENARIOS = sorted((Path(__file__).parent / "scenarios").glob("*.yaml"))
POINTS = {"key_points", "info_points", "carry_in", "bonus", "gross", "carry_out", "deductions", "reward", "score",
          "ytd_total", "total", "points", "ytd_points", "info_capped", "base_points"}


def _records(rows):
    return [{k: (str(v) if k in ("adopted_on", "date", "submitted_on", "due_on") else v) for k, v in r.items()}
            for r in rows or []]


def _check(frame, expected, keys, what):
    for exp in expected or []:
        sel = frame
        for k in keys:
            if k in exp:
                sel = sel[sel[k].astype(str) == str(exp[k])]
        assert len(sel) >= 1, f"{what}: no row for {exp}"
        got = sel.iloc[0]
        for k, v in exp.items():
            want = v if isinstance(v, bool) else (m(v) if k in POINTS else v)
            actual = got[k]
            actual = bool(actual) if isinstance(v, bool) else (int(actual) if k in POINTS else actual)
            assert actual == want, f"{what} {exp}: {k} = {actual!r}, expected {want!r}"


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(path):
    sc = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = rules_mod.load()
    if sc.get("rules_overlay"):
        rules = rules_mod.derive(rules, sc["rules_overlay"], name=sc["name"])
    data = dataset(_records(sc.get("submissions")), _records(sc.get("events")), sc.get("targets") or [],
                   sc.get("units") or UNITS)
    for r in sc["runs"]:
        res = score(data, rules, sc.get("year", 2023), r["quarter"])
        what = f"{sc['name']} (Q{r['quarter']})"
        _check(res.quarterly, r.get("expect"), ("unit_id", "quarter"), what)
        _check(res.annual, r.get("annual"), ("unit_id",), what)
        _check(res.targets, r.get("targets"), ("unit_id", "column"), what)
        _check(res.ledger, r.get("ledger"), ("unit_id", "quarter", "kind", "ref"), what)
        notes = "\n".join(res.notes)
        for text in r.get("notes_contain", []):
            assert text in notes, f"{what}: notes lack {text!r}: {notes}"
        for text in r.get("notes_exclude", []):
            assert text not in notes, f"{what}: notes should not contain {text!r}: {notes}"


def test_every_scenario_explains_its_numbers():
    assert len(SCENARIOS) >= 5
    for p in SCENARIOS:
        sc = yaml.safe_load(p.read_text(encoding="utf-8"))
        assert sc.get("why") and sc.get("runs"), p.name
