"""Solve an instance: compile it once, assemble the model's arrays, hand them to a backend, and read the
neutral result into a `Solution`.

The default backend hands the arrays straight to HiGHS (the fast path). `engine="pyomo"` builds the named
Pyomo model from the same arrays and solves that; a Pyomo model you built and extended is solved as given.
`solve` never raises on infeasibility or limits: the status says what happened.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .backend.highs import DEFAULT_MIP_GAP, PROVEN_GAP, SolveOptions
from .backend.result import EXIT_CODES, FEASIBLE, INFEASIBLE, NO_SOLUTION, OPTIMAL, ModelResult
from .errors import CritminError
from .results.solution import Solution
from .schema import Instance

if TYPE_CHECKING:
    import pyomo.environ as pyo

__all__ = [
    "DEFAULT_MIP_GAP",
    "EXIT_CODES",
    "FEASIBLE",
    "INFEASIBLE",
    "NO_SOLUTION",
    "OPTIMAL",
    "PROVEN_GAP",
    "SolveOptions",
    "solve",
    "solve_result",
]

Progress = Callable[[str], None]
ENGINES = ("matrix", "pyomo")


def _say_solving(say: Progress, opts: SolveOptions) -> None:
    limit = "none" if opts.time_limit is None else f"{opts.time_limit:g}s"
    say(f"solve: handing over to HiGHS and solving (time limit {limit}, mip gap {opts.mip_gap:g})")


def solve_result(
    instance: Instance | None = None,
    *,
    model: pyo.ConcreteModel | None = None,
    scenario: str | None = None,
    risk_weight: float | None = None,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
    engine: str = "matrix",
    deals_off: Sequence[str] = (),
) -> ModelResult:
    """Solve and return the neutral result (for analyses that need column values, not tables)."""
    from .model.assemble import assemble
    from .model.data import compile_instance
    from .model.numerics import arrays_warnings

    say = progress or (lambda _msg: None)
    opts = options or SolveOptions()
    if engine not in ENGINES:
        raise CritminError(f"unknown engine '{engine}': use 'matrix' or 'pyomo'")
    if model is None and instance is None:
        raise TypeError("solve() needs an instance or a model")
    if deals_off:
        if instance is None or model is not None:
            raise TypeError("deals_off needs an instance, not a model")
        instance = instance.without_deals(*deals_off)
    if model is None and engine == "matrix":
        assert instance is not None
        say("build: compiling the instance and building the model's arrays")
        t0 = time.perf_counter()
        arrays = assemble(compile_instance(instance, scenario=scenario, risk_weight=risk_weight))
        build = time.perf_counter() - t0
        warnings = arrays_warnings(arrays)
        _say_solving(say, opts)
        from .backend.session import solve_arrays

        result = solve_arrays(arrays, opts)
        result.timings["build"] = build
    else:
        from .backend.pyomo_model import build_model, model_arrays_of, solve_pyomo

        if model is None:
            assert instance is not None
            say("build: building the Pyomo model")
            model = build_model(instance, scenario=scenario, risk_weight=risk_weight)
        warnings = arrays_warnings(model_arrays_of(model))
        _say_solving(say, opts)
        result = solve_pyomo(model, opts)
    result.warnings = warnings + result.warnings
    return result


def solve(
    instance: Instance | None = None,
    *,
    model: pyo.ConcreteModel | None = None,
    scenario: str | None = None,
    risk_weight: float | None = None,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
    engine: str = "matrix",
    deals_off: Sequence[str] = (),
    **option_kw: Any,
) -> Solution:
    """Solve an instance (or a model from `build_model`, perhaps with your own constraints added).

    Returns a `Solution`; never raises on infeasibility or limits. Options may be given as a
    `SolveOptions` or as keywords (time_limit, mip_gap, threads, seed, verbose, highs_options).
    `progress`, if given, is called with a line as each phase starts (build, solve, extract).
    `engine`: 'matrix' (default) hands the model's arrays straight to HiGHS; 'pyomo' builds the named
    Pyomo model from the same arrays and solves that. A `model` you pass is always solved as given.
    `deals_off`: ids of the instance's deals to switch off (their parts removed; recorded in the options).
    """
    opts = options or SolveOptions(**option_kw)
    say = progress or (lambda _msg: None)
    result = solve_result(
        instance,
        model=model,
        scenario=scenario,
        risk_weight=risk_weight,
        options=opts,
        progress=say,
        engine=engine,
        deals_off=deals_off,
    )
    say(f"extract: {result.status} after {result.timings.get('solve', 0.0):.2f}s; building result tables")
    extra: dict[str, Any] = {"engine": "pyomo" if model is not None else engine}
    off = sorted(set(deals_off) | set(instance.deals_off if instance is not None else ()))
    if off:
        extra["deals_off"] = off
    return Solution.from_result(result, opts, extra=extra)
