"""The floor of bench_bulletin.py: papermill's own command line, started the way the main job
starts (``python -m scoring bulletin`` blocks the optional ``rfc3987_syntax`` import, whose 39
lark grammars jsonschema compiles at import only to check an "iri" format no notebook uses).

    .venv/bin/python bench/papermill_floor.py one_cell.ipynb out.ipynb -k python3 --no-progress-bar
"""
import sys

sys.modules.setdefault("rfc3987_syntax", None)   # as scoring.kernel.lean_imports does

from papermill.__main__ import papermill  # noqa: E402

papermill()
