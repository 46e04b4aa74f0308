"""The method as data: a rules file loads into a typed, immutable ``Rules`` object.

Every number of the method lives in ``params/rules/*.yaml`` with the
clause it comes from; nothing here knows the numbers. Variants for what-if analysis are the base
file plus a small overlay (see :func:`derive`), recorded with what they changed.
"""
from __future__ import annotations

import copy
import json
import math
import datetime as _dt
from decimal import Decimal
from typing import Annotated, Any, Iterator, Literal, Mapping

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from scoring.errors import RulesError
from scoring.method.points import to_milli
from scoring.method.rule_words import describe_changes



class _Strict(BaseModel):
    # Unknown keys and wrong types are errors; loaded rules never change.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


MAX_POINTS = 1000        # every point, cap and penalty: beyond this a rules file is mistyped (and sums stay exact)
MAX_COUNT = 1000         # winners, informants, adoptions


def _plausible_points(v: float | int) -> float | int:
    if not math.isfinite(v) or abs(v) > MAX_POINTS:
        raise ValueError(f"分值须为 0 至 {MAX_POINTS} 之间的数，实际为 {v}")
    return v


# A number of points as a rules file writes it: finite, at most MAX_POINTS.
Points = Annotated[float | int, AfterValidator(_plausible_points)]


def _method_words(v: str) -> str:
    if not v.strip():
        raise ValueError("须写明该条款在办法中的原文，不能为空")
    return v


# Beside every ``clause``: the method's own words for it (docs/method/method-2023-draft.zh-CN.txt).
ClauseText = Annotated[str, AfterValidator(_method_words)]


class Meta(_Strict):
    id: str
    title: str
    subject: str        # the bulletin's title stem: {subject}2023年第三季度通报
    topic: str          # what units are reported on: 各单位{topic}情况, {topic}得分明细单
    status: str = ""
    issuer: str
    version: str
    effective_from: str
    years: tuple[Annotated[int, Field(ge=2000, le=2100)], ...]

    @field_validator("effective_from")
    @classmethod
    def _iso_date(cls, v: str) -> str:
        _dt.date.fromisoformat(v)
        return v


class Cap(_Strict):
    value: Points = Field(ge=0)
    clause: str
    text: ClauseText


class Caps(_Strict):
    quarter: Cap
    year: Cap


class Category(_Strict):
    key: str
    name: str
    aliases: tuple[str, ...] = ()
    winners: int = Field(ge=0, le=MAX_COUNT)


class Level(_Strict):
    key: str
    aliases: tuple[str, ...] = ()


class Group(_Strict):
    name: str
    clause: str
    text: ClauseText


class Column(_Strict):
    key: str
    group: Literal["key", "info"]
    unit: str
    aliases: tuple[str, ...] = ()
    points: dict[str, Points | None]
    clause: str
    text: ClauseText

    @field_validator("points")
    @classmethod
    def _non_negative(cls, v: dict[str, Points | None]) -> dict[str, Points | None]:
        for level, p in v.items():
            if p is not None and p < 0:
                raise ValueError(f"{level} 的分值不能为负数：{p}")
        return v


class ColumnCap(_Strict):
    column: str
    level: str
    value: Points = Field(ge=0)
    clause: str
    text: ClauseText


class Upgrades(_Strict):
    clause: str
    text: ClauseText
    reading: Literal["difference"] = "difference"


class Late(_Strict):
    factor: Points = Field(ge=0, le=1)
    clause: str
    text: ClauseText


class CarryOver(_Strict):
    enabled: bool
    source: Literal["key"] = "key"
    across_years: Literal[False] = False
    clause: str
    text: ClauseText


class Deductions(_Strict):
    order: Literal["after_cap", "before_cap"]
    clause: str
    text: ClauseText


class Event(_Strict):
    name: str
    aliases: tuple[str, ...] = ()
    penalty: Points | None = Field(default=None, ge=0)
    veto: Literal["quarter", "year"] | None = None
    clause: str
    text: ClauseText

    @model_validator(mode="after")
    def _penalty_or_veto(self) -> "Event":
        if (self.penalty is None) == (self.veto is None):
            raise ValueError("每类事项须且仅须给出 penalty（扣分）或 veto（一票否决）之一")
        return self


class Targets(_Strict):
    unmet_is_annual_veto: bool
    lag_flag: bool = True
    clause: str
    text: ClauseText


class Reward(_Strict):
    score: Points = Field(ge=0)
    quarter: int = Field(ge=1, le=4)
    min_solicited_adoptions: int = Field(ge=0, le=MAX_COUNT)
    level: str
    solicited_default: bool
    clause: str
    text: ClauseText


class Annual(_Strict):
    informants: int = Field(ge=0, le=MAX_COUNT)
    clause: str
    text: ClauseText


class Rules(_Strict):
    """The whole method. Use the helpers below rather than walking the lists."""

    meta: Meta
    caps: Caps
    categories: tuple[Category, ...]
    levels: tuple[Level, ...]
    groups: dict[Literal["key", "info"], Group]
    columns: tuple[Column, ...]
    column_caps: tuple[ColumnCap, ...] = ()
    upgrades: Upgrades
    late: Late
    carry_over: CarryOver
    deductions: Deductions
    events: dict[str, Event]
    targets: Targets
    reward: Reward
    annual: Annual
    # Set by load()/derive(), not by the file.
    source: str = ""
    variant: str = ""
    description: str = ""
    changes: tuple[str, ...] = ()           # what derive() changed, as keys and values (for developers)
    change_words: tuple[str, ...] = ()      # the same in words, for documents (scoring.method.rule_words)

    @model_validator(mode="after")
    def _consistent(self) -> "Rules":
        problems: list[str] = []
        level_keys = [lv.key for lv in self.levels]
        col_keys = [c.key for c in self.columns]
        for what, keys in (("单位类别", [c.key for c in self.categories]), ("录用级别", level_keys), ("栏目", col_keys)):
            if len(set(keys)) != len(keys):
                problems.append(f"{what}重复：{keys}")
        for c in self.columns:
            if set(c.points) != set(level_keys):
                problems.append(f"栏目「{c.key}」的分值须覆盖全部级别 {level_keys}，实际为 {list(c.points)}")
            if c.points.get(level_keys[0]) is None:
                problems.append(f"栏目「{c.key}」最低级别「{level_keys[0]}」须有分值")
        for cap in self.column_caps:
            if cap.column not in col_keys:
                problems.append(f"column_caps 中的栏目「{cap.column}」不在 columns 中")
                continue
            if cap.level not in level_keys:
                problems.append(f"column_caps 中的级别「{cap.level}」不在 levels 中")
                continue
            item = self.column(cap.column).points.get(cap.level)
            if item is not None and cap.value < item:
                problems.append(f"栏目「{cap.column}」的封顶 {cap.value} 低于单条分值 {item}")
        for name, cap in (("quarter", self.caps.quarter), ("year", self.caps.year)):
            if cap.value <= 0:
                problems.append(f"caps.{name} 须大于 0")
        if self.reward.level not in level_keys:
            problems.append(f"reward.level「{self.reward.level}」不在 levels 中")
        if self.reward.score > self.caps.quarter.value:
            problems.append(f"奖励分值 {self.reward.score} 高于季度封顶 {self.caps.quarter.value}")
        if self.caps.year.value < self.caps.quarter.value:
            problems.append("全年封顶不能低于季度封顶")
        if not any(e.veto == "quarter" for e in self.events.values()):
            problems.append("events 中须有一类 veto: quarter 事项")
        if not any(e.veto == "year" for e in self.events.values()):
            problems.append("events 中须有一类 veto: year 事项")
        # Every alias must point at exactly one thing.
        for what, items in (("栏目", [(c.key, c.aliases) for c in self.columns]),
                            ("级别", [(lv.key, lv.aliases) for lv in self.levels]),
                            ("单位类别", [(c.key, c.aliases + (c.name,)) for c in self.categories]),
                            ("事项类型", [(k, e.aliases + (e.name,)) for k, e in self.events.items()])):
            seen: dict[str, str] = {}
            for key, aliases in items:
                for a in (key,) + tuple(aliases):
                    if a in seen and seen[a] != key:
                        problems.append(f"{what}别名「{a}」同时指向「{seen[a]}」和「{key}」")
                    seen[a] = key
        if problems:
            raise ValueError("；".join(problems))
        return self

    # ---- lookups -------------------------------------------------------------------------------
    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def level_keys(self) -> tuple[str, ...]:
        return tuple(lv.key for lv in self.levels)

    @property
    def column_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.columns)

    @property
    def category_keys(self) -> tuple[str, ...]:
        return tuple(c.key for c in self.categories)

    def level_rank(self, key: str) -> int:
        return self.level_keys.index(key)

    def points_table_milli(self) -> dict[tuple[str, str], int]:
        """附件 as integer thousandths, with R3 applied: "—" takes the highest lower level's value."""
        table: dict[tuple[str, str], int] = {}
        for c in self.columns:
            last = 0
            for lv in self.level_keys:
                p = c.points.get(lv)
                if p is not None:
                    last = to_milli(p)
                table[(c.key, lv)] = last
        return table

    def alias_map(self, kind: Literal["column", "level", "category", "event"]) -> dict[str, str]:
        """Every accepted spelling (key, Chinese name, alias) → canonical key."""
        if kind == "column":
            items = [(c.key, c.aliases) for c in self.columns]
        elif kind == "level":
            items = [(lv.key, lv.aliases) for lv in self.levels]
        elif kind == "category":
            items = [(c.key, (c.name,) + c.aliases) for c in self.categories]
        else:
            items = [(k, (e.name,) + e.aliases) for k, e in self.events.items()]
        out: dict[str, str] = {}
        for key, aliases in items:
            for a in (key,) + tuple(aliases):
                out[a] = key
        return out

    @property
    def penalties_milli(self) -> dict[str, int]:
        return {k: to_milli(e.penalty) for k, e in self.events.items() if e.penalty is not None}

    @property
    def veto_codes(self) -> dict[str, str]:
        """event code → 'quarter' | 'year'."""
        return {k: e.veto for k, e in self.events.items() if e.veto is not None}

    def covers_year(self, year: int) -> bool:
        return year in self.meta.years

    def clause_text(self, clause_id: str) -> str:
        """The method's own words for a clause id such as "三(一)1" or "附件 序号8": the distinct
        ``text`` of every entry citing it, in file order, joined as they stand (a text contained in
        another is left out). KeyError when no entry cites the clause."""
        texts = list(dict.fromkeys(t for c, t in _cited(self) if c == clause_id))
        if not texts:
            raise KeyError(clause_id)
        return "".join(t for t in texts if not any(t != o and t in o for o in texts))


def _cited(obj: Any) -> Iterator[tuple[str, str]]:
    """(clause, text) of every entry under ``obj`` that cites a clause, in the file's order."""
    if isinstance(obj, BaseModel):
        fields = type(obj).model_fields
        if "clause" in fields:
            yield obj.clause, obj.text  # type: ignore[attr-defined]
        for name in fields:
            yield from _cited(getattr(obj, name))
    elif isinstance(obj, dict):
        for v in obj.values():
            yield from _cited(v)
    elif isinstance(obj, tuple):
        for v in obj:
            yield from _cited(v)


# ---- loading ------------------------------------------------------------------------------------
def _format_validation_error(err: ValidationError, source: str) -> str:
    lines = [f"规则文件 {source} 有误："]
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(顶层)"
        typ = e["type"]
        if typ == "extra_forbidden":
            msg = "未知的键（拼写错误？）"
        elif typ == "missing":
            msg = "缺少必填的键"
        else:
            msg = e["msg"].removeprefix("Value error, ")
        lines.append(f"  - {loc}：{msg}（值：{e.get('input')!r}）[{typ}]")
    return "\n".join(lines)


def from_dict(data: Mapping[str, Any], source: str = "<dict>", **extra: Any) -> Rules:
    """Validate a plain mapping (as read from YAML) into Rules; raises RulesError in Chinese."""
    try:
        # JSON mode keeps strict typing ("25" is not 25) while YAML lists become tuples.
        payload = json.dumps({**data, "source": source, **extra}, ensure_ascii=False, default=str)
        return Rules.model_validate_json(payload)
    except ValidationError as err:
        raise RulesError(_format_validation_error(err, source)) from None


def _merge(base: Any, over: Any, path: str, changes: list[str]) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v, f"{path}.{k}" if path else str(k), changes) if k in base else v
            if k not in base:
                changes.append(f"{path}.{k}: (新增) → {v!r}" if path else f"{k}: (新增) → {v!r}")
        return out
    if isinstance(base, list) and isinstance(over, dict):
        # Lists of keyed records (columns, categories, levels) are overlaid by key.
        keyed = {item.get("key", item.get("column")): item for item in base if isinstance(item, dict)}
        unknown = [k for k in over if k not in keyed]
        if unknown:
            raise RulesError(f"变体修改了不存在的条目 {path}.{unknown[0]}")
        return [_merge(item, over[item.get("key", item.get("column"))], f"{path}.{item.get('key', item.get('column'))}", changes)
                if item.get("key", item.get("column")) in over else item for item in base]
    if base != over:
        changes.append(f"{path}: {base!r} → {over!r}")
    return over


def derive(base: Rules, overlay: Mapping[str, Any], name: str, description: str = "") -> Rules:
    """A variant: ``base`` with ``overlay`` merged in (dicts by key, keyed lists by their key).

    >>> v = derive(load(), {"late": {"factor": 0.7}}, name="迟报七折")   # doctest: +SKIP
    >>> v.changes                                                         # doctest: +SKIP
    ('late.factor: 0.5 → 0.7',)
    """
    data = base.model_dump(mode="python", exclude={"source", "variant", "description", "changes", "change_words"})
    data = _to_plain(data)
    changes: list[str] = []
    merged = _merge(data, copy.deepcopy(dict(overlay)), "", changes)
    derived = from_dict(merged, source=base.source, variant=name, description=description,
                        changes=tuple(list(base.changes) + changes))
    words = tuple(dict.fromkeys(list(base.change_words) + list(describe_changes(base, derived))))
    return derived.model_copy(update={"change_words": words})


def _to_plain(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _to_plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_to_plain(v) for v in obj]
    if isinstance(obj, Decimal):
        return float(obj)
    return obj
