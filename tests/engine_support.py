"""Helpers for the engine tests: a small register, record builders, and a one-call run."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from scoring.inputs.rules_file import load_rules
from scoring.method import rules as rules_mod
from scoring.inputs.dataset import make_dataset
from scoring.method.engine import score
from scoring.method.points import to_milli

YEAR = 2023

UNITS = [
    {"unit_id": "Z01", "unit_name": "昆仑街道", "category": "镇区街道", "informant": "王敏"},
    {"unit_id": "Z02", "unit_name": "溧城街道", "category": "镇区街道", "informant": "陈静"},
    {"unit_id": "Z03", "unit_name": "天目湖镇", "category": "镇区街道", "informant": ""},
    {"unit_id": "Z04", "unit_name": "南渡镇", "category": "镇区街道", "informant": ""},
    {"unit_id": "D01", "unit_name": "市公安局", "category": "市级机关部门", "informant": "刘洋"},
    {"unit_id": "D02", "unit_name": "市司法局", "category": "市级机关部门", "informant": ""},
    {"unit_id": "Q01", "unit_name": "团市委", "category": "群团", "informant": ""},
    {"unit_id": "Q02", "unit_name": "市妇联", "category": "群团", "informant": ""},
    {"unit_id": "Q03", "unit_name": "市总工会", "category": "群团", "informant": ""},
    {"unit_id": "Q04", "unit_name": "市科协", "category": "群团", "informant": ""},
]


def m(points: float | str) -> int:
    """Points → milli-points, for expected values written as the clause gives them."""
    return to_milli(points)


def item(record_id: str, unit_id: str, column: str, level: str, adopted_on: str, **extra: Any) -> dict:
    return {"record_id": record_id, "unit_id": unit_id, "column": column, "level": level,
            "adopted_on": adopted_on, **extra}


def event(event_id: str, unit_id: str, date: str, type_: str, count: int = 1, note: str = "") -> dict:
    return {"event_id": event_id, "unit_id": unit_id, "date": date, "type": type_, "count": count, "note": note}


def items(prefix: str, unit_id: str, column: str, level: str, adopted_on: str, n: int, **extra: Any) -> list[dict]:
    return [item(f"{prefix}{i:03d}", unit_id, column, level, adopted_on, **extra) for i in range(n)]


def dataset(submissions: Iterable[dict] = (), events: Iterable[dict] = (), targets: Iterable[dict] = (),
            units: Iterable[dict] = UNITS):
    return make_dataset(units=list(units), submissions=list(submissions), events=list(events),
                        targets=list(targets))


def run(submissions: Iterable[dict] = (), events: Iterable[dict] = (), targets: Iterable[dict] = (),
        quarter: int = 4, rules=None, units: Iterable[dict] = UNITS, **kw: Any):
    rules = rules or load_rules()
    return score(dataset(submissions, events, targets, units), rules, YEAR, quarter, **kw)


def row(result, unit_id: str, quarter: int):
    return result.unit_quarter(unit_id, quarter)


def variant(overlay: dict, name: str = "测试变体"):
    return rules_mod.derive(load_rules(), overlay, name=name)
