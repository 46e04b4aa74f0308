"""Errors a user can act on. Input problems are collected, never raised one by one.

An :class:`InputProblem` names the file (and sheet), the row as the user sees it (header = row 1),
the column, the value and what was expected, in Chinese, with a stable English code.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class ScoringError(Exception):
    """Base of every error this package reports to a user (never shown as a traceback)."""

    exit_code = 2


class RulesError(ScoringError):
    """The rules file (or a variant overlay) is wrong."""


@dataclass(frozen=True, order=True)
class InputProblem:
    file: str                 # file name, e.g. "submissions.csv" or "数据.xlsx"
    row: int | None           # as shown in Excel / an editor: header is row 1, first data row is 2
    column: str | None        # the header as the user wrote it (or the expected one when missing)
    value: str | None         # the offending value as text ("" for empty)
    expected: str             # what was expected, in Chinese
    code: str                 # stable English code, e.g. "unknown_unit"
    sheet: str | None = None  # workbook sheet, when the file is a workbook

    def where(self) -> str:
        parts = [self.file + (f"［工作表 {self.sheet}］" if self.sheet else "")]
        if self.row is not None:
            parts.append(f"第 {self.row} 行")
        if self.column:
            parts.append(f"列「{self.column}」")
        return "，".join(parts)

    def message(self) -> str:
        shown = self.value if self.value is None or len(self.value) <= 60 else self.value[:57] + "…"
        value = "" if self.value is None else f"，值「{shown}」"
        return f"{self.where()}{value}：{self.expected} [{self.code}]"


@dataclass
class InputError(ScoringError):
    """Every problem found in a dataset; raised once, after all of them are collected."""

    problems: list[InputProblem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.report()

    def report(self, limit: int | None = 200) -> str:
        probs = sorted(set(self.problems), key=lambda p: (p.file, p.sheet or "", p.row or 0, p.column or "", p.code))
        head = f"输入数据有 {len(probs)} 处问题，未生成任何结果。请逐条修正后重新运行："
        shown = probs if limit is None else probs[:limit]
        lines = [head] + [f"  {i}. {p.message()}" for i, p in enumerate(shown, 1)]
        if limit is not None and len(probs) > limit:
            lines.append(f"  …… 另有 {len(probs) - limit} 处问题未列出")
        return "\n".join(lines)
