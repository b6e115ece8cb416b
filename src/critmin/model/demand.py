"""Demand: deliveries plus substitution plus demand forgone at its price plus unmet equal demand; compliance
classes restrict the tags that may be delivered (data.py decides which delivery variables exist). A step of
an end use's demand may be forgone, up to its share, at its willingness to pay (a demand curve in steps)."""

from __future__ import annotations

from collections import defaultdict

from .builder import INF, ModelBuilder, Terms
from .terms import deliver_col


def add_demand(b: ModelBuilder) -> None:
    md = b.md
    tags_of: dict[int, list[str]] = defaultdict(list)
    for i, k in md.deliver_keys:
        tags_of[i].append(k)
    subs_of: dict[int, list[str]] = defaultdict(list)
    for sid, i in md.levers.substitutions:
        subs_of[i].append(sid)
    unmet, substitute, forgone = b.col("unmet"), b.col("substitute"), b.col("forgone")
    steps_of: dict[int, list[int]] = defaultdict(list)
    for i, j, _share, _value in md.forgo:
        steps_of[i].append(j)
    keys = [(d.index, s) for d in md.demand for s in md.scenarios]
    qty = [md.demand_qty[k] for k in keys]
    rows: list[Terms] = []
    for i, s in keys:
        terms = [(1.0, deliver_col(b, i, k, s)) for k in tags_of.get(i, ())]
        terms += [(1.0, substitute.index[(sid, i, s)]) for sid in subs_of.get(i, ())]
        terms += [(1.0, forgone.index[(i, j, s)]) for j in steps_of.get(i, ())]
        terms.append((1.0, unmet.index[(i, s)]))
        rows.append(terms)
    b.rows_of_terms(b.constraints("demand_met", keys, qty, qty), rows)


def add_forgone_limit(b: ModelBuilder) -> None:
    """forgone[i, j, s] <= share_j x demand: only a step's share of a row can be given up at its price."""
    md = b.md
    forgone = b.col("forgone")
    share = {(i, j): sh for i, j, sh, _v in md.forgo}
    upper = [share[(i, j)] * md.demand_qty[(i, s)] for i, j, s in forgone.keys]
    block = b.constraints("forgone_limit", forgone.keys, -INF, upper)
    b.add(block.positions(), forgone.positions(), 1.0)
