"""Numerics: warn when the scaled model's coefficients span too many orders of magnitude.

HiGHS works in double precision with ~1e-7 tolerances; a matrix whose nonzeros span more than ~1e9 invites
wrong answers. The warning names the row and column families at the extremes and the instance fields that
feed them (from the registry), so a user knows what to rescale (e.g. a yield of 1e-9 or a capex of 1e13).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .builder import ModelArrays, label
from .registry import CONSTRAINT_BY_NAME, COST_BY_NAME, VARIABLE_BY_NAME

# Components deliberately tiny beside the rest (tie-breaks, outside regions' own costs at their weight):
# their span is by design, so the objective's range is judged without them.
_BY_DESIGN = ("outside", "tie-break")

MAX_RANGE = 1e9
Namer = Callable[[int], tuple[str, str]]  # position -> (family, printed name)


def _row_fields(family: str) -> str:
    spec = CONSTRAINT_BY_NAME.get(family)
    return spec.fields if spec else "your own constraint"


def _cost_fields(family: str) -> str:
    spec = VARIABLE_BY_NAME.get(family)
    return spec.cost_fields if spec else "your own variable"


def arrays_warnings(arrays: ModelArrays, max_range: float = MAX_RANGE) -> list[str]:
    """Warnings for the model: what compiling the data left out (`md.notes`), then the matrix's and the
    objective's ranges. One function so solve, validate and the Pyomo path warn alike."""

    def row(i: int) -> tuple[str, str]:
        fam, key = arrays.locate_row(i)
        return fam, label(fam, key)

    def col(j: int) -> tuple[str, str]:
        fam, key = arrays.locate_col(j)
        return fam, label(fam, key)

    c = np.zeros(arrays.num_cols)
    for name, comp in arrays.components.items():
        spec = COST_BY_NAME.get(name)
        if spec is None or spec.category not in _BY_DESIGN:
            c += arrays.weights.get(name, 1.0) * comp.coef
    return list(arrays.md.notes) + range_warnings(arrays.A, c, row, col, max_range)


def range_warnings(A: Any, c: np.ndarray, row: Namer, col: Namer, max_range: float = MAX_RANGE) -> list[str]:
    """Warnings when the nonzeros of A, or of the objective c, span more than `max_range`."""
    out: list[str] = []
    coo = A.tocoo()
    vals = np.abs(coo.data)
    nz = vals > 0
    if nz.any():
        lo_i = int(np.argmin(np.where(nz, vals, np.inf)))
        hi_i = int(np.argmax(vals))
        lo, hi = vals[lo_i], vals[hi_i]
        if hi / lo > max_range:
            rows = [row(int(coo.row[i])) for i in (lo_i, hi_i)]
            cols = [col(int(coo.col[i])) for i in (lo_i, hi_i)]
            fields = "; ".join(f"{f}: {_row_fields(f)}" for f in sorted({fam for fam, _ in rows}))
            out.append(
                f"matrix coefficients span {hi / lo:.1e} (> {max_range:.0e}) after scaling: smallest "
                f"{lo:.3g} in {rows[0][1]} on {cols[0][1]}, largest {hi:.3g} in {rows[1][1]} on "
                f"{cols[1][1]}. Check the fields {fields}"
            )
    cost = np.abs(np.asarray(c, dtype=float))
    cnz = cost > 0
    if cnz.sum() > 1:
        lo_j = int(np.argmin(np.where(cnz, cost, np.inf)))
        hi_j = int(np.argmax(cost))
        if cost[hi_j] / cost[lo_j] > max_range:
            names = [col(j) for j in (lo_j, hi_j)]
            fields = "; ".join(f"{f}: {_cost_fields(f)}" for f in sorted({fam for fam, _ in names}))
            out.append(
                f"objective coefficients span {cost[hi_j] / cost[lo_j]:.1e} (> {max_range:.0e}): smallest "
                f"{cost[lo_j]:.3g} on {names[0][1]}, largest {cost[hi_j]:.3g} on {names[1][1]}. "
                f"Check {fields}"
            )
    return out
