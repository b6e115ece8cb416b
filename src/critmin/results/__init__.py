"""Results: the plan as tables (tables.py, one function per table) and the `Solution` that holds, writes
and reads them (solution.py)."""

from .solution import FORMAT_VERSION, Solution, model_version
from .tables import TABLES, extract_tables

__all__ = ["FORMAT_VERSION", "TABLES", "Solution", "extract_tables", "model_version"]
