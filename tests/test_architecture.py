"""The house rules a successor relies on, checked on every test run: the layers import only
downward (import-linter contracts in pyproject.toml), no module imports inside its functions, no
speed tricks, and at most six modules at the top of the package."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "scoring"
LAYERS = ("method", "inputs", "report", "render", "run")
TRICKS = re.compile(r"\bctypes\b|\bcffi\b|mallopt|gc\.freeze|gc\.disable|sys\.modules\s*\[[^]]+\]\s*=|"
                    r"sys\.modules\.setdefault|os\.fork\b|threading\.Thread\b")


def _modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_the_import_linter_contracts_in_pyproject_are_kept():
    lint = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint), "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Layers" in done.stdout and "0 broken" in done.stdout


def test_the_package_is_five_layers_and_at_most_six_modules_at_the_top():
    subpackages = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    assert subpackages == sorted(LAYERS)
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= 6, top


def test_no_module_imports_inside_a_function():
    found = []
    for path in _modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found += [f"{path.relative_to(ROOT)}:{n.lineno}" for n in ast.walk(node)
                          if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert not found, found


def test_no_allocator_garbage_collector_import_or_process_tricks_in_the_package():
    found = [str(p.relative_to(ROOT)) for p in _modules() if TRICKS.search(p.read_text(encoding="utf-8"))]
    assert not found, found


def test_the_method_layer_reads_no_files_and_prints_nothing():
    io_calls = re.compile(r"\bopen\(|\.read_text\(|\.read_bytes\(|\.write_text\(|\.write_bytes\(|\bprint\(|"
                          r"\bread_csv\(|\bto_csv\(")
    found = [str(p.relative_to(ROOT)) for p in sorted((PACKAGE / "method").glob("*.py"))
             if io_calls.search(p.read_text(encoding="utf-8"))]
    assert not found, found


def test_the_public_api_scores_a_dataset_in_three_calls():
    import scoring
    from scoring import load_dataset, load_rules, score, whatif

    assert set(scoring.__all__) >= {"load_rules", "load_dataset", "score", "whatif"}
    rules = load_rules()
    data = scoring.make_dataset(
        units=[{"unit_id": "U1", "unit_name": "甲镇", "category": "镇区街道"}],
        submissions=[{"record_id": "R1", "unit_id": "U1", "column": "在线访谈", "level": "常州市",
                      "adopted_on": "2023-02-01"}])
    result = score(data, rules, 2023, 1)
    # 附件 序号1: 在线访谈 adopted by 常州市 = 20 points, under the quarter cap of 25.
    assert result.quarterly["score"].tolist() == [20_000]
    assert callable(load_dataset) and callable(whatif.compare)
