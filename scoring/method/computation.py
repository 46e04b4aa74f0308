"""What one scoring run computes, as arrays [unit, quarter-1]: the engine builds its tables and the
ledger from it (so the ledger depends on this, not on the engine)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.method import items as items_mod
from scoring.method import quarters as quarters_mod


@dataclass(frozen=True)
class Computation:
    """Everything one run computes, as arrays [unit, quarter-1]; frames are built from it."""

    quarter: int
    items: items_mod.Items
    K: np.ndarray
    I: np.ndarray
    caps: list
    events: quarters_mod.EventsInRun
    progress: pd.DataFrame
    annual_veto: np.ndarray
    annual_reason: np.ndarray
    reward_granted: np.ndarray
    qa: quarters_mod.QuarterArithmetic
    ytd: np.ndarray
    year_cut: np.ndarray
