"""Decision variables. Builds are first-stage (no scenario index); the rest are per scenario."""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData


def add_variables(m: pyo.ConcreteModel, md: ModelData) -> None:
    m.build_capacity = pyo.Var(
        m.BUILDS_CONTINUOUS,
        domain=pyo.NonNegativeReals,
        doc="capacity added by a continuous option, scaled t/yr",
    )

    def module_domain(_m: pyo.ConcreteModel, o: str, t: int) -> object:
        return pyo.Binary if md.option[o].max_count == 1 else pyo.NonNegativeIntegers

    def module_bounds(_m: pyo.ConcreteModel, o: str, t: int) -> tuple[int, int]:
        return (0, md.option[o].max_count)

    m.build_modules = pyo.Var(
        m.BUILDS_DISCRETE,
        domain=module_domain,
        bounds=module_bounds,
        doc="modules of a discrete option coming online",
    )
    m.activity = pyo.Var(
        m.ACTIVITIES, domain=pyo.NonNegativeReals, doc="t of activity per year of a facility stream"
    )
    m.ship = pyo.Var(m.SHIPMENTS, domain=pyo.NonNegativeReals, doc="t/yr shipped on a route")
    m.deliver = pyo.Var(m.DELIVERIES, domain=pyo.NonNegativeReals, doc="t/yr delivered to a demand row")
    m.unmet = pyo.Var(m.DEMANDS, domain=pyo.NonNegativeReals, doc="t/yr of a demand row not met")


def build_var(m: pyo.ConcreteModel, md: ModelData, key: tuple[str, int]) -> object:
    """The build variable of an (option, year) key, whichever kind it is."""
    return m.build_modules[key] if key[0] in md.discrete else m.build_capacity[key]
