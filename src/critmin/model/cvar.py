"""Risk as CVaR of scenario costs (Rockafellar-Uryasev): CVaR_a = eta + 1/(1-a) sum_s p_s u_s,
u_s >= cost_s - eta, u_s >= 0. Built only when objective.cvar_weight > 0 (a dense row per scenario)."""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData
from .expr import Terms, linear


def add_cvar(m: pyo.ConcreteModel, md: ModelData, scenario_cost: dict[str, tuple[float, Terms]]) -> None:
    alpha = md.inst.objective.cvar_alpha
    m.cvar_eta = pyo.Var(domain=pyo.Reals, doc="value-at-risk threshold (scaled money)")
    m.cvar_excess = pyo.Var(m.SCENARIOS, domain=pyo.NonNegativeReals, doc="scenario cost above eta")

    def tail(_m: pyo.ConcreteModel, s: str) -> object:
        const, terms = scenario_cost[s]
        return linear([(1.0, m.cvar_excess[s]), (1.0, m.cvar_eta)] + [(-c, v) for c, v in terms]) >= const

    m.cvar_tail = pyo.Constraint(m.SCENARIOS, rule=tail, doc="excess_s >= cost_s - eta")
    m.cvar = pyo.Expression(
        expr=m.cvar_eta
        + (1.0 / (1.0 - alpha)) * linear((md.prob[s], m.cvar_excess[s]) for s in md.scenarios),
        doc="CVaR_alpha of scenario costs (scaled money)",
    )
