"""YAML as the project reads it (rules files, variant overlays, a quarter's params file): PyYAML's
safe loader, stricter in three ways.

- A key written twice in one mapping is an error (PyYAML keeps the last silently).
- At most MAX_CHARS characters (a rules file is some 30 KB).
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


# libyaml's parser and composer where PyYAML has them (its wheels do): some ten times faster than the
# pure-Python ones, which stay the fallback, as PyYAML's documentation advises.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _StrictLoader(_SafeLoader):
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


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return node.value
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    return []


def _size(node: yaml.Node, limit: int) -> int:
    """Nodes of the composed document, an aliased node counted at each use (stops past ``limit``)."""
    count, stack = 0, [node]
    while stack:
        n = stack.pop()
        count += 1
        if count > limit:
            return count
        stack.extend(_children(n))
    return count


def _over_aliased(root: yaml.Node, limit: int) -> yaml.Node | None:
    """The node whose use (``*name``) is the one past ``limit`` alias uses, or None. An alias is a
    second reference to a node already composed: each node is looked into once."""
    seen, stack, uses = {id(root)}, [root], 0
    while stack:
        for child in _children(stack.pop()):
            if id(child) in seen:
                uses += 1
                if uses > limit:
                    return child
            else:
                seen.add(id(child))
                stack.append(child)
    return None


def load_yaml(text: str) -> Any:
    """The data of one YAML document; YamlProblem (Chinese, with the line) when it is refused."""
    if len(text) > MAX_CHARS:                 # PyYAML would take minutes over megabytes
        raise YamlProblem(f"文件有 {len(text):,} 个字符，远大于规则文件或参数文件应有的大小（上限 {MAX_CHARS:,}）；请检查是否选错了文件")
    loader = _StrictLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        if (aliased := _over_aliased(node, MAX_ALIASES)) is not None:
            raise YamlProblem(f"别名（*…）用了 {MAX_ALIASES} 次以上（第 {aliased.start_mark.line + 1} 行的锚点 &… 被反复引用）；"
                              f"规则文件和参数文件不需要别名，请把内容直接写出")
        if _size(node, MAX_NODES) > MAX_NODES:
            raise YamlProblem(f"内容展开后超过 {MAX_NODES:,} 项（多半是层层嵌套的别名 *…）；请把内容直接写出")
        return loader.construct_document(node)
    except yaml.YAMLError as err:
        raise YamlProblem(f"不是合法的 YAML：{err}") from None
    except RecursionError:
        raise YamlProblem("嵌套层次过深，不是合法的规则或参数文件") from None
    finally:
        loader.dispose()
