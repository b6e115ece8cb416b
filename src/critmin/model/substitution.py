"""Substitution and thrifting: part of a demand row met by a substitute, up to a share, at a cost."""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData


def add_substitution(m: pyo.ConcreteModel, md: ModelData) -> None:
    lv = md.levers
    keys = [(sid, i, s) for sid, i in lv.substitutions for s in md.scenarios]
    m.SUBSTITUTIONS = pyo.Set(
        initialize=keys, dimen=3, ordered=True, doc="(substitution, demand row, scenario)"
    )
    m.substitute = pyo.Var(m.SUBSTITUTIONS, domain=pyo.NonNegativeReals, doc="t/yr of demand substituted")

    def limit(_m: pyo.ConcreteModel, sid: str, i: int, s: str) -> object:
        return m.substitute[sid, i, s] <= lv.sub_share[sid] * md.demand_qty[(i, s)]

    m.substitution_limit = pyo.Constraint(m.SUBSTITUTIONS, rule=limit, doc="substituted <= share x demand")
