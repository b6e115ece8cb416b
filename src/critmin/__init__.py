"""critmin: plan critical-mineral supply chains under export controls (Pyomo + HiGHS).

    from critmin import load_instance, solve
    sol = solve(load_instance("instances/demo/demo.yaml"))
    sol.builds, sol.flows, sol.kpis

Names are imported on first use, so `import critmin` (and `critmin --help`) stays quick: the modelling,
solver and table libraries load only when something needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# public name -> (module, attribute); a module alone for subpackages
_PUBLIC: dict[str, tuple[str, str | None]] = {
    "Comparison": ("critmin.analysis.compare", "Comparison"),
    "CritminError": ("critmin.errors", "CritminError"),
    "Diagnosis": ("critmin.analysis.diagnose", "Diagnosis"),
    "Frontier": ("critmin.analysis.frontier", "Frontier"),
    "Instance": ("critmin.schema", "Instance"),
    "InstanceError": ("critmin.errors", "InstanceError"),
    "Solution": ("critmin.results", "Solution"),
    "SolveOptions": ("critmin.backend.highs", "SolveOptions"),
    "build_model": ("critmin.backend.pyomo_model", "build_model"),
    "compare": ("critmin.analysis.compare", "compare"),
    "diagnose": ("critmin.analysis.diagnose", "diagnose"),
    "frontier": ("critmin.analysis.frontier", "frontier"),
    "load_instance": ("critmin.io", "load_instance"),
    "solve": ("critmin.solving", "solve"),
    "analysis": ("critmin.analysis", None),
    "report": ("critmin.report", None),
}
__all__ = [
    "Comparison",
    "CritminError",
    "Diagnosis",
    "Frontier",
    "Instance",
    "InstanceError",
    "Solution",
    "SolveOptions",
    "analysis",
    "build_model",
    "compare",
    "diagnose",
    "frontier",
    "load_instance",
    "report",
    "solve",
    "__version__",
]

if TYPE_CHECKING:
    from . import analysis, report
    from .analysis.compare import Comparison, compare
    from .analysis.diagnose import Diagnosis, diagnose
    from .analysis.frontier import Frontier, frontier
    from .backend.highs import SolveOptions
    from .backend.pyomo_model import build_model
    from .errors import CritminError, InstanceError
    from .io import load_instance
    from .results import Solution
    from .schema import Instance
    from .solving import solve


def __getattr__(name: str) -> Any:
    if name not in _PUBLIC:
        raise AttributeError(f"module 'critmin' has no attribute '{name}'")
    module, attr = _PUBLIC[name]
    value = (
        importlib.import_module(module) if attr is None else getattr(importlib.import_module(module), attr)
    )
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_PUBLIC))
