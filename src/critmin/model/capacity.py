"""Capacity: activity limited by available capacity; builds online after lead time until retirement."""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData
from .expr import Terms, linear
from .variables import build_var


def capacity_terms(m: pyo.ConcreteModel, md: ModelData, f: str, y: int) -> tuple[float, Terms]:
    """Capacity of facility f in year y: existing (constant) + builds online then (terms)."""
    terms = [(md.build_unit[o], build_var(m, md, (o, t))) for o, t in md.online.get((f, y), [])]
    return md.existing.get((f, y), 0.0), terms


def add_capacity(m: pyo.ConcreteModel, md: ModelData) -> None:
    keys = [(f, y, s) for (f, y) in md.cap_keys for s in md.scenarios if md.streams_of.get(f)]

    def limit(_m: pyo.ConcreteModel, f: str, y: int, s: str) -> object:
        a = md.avail[(f, y, s)]
        const, terms = capacity_terms(m, md, f, y)
        used = [(1.0, m.activity[fk, k, y, s]) for fk, k in md.streams_of[f]]
        return linear(used + [(-a * c, v) for c, v in terms]) <= a * const

    m.capacity_limit = pyo.Constraint(keys, rule=limit, doc="activity <= availability x capacity")

    limited = []
    for o in md.inst.build_options:
        if o.kind == "discrete" or o.max_capacity is not None:
            limited.append(o.id)
    by_option: dict[str, list] = {o: [] for o in limited}
    for key in md.build_keys:
        if key[0] in by_option:
            by_option[key[0]].append(key)

    def build_limit(_m: pyo.ConcreteModel, o: str) -> object:
        opt = md.option[o]
        cap = opt.max_count if opt.kind == "discrete" else opt.max_capacity / md.q
        keys_o = by_option[o]
        if not keys_o:
            return pyo.Constraint.Skip
        return linear((1.0, build_var(m, md, k)) for k in keys_o) <= cap

    m.build_limit = pyo.Constraint(
        limited, rule=build_limit, doc="total modules / capacity an option may add"
    )
