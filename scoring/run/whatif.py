"""``python -m scoring whatif``: execute notebooks/what_if.ipynb with papermill and render it with
the bulletin's template into ``OUT/what_if.html`` (+ ``OUT/what_if.ipynb``). Inputs are checked
first, so a bad file is a Chinese message, not a failed notebook."""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from scoring.render.html import notebook_to_html
from scoring.report.whatif import HTML_TITLE, NOTEBOOK, _base_of, default_period, load, load_variants, variant_files
from scoring.run import notebook as nb_run


def whatif_command(args: Any) -> int:
    files = variant_files(Path(args.variants))
    variants = load_variants(files)                      # every overlay must load
    data = load(args.data)
    for note in data.notes:
        print(f"提示：{note}", file=sys.stderr)
    year, quarter = getattr(args, "year", None), getattr(args, "quarter", None)
    if year is None or quarter is None:
        dy, dq = default_period(data, _base_of(variants))
        year, quarter = year or dy, quarter or dq

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    params = {"data_dir": nb_run.rel(Path(args.data)), "year": int(year), "quarter": int(quarter),
              "variant_files": [nb_run.rel(f) for f in files]}
    with tempfile.TemporaryDirectory(dir=out, prefix=".whatif-") as tmp:
        executed = Path(tmp) / "what_if.ipynb"
        nb = nb_run.execute(NOTEBOOK, executed, params)
        nb_run.normalize(nb, NOTEBOOK, out / "what_if.ipynb")
        nbformat.write(nb, executed)
        (Path(tmp) / "what_if.html").write_text(notebook_to_html(nb, HTML_TITLE, author=_base_of(variants).meta.issuer), encoding="utf-8")
        for name in ("what_if.ipynb", "what_if.html"):
            os.replace(Path(tmp) / name, out / name)
    print(f"已写出 {out / 'what_if.html'}")
    print(f"已写出 {out / 'what_if.ipynb'}")
    return 0
