"""The Pyomo model: sets, variables, one module per constraint family, objective, assembly."""

from .build import build_model, model_data
from .data import TAGS, ModelData, compile_instance

__all__ = ["TAGS", "ModelData", "build_model", "compile_instance", "model_data"]
