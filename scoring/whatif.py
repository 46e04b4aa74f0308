"""``from scoring import whatif``: what-if analyses in a notebook (scoring.report.whatif's API).

A module of its own rather than a name in ``scoring/__init__``: the what-if comparison draws
charts (matplotlib), which ``import scoring`` and the commands that only score do not need.

    from scoring import whatif
    data = whatif.load("data/sample")
    whatif.compare(data, whatif.variant(late={"factor": 0.7}, name="超时七折"))
"""
from scoring.report.whatif import (Comparison, VariantDiff, chinese_numeral, compare, default_period,
                                   describe_changes, diff, load, load_variants, variant, variant_files)

__all__ = ["Comparison", "VariantDiff", "chinese_numeral", "compare", "default_period", "describe_changes",
           "diff", "load", "load_variants", "variant", "variant_files"]
