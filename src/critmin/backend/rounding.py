"""critmin's search on LP relaxations: every MIP's first solver, HiGHS's MIP search its fallback.

Solve the LP relaxation (dual simplex); round every integer column to its nearest integer and re-solve the
LP with them fixed: a plan, feasible whenever that LP is (critmin's models serve any shortfall as unmet
demand at its value, so almost always). Then a best-first branch and bound on LP relaxations, each warm from
the last basis: the open node with the least bound is split on its most fractional integer column
(x_j <= floor, x_j >= ceil: every integer plan lies in one side); a node whose relaxation is integral is a
plan. The plan is kept once it is within the gap of the proven bound (the least over open nodes, nodes
closed by bound, and the plan). If `MAX_NODES` LPs prove nothing, HiGHS's MIP search runs as before (only
the search's time is lost); a HiGHS `mip_*` option or `rounding=False` (`--no-rounding`) asks for HiGHS at
once.

Why: HiGHS 1.16 computes an analytic centre at the root of every MIP and waits for it whenever the root LP
has not closed the gap, then separates cuts (benchmarks/README.md): 7.5 of 11 s on controls-stochastic, most
of 49 s on controls-cvar in its path-aggregation separator. critmin's MIPs are near-tied LPs with a few
fractional module counts, so a handful of LPs prove them: controls-stochastic 9.3 -> 2.9 CPU s (13 LPs),
controls-cvar 48.8 -> 2.9 s, every allied-frameworks deal combination 1.2-5 -> 0.6-0.9 s, at HiGHS's own
objectives within the gaps (benchmarks/rounding.py; CBC agrees in the long trust tests).
"""

from __future__ import annotations

import heapq
import math
import time

import highspy
import numpy as np

from ..model.builder import ModelArrays
from .highs import (
    PROVEN_GAP,
    SolveOptions,
    configured_highs,
    model_counts,
    run_interruptibly,
    run_loaded,
    set_time_left,
)
from .result import FEASIBLE, OPTIMAL, ModelResult

# What a result answered by the rounding says (HiGHS's own would say "Optimal")
ROUNDED = "Optimal: proven within the gap by critmin's search on LP relaxations (rounding, branch and bound)"
# LPs the branch and bound may solve before handing the MIP to HiGHS (each warm from the last basis,
# 0.05-0.5 s on the bundled instances): controls-stochastic and controls-cvar at 1e-4 need 13 (the rounded
# plan included), allied-frameworks deal combinations at most 7 (benchmarks/rounding.py).
MAX_NODES = 40
# LPs after which the search checks its progress (_Search.hopeless)
TREND_AFTER = 8
# Dual simplex pricing (HiGHS's simplex_dual_edge_weight_strategy: 1 Devex, 2 steepest edge) of the cold
# relaxation and of the warm nodes after it (_Relaxation says why)
PRICING = {"relaxation": 1, "nodes": 2}
_EDGE_WEIGHTS = "simplex_dual_edge_weight_strategy"
_FRACTIONAL = 1e-6  # an integer column further than this from an integer is fractional


def relative_gap(objective: float, bound: float) -> float:
    """HiGHS's definition: (primal - dual) / |primal| (0 when both are 0)."""
    diff = max(objective - bound, 0.0)
    return diff / abs(objective) if objective != 0 else (0.0 if diff == 0 else math.inf)


class _Relaxation:
    """The model's LP relaxation loaded once in its own HiGHS, solved by dual simplex (interior point took
    18 s instead of 1.6 s on controls-stochastic's relaxation), each solve warm from the last basis.

    The relaxation is priced by Devex and the nodes by steepest edge (`PRICING`): Devex halves controls-cvar's
    relaxation (3.1 -> 1.6 s) and is a little faster on every other bundled MIP; on the warm nodes steepest
    edge takes fewer iterations (Devex there: 4,853 vs 985 on cvar). Measured in benchmarks/rounding.py."""

    def __init__(self, lp: highspy.HighsLp, options: SolveOptions, deadline: float | None) -> None:
        self.h = configured_highs(options)
        self.h.setOptionValue("solver", "simplex")
        self.priced = _EDGE_WEIGHTS not in options.highs_options  # a user's --highs-option wins
        if self.priced:
            self.h.setOptionValue(_EDGE_WEIGHTS, PRICING["relaxation"])
        self.deadline = deadline
        self.lower = np.asarray(lp.col_lower_, dtype=float)
        self.upper = np.asarray(lp.col_upper_, dtype=float)
        lp.integrality_ = []  # the caller's copy of the loaded model
        self.h.passModel(lp)
        self.iterations = 0

    def solve(self, lower: np.ndarray, upper: np.ndarray, cols: np.ndarray) -> tuple[str, float, np.ndarray]:
        """('optimal', objective, x), ('infeasible', inf, empty) or ('stopped', nan, empty) with column
        cols[i] between lower[i] and upper[i] (every other column at its model bounds)."""
        idx = cols.astype(np.int32)
        self.h.changeColsBounds(len(idx), idx, np.asarray(lower, dtype=float), np.asarray(upper, dtype=float))
        if self.deadline is not None:
            left = self.deadline - time.perf_counter()
            if left <= 0:
                return "stopped", math.nan, np.empty(0)
            set_time_left(self.h, left)
        run_interruptibly(self.h)
        if self.priced:  # from the first solve on: warm nodes
            self.h.setOptionValue(_EDGE_WEIGHTS, PRICING["nodes"])
        self.iterations += int(self.h.getInfo().simplex_iteration_count)
        status = self.h.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            x = np.asarray(self.h.getSolution().col_value, dtype=float)
            return "optimal", float(self.h.getInfo().objective_function_value), x
        if status == highspy.HighsModelStatus.kInfeasible:
            return "infeasible", math.inf, np.empty(0)
        return "stopped", math.nan, np.empty(0)


def solve_by_rounding(
    lp: highspy.HighsLp, arrays: ModelArrays, options: SolveOptions, handover: float
) -> ModelResult | None:
    """The MIP `lp` (a copy of the loaded model, constant left out; its integrality is cleared here) solved
    from its rounded relaxation and a short branch and bound on LP relaxations, with the bound that proves
    it within `options.mip_gap`; None when `MAX_NODES` LPs prove nothing (or the relaxation is not optimal:
    HiGHS's MIP solver then says what is wrong). If the time limit stops the search after it has a plan, that
    plan comes back 'feasible' with the bound proven so far (HiGHS would get no time left)."""
    t0 = time.perf_counter()
    deadline = None if options.time_limit is None else t0 + options.time_limit
    kinds = lp.integrality_ or []
    ints = np.array([j for j, t in enumerate(kinds) if t == highspy.HighsVarType.kInteger], dtype=np.int64)
    rel = _Relaxation(lp, options, deadline)
    lowest, highest = np.ceil(rel.lower[ints] - 1e-9), np.floor(rel.upper[ints] + 1e-9)
    if np.any(lowest > highest):  # an integer column with no integer in its bounds: HiGHS says so
        return None
    status, root_bound, root = rel.solve(lowest, highest, ints)
    if status != "optimal":
        return None
    search = _Search(rel, ints, options.mip_gap)
    rounded = np.clip(np.round(root[ints]), lowest, highest)
    if search.solve_node(rounded, rounded) == "stopped":  # the rounded plan: every integer column fixed
        return None
    search.push(root_bound, lowest, highest, root)
    proven = search.run()
    if not proven and not (search.timed_out and search.best is not None):
        return None  # HiGHS's MIP search takes over
    assert search.best is not None
    objective, plan = search.best
    bound = search.bound()
    plan = plan.copy()
    plan[ints] = np.round(plan[ints])
    gap = relative_gap(objective, bound)
    result = ModelResult(
        arrays,
        OPTIMAL if gap <= PROVEN_GAP + 1e-12 else FEASIBLE,
        ROUNDED,
        objective=objective,
        bound=bound,
        gap=gap,
        x=plan,
        timings={"handover": handover, "solve": time.perf_counter() - t0},
        counts=model_counts(lp, arrays, len(ints)),
    )
    if not proven:  # the time limit came first: the best plan found, with the bound proven so far
        result.status = FEASIBLE
        result.message = (
            f"time limit reached in critmin's search at relative gap {gap:.3g} "
            f"(mip_gap {options.mip_gap:g}): the best plan found, not proven optimal"
        )
    elif result.status == FEASIBLE:
        result.message = (
            f"stopped at relative gap {gap:.3g} (mip_gap {options.mip_gap:g}): not proven optimal"
        )
    result.counts["simplex_iterations"] = rel.iterations
    result.counts["nodes"] = search.nodes
    return result


class _Search:
    """Best-first branch and bound on the relaxation: the open node with the least bound is split on its most
    fractional integer column (x_j <= floor, x_j >= ceil: every integer plan lies in one side). The proven
    bound is the least over open nodes, nodes closed because they cannot beat the plan by more than the gap,
    and the plan itself; infeasible nodes bound nothing. Nodes hold only the integer columns' bounds."""

    def __init__(self, rel: _Relaxation, ints: np.ndarray, mip_gap: float) -> None:
        self.rel, self.ints, self.mip_gap = rel, ints, mip_gap
        self.best: tuple[float, np.ndarray] | None = None
        self.open: list[tuple[float, int, np.ndarray, np.ndarray, np.ndarray]] = []
        self.closed = math.inf  # least bound of the nodes closed by bound
        self.nodes = 0
        self.timed_out = False  # stopped by the time limit (not by MAX_NODES)
        self._order = 0

    def bound(self) -> float:
        best = self.best[0] if self.best is not None else math.inf
        return min([n[0] for n in self.open] + [self.closed, best])

    def gap(self) -> float:
        return math.inf if self.best is None else relative_gap(self.best[0], self.bound())

    def hopeless(self, nodes_then: int, gap_then: float) -> bool:
        """Whether, from TREND_AFTER LPs on, the gap closed so far per LP (since the search began) would need
        more LPs than MAX_NODES leaves to reach the target: HiGHS is handed the MIP now, not 40 LPs later.
        Generated medium size: the gap went 1.46e-3 -> 1.33e-3 in 7 LPs (57 more needed); the bundled MIPs
        are proven in at most 13."""
        done = self.nodes - nodes_then
        if self.nodes < TREND_AFTER or done <= 0 or not math.isfinite(gap_then):
            return False
        rate = (gap_then - self.gap()) / done
        return rate <= 0 or (self.gap() - self.mip_gap) / rate > MAX_NODES - self.nodes

    def proven(self) -> bool:
        return self.gap() <= self.mip_gap

    def push(self, bound: float, lo: np.ndarray, up: np.ndarray, x: np.ndarray) -> None:
        """A node solved to `x`: a plan if integral, else open."""
        if _integral(x, self.ints):
            if self.best is None or bound < self.best[0]:
                self.best = (bound, x)
            return
        heapq.heappush(self.open, (bound, self._order, lo, up, x[self.ints]))
        self._order += 1  # ties broken by creation order: deterministic

    def solve_node(self, lo: np.ndarray, up: np.ndarray) -> str:
        """Solve the relaxation with the integer columns in [lo, up]; 'stopped' on the time limit."""
        status, obj, x = self.rel.solve(lo, up, self.ints)
        self.nodes += 1
        if status == "optimal":
            self.push(obj, lo, up, x)
        return status

    def run(self) -> bool:
        """Split nodes until the plan is proven within the gap (True), or MAX_NODES LPs are spent or the
        gap's progress says they would be (False: `hopeless`)."""
        start = (self.nodes, self.gap())
        while self.open and not self.proven():
            if self.hopeless(*start):
                return False
            bound, _, lo, up, xi = heapq.heappop(self.open)
            if self.best is not None and relative_gap(self.best[0], bound) <= self.mip_gap:
                self.closed = min(self.closed, bound)
                continue
            k = int(np.argmax(np.abs(xi - np.round(xi))))  # the most fractional (first of equals)
            for side_lo, side_up in ((lo[k], math.floor(xi[k])), (math.ceil(xi[k]), up[k])):
                if side_lo > side_up:  # no integer on this side
                    continue
                if self.nodes >= MAX_NODES:
                    return False
                child_lo, child_up = lo.copy(), up.copy()
                child_lo[k], child_up[k] = side_lo, side_up
                if self.solve_node(child_lo, child_up) == "stopped":
                    # the time limit: the node's unexplored side is bounded by the node's own bound
                    self.closed, self.timed_out = min(self.closed, bound), True
                    return False
        return self.proven()


def solve_mip(
    h: highspy.Highs, lp: highspy.HighsLp, arrays: ModelArrays, options: SolveOptions, handover: float
) -> ModelResult:
    """A MIP loaded in `h` (from `lp`): its rounded relaxation first when `options.rounding`, HiGHS's MIP
    search when that proves nothing (within what is left of the time limit) or at once otherwise. Both
    engines (the matrix session and the Pyomo model) solve a MIP through here; x is in `lp`'s column order."""
    spent = 0.0
    if searches_first(options):
        t0 = time.perf_counter()
        result = solve_by_rounding(h.getLp(), arrays, options, handover)
        if result is not None:
            return result
        spent = time.perf_counter() - t0
    left = None if options.time_limit is None else options.time_limit - spent
    return run_loaded(h, lp, arrays, options, handover, time_left=left)


def searches_first(options: SolveOptions) -> bool:
    """Whether a MIP tries critmin's search first: on unless switched off, or unless the user set one of
    HiGHS's MIP options (`mip_*`, e.g. a solution limit): those ask for HiGHS's own MIP search."""
    return options.rounding and not any(key.startswith("mip_") for key in options.highs_options)


def answered_by_rounding(result: ModelResult) -> bool:
    return "nodes" in result.counts  # set only by solve_by_rounding


def _integral(x: np.ndarray, ints: np.ndarray) -> bool:
    """Whether every integer column is within _FRACTIONAL of an integer."""
    return bool(np.all(np.abs(x[ints] - np.round(x[ints])) <= _FRACTIONAL))
