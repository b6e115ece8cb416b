"""Export the model as MPS or LP with readable names, for a second solver or for inspection.

Names are Pyomo's component names with their entity indices (e.g. `ship(ndpr_oxide_CN_US_clear_2027_s1)`).
The exported model is in critmin's internal scaled units: quantities / quantity_scale and money / money_scale
(both printed by `critmin export` and recorded in solution summaries), so its objective times money_scale is
the expected cost.
"""

from __future__ import annotations

from pathlib import Path

import pyomo.environ as pyo

from .errors import CritminError


def export_model(model: pyo.ConcreteModel, path: str | Path, fmt: str | None = None) -> Path:
    """Write the model to `path` as 'mps' or 'lp' (from the suffix when `fmt` is None)."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".")).lower()
    if fmt not in ("mps", "lp"):
        raise CritminError(f"unknown export format '{fmt}' for {path}: use .mps or .lp")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        model.write(str(tmp), format=fmt, io_options={"symbolic_solver_labels": True})
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
