"""The core decision variables. Builds are first-stage (no scenario index); the rest are per scenario.
Lever variables are declared by their own modules (stockpiles.py, substitution.py, cvar.py)."""

from __future__ import annotations

from .builder import ModelBuilder


def add_variables(b: ModelBuilder) -> None:
    md = b.md
    years, scens = md.years, md.scenarios
    b.variables("build_capacity", [k for k in md.build_keys if k[0] not in md.discrete])
    modular = [k for k in md.build_keys if k[0] in md.discrete]
    max_count = [md.modules_max[o] for o, _y, _branch in modular]
    b.variables("build_modules", modular, 0.0, max_count, integer=True)
    b.variables("activity", list(md.activity_keys))
    b.variables("input_use", list(md.use_keys))
    b.variables("ship", [(c, o, d, k, y, s) for (c, o, d, k) in md.flows for y in years for s in scens])
    b.variables("deliver", [(i, k, s) for (i, k) in md.deliver_keys for s in scens])
    b.variables("unmet", [(d.index, s) for d in md.demand for s in scens])
    b.variables("forgone", [(i, j, s) for i, j, _share, _value in md.forgo for s in scens])
