"""Capacity: activity limited by available capacity; builds count from their online period (after their
lead time) until retirement; options may cap what they add over the horizon."""

from __future__ import annotations

from ..schema import DiscreteOption
from .builder import INF, ModelBuilder, Terms
from .builds import by_scenario_sets
from .terms import activity_col, build_col, capacity_online


def add_capacity(b: ModelBuilder) -> None:
    md = b.md
    runs = {(f, y, s) for (f, _k, y, s) in md.activity_keys}
    keys = [(f, y, s) for (f, y) in md.cap_keys for s in md.scenarios if (f, y, s) in runs]
    rhs = [md.avail[(f, y, s)] * md.existing_usable.get((f, y, s), 0.0) for f, y, s in keys]
    rows: list[Terms] = []
    for f, y, s in keys:
        a = md.avail[(f, y, s)]
        terms = [
            (1.0, activity_col(b, f, k, y, s)) for _, k in md.streams_of[f] if (f, k, y, s) in md.recipe_of
        ]
        rows.append(terms + [(-a * u, col) for u, col in capacity_online(b, f, y, s)])
    b.rows_of_terms(b.constraints("capacity_limit", keys, -INF, rhs), rows)

    limited: list[tuple[str, str]] = []
    caps: list[float] = []
    rows = []
    for o in md.inst.build_options:
        if isinstance(o, DiscreteOption):
            cap = float(o.max_count)
        elif o.max_capacity is not None:
            cap = o.max_capacity / md.q
        else:
            continue
        keys_o = [k for k in md.build_keys if k[0] == o.id]
        for label, keys in by_scenario_sets(keys_o, md.build_serves, md.scenarios):
            limited.append((o.id, label))
            caps.append(cap)
            rows.append([(1.0, build_col(b, k)) for k in keys])
    b.rows_of_terms(b.constraints("build_limit", limited, -INF, caps), rows)
