"""critmin: plan critical-mineral supply chains under export controls (Pyomo + HiGHS).

from critmin import load_instance, build_model, solve
sol = solve(load_instance("instances/demo/demo.yaml"))
sol.builds, sol.flows, sol.kpis
"""

from .compare import Comparison, compare
from .errors import CritminError, InstanceError
from .io import load_instance
from .model import build_model
from .results import Solution
from .schema import Instance
from .solve import SolveOptions, solve

__version__ = "0.1.0"
__all__ = [
    "Comparison",
    "CritminError",
    "Instance",
    "InstanceError",
    "Solution",
    "SolveOptions",
    "build_model",
    "compare",
    "load_instance",
    "solve",
    "__version__",
]
