"""Substitution and thrifting: part of a demand row met by a substitute, up to a share, at a cost. The
substitute enters demand_met (demand.py) beside deliveries and unmet demand."""

from __future__ import annotations

from .builder import INF, ModelBuilder


def add_substitution_variables(b: ModelBuilder) -> None:
    md = b.md
    b.variables("substitute", [(sid, i, s) for sid, i in md.levers.substitutions for s in md.scenarios])


def add_substitution(b: ModelBuilder) -> None:
    md, lv = b.md, b.md.levers
    sub = b.col("substitute")
    upper = [lv.sub_share[sid] * md.demand_qty[(i, s)] for sid, i, s in sub.keys]
    block = b.constraints("substitution_limit", sub.keys, -INF, upper)
    b.add(block.positions(), sub.positions(), 1.0)
