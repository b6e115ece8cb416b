"""Assemble the model of an instance as arrays: compile the data once, then run every family in the
registry's order. This is the single author of the model; the backends only translate its output."""

from __future__ import annotations

from ..perf import paused_gc
from ..schema import Instance
from .builder import ModelArrays, ModelBuilder
from .data import ModelData, compile_instance
from .registry import BUILD_ORDER


def assemble(md: ModelData) -> ModelArrays:
    """The model of compiled data `md` as arrays (columns, rows, matrix, bounds, cost components)."""
    with paused_gc():
        b = ModelBuilder(md)
        for add_family in BUILD_ORDER:
            add_family(b)
        return b.finish()


def model_arrays(
    instance: Instance, *, scenario: str | None = None, risk_weight: float | None = None
) -> ModelArrays:
    """Compile and assemble in one call."""
    return assemble(compile_instance(instance, scenario=scenario, risk_weight=risk_weight))
