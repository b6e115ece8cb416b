"""Index sets: only combinations that exist (see data.py for how each is pruned)."""

from __future__ import annotations

import pyomo.environ as pyo

from .data import TAGS, ModelData


def add_sets(m: pyo.ConcreteModel, md: ModelData) -> None:
    m.YEARS = pyo.Set(initialize=md.years, ordered=True, doc="modelled periods (first year)")
    m.SCENARIOS = pyo.Set(initialize=md.scenarios, ordered=True)
    m.TAGS = pyo.Set(initialize=TAGS, ordered=True, doc="provenance tags")
    m.CAPACITIES = pyo.Set(
        initialize=md.cap_keys,
        dimen=2,
        ordered=True,
        doc="(facility, year) where a facility can have capacity",
    )
    cont = [k for k in md.build_keys if k[0] not in md.discrete]
    disc = [k for k in md.build_keys if k[0] in md.discrete]
    m.BUILDS_CONTINUOUS = pyo.Set(
        initialize=cont, dimen=2, ordered=True, doc="(option, online year) for continuous options"
    )
    m.BUILDS_DISCRETE = pyo.Set(
        initialize=disc, dimen=2, ordered=True, doc="(option, online year) for modular options"
    )
    m.ACTIVITIES = pyo.Set(
        initialize=[
            (f, k, y, s)
            for (f, k) in md.streams
            for y in md.years
            if y in md.cap_years[f]
            for s in md.scenarios
        ],
        dimen=4,
        ordered=True,
        doc="(facility, input tag, year, scenario)",
    )
    m.SHIPMENTS = pyo.Set(
        initialize=[(c, o, d, k, y, s) for (c, o, d, k) in md.flows for y in md.years for s in md.scenarios],
        dimen=6,
        ordered=True,
        doc="(commodity, origin, destination, tag, year, scenario)",
    )
    m.DELIVERIES = pyo.Set(
        initialize=[(i, k, s) for (i, k) in md.deliver_keys for s in md.scenarios],
        dimen=3,
        ordered=True,
        doc="(demand row, tag, scenario)",
    )
    m.DEMANDS = pyo.Set(
        initialize=[(d.index, s) for d in md.demand for s in md.scenarios],
        dimen=2,
        ordered=True,
        doc="(demand row, scenario)",
    )
