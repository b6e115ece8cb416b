"""HiGHS: options, the hand-over of the model's arrays, an interruptible solve and the status mapping.

Why highspy directly: on our models it was the fastest route measured (benchmarks/handover.py and
benchmarks/README.md), and it gives HiGHS's own status, bound, gap, duals and IIS without a translation
layer. Solving never raises on infeasibility or limits: the status says what happened.
"""

from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import asdict, dataclass, field
from typing import Any

import highspy
import numpy as np

from ..errors import CritminError
from ..model.builder import ModelArrays
from .gaps import DEFAULT_MIP_GAP
from .result import ERROR, FEASIBLE, INFEASIBLE, NO_SOLUTION, OPTIMAL, UNBOUNDED, ModelResult

# A MIP counts as proven optimal only when its final relative gap is at most this; a run stopped at a looser
# gap (because the user asked for one) is reported as 'feasible', with its incumbent, bound and gap.
PROVEN_GAP = 1e-4


# An LP (no integer columns) with at least this many columns is solved by HiGHS's first-order method
# (HiPDLP) to a relative KKT error of PDLP_TOLERANCE (the gap critmin proves MIPs to), and so are its
# re-solves (HiPDLP cannot warm-start); smaller LPs, MIPs and their re-solves by dual simplex. Measured
# (benchmarks/lp_algorithms.py, table in benchmarks/README.md): on the synthetic XL (3.3M columns) neither
# interior point nor the older PDLP finishes in 900 s on two cores, and HiPDLP does (370 s); at 0.5M columns
# simplex and interior point tie (221 / 217 s) while HiPDLP takes 23 s, but exact answers are kept wherever
# an exact method finishes (and simplex leaves a basis for warm re-solves). A first-order answer is
# approximate: the result carries its primal-dual interval and the largest relative infeasibility
# (run_loaded). Interior point stays available (lp_algorithm="ipm", --highs-option solver=ipm).
AUTO_PDLP_COLUMNS = 1_000_000
PDLP_TOLERANCE = 1e-4
# HiGHS options for every MIP unless the user sets them (--highs-option). critmin's MIPs are near-tied: the
# LP relaxation has few fractional binaries, the gap closes in a few nodes, and the time went to root work
# (RENS/RINS sub-MIPs, restarts, the root reduced-cost heuristic). Chosen by measurement over seeds on the
# bundled and generated instances: benchmarks/solver_defaults.py, table in benchmarks/README.md.
MIP_DEFAULTS: dict[str, Any] = {
    "mip_heuristic_run_rens": False,
    "mip_heuristic_run_rins": False,
    "mip_allow_restart": False,
    "mip_heuristic_run_root_reduced_cost": False,
}


@dataclass
class SolveOptions:
    """Solver settings. The seed and thread count are fixed by default so runs are reproducible."""

    time_limit: float | None = None  # seconds
    mip_gap: float = DEFAULT_MIP_GAP  # relative
    threads: int = 1
    seed: int = 0
    verbose: bool = False
    highs_options: dict[str, Any] = field(default_factory=dict)  # raw HiGHS options, applied last
    lp_algorithm: str = "auto"  # auto (by size: AUTO_PDLP_COLUMNS), simplex, ipm, pdlp; highs_options win
    rounding: bool = True  # a MIP first tries critmin's search on LP relaxations (backend/rounding.py)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


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
    if options.verbose:  # HiGHS's log on stderr: stdout carries only what critmin prints (text or JSON)
        h.setOptionValue("log_to_console", False)
        h.cbLogging.subscribe(_log_to_stderr)
    h.setOptionValue("random_seed", int(options.seed))
    h.setOptionValue("threads", int(options.threads))
    h.setOptionValue("mip_rel_gap", float(options.mip_gap))
    if options.time_limit is not None:
        h.setOptionValue("time_limit", float(options.time_limit))
    for key, value in options.highs_options.items():
        if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
            raise CritminError(f"HiGHS rejected option {key}={value!r}")
    return h


def _set(h: highspy.Highs, key: str, value: Any) -> None:
    if h.setOptionValue(key, value) != highspy.HighsStatus.kOk:
        raise CritminError(f"HiGHS rejected option {key}={value!r}")


def _log_to_stderr(event: Any) -> None:
    sys.stderr.write(str(getattr(event, "message", event)))


def choose_lp_algorithm(h: highspy.Highs, options: SolveOptions, columns: int, is_mip: bool) -> str:
    """Set HiGHS's LP algorithm for a cold solve: HiPDLP for LPs of AUTO_PDLP_COLUMNS or more, else the
    default (dual simplex); interior point (with crossover) when asked for; a `solver` in highs_options is the
    user's choice and is kept. A MIP also gets `MIP_DEFAULTS`, except options the user set. Returns the LP
    algorithm."""
    if is_mip:
        for key, value in MIP_DEFAULTS.items():
            if key not in options.highs_options:
                _set(h, key, value)
    if "solver" in options.highs_options:
        return str(options.highs_options["solver"])
    algo = options.lp_algorithm
    if algo not in ("auto", "simplex", "ipm", "pdlp"):
        raise CritminError(f"unknown lp_algorithm '{algo}': use auto, simplex, ipm or pdlp")
    if algo == "auto":
        algo = "pdlp" if not is_mip and columns >= AUTO_PDLP_COLUMNS else "simplex"
    if algo == "pdlp" and not is_mip:
        _set(h, "solver", "hipdlp")  # HiGHS >= 1.16 (pyproject.toml)
        if "kkt_tolerance" not in options.highs_options:
            _set(h, "kkt_tolerance", PDLP_TOLERANCE)
        return "pdlp"
    if algo == "ipm" and not is_mip:
        h.setOptionValue("solver", "ipm")
        h.setOptionValue("run_crossover", "on")
        return "ipm"
    return "simplex"


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


def highs_lp(
    A: Any,
    c: np.ndarray,
    offset: float,
    col_lower: np.ndarray,
    col_upper: np.ndarray,
    row_lower: np.ndarray,
    row_upper: np.ndarray,
    integer: np.ndarray,
) -> highspy.HighsLp:
    """A column-wise HighsLp from arrays."""
    A = A.tocsc()
    lp = highspy.HighsLp()
    lp.num_col_ = len(c)
    lp.num_row_ = len(row_lower)
    lp.col_cost_ = np.asarray(c, dtype=float)
    lp.offset_ = float(offset)
    lp.col_lower_ = np.asarray(col_lower, dtype=float)
    lp.col_upper_ = np.asarray(col_upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = A.indptr.astype(np.int32)
    lp.a_matrix_.index_ = A.indices.astype(np.int32)
    lp.a_matrix_.value_ = A.data.astype(float)
    if integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if i else highspy.HighsVarType.kContinuous for i in integer
        ]
    return lp


def arrays_lp(arrays: ModelArrays, *, constant: bool = True) -> highspy.HighsLp:
    """The model's arrays as a HighsLp (the fast path: no Pyomo objects); `constant=False` leaves the
    objective's constant out (a Session adds it back to the result, so gaps are on the variable part)."""
    return highs_lp(
        arrays.A,
        arrays.c,
        arrays.offset if constant else 0.0,
        arrays.col_lower,
        arrays.col_upper,
        arrays.row_lower,
        arrays.row_upper,
        arrays.integer,
    )


def model_counts(lp: highspy.HighsLp, arrays: ModelArrays, integers: int) -> dict[str, int]:
    """The size of a solved model, as every result reports it."""
    return {
        "variables": int(lp.num_col_),
        "constraints": int(lp.num_row_),
        "integers": integers,
        "nonzeros": len(lp.a_matrix_.value_),
        "scenarios": len(arrays.md.scenarios),
        "years": len(arrays.md.years),
    }


def set_time_left(h: highspy.Highs, seconds: float) -> None:
    """Give the next solve of `h` this many seconds. HiGHS measures `time_limit` on the object's run time
    summed over all its solves (clearSolver does not reset it), so a session re-solved job after job (an
    analysis's loaded model, the LP search's nodes) would otherwise stop each solve once the sum passed it."""
    _set(h, "time_limit", h.getRunTime() + max(seconds, 1e-3))


def run_loaded(
    h: highspy.Highs,
    lp: highspy.HighsLp,
    arrays: ModelArrays,
    options: SolveOptions,
    handover: float,
    time_left: float | None = None,
) -> ModelResult:
    """Solve a loaded Highs and map its status; the result's x is in the loaded model's column order.
    `time_left` (default: the options' time limit) is this solve's own (set_time_left)."""
    limit = options.time_limit if time_left is None else time_left
    if limit is not None:
        set_time_left(h, limit)
    t1 = time.perf_counter()
    run_interruptibly(h)
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kUnboundedOrInfeasible:
        h.setOptionValue("presolve", "off")  # presolve cannot tell which; the simplex can
        run_interruptibly(h)
        status = h.getModelStatus()
    solve_seconds = time.perf_counter() - t1
    info = h.getInfo()
    n_int = int(sum(1 for t in (lp.integrality_ or []) if t == highspy.HighsVarType.kInteger))
    result = ModelResult(
        arrays,
        map_status(status, info.primal_solution_status == 2),
        h.modelStatusToString(status),
        timings={"handover": handover, "solve": solve_seconds},
        counts=model_counts(lp, arrays, n_int),
    )
    if result.status not in (OPTIMAL, FEASIBLE):
        return result
    sol = h.getSolution()
    result.x = np.asarray(sol.col_value, dtype=float)
    result.objective = float(info.objective_function_value)  # incl. the loaded model's own offset
    if n_int:
        result.bound = float(info.mip_dual_bound)  # incl. the loaded offset, as the objective
        result.gap = float(info.mip_gap) if math.isfinite(info.mip_gap) else None
        if result.status == OPTIMAL and (result.gap is None or result.gap > PROVEN_GAP + 1e-12):
            result.status = FEASIBLE
            result.message = (
                f"stopped at relative gap {info.mip_gap:.3g} (mip_gap {options.mip_gap:g}): "
                "not proven optimal"
            )
    else:
        result.bound, result.gap = result.objective, 0.0
        result.row_duals = np.asarray(sol.row_dual, dtype=float) if sol.dual_valid else None
        if info.pdlp_iteration_count > 0:
            _first_order(info, sol, lp, result)
    return result


def _first_order(info: Any, sol: Any, lp: highspy.HighsLp, result: ModelResult) -> None:
    """A first-order (PDLP) answer is optimal only to its tolerance, and says so: the bound is the dual
    objective (either side of the objective; the optimum lies near the two, not necessarily between them,
    since both solutions are only near-feasible), the gap HiGHS's relative primal-dual error, and the message
    names the largest relative infeasibility left in the plan. `info` and `sol` are run_loaded's (on the XL a
    solution is 5M values: read once)."""
    if sol.dual_valid:
        result.bound = _dual_objective(lp, sol)
    gap = float(getattr(info, "primal_dual_objective_error", math.nan))  # not in highspy's stubs
    result.gap = gap if math.isfinite(gap) and gap >= 0 else None
    infeasible = float(getattr(info, "max_relative_primal_infeasibility", math.nan))
    result.message = (
        f"approximate: a first-order solution (PDLP, {info.pdlp_iteration_count} iterations); relative "
        f"primal-dual objective gap {gap:.2g} (an estimate, not a guarantee), largest relative "
        f"infeasibility {infeasible:.2g}; "
        "--highs-option solver=ipm for an exact basic solution"
    )


def _dual_objective(lp: highspy.HighsLp, sol: Any) -> float:
    """The dual objective of a (possibly inexact) primal-dual pair, as HiGHS computes it (HighsSolution.cpp,
    computeDualObjectiveValue; highspy cannot return it): each column's and row's dual times the bound its
    value is nearer to, 1 for a free one, plus the offset."""
    values = np.concatenate([np.asarray(sol.col_value), np.asarray(sol.row_value)])
    duals = np.concatenate([np.asarray(sol.col_dual), np.asarray(sol.row_dual)])
    lower = np.concatenate([np.asarray(lp.col_lower_), np.asarray(lp.row_lower_)])
    upper = np.concatenate([np.asarray(lp.col_upper_), np.asarray(lp.row_upper_)])
    free = np.isinf(lower) & np.isinf(upper) & (lower < 0) & (upper > 0)
    with np.errstate(invalid="ignore"):
        nearer = np.where(values < 0.5 * (lower + upper), lower, upper)
    bound = np.where(free, 1.0, nearer)
    used = duals != 0  # an infinite bound with a zero dual adds nothing
    return float(lp.offset_) + float(np.dot(bound[used], duals[used]))


def map_status(status: highspy.HighsModelStatus, has_solution: bool) -> str:
    S = highspy.HighsModelStatus
    if status == S.kOptimal:
        return OPTIMAL
    if status == S.kInfeasible:
        return INFEASIBLE
    if status in (S.kUnbounded, S.kUnboundedOrInfeasible):
        return UNBOUNDED
    limits = (
        S.kTimeLimit,
        S.kIterationLimit,
        S.kSolutionLimit,
        S.kInterrupt,
        getattr(S, "kHighsInterrupt", S.kInterrupt),
        S.kObjectiveBound,
        S.kObjectiveTarget,
        S.kMemoryLimit,
    )
    if status in limits:
        return FEASIBLE if has_solution else NO_SOLUTION
    return ERROR
