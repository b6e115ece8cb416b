"""Risk as CVaR of scenario costs (Rockafellar-Uryasev): CVaR_a = eta + 1/(1-a) sum_s p_s u_s with
u_s >= cost_s - eta, u_s >= 0. Built only when objective.cvar_weight > 0 (a dense row per scenario).

A scenario's cost is every first-stage cost plus that scenario's own second-stage costs, read from the same
cost terms as the objective (objective.py), without probabilities: the money spent and the value of demand
not served (registry categories), not the risk term, outside regions' terms or tie-breaks."""

from __future__ import annotations

import numpy as np

from .builder import FIRST_STAGE, INF, NO_YEAR, ModelBuilder, discount_of
from .registry import COST_BY_NAME, PLANNER_CATEGORIES


def add_cvar(b: ModelBuilder) -> None:
    md = b.md
    weight = md.inst.objective.cvar_weight
    if weight <= 0:
        return
    alpha = md.inst.objective.cvar_alpha
    n = b.ncol  # the scenario costs cover the columns declared so far (eta and u come next)
    cost = np.zeros((len(md.scenarios), n))
    const = np.zeros(len(md.scenarios))
    disc = discount_of(md)
    for name, terms in b.costs.items():
        if COST_BY_NAME[name].category not in PLANNER_CATEGORIES:
            continue  # a scenario's cost is the planner's money spent and value lost
        cols, rate, year, scen = terms.arrays()
        for j in range(len(md.scenarios)):
            sel = (scen == j) | (scen == FIRST_STAGE)
            cost[j] += np.bincount(cols[sel], weights=rate[sel] * disc[year[sel]], minlength=n)
        for r, y, s in zip(terms.const_rate, terms.const_year, terms.const_scen, strict=True):
            if s == FIRST_STAGE:
                const += r * disc[y]
            else:
                const[s] += r * disc[y]
    eta = b.variables("cvar_eta", [()], -INF, INF)
    excess = b.variables("cvar_excess", [(s,) for s in md.scenarios])
    block = b.constraints("cvar_tail", [(s,) for s in md.scenarios], const, INF)
    for j in range(len(md.scenarios)):  # u_s + eta - cost_s(x) >= const_s
        r = block.start + j
        nz = np.nonzero(cost[j])[0]
        b.add(np.full(len(nz), r), nz, -cost[j][nz])
        b.add([r, r], [excess.start + j, eta.start], [1.0, 1.0])
    b.declare_component("cvar", weight)
    b.cost("cvar", eta.start, 1.0, NO_YEAR, FIRST_STAGE)
    probs = np.array([md.prob[s] for s in md.scenarios])
    b.cost("cvar", excess.positions(), probs / (1.0 - alpha), NO_YEAR, FIRST_STAGE)
