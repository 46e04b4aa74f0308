"""Scoring of 《溧阳市人民政府门户网站内容保障考评办法》 and its quarterly bulletin (季度通报).

The public API, what notebooks import (README, "In a notebook"):

    from scoring import load_rules, load_dataset, score, whatif
    rules = load_rules()                                  # params/rules/liyang-2023-draft.yaml
    data = load_dataset("data/sample", rules)             # every input problem at once, or a Dataset
    result = score(data, rules, 2023, 4)                  # Result: quarterly, ledger, annual, …
    whatif.compare(data, whatif.variant(late={"factor": 0.7}, name="超时七折"))

The package is layered (docs/ARCHITECTURE.md), each layer importing only those below it:
run → render → report → inputs → method. ``whatif`` is a module of its own (scoring/whatif.py):
``from scoring import whatif`` imports it, and ``import scoring`` does not load its charts.
"""
from scoring.inputs.dataset import Dataset, make_dataset
from scoring.inputs.loading import load_dataset
from scoring.method.engine import score
from scoring.method.result import Result
from scoring.method.rules import Rules
from scoring.inputs.rules_file import load_rules

__version__ = "0.1.0"
__all__ = ["Dataset", "Result", "Rules", "load_dataset", "load_rules", "make_dataset", "score", "whatif"]
