"""Export controls: ban, quota or share on an exporter's shipments, optionally extraterritorial."""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData
from .expr import linear


def exporter_production(
    m: pyo.ConcreteModel, md: ModelData, region: str, commodities: tuple[str, ...], y: int, s: str
) -> list[tuple[float, object]]:
    """Terms of a region's output of some commodities (all tags) in one year and scenario."""
    terms = []
    for c in commodities:
        for k in ("clear", "controlled"):
            for f, kin in md.producers.get((region, c, k), ()):
                if y in md.cap_years[f]:
                    terms.append((md.facility[f].outputs[c], m.activity[f, kin, y, s]))
    return terms


def exporter_disposition(
    m: pyo.ConcreteModel, md: ModelData, region: str, commodities: tuple[str, ...], y: int, s: str
) -> list[tuple[float, object]]:
    """Terms of what a region does with some commodities: all its exports, its plants' use and its
    deliveries (all tags). Output made and thrown away does not count, so a share rule cannot be gamed by
    over-producing."""
    terms: list[tuple[float, object]] = []
    for c in commodities:
        for k in ("clear", "controlled"):
            terms += [(1.0, m.ship[fk + (y, s)]) for fk in md.outflows.get((region, c, k), ())]
            for f, kin in md.consumers.get((region, c, k), ()):
                if y in md.cap_years[f]:
                    terms.append((md.facility[f].inputs[c], m.activity[f, kin, y, s]))
            terms += [(1.0, m.deliver[i, kk, s]) for i, kk in md.deliveries.get((region, c, k, y), ())]
    return terms


def add_export_controls(m: pyo.ConcreteModel, md: ModelData) -> None:
    rows = {(r.rule, r.year, r.scenario): r for r in md.controls}

    def limit(_m: pyo.ConcreteModel, rule: str, y: int, s: str) -> object:
        r = rows[(rule, y, s)]
        shipped = [(1.0, m.ship[fk + (y, s)]) for fk in r.flows]
        if r.kind == "share":
            used = exporter_disposition(m, md, r.exporter, r.commodities, y, s)
            return linear(shipped + [(-r.amount * c, v) for c, v in used]) <= 0
        return linear(shipped) <= r.amount

    m.CONTROLS = pyo.Set(
        initialize=list(rows),
        dimen=3,
        ordered=True,
        doc="(control id, year, scenario) where a control applies",
    )
    m.export_limit = pyo.Constraint(
        m.CONTROLS, rule=limit, doc="controlled shipments <= quota / 0 / share x output"
    )
