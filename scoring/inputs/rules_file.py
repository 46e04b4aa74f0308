"""Rules files → Rules: the default rules file, a year's rules file, a variant overlay (``base:``
naming the file it changes), and the folder of variants for what-if analysis. The reading and the
overlay's file references live here; checking and merging are scoring.method.rules' (pure)."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable, Mapping

from scoring.errors import RulesError
from scoring.inputs.yaml_file import YamlProblem, load_yaml
from scoring.method.rules import Rules, derive, from_dict

ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_RULES = ROOT / "params" / "rules" / "liyang-2023-draft.yaml"
VARIANTS_DIR = ROOT / "params" / "variants"


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RulesError(f"找不到规则文件：{path}") from None
    except UnicodeDecodeError:
        raise RulesError(f"规则文件 {path} 不是 UTF-8 编码") from None
    try:
        data = load_yaml(text)
    except YamlProblem as err:
        raise RulesError(f"规则文件 {path} 有误：{err}") from None
    if not isinstance(data, dict):
        raise RulesError(f"规则文件 {path} 的顶层须为映射（键: 值）")
    return data


MAX_BASES = 10          # an overlay of an overlay of … the rules file: deeper is a mistake


def load_rules(path: str | Path | None = None, _via: tuple[Path, ...] = ()) -> Rules:
    """Load a rules file, or an overlay file naming its ``base:`` (see params/variants/)."""
    path = Path(path) if path is not None else DEFAULT_RULES
    data = _read_yaml(path)
    if "base" in data:
        if not isinstance(data["base"], str) or not data["base"].strip():
            raise RulesError(f"规则文件 {path} 的键 base 须为基础规则文件的路径（文字），实际为「{data['base']}」")
        base_path = (path.parent / data["base"]).resolve()
        chain = (*_via, path.resolve())
        if base_path in chain:
            loop = " → ".join(str(p) for p in (*chain[chain.index(base_path):], base_path))
            raise RulesError(f"规则文件 {path} 的键 base 构成循环（{loop}）；base 须指向不含 base 的基础规则文件")
        if len(chain) > MAX_BASES:
            raise RulesError(f"规则文件 {path} 的键 base 层层嵌套超过 {MAX_BASES} 层；base 须指向基础规则文件")
        return derive(load_rules(base_path, chain), _overlay_body(data), name=str(data.get("name", path.stem)),
                      description=str(data.get("description", "")))
    return from_dict(data, source=str(path))


def _overlay_body(data: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k not in ("base", "name", "description")}


def variant_files(path: str | Path | Iterable[str | Path] | None = None) -> list[Path]:
    """The overlay files to compare: a folder → its ``*.yaml`` sorted by name; files as given."""
    if path is not None and not isinstance(path, (str, Path)):
        path = [Path(p) for p in path] or None
    if path is None:
        path = VARIANTS_DIR
    if isinstance(path, (str, Path)):
        p = Path(path)
        if p.is_dir():
            found = sorted(p.glob("*.yaml"))
            if not found:
                raise RulesError(f"变体目录 {p} 中没有 .yaml 变体文件")
            return found
        if not p.exists():
            raise RulesError(f"找不到变体文件或目录：{p}")
        return [p]
    return path


def load_variants(path: str | Path | Iterable[str | Path] | None = None, *, base: Rules | None = None) -> list[Rules]:
    """Load overlay files (each with ``base:``, ``name:``, ``description:``) into derived Rules.
    ``base``: lay each overlay over these rules instead of the file its ``base:`` names (the
    what-if command's ``--rules``)."""
    out = []
    for f in variant_files(path):
        data = _read_yaml(f) if base is not None else {}
        if base is not None and "base" not in data:
            raise RulesError(f"{f} 不是变体文件：须有 base: 指向基础规则文件")
        try:
            r = (derive(base, _overlay_body(data), name=data.get("name", f.stem), description=data.get("description", ""))
                 if base is not None else load_rules(f))
        except RulesError as err:
            # derive() reports under the base file's name; say which overlay is wrong.
            raise RulesError(f"变体文件 {f} 有误（合并到基础规则后检查）：\n{err}") from None
        if not r.variant:
            raise RulesError(f"{f} 不是变体文件：须有 base: 指向基础规则文件")
        out.append(r)
    return out
