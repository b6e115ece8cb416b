"""Numerics: warn when the scaled model's coefficients span too many orders of magnitude.

HiGHS works in double precision with ~1e-7 tolerances; a matrix whose nonzeros span more than ~1e9 invites
wrong answers. The warning names the constraint and variable families at the extremes and the instance fields
that feed them, so a user knows what to rescale (e.g. a yield of 1e-9 or a capex of 1e13).
"""

from __future__ import annotations

from typing import Any

import numpy as np

MAX_RANGE = 1e9

# Which instance fields feed each constraint family's coefficients, and each variable's cost.
ROW_FIELDS = {
    "capacity_limit": "facilities[].availability, build_options[].module_size",
    "build_limit": "build_options[].max_capacity / max_count",
    "balance": "facilities[].inputs / outputs",
    "demand_met": "demand[].quantity",
    "export_limit": "export_controls[].amount (share), facilities[].outputs",
    "min_bloc_share": "policies.min_bloc_share[].share, facilities[].outputs",
    "max_supplier_share": "policies.max_supplier_share[].share, facilities[].outputs",
    "min_service": "policies.min_service[].share, demand[].quantity",
    "budget_limit": "build_options[].capex / fixed_cost, policies.budgets[].amount",
}
COST_FIELDS = {
    "build_capacity": "build_options[].capex, facilities[].fixed_cost",
    "build_modules": "build_options[].fixed_cost, facilities[].fixed_cost",
    "activity": "facilities[].var_cost",
    "ship": "routes[].cost / tariff, regions[].risk x objective.risk_weight",
    "unmet": "objective.unmet_penalty, commodities[].unmet_penalty",
    "deliver": "-",
}


def _family(name: str) -> str:
    return name.split("[", 1)[0]


def coefficient_warnings(info: Any, max_range: float = MAX_RANGE) -> list[str]:
    """Warnings for the matrix and the objective of a compiled (standard-form) Pyomo model."""
    c = info.c.toarray()[0] if info.c.shape[0] else np.zeros(len(info.columns))
    return range_warnings(
        info.A, c, lambda i: info.rows[i].constraint.name, lambda j: info.columns[j].name, max_range
    )


def range_warnings(
    A: Any, c: np.ndarray, row_name: Any, col_name: Any, max_range: float = MAX_RANGE
) -> list[str]:
    """Warnings when the nonzeros of A, or of the objective c, span more than `max_range`."""
    out: list[str] = []
    A = A.tocoo()
    vals = np.abs(A.data)
    nz = vals > 0
    if nz.any():
        lo_i = int(np.argmin(np.where(nz, vals, np.inf)))
        hi_i = int(np.argmax(vals))
        lo, hi = vals[lo_i], vals[hi_i]
        if hi / lo > max_range:
            rows = [row_name(int(A.row[i])) for i in (lo_i, hi_i)]
            cols = [col_name(int(A.col[i])) for i in (lo_i, hi_i)]
            fams = {_family(r) for r in rows}
            fields = "; ".join(f"{f}: {ROW_FIELDS.get(f, 'your own constraint')}" for f in sorted(fams))
            out.append(
                f"matrix coefficients span {hi / lo:.1e} (> {max_range:.0e}) after scaling: smallest "
                f"{lo:.3g} in {rows[0]} on {cols[0]}, largest {hi:.3g} in {rows[1]} on {cols[1]}. "
                f"Check the fields {fields}"
            )
    c = np.abs(np.asarray(c, dtype=float))
    cnz = c > 0
    if cnz.sum() > 1:
        lo_j = int(np.argmin(np.where(cnz, c, np.inf)))
        hi_j = int(np.argmax(c))
        if c[hi_j] / c[lo_j] > max_range:
            names = [col_name(j) for j in (lo_j, hi_j)]
            fams = sorted({_family(n) for n in names})
            fields = "; ".join(f"{f}: {COST_FIELDS.get(f, '-')}" for f in fams)
            out.append(
                f"objective coefficients span {c[hi_j] / c[lo_j]:.1e} (> {max_range:.0e}): smallest "
                f"{c[lo_j]:.3g} on {names[0]}, largest {c[hi_j]:.3g} on {names[1]}. Check {fields}"
            )
    return out
