"""Export controls: a ban, quota or share on an exporter's shipments of what a control lists to its
destinations; an extraterritorial rule also reaches controlled-tag material re-exported by third countries.
A share is of a stated reference quantity (data.py), so it bounds the listed shipments like a quota and
cannot be raised by shipping more elsewhere."""

from __future__ import annotations

import numpy as np

from .builder import INF, ModelBuilder
from .terms import flow_index, ship_cols


def add_export_controls(b: ModelBuilder) -> None:
    md = b.md
    keys = [(c.rule, c.year, c.scenario) for c in md.controls]
    block = b.constraints("export_limit", keys, -INF, [c.amount for c in md.controls])
    fidx = flow_index(b)
    for r, ctl in enumerate(md.controls, start=block.start):
        flows = np.array([fidx[fk] for fk in ctl.flows])
        cols = ship_cols(b, flows, b.year_index[ctl.year], b.scen_index[ctl.scenario])
        b.add(np.full(len(flows), r), cols, 1.0)
