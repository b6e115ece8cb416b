"""critmin: plan critical-mineral supply chains under export controls (Pyomo + HiGHS).

from critmin import load_instance, solve
sol = solve(load_instance("instances/demo/demo.yaml"))
sol.builds, sol.flows, sol.kpis
"""

from .analysis.compare import Comparison, compare
from .analysis.diagnose import Diagnosis, diagnose
from .analysis.frontier import Frontier, frontier
from .backend.pyomo_model import build_model
from .errors import CritminError, InstanceError
from .io import load_instance
from .results import Solution
from .schema import Instance
from .solve import SolveOptions, solve

__version__ = "0.1.0"
__all__ = [
    "Comparison",
    "CritminError",
    "Diagnosis",
    "Frontier",
    "Instance",
    "InstanceError",
    "Solution",
    "SolveOptions",
    "build_model",
    "compare",
    "diagnose",
    "frontier",
    "load_instance",
    "solve",
    "__version__",
]
