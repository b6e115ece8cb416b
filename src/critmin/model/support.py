"""Offtake contracts: a minimum output from a facility in its years. Their premium, and price-floor payments,
are cost terms of `support` (objective.py); data.py refuses an offtake on a plant that cannot run."""

from __future__ import annotations

from .builder import INF, ModelBuilder, Terms
from .terms import output_terms


def add_offtakes(b: ModelBuilder) -> None:
    md = b.md
    keys: list[tuple[str, int, str]] = []
    rows: list[Terms] = []
    lower: list[float] = []
    for oid, f, c, y, qty, _premium in md.levers.offtakes:
        for s in md.scenarios:
            keys.append((oid, y, s))
            rows.append(output_terms(b, f, c, y, s))
            lower.append(qty)
    b.rows_of_terms(b.constraints("offtake_min", keys, lower, INF), rows)
