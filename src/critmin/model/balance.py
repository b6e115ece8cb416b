"""Commodity balance per region, commodity, tag, year and scenario (free disposal of surplus)."""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData
from .expr import linear


def add_balance(m: pyo.ConcreteModel, md: ModelData) -> None:
    stocks_at: dict[tuple[str, str, str], list[str]] = {}
    for st, k in md.levers.stocks:
        r, c = md.levers.stock_region[st]
        stocks_at.setdefault((r, c, k), []).append(st)

    keys = [(r, c, k, y, s) for (r, c, k) in sorted(md.present) for y in md.years for s in md.scenarios]

    def balance(_m: pyo.ConcreteModel, r: str, c: str, k: str, y: int, s: str) -> object:
        terms = []
        for f, kin in md.producers.get((r, c, k), ()):
            if y in md.cap_years[f]:
                terms.append((md.facility[f].outputs[c], m.activity[f, kin, y, s]))
        for fk in md.inflows.get((r, c, k), ()):
            terms.append((1.0, m.ship[fk + (y, s)]))
        for f, kin in md.consumers.get((r, c, k), ()):
            if y in md.cap_years[f]:
                terms.append((-md.facility[f].inputs[c], m.activity[f, kin, y, s]))
        for fk in md.outflows.get((r, c, k), ()):
            terms.append((-1.0, m.ship[fk + (y, s)]))
        for i, kk in md.deliveries.get((r, c, k, y), ()):
            terms.append((-1.0, m.deliver[i, kk, s]))
        for st in stocks_at.get((r, c, k), ()):
            terms += [(1.0, m.stock_release[st, k, y, s]), (-1.0, m.stock_buy[st, k, y, s])]
        if not any(coef < 0 for coef, _ in terms):
            return pyo.Constraint.Skip  # nothing draws on this stream: surplus is free to dispose
        return linear(terms) >= 0

    m.balance = pyo.Constraint(keys, rule=balance, doc="production + imports >= use + exports + deliveries")
