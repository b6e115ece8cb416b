"""Export controls: a ban, quota or share on an exporter's shipments of listed commodities to listed
destinations; an extraterritorial rule also reaches controlled-origin material re-exported by third
countries. A share is measured against what the exporter does with its output (terms.disposition_terms)."""

from __future__ import annotations

import numpy as np

from .builder import INF, ModelBuilder
from .terms import disposition_terms, flow_index, ship_cols


def add_export_controls(b: ModelBuilder) -> None:
    md = b.md
    keys = [(c.rule, c.year, c.scenario) for c in md.controls]
    upper = [0.0 if c.kind == "share" else c.amount for c in md.controls]
    block = b.constraints("export_limit", keys, -INF, upper)
    fidx = flow_index(b)
    for r, ctl in enumerate(md.controls, start=block.start):
        flows = np.array([fidx[fk] for fk in ctl.flows])
        b.add(
            np.full(len(flows), r),
            ship_cols(b, flows, b.year_index[ctl.year], b.scen_index[ctl.scenario]),
            1.0,
        )
        if ctl.kind == "share":
            used = disposition_terms(b, ctl.exporter, ctl.commodities, ctl.year, ctl.scenario)
            b.add_terms(r, [(-ctl.amount * coef, col) for coef, col in used])
