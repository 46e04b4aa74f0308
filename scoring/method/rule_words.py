"""A variant's changes in words: what a rules variant changes against its base, each in a sentence
a leader reads (「要闻动态每季度封顶由10分改为15分」「取消要闻动态封顶」), never a rules-file key or a
value's repr. ``rules.derive`` records them (``Rules.change_words``); the what-if, the explorer and
a bulletin scored under a variant show them.

Pure, and reads the two Rules by their attributes only (no import of scoring.method.rules, which
imports this module).
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from scoring.method import points
from scoring.method.calendar import quarter_zh

# The sections of a rules file, for a change no sentence below covers (never a dotted key).
SECTION_ZH = {
    "meta": "规则文件说明", "caps": "封顶分值", "categories": "单位类别", "levels": "录用级别",
    "groups": "栏目分组", "columns": "栏目分值", "column_caps": "栏目封顶", "upgrades": "升级录用计分",
    "late": "超时计分", "carry_over": "满分结转", "deductions": "扣分方式", "events": "扣分事项",
    "targets": "年度目标任务", "reward": "奖励分值", "annual": "年度考评",
}
VETO_ZH = {"quarter": "本季度得分归零", "year": "本年度得分归零"}
ORDER_ZH = {"after_cap": "季度封顶之后扣减", "before_cap": "季度封顶之前扣减"}


def _pts(value: Any) -> str:
    return "—" if value is None else points.fmt(points.to_milli(value))


def _percent(factor: Any) -> str:
    return format((Decimal(str(factor)) * 100).normalize(), "f") + "%"


def _caps_words(b: Any, v: Any) -> list[str]:
    out = []
    if b.caps.quarter.value != v.caps.quarter.value:
        out.append(f"季度封顶由{_pts(b.caps.quarter.value)}分改为{_pts(v.caps.quarter.value)}分")
    if b.caps.year.value != v.caps.year.value:
        out.append(f"全年封顶由{_pts(b.caps.year.value)}分改为{_pts(v.caps.year.value)}分")
    return out


def _column_cap_words(b: Any, v: Any) -> list[str]:
    before = {(c.column, c.level): c for c in b.column_caps}
    after = {(c.column, c.level): c for c in v.column_caps}
    cols_before = [c.column for c in b.column_caps]
    cols_after = [c.column for c in v.column_caps]

    def name(column: str, level: str, among: list[str]) -> str:
        # The level only when the column has caps at several levels.
        return f"{column}（{level}录用）" if among.count(column) > 1 else column

    out = []
    for key, cap in before.items():
        if key not in after:
            out.append(f"取消{name(*key, cols_before)}封顶")
        elif after[key].value != cap.value:
            out.append(f"{name(*key, cols_before)}每季度封顶由{_pts(cap.value)}分改为{_pts(after[key].value)}分")
    for key, cap in after.items():
        if key not in before:
            out.append(f"{name(*key, cols_after)}新设每季度{_pts(cap.value)}分封顶")
    return out


def _column_words(b: Any, v: Any) -> list[str]:
    out = []
    after = {c.key: c for c in v.columns}
    for c in b.columns:
        other = after.get(c.key)
        if other is None:
            out.append(f"取消栏目{c.key}")
            continue
        for level, p in c.points.items():
            q = other.points.get(level)
            if p != q:
                out.append(f"{c.key}（{level}录用）每{c.unit}由{_pts(p)}分改为{_pts(q)}分")
    return out


def _category_words(b: Any, v: Any) -> list[str]:
    after = {c.key: c for c in v.categories}
    return [f"{c.name}优胜单位名额由{c.winners}个改为{after[c.key].winners}个"
            for c in b.categories if c.key in after and after[c.key].winners != c.winners]


def _event_words(b: Any, v: Any) -> list[str]:
    def what(e) -> str:
        return f"扣{_pts(e.penalty)}分" if e.penalty is not None else VETO_ZH.get(e.veto or "", "")

    out = []
    for k, e in b.events.items():
        other = v.events.get(k)
        if other is not None and what(e) != what(other):
            out.append(f"{e.name}由{what(e)}改为{what(other)}" if e.penalty is None or other.penalty is None
                       else f"{e.name}每起扣分由{_pts(e.penalty)}分改为{_pts(other.penalty)}分")
    return out


def _reward_words(b: Any, v: Any) -> list[str]:
    br, vr = b.reward, v.reward
    out = []
    if br.score != vr.score:
        out.append(f"奖励分值由{_pts(br.score)}分改为{_pts(vr.score)}分")
    if br.quarter != vr.quarter:
        out.append(f"奖励由{quarter_zh(br.quarter)}改为{quarter_zh(vr.quarter)}计入")
    if br.min_solicited_adoptions != vr.min_solicited_adoptions:
        out.append(f"第四季度奖励的省级约稿录用门槛由{br.min_solicited_adoptions}次改为{vr.min_solicited_adoptions}次")
    if br.level != vr.level:
        out.append(f"奖励所需约稿录用级别由{br.level}改为{vr.level}")
    if br.solicited_default != vr.solicited_default:
        yes = lambda flag: "按约稿计" if flag else "不按约稿计"
        out.append(f"未填是否约稿的记录由{yes(br.solicited_default)}改为{yes(vr.solicited_default)}")
    return out


def _section_words(section: str, b: Any, v: Any) -> list[str]:
    if section == "caps":
        return _caps_words(b, v)
    if section == "column_caps":
        return _column_cap_words(b, v)
    if section == "columns":
        return _column_words(b, v)
    if section == "categories":
        return _category_words(b, v)
    if section == "events":
        return _event_words(b, v)
    if section == "reward":
        return _reward_words(b, v)
    if section == "late" and b.late.factor != v.late.factor:
        return [f"超时内容由按原分值的{_percent(b.late.factor)}计分改为按{_percent(v.late.factor)}计分"]
    if section == "carry_over" and b.carry_over.enabled != v.carry_over.enabled:
        return ["取消满分后重点栏目得分结转下季度" if b.carry_over.enabled else "满分后重点栏目得分可结转下季度"]
    if section == "deductions" and b.deductions.order != v.deductions.order:
        return [f"扣分由{ORDER_ZH[b.deductions.order]}改为{ORDER_ZH[v.deductions.order]}"]
    if section == "targets":
        out = []
        if b.targets.unmet_is_annual_veto != v.targets.unmet_is_annual_veto:
            out.append("取消未完成年度目标任务的一票否决" if b.targets.unmet_is_annual_veto
                       else "未完成年度目标任务的，本年度得分归零")
        if b.targets.lag_flag != v.targets.lag_flag:
            out.append("不再标注年度目标进度滞后" if b.targets.lag_flag else "标注年度目标进度滞后")
        return out
    if section == "annual" and b.annual.informants != v.annual.informants:
        return [f"优秀信息员名额由{b.annual.informants}名改为{v.annual.informants}名"]
    return []


def describe_changes(base: Any, variant: Any) -> tuple[str, ...]:
    """Every rule ``variant`` changes against ``base``, each in a sentence a leader reads
    (「要闻动态每季度封顶由10分改为15分」「取消要闻动态封顶」), in the rules file's order. A change
    no sentence covers is named by its section (「扣分事项有改动」), never by a key or a value's repr."""
    out: list[str] = []
    for section in SECTION_ZH:
        b, v = getattr(base, section), getattr(variant, section)
        if b == v:
            continue
        words = _section_words(section, base, variant)
        out.extend(words or [f"{SECTION_ZH[section]}有改动"])
    return tuple(dict.fromkeys(out))
