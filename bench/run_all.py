"""Run every benchmark in bench/ (make bench)."""
import runpy
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here))
for name in ("bench_score.py", "bench_bulletin.py", "bench_statements.py"):
    if (here / name).exists():
        print(f"== {name}", file=sys.stderr)
        sys.argv = [name]
        runpy.run_path(str(here / name), run_name="__main__")
