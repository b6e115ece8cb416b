"""Policies: minimum supply share from blocs, maximum share from one supplier, capex budgets.

A region's supply of a commodity is its own production plus its imports (all tags), per year and scenario.
"""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData, in_window
from .export_controls import exporter_production
from .expr import linear
from .variables import build_var


def _imports(m: pyo.ConcreteModel, md: ModelData, region: str, c: str, y: int, s: str) -> dict:
    """origin -> terms of shipments of c into region."""
    out: dict[str, list] = {}
    for k in ("clear", "controlled"):
        for fk in md.inflows.get((region, c, k), ()):
            out.setdefault(fk[1], []).append((1.0, m.ship[fk + (y, s)]))
    return out


def _supply(m: pyo.ConcreteModel, md: ModelData, region: str, c: str, y: int, s: str) -> tuple:
    """(own production terms, imports by origin, all supply terms) of a region in one year and scenario."""
    own = exporter_production(m, md, region, (c,), y, s)
    imports = _imports(m, md, region, c, y, s)
    return own, imports, own + [t for ts in imports.values() for t in ts]


def add_policies(m: pyo.ConcreteModel, md: ModelData) -> None:
    pol = md.inst.policies
    blocs = md.bloc_of

    min_keys = [
        (p.id, c, y, s)
        for p in pol.min_bloc_share
        for c in p.commodities
        for y in md.years
        if in_window(y, p.start, p.end)
        for s in md.scenarios
    ]
    min_by = {p.id: p for p in pol.min_bloc_share}

    def min_share(_m: pyo.ConcreteModel, pid: str, c: str, y: int, s: str) -> object:
        p = min_by[pid]
        own, imports, supply = _supply(m, md, p.region, c, y, s)
        if not supply:
            return pyo.Constraint.Skip
        from_blocs = list(own) if blocs[p.region] in p.blocs else []
        from_blocs += [t for o, ts in imports.items() if blocs[o] in p.blocs for t in ts]
        terms = [(coef, v) for coef, v in from_blocs] + [(-p.share * coef, v) for coef, v in supply]
        return linear(terms) >= 0

    m.min_bloc_share = pyo.Constraint(
        min_keys, rule=min_share, doc="supply from given blocs >= share x supply"
    )

    max_by = {p.id: p for p in pol.max_supplier_share}
    max_keys = []
    for p in pol.max_supplier_share:
        for c in p.commodities:
            origins = sorted(
                {fk[1] for k in ("clear", "controlled") for fk in md.inflows.get((p.region, c, k), ())}
            )
            max_keys += [
                (p.id, c, o, y, s)
                for o in origins
                for y in md.years
                if in_window(y, p.start, p.end)
                for s in md.scenarios
            ]

    def max_share(_m: pyo.ConcreteModel, pid: str, c: str, o: str, y: int, s: str) -> object:
        p = max_by[pid]
        _own, imports, supply = _supply(m, md, p.region, c, y, s)
        terms = list(imports[o]) + [(-p.share * coef, v) for coef, v in supply]
        return linear(terms) <= 0

    m.max_supplier_share = pyo.Constraint(
        max_keys, rule=max_share, doc="imports from one country <= share x supply"
    )

    limit = {(pid, i, s): ub for pid, i, s, ub in md.service}

    def service(_m: pyo.ConcreteModel, pid: str, i: int, s: str) -> object:
        # unmet <= (1 - share) x demand, i.e. deliveries >= share x demand
        return m.unmet[i, s] <= limit[(pid, i, s)]

    m.min_service = pyo.Constraint(
        list(limit), rule=service, doc="deliveries >= share x demand (hard service level)"
    )

    budgets = {b.id: b for b in pol.budgets}

    def budget(_m: pyo.ConcreteModel, bid: str) -> object:
        terms = [(md.overnight[k], build_var(m, md, k)) for k in md.budget_builds[bid]]
        if not terms:
            return pyo.Constraint.Skip
        return linear(terms) <= budgets[bid].amount / md.m

    m.budget_limit = pyo.Constraint(
        list(budgets), rule=budget, doc="overnight capex started in the window <= budget"
    )
