"""The model: compiled data (data.py), the families that write it once (one module each, in the order of
registry.py), and its assembly as arrays (assemble.py). The backends (critmin.backend) only translate it."""

from .assemble import assemble, model_arrays
from .builder import ModelArrays
from .data import TAGS, ModelData, compile_instance

__all__ = ["TAGS", "ModelArrays", "ModelData", "assemble", "compile_instance", "model_arrays"]
