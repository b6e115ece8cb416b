"""Solve with HiGHS: Pyomo's standard-form compiler hands the matrix to highspy directly.

Why this path: on our models it was the fastest of the Pyomo routes measured (benchmarks/handover.py and
benchmarks/README.md), and it gives us HiGHS's own status, bound, gap and duals without a translation layer.
`solve` never raises on infeasibility or limits: the status says what happened.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

import highspy
import numpy as np
import pyomo.environ as pyo
import scipy.sparse  # noqa: F401 - Pyomo imports it lazily; load it here, not inside the timed hand-over
from pyomo.common.errors import InfeasibleConstraintException
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler

from .errors import CritminError
from .model import build_model
from .numerics import coefficient_warnings, range_warnings
from .schema import Instance

# Statuses and the CLI exit code each maps to (documented in README and `critmin solve --help`).
OPTIMAL = "optimal"
FEASIBLE = "feasible"  # stopped by a time or gap limit with an incumbent: not proven optimal
INFEASIBLE = "infeasible"
UNBOUNDED = "unbounded"
NO_SOLUTION = "no_solution"  # stopped by a limit before any feasible solution was found
ERROR = "error"
EXIT_CODES = {OPTIMAL: 0, FEASIBLE: 0, INFEASIBLE: 2, UNBOUNDED: 2, ERROR: 2, NO_SOLUTION: 3}

DEFAULT_MIP_GAP = 1e-4
# A MIP counts as proven optimal only when its final relative gap is at most this; a run stopped at a looser
# gap (because the user asked for one) is reported as 'feasible', with its incumbent, bound and gap.
PROVEN_GAP = 1e-4


@dataclass
class SolveOptions:
    """Solver settings. The seed and thread count are fixed by default so runs are reproducible."""

    time_limit: float | None = None  # seconds
    mip_gap: float = DEFAULT_MIP_GAP  # relative
    threads: int = 1
    seed: int = 0
    verbose: bool = False
    highs_options: dict[str, Any] = field(default_factory=dict)  # raw HiGHS options, applied last

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class SolverRun:
    """What HiGHS reported, before results are extracted."""

    status: str
    message: str
    objective: float | None = None  # scaled money
    bound: float | None = None
    gap: float | None = None
    handover_seconds: float = 0.0
    solve_seconds: float = 0.0
    num_variables: int = 0
    num_constraints: int = 0
    num_integers: int = 0
    num_nonzeros: int = 0
    highs_status: str = ""
    columns: list[Any] = field(default_factory=list)
    rows: list[Any] = field(default_factory=list)
    x: np.ndarray | None = None
    row_duals: np.ndarray | None = None
    warnings: list[str] = field(default_factory=list)


_banner_suppressed = False


def new_highs() -> highspy.Highs:
    """A Highs object. HiGHS prints a banner on stdout when the first one is made in a process; it would
    corrupt our printed summary (and piped output), so the first construction runs with fd 1 muted."""
    global _banner_suppressed
    if _banner_suppressed:
        return highspy.Highs()
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        h = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)
    _banner_suppressed = True
    return h


def configured_highs(options: SolveOptions) -> highspy.Highs:
    """A Highs object with our options set (seed and threads fixed for reproducibility)."""
    h = new_highs()
    h.setOptionValue("output_flag", bool(options.verbose))
    h.setOptionValue("random_seed", int(options.seed))
    h.setOptionValue("threads", int(options.threads))
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    if options.time_limit is not None:
        h.setOptionValue("time_limit", float(options.time_limit))
    for key, value in options.highs_options.items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise CritminError(f"HiGHS rejected option {key}={value!r}")
    return h


def run_interruptibly(h: highspy.Highs) -> None:
    """Run HiGHS in its own thread so Ctrl-C reaches Python at once: the solve is cancelled, HiGHS is
    waited for, and KeyboardInterrupt propagates (nothing has been written yet)."""
    h.HandleUserInterrupt = True  # without it HiGHS ignores cancelSolve() and runs to the end
    h.startSolve()
    try:
        while not h.wait(0.1)[0]:
            pass
    except KeyboardInterrupt:
        h.cancelSolve()
        while not h.wait(0.1)[0]:
            pass
        raise


def to_highs(model: pyo.ConcreteModel) -> tuple[highspy.HighsLp, Any]:
    """Compile the model to matrix form and load it into a HighsLp (column-wise)."""
    info = LinearStandardFormCompiler().write(model, mixed_form=True)
    n = len(info.columns)
    lp = highspy.HighsLp()
    lp.num_col_ = n
    lp.num_row_ = len(info.rows)
    c = info.c.toarray()[0] if info.c.shape[0] else np.zeros(n)
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.offset_ = float(info.c_offset[0]) if len(info.c_offset) else 0.0
    inf = highspy.kHighsInf
    lower = np.array([-inf if v.lb is None else v.lb for v in info.columns], dtype=float)
    upper = np.array([inf if v.ub is None else v.ub for v in info.columns], dtype=float)
    lp.col_lower_ = lower
    lp.col_upper_ = upper
    senses = np.array([r.bound_type for r in info.rows], dtype=int)
    rhs = np.asarray(info.rhs, dtype=float)
    lp.row_lower_ = np.where(senses == 1, -inf, rhs)
    lp.row_upper_ = np.where(senses == -1, inf, rhs)
    A = info.A.tocsc()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    integer = [v.is_integer() or v.is_binary() for v in info.columns]
    if any(integer):
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer
        ]
    return lp, info


def matrix_to_highs(mm: Any) -> highspy.HighsLp:
    """A HighsLp from a MatrixModel (the fast path: no Pyomo objects)."""
    lp = highspy.HighsLp()
    lp.num_col_ = len(mm.c)
    lp.num_row_ = len(mm.row_lower)
    lp.col_cost_ = mm.c
    lp.offset_ = float(mm.offset)
    lp.col_lower_ = mm.col_lower
    lp.col_upper_ = mm.col_upper
    lp.row_lower_ = mm.row_lower
    lp.row_upper_ = mm.row_upper
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = mm.A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = mm.A.indices.astype(np.int32)
    lp.a_matrix_.value_ = mm.A.data.astype(float)
    if mm.integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in mm.integer
        ]
    return lp


def run_matrix(mm: Any, options: SolveOptions, handover_start: float) -> tuple[SolverRun, np.ndarray | None]:
    """Solve a MatrixModel with HiGHS; returns the run and the solution vector (integers rounded)."""
    lp = matrix_to_highs(mm)
    h = configured_highs(options)
    h.passModel(lp)
    handover = time.perf_counter() - handover_start
    run, x = _run(h, lp, options, handover)
    names_c, names_r = mm.col_names, mm.row_names
    run.warnings = range_warnings(mm.A, mm.c, lambda i: names_r()[i], lambda j: names_c()[j])
    if x is not None:
        x = np.where(mm.integer, np.round(x), x)
    return run, x


def run_highs(model: pyo.ConcreteModel, options: SolveOptions) -> SolverRun:
    """Hand the model to HiGHS, solve, write the values back into the Pyomo variables."""
    t0 = time.perf_counter()
    try:
        lp, info = to_highs(model)
    except InfeasibleConstraintException as exc:
        return SolverRun(
            INFEASIBLE,
            f"a constraint is infeasible before solving: {exc}",
            handover_seconds=time.perf_counter() - t0,
        )
    h = configured_highs(options)
    h.passModel(lp)
    handover = time.perf_counter() - t0
    run, x = _run(h, lp, options, handover)
    run.columns, run.rows = info.columns, info.rows
    run.warnings = coefficient_warnings(info)
    if x is not None:
        for var, value in zip(info.columns, x, strict=True):
            if var.is_integer() or var.is_binary():
                value = round(value)
            var.set_value(value, skip_validation=True)
        # variables the compiler left out (in no constraint or objective) are zero in any optimum
        for var in model.component_data_objects(pyo.Var, active=True):
            if var.value is None:
                var.set_value(0.0 if var.lb is None or var.lb <= 0 else var.lb, skip_validation=True)
    return run


def _run(
    h: highspy.Highs, lp: highspy.HighsLp, options: SolveOptions, handover: float
) -> tuple[SolverRun, np.ndarray | None]:
    """Solve a loaded Highs and map its status; shared by both engines."""
    t1 = time.perf_counter()
    run_interruptibly(h)
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        h.setOptionValue("presolve", "off")  # presolve cannot tell which; the simplex can
        run_interruptibly(h)
        status = h.getModelStatus()
    solve_seconds = time.perf_counter() - t1

    info_h = h.getInfo()
    integrality = lp.integrality_ if lp.integrality_ is not None else []
    n_int = sum(1 for t in integrality if t == highspy.HighsVarType.kInteger)
    is_mip = n_int > 0
    has_solution = info_h.primal_solution_status == 2  # kSolutionStatusFeasible
    S = highspy.HighsModelStatus
    if status == S.kOptimal:
        result = OPTIMAL
    elif status == S.kInfeasible:
        result = INFEASIBLE
    elif status in (S.kUnbounded, S.kUnboundedOrInfeasible):
        result = UNBOUNDED
    elif status in (
        S.kTimeLimit,
        S.kIterationLimit,
        S.kSolutionLimit,
        S.kInterrupt,
        S.kHighsInterrupt,
        S.kObjectiveBound,
        S.kObjectiveTarget,
        S.kMemoryLimit,
    ):
        result = FEASIBLE if has_solution else NO_SOLUTION
    else:
        result = ERROR
    run = SolverRun(
        status=result,
        message=h.modelStatusToString(status),
        handover_seconds=handover,
        solve_seconds=solve_seconds,
        num_variables=lp.num_col_,
        num_constraints=lp.num_row_,
        num_integers=n_int,
        num_nonzeros=len(lp.a_matrix_.value_),
        highs_status=h.modelStatusToString(status),
    )
    if result not in (OPTIMAL, FEASIBLE):
        return run, None
    sol = h.getSolution()
    x = np.asarray(sol.col_value, dtype=float)
    run.x = x
    run.objective = float(info_h.objective_function_value)
    if is_mip:
        run.bound = float(info_h.mip_dual_bound)
        gap = info_h.mip_gap
        run.gap = float(gap) if math.isfinite(gap) else None
        if result == OPTIMAL and (run.gap is None or run.gap > PROVEN_GAP + 1e-12):
            run.status = FEASIBLE
            run.message = (
                f"stopped at relative gap {gap:.3g} (mip_gap {options.mip_gap:g}): not proven optimal"
            )
    else:
        run.bound = run.objective
        run.gap = 0.0
        run.row_duals = np.asarray(sol.row_dual, dtype=float) if sol.dual_valid else None
    return run, x


Progress = Callable[[str], None]


def solve(
    instance: Instance | None = None,
    *,
    model: pyo.ConcreteModel | None = None,
    scenario: str | None = None,
    risk_weight: float | None = None,
    options: SolveOptions | None = None,
    progress: Progress | None = None,
    engine: str = "matrix",
    **option_kw: Any,
) -> Any:
    """Solve an instance (or a model from `build_model`, perhaps with your own constraints added).

    Returns a `Solution`; never raises on infeasibility or limits. Options may be given as a
    `SolveOptions` or as keywords (time_limit, mip_gap, threads, seed, verbose, highs_options).
    `progress`, if given, is called with a line as each phase starts (build, solve, extract).
    `engine`: 'matrix' (default) builds the model straight as arrays — the fast path, proven identical to
    the Pyomo model by tests/test_matrix.py; 'pyomo' builds the Pyomo model. A `model` you pass is always
    solved as given.
    """
    from .results import Solution

    say = progress or (lambda _msg: None)
    opts = options or SolveOptions(**option_kw)
    if engine not in ("matrix", "pyomo"):
        raise CritminError(f"unknown engine '{engine}': use 'matrix' or 'pyomo'")
    if model is None and engine == "matrix":
        if instance is None:
            raise TypeError("solve() needs an instance or a model")
        return _solve_matrix(instance, scenario, risk_weight, opts, say)
    if model is None:
        if instance is None:
            raise TypeError("solve() needs an instance or a model")
        say("build: constructing the Pyomo model")
        model = build_model(instance, scenario=scenario, risk_weight=risk_weight)
    say(
        f"solve: handing over to HiGHS and solving (time limit "
        f"{'none' if opts.time_limit is None else f'{opts.time_limit:g}s'}, mip gap {opts.mip_gap:g})"
    )
    run = run_highs(model, opts)
    say(f"extract: {run.status} after {run.solve_seconds:.2f}s; building result tables")
    return Solution.from_run(model, run, opts)


def _solve_matrix(
    instance: Instance, scenario: str | None, risk_weight: float | None, opts: SolveOptions, say: Progress
) -> Any:
    """The fast path: compile, build arrays, solve, and extract results without Pyomo objects."""
    import gc

    from .model.build import check_scenario
    from .model.data import compile_instance
    from .model.matrix import ArrayModel, build_matrix
    from .results import Solution

    check_scenario(instance, scenario)
    say("build: compiling the instance and building the matrix")
    t0 = time.perf_counter()
    rw = instance.objective.risk_weight if risk_weight is None else risk_weight
    gc_on = gc.isenabled()
    gc.disable()
    try:
        md = compile_instance(instance, scenario=scenario)
        mm = build_matrix(md, risk_weight=rw)
    finally:
        if gc_on:
            gc.enable()
    build = time.perf_counter() - t0
    say(
        f"solve: handing over to HiGHS and solving (time limit "
        f"{'none' if opts.time_limit is None else f'{opts.time_limit:g}s'}, mip gap {opts.mip_gap:g})"
    )
    run, x = run_matrix(mm, opts, time.perf_counter())
    say(f"extract: {run.status} after {run.solve_seconds:.2f}s; building result tables")
    shim = ArrayModel(mm, x if x is not None else np.zeros(len(mm.c)), rw, build)
    return Solution.from_run(shim, run, opts)
