"""The run's Result handed to the notebook it executes.

The run scores once; the notebook gets that Result as a file in the staging folder
(``result_file``) and only lays out the report. Run on its own (plain papermill, Jupyter), the
notebook scores its data itself. This module is what the notebook's kernel imports of the run
layer, so it stays light (no papermill, no renderers).
"""
from __future__ import annotations

import pickle
from pathlib import Path

from scoring.inputs.rules_file import load_rules
from scoring.inputs.loading import load_dataset
from scoring.method.engine import score
from scoring.method.result import Result
from scoring.run.folder import is_sample


def save_result(result: Result, path: Path) -> Path:
    path.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
    return path


def quarter_result(data_dir: str, rules_file: str, year: int, quarter: int, result_file: str = "") -> Result:
    """The Result a notebook reports on: the run's own (``result_file``, written by
    :func:`save_result`), or — when the notebook runs on its own — its data scored here."""
    if result_file:
        return pickle.loads(Path(result_file).read_bytes())
    rules = load_rules(rules_file)
    return score(load_dataset(data_dir, rules, year=year), rules, year, quarter)


def sample_data(data_dir: str, given: bool | None = None) -> bool:
    """Whether the notebook reports on sample data: as the calling run says (``given``), else whether
    the data folder holds the sample marker file (样例数据.txt)."""
    return bool(given) if given is not None else is_sample(Path(data_dir)) is not None
