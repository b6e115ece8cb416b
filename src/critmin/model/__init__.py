"""The model: compiled data (data.py), the families that write it once (one module each, in the order of
registry.py), and its assembly as arrays (assemble.py). `build_model` gives the same model as Pyomo."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .assemble import assemble, model_arrays
from .builder import ModelArrays
from .data import TAGS, ModelData, compile_instance

if TYPE_CHECKING:
    import pyomo.environ as pyo

    from ..schema import Instance

__all__ = [
    "TAGS",
    "ModelArrays",
    "ModelData",
    "assemble",
    "build_model",
    "compile_instance",
    "model_arrays",
    "model_data",
]


def build_model(
    instance: Instance, *, scenario: str | None = None, risk_weight: float | None = None
) -> pyo.ConcreteModel:
    """The Pyomo model of an instance, with the component names of models/critmin.md. Add your own
    components and pass it to `critmin.solve(model=...)`. `scenario` keeps a single scenario (probability 1);
    `risk_weight` overrides the instance's."""
    import time

    from ..backend.pyomo_model import to_pyomo

    t0 = time.perf_counter()
    model = to_pyomo(model_arrays(instance, scenario=scenario, risk_weight=risk_weight))
    model._critmin_build_seconds = time.perf_counter() - t0
    return model


def model_data(model: pyo.ConcreteModel) -> ModelData:
    """The compiled instance data a Pyomo model was built from."""
    from ..backend.pyomo_model import model_data as _md

    return _md(model)
