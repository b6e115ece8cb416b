"""Optional rows an analysis adds to the model, built only when asked for (`ModelData.extras`) and inactive
(an infinite bound) until a Session sets their bound:

`risk_cap`: the expected discounted risk-weighted imports (the `risk` component's coefficients) at most a
cap — the frontier's epsilon-constraint, one row whose bound moves between points.

`min_met_share`: per (scenario, year) with allied demand, the allies' demand not met (unmet plus forgone at
its price) at most (1 - share) x that demand — stress's time-to-X% requirement, whose bounds a job sets.

`allied_shortfall` is the one definition of "allied demand not met" by (scenario, year): these rows and the
sweep digest (what each job reports as met) read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .builder import INF, objective_coefficients

if TYPE_CHECKING:
    from .builder import Block, ModelBuilder
    from .data import ModelData

RISK_CAP = "risk_cap"
MIN_MET = "min_met_share"


@dataclass
class AlliedShortfall:
    """The unmet and forgone columns of allied demand rows, grouped by (scenario, year)."""

    cols: np.ndarray  # column positions
    group: np.ndarray  # their group: scenario index x number of years + year index
    demand: np.ndarray  # allied demand per group, t/yr (instance units)
    keys: list[tuple[str, int]]  # (scenario, year) of every group, in group order


def allied_shortfall(md: ModelData, unmet: Block, forgone: Block | None) -> AlliedShortfall:
    """Allied demand's shortfall columns by (scenario, year) and the demand of each group."""
    ny = len(md.years)
    si = {s: k for k, s in enumerate(md.scenarios)}
    yi = {y: k for k, y in enumerate(md.years)}
    allies = md.allies
    cols: list[int] = []
    groups: list[int] = []
    demand = np.zeros(len(md.scenarios) * ny)
    row_group: dict[tuple[int, str], int] = {}
    for j, (i, s) in enumerate(unmet.keys):
        row = md.demand[i]
        if row.region not in allies:
            continue
        g = si[s] * ny + yi[row.year]
        row_group[(i, s)] = g
        cols.append(unmet.start + j)
        groups.append(g)
        demand[g] += md.demand_qty[(i, s)] * md.q
    if forgone is not None:
        for j, (i, _step, s) in enumerate(forgone.keys):
            if (i, s) in row_group:
                cols.append(forgone.start + j)
                groups.append(row_group[(i, s)])
    keys = [(s, y) for s in md.scenarios for y in md.years]
    return AlliedShortfall(np.asarray(cols, dtype=np.int64), np.asarray(groups, dtype=np.int64), demand, keys)


def add_min_met_share(b: ModelBuilder) -> None:
    """Rows (inactive: upper bound infinite) per (scenario, year) with allied demand."""
    md = b.md
    if MIN_MET not in md.extras:
        return
    short = allied_shortfall(md, b.col("unmet"), b.col("forgone"))
    present = sorted({int(g) for g in short.group if short.demand[g] > 0})
    block = b.constraints(MIN_MET, [short.keys[g] for g in present], -INF, INF)
    row_of = {g: block.start + k for k, g in enumerate(present)}
    keep = np.isin(short.group, present)
    b.add([row_of[int(g)] for g in short.group[keep]], short.cols[keep], 1.0)


def add_risk_cap(b: ModelBuilder) -> None:
    """One row (inactive: upper bound infinite): the risk component's objective coefficients."""
    md = b.md
    if RISK_CAP not in md.extras:
        return
    terms = b.costs.get("risk")
    block = b.constraints(RISK_CAP, [()], -INF, INF)
    if terms is None:
        return
    cols, rate, year, scen = terms.arrays()
    coef = objective_coefficients(md, cols, rate, year, scen, b.ncol)
    nz = np.nonzero(coef)[0]
    b.add(np.full(len(nz), block.start), nz, coef[nz])


def met_share_upper(
    short: AlliedShortfall, keys: list[tuple[str, int]], q: float, share: float, start: int
) -> np.ndarray:
    """Upper bounds of the `min_met_share` rows (in their key order) that require `share` of allied demand
    met in every year from `start` (scaled units); years before `start` stay free."""
    index = {k: g for g, k in enumerate(short.keys)}
    out = np.full(len(keys), INF)
    for r, (s, y) in enumerate(keys):
        if y >= start:
            out[r] = (1.0 - share) * short.demand[index[(s, y)]] / q + 1e-9
    return out
