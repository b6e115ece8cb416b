"""Demand: deliveries plus unmet equal demand; compliance classes restrict the tags delivered."""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData
from .expr import linear


def add_demand(m: pyo.ConcreteModel, md: ModelData) -> None:
    tags_of: dict[int, list[str]] = {}
    for i, k in md.deliver_keys:
        tags_of.setdefault(i, []).append(k)
    subs_of: dict[int, list[str]] = {}
    for sid, i in md.levers.substitutions:
        subs_of.setdefault(i, []).append(sid)

    def met(_m: pyo.ConcreteModel, i: int, s: str) -> object:
        terms = [(1.0, m.deliver[i, k, s]) for k in tags_of.get(i, ())]
        terms += [(1.0, m.substitute[sid, i, s]) for sid in subs_of.get(i, ())]
        terms.append((1.0, m.unmet[i, s]))
        return linear(terms) == md.demand_qty[(i, s)]

    m.demand_met = pyo.Constraint(
        m.DEMANDS, rule=met, doc="sum over allowed tags of deliveries + unmet = demand"
    )
