"""YAML as the project reads it (rules files, variant overlays, a quarter's params file): PyYAML's
safe loader, stricter in three ways.

- A key written twice in one mapping is an error (PyYAML keeps the last silently).
- At most MAX_CHARS characters (PyYAML reads some hundred kilobytes a second).
- At most MAX_ALIASES alias uses (``*name``) and nothing built from aliases bigger than
  MAX_NODES nodes: a kilobyte of nested aliases ("billion laughs") would otherwise expand to
  gigabytes once the loaded data is walked.
- Tags beyond the plain ones are refused (the safe loader does that already).

:class:`YamlProblem` says where (line, and the key when there is one) in Chinese; the caller names
the file and turns it into its own error (RulesError, ScoringError): exit 2.
"""
from __future__ import annotations

from typing import Any

import yaml

MAX_CHARS = 1 << 20      # a rules file is some 30 KB, a params file a few hundred bytes
MAX_ALIASES = 100        # a hand-written rules or params file uses none
MAX_NODES = 100_000      # nodes of the loaded data, with aliases counted each time they are used


class YamlProblem(ValueError):
    """Why a YAML text is refused, in Chinese, with its line (and key)."""


class _StrictLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.aliases = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_ALIASES:
                mark = self.peek_event().start_mark
                raise YamlProblem(f"第 {mark.line + 1} 行：别名（*…）用了 {MAX_ALIASES} 次以上；规则文件和参数文件不需要别名，"
                                  f"请把内容直接写出")
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):  # type: ignore[override]
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                hash(key)
            except TypeError:
                continue                      # PyYAML itself reports an unhashable key
            if key in seen:
                raise YamlProblem(f"第 {key_node.start_mark.line + 1} 行：键「{key}」重复（第 {seen[key]} 行已有）；"
                                  f"同一层中每个键只能写一次，请删去或合并其中一个")
            seen[key] = key_node.start_mark.line + 1
        return super().construct_mapping(node, deep=deep)


def _size(node: yaml.Node, limit: int) -> int:
    """Nodes of the composed document, an aliased node counted at each use (stops past ``limit``)."""
    count, stack = 0, [node]
    while stack:
        n = stack.pop()
        count += 1
        if count > limit:
            return count
        if isinstance(n, yaml.SequenceNode):
            stack.extend(n.value)
        elif isinstance(n, yaml.MappingNode):
            for k, v in n.value:
                stack.extend((k, v))
    return count


def load_yaml(text: str) -> Any:
    """The data of one YAML document; YamlProblem (Chinese, with the line) when it is refused."""
    if len(text) > MAX_CHARS:                 # PyYAML would take minutes over megabytes
        raise YamlProblem(f"文件有 {len(text):,} 个字符，远大于规则文件或参数文件应有的大小（上限 {MAX_CHARS:,}）；请检查是否选错了文件")
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if _size(node, MAX_NODES) > MAX_NODES:
            raise YamlProblem(f"内容展开后超过 {MAX_NODES:,} 项（多半是层层嵌套的别名 *…）；请把内容直接写出")
        return loader.construct_document(node)
    except yaml.YAMLError as err:
        raise YamlProblem(f"不是合法的 YAML：{err}") from None
    except RecursionError:
        raise YamlProblem("嵌套层次过深，不是合法的规则或参数文件") from None
    finally:
        loader.dispose()
