"""Stockpiles: inventory per stockpile, tag, year and scenario; storage capacity (existing + built);
a days-of-cover target, hard or penalised. Material keeps its provenance tag in store."""

from __future__ import annotations

import pyomo.environ as pyo

from .data import ModelData
from .expr import linear


def add_stockpiles(m: pyo.ConcreteModel, md: ModelData) -> None:
    lv = md.levers
    keys = [(st, k, y, s) for (st, k) in lv.stocks for y in md.years for s in md.scenarios]
    m.STOCKS = pyo.Set(initialize=keys, dimen=4, ordered=True, doc="(stockpile, tag, year, scenario)")
    m.stock_level = pyo.Var(m.STOCKS, domain=pyo.NonNegativeReals, doc="t in store at the end of a period")
    m.stock_buy = pyo.Var(m.STOCKS, domain=pyo.NonNegativeReals, doc="t/yr put into store")
    m.stock_release = pyo.Var(m.STOCKS, domain=pyo.NonNegativeReals, doc="t/yr drawn from store")
    m.storage_build = pyo.Var(lv.stock_builds, domain=pyo.NonNegativeReals, doc="t of storage added")
    m.cover_short = pyo.Var(
        [k for k in lv.cover if k[0] in lv.cover_soft],
        domain=pyo.NonNegativeReals,
        doc="t below a soft days-of-cover target",
    )
    prev = {y: (md.years[i - 1] if i else None) for i, y in enumerate(md.years)}

    def balance(_m: pyo.ConcreteModel, st: str, k: str, y: int, s: str) -> object:
        w = md.weight[y]
        terms = [
            (1.0, m.stock_level[st, k, y, s]),
            (-w, m.stock_buy[st, k, y, s]),
            (w, m.stock_release[st, k, y, s]),
        ]
        if prev[y] is None:
            return linear(terms) == lv.stock_initial.get((st, k), 0.0)
        terms.append((-1.0, m.stock_level[st, k, prev[y], s]))
        return linear(terms) == 0

    m.stock_balance = pyo.Constraint(
        m.STOCKS, rule=balance, doc="level = previous level + weight x (buy - release)"
    )
    tags_of: dict[str, list[str]] = {}
    for st, k in lv.stocks:
        tags_of.setdefault(st, []).append(k)
    cap_keys = [(st, y, s) for st in tags_of for y in md.years for s in md.scenarios]

    def capacity(_m: pyo.ConcreteModel, st: str, y: int, s: str) -> object:
        terms = [(1.0, m.stock_level[st, k, y, s]) for k in tags_of[st]]
        terms += [(-1.0, m.storage_build[b]) for b in lv.stock_online.get((st, y), ())]
        return linear(terms) <= lv.stock_capacity[st]

    m.stock_capacity = pyo.Constraint(cap_keys, rule=capacity, doc="stock <= existing + built storage")

    def build_max(_m: pyo.ConcreteModel, st: str) -> object:
        keys_st = [b for b in lv.stock_builds if b[0] == st]
        if not keys_st or lv.stock_build_max[st] == float("inf"):
            return pyo.Constraint.Skip
        return linear((1.0, m.storage_build[b]) for b in keys_st) <= lv.stock_build_max[st]

    m.storage_build_limit = pyo.Constraint(
        list(lv.stock_build_max), rule=build_max, doc="storage that may be added"
    )

    def cover(_m: pyo.ConcreteModel, st: str, y: int, s: str) -> object:
        terms = [(1.0, m.stock_level[st, k, y, s]) for k in tags_of.get(st, ())]
        if st in lv.cover_soft:
            terms.append((1.0, m.cover_short[st, y, s]))
        return linear(terms) >= lv.cover[(st, y, s)]

    m.stock_cover = pyo.Constraint(
        list(lv.cover), rule=cover, doc="stock >= days of cover / 365 x demand (hard or with shortfall)"
    )
