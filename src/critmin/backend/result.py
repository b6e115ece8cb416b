"""The neutral result every solve path produces: column values and row duals, laid out like the model's
arrays, so results, analyses and reports never need to know which backend ran."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..contract import (  # the statuses and their exit codes, written once (contract.py)
    ERROR,
    EXIT_CODES,
    FEASIBLE,
    INFEASIBLE,
    NO_SOLUTION,
    OPTIMAL,
    UNBOUNDED,
)
from ..model.builder import ModelArrays

__all__ = [
    "ERROR",
    "EXIT_CODES",
    "FEASIBLE",
    "INFEASIBLE",
    "NO_SOLUTION",
    "OPTIMAL",
    "UNBOUNDED",
    "ModelResult",
]


@dataclass
class ModelResult:
    """A solver run on the model's arrays. `objective` is in scaled money and includes the constant."""

    arrays: ModelArrays
    status: str
    message: str
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    x: np.ndarray | None = None
    row_duals: np.ndarray | None = None
    timings: dict[str, float] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def has_solution(self) -> bool:
        return self.status in (OPTIMAL, FEASIBLE) and self.x is not None

    def values(self, family: str) -> np.ndarray:
        """Scaled values of a variable family, in the order of its keys (zeros without a solution)."""
        block = self.arrays.col_block(family)
        if self.x is None:
            return np.zeros(len(block))
        return self.x[block.start : block.stop]

    def duals(self, family: str) -> np.ndarray | None:
        """Row duals of a constraint family (scaled money per scaled unit of its bound), LPs only."""
        if self.row_duals is None:
            return None
        block = self.arrays.row_block(family)
        return self.row_duals[block.start : block.stop]

    def component_value(self, name: str) -> float:
        """A cost component at the solution (scaled money), without its objective weight."""
        comp = self.arrays.components.get(name)
        if comp is None or self.x is None:
            return 0.0
        return float(comp.coef @ self.x + comp.constant)
