"""Demand: deliveries plus substitution plus unmet equal demand; compliance classes restrict the tags that
may be delivered (data.py decides which delivery variables exist)."""

from __future__ import annotations

from collections import defaultdict

from .builder import ModelBuilder, Terms
from .terms import deliver_col


def add_demand(b: ModelBuilder) -> None:
    md = b.md
    tags_of: dict[int, list[str]] = defaultdict(list)
    for i, k in md.deliver_keys:
        tags_of[i].append(k)
    subs_of: dict[int, list[str]] = defaultdict(list)
    for sid, i in md.levers.substitutions:
        subs_of[i].append(sid)
    unmet, substitute = b.col("unmet"), b.col("substitute")
    keys = [(d.index, s) for d in md.demand for s in md.scenarios]
    qty = [md.demand_qty[k] for k in keys]
    rows: list[Terms] = []
    for i, s in keys:
        terms = [(1.0, deliver_col(b, i, k, s)) for k in tags_of.get(i, ())]
        terms += [(1.0, substitute.index[(sid, i, s)]) for sid in subs_of.get(i, ())]
        terms.append((1.0, unmet.index[(i, s)]))
        rows.append(terms)
    b.rows_of_terms(b.constraints("demand_met", keys, qty, qty), rows)
