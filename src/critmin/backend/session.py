"""A model loaded in HiGHS once, changed and re-solved: the one place where critmin drives the solver.

Every solve goes through a `Session`: a single solve (`solve_arrays`), the frontier's points (a row bound or
the objective changes between them), the sweep engine's jobs (column bounds, cost weights and row bounds
change per job), and diagnose (the LP with integer builds fixed for duals, an irreducible infeasible subset).
So status, gap, integer rounding and duals are read in one place (`run_loaded`), every change handed to
HiGHS has its status checked, and bad numbers (NaN, an infinite lower bound) are refused with the column's
name before HiGHS can silently ignore them.

The objective's constant (fixed O&M of existing capacity, the offtakes' premiums) is kept out of the model
HiGHS sees and added back to the result: HiGHS measures its relative MIP gap against the objective it
solves, and a large constant would make "optimal within 0.01%" mean nothing about the part the decisions
can change.
"""

from __future__ import annotations

import time
from dataclasses import replace
from typing import Any

import highspy
import numpy as np

from ..errors import CritminError
from ..model.builder import ModelArrays, label
from .highs import (
    SolveOptions,
    arrays_lp,
    choose_lp_algorithm,
    configured_highs,
    run_loaded,
)
from .result import ModelResult
from .rounding import answered_by_rounding, solve_mip

INF = float("inf")


def _checked(status: Any, what: str) -> None:
    """A HiGHS call's status: an error is ours to report, never to ignore."""
    if status == highspy.HighsStatus.kError:
        raise CritminError(f"HiGHS refused {what}")


class Session:
    """One model loaded in HiGHS: `update` it to another version of the same matrix (new column bounds,
    cost weights or row bounds), `solve` it, and read the neutral result.

    `relax_integers` loads the LP relaxation; `warm` solves start from the previous basis (a frontier's
    points), otherwise the solver's state is cleared first so an answer never depends on what ran before."""

    def __init__(self, arrays: ModelArrays, options: SolveOptions, *, relax_integers: bool = False) -> None:
        t0 = time.perf_counter()
        _check_numbers(arrays)
        self.options = options
        self.relaxed = relax_integers
        self.arrays = arrays
        self.lp = arrays_lp(arrays, constant=False)
        if relax_integers:
            self.lp.integrality_ = []
        self.h = configured_highs(options)
        is_mip = bool(arrays.integer.any()) and not relax_integers
        choose_lp_algorithm(self.h, options, len(arrays.col_lower), is_mip)
        _checked(self.h.passModel(self.lp), "the model")
        self._c = arrays.c
        self._search_counts: dict[str, int] | None = None  # the last solve's, when critmin's search answered
        self.handover = time.perf_counter() - t0

    @property
    def is_mip(self) -> bool:
        return bool(self.arrays.integer.any()) and not self.relaxed

    # -- changes ---------------------------------------------------------------------------------------------
    def update(self, arrays: ModelArrays) -> None:
        """Load another version of the same model: only what differs (column bounds, costs, row bounds) is
        sent to HiGHS. The matrix and the row set must be the loaded ones."""
        if arrays.A is not self.arrays.A and arrays.A.shape != self.arrays.A.shape:
            raise CritminError("internal: a session can only be updated to the same matrix")
        _check_numbers(arrays)
        old = self.arrays
        lo_ch = _changed(old.col_lower, arrays.col_lower) | _changed(old.col_upper, arrays.col_upper)
        if lo_ch.any():
            idx = np.nonzero(lo_ch)[0].astype(np.int32)
            _checked(
                self.h.changeColsBounds(len(idx), idx, arrays.col_lower[idx], arrays.col_upper[idx]),
                "column bounds",
            )
        c = arrays.c
        c_ch = _changed(self._c, c)
        if c_ch.any():
            idx = np.nonzero(c_ch)[0].astype(np.int32)
            _checked(self.h.changeColsCost(len(idx), idx, c[idx]), "objective coefficients")
        r_ch = _changed(old.row_lower, arrays.row_lower) | _changed(old.row_upper, arrays.row_upper)
        if r_ch.any():
            idx = np.nonzero(r_ch)[0].astype(np.int32)
            _checked(
                self.h.changeRowsBounds(len(idx), idx, arrays.row_lower[idx], arrays.row_upper[idx]),  # type: ignore[attr-defined]
                "row bounds",
            )
        self.arrays, self._c = arrays, c

    def set_objective(self, c: np.ndarray) -> None:
        """Minimise another linear objective over the same constraints (e.g. risk alone); `restore_objective`
        returns to the model's own."""
        idx = np.arange(len(c), dtype=np.int32)
        _checked(self.h.changeColsCost(len(c), idx, np.asarray(c, dtype=float)), "objective coefficients")
        self._c = np.asarray(c, dtype=float)

    def restore_objective(self) -> None:
        self.set_objective(self.arrays.c)

    def set_row_bounds(self, family: str, lower: np.ndarray | float, upper: np.ndarray | float) -> None:
        """New bounds for every row of a family (e.g. the frontier's risk cap)."""
        block = self.arrays.row_block(family)
        lo, up = self.arrays.row_lower.copy(), self.arrays.row_upper.copy()
        lo[block.start : block.stop] = lower
        up[block.start : block.stop] = upper
        self.update(replace(self.arrays, row_lower=lo, row_upper=up, cache={}))

    # -- solving ---------------------------------------------------------------------------------------------
    def solve(self, *, warm: bool = False) -> ModelResult:
        """Solve the loaded model and map the outcome: status, objective and bound with the constant added
        back, the gap on the part the decisions change, integers rounded, row duals of an LP."""
        if not warm:
            self.h.clearSolver()
        if self.is_mip and not warm:
            result = solve_mip(self.h, self.lp, self.arrays, self.options, self.handover)
        else:
            result = run_loaded(self.h, self.lp, self.arrays, self.options, self.handover)
        self._search_counts = dict(result.counts) if answered_by_rounding(result) else None
        self.handover = 0.0
        offset = self.arrays.offset
        if result.objective is not None:
            result.objective += offset
        if result.bound is not None:
            result.bound += offset
        if result.x is not None:
            if self.is_mip:
                result.x = np.where(self.arrays.integer, np.round(result.x), result.x)
            if not np.all(np.isfinite(result.x)):
                raise CritminError("internal: HiGHS returned a non-finite value in an optimal solution")
        return result

    def counts(self) -> dict[str, int]:
        """Work done by the last solve: simplex iterations and MIP nodes (benchmarks compare these, not wall
        time)."""
        if self._search_counts is not None:
            return {"simplex_iterations": self._search_counts["simplex_iterations"], "mip_nodes": 0}
        info = self.h.getInfo()
        return {
            "simplex_iterations": int(info.simplex_iteration_count),
            "mip_nodes": int(max(info.mip_node_count, 0)),
        }

    def objective_value(self) -> float:
        """The value of the objective HiGHS last minimised (without any constant)."""
        return float(self.h.getInfo().objective_function_value)

    def irreducible_infeasible_subset(self) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
        """HiGHS's IIS of the loaded LP: (row, bound kind) and (column, bound kind) pairs, or empty lists."""
        self.h.setOptionValue("iis_strategy", 4)  # a true (irreducible) subset
        status, iis = self.h.getIis()
        if status == highspy.HighsStatus.kError or not iis.valid_:
            return [], []
        rows = [(int(r), int(b)) for r, b in zip(iis.row_index_, iis.row_bound_, strict=True)]
        cols = [(int(c), int(b)) for c, b in zip(iis.col_index_, iis.col_bound_, strict=True)]
        return rows, cols


def solve_arrays(
    arrays: ModelArrays, options: SolveOptions, handover_start: float | None = None
) -> ModelResult:
    """Load the arrays into HiGHS and solve them once."""
    t0 = time.perf_counter() if handover_start is None else handover_start
    session = Session(arrays, options)
    session.handover = time.perf_counter() - t0
    return session.solve()


def fixed_integer_lp(result: ModelResult, options: SolveOptions) -> ModelResult:
    """The LP with every integer column fixed at its value in `result`: a MIP's shadow prices."""
    arrays = result.arrays
    assert result.x is not None
    lo, up = arrays.col_lower.copy(), arrays.col_upper.copy()
    ints = arrays.integer
    lo[ints] = up[ints] = np.round(result.x[ints])
    fixed = replace(arrays, col_lower=lo, col_upper=up, integer=np.zeros(len(lo), dtype=bool), cache={})
    out = Session(fixed, options).solve()
    out.arrays = arrays
    return out


def infeasible_subset(arrays: ModelArrays) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """The IIS of the LP relaxation of `arrays` (rows and columns with the bound kind that conflicts)."""
    return Session(arrays, SolveOptions(), relax_integers=True).irreducible_infeasible_subset()


def _changed(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Entries that differ (NaN never appears: _check_numbers refuses it)."""
    return np.asarray(a != b)


def _check_numbers(arrays: ModelArrays) -> None:
    """Refuse NaN anywhere, and a lower bound of +inf or an upper bound of -inf, naming the column or row:
    HiGHS would refuse them and carry on with the old values."""
    for what, lo, up, locate in (
        ("column", arrays.col_lower, arrays.col_upper, arrays.locate_col),
        ("row", arrays.row_lower, arrays.row_upper, arrays.locate_row),
    ):
        bad = np.isnan(lo) | np.isnan(up) | (lo == INF) | (up == -INF)
        if bad.any():
            j = int(np.nonzero(bad)[0][0])
            fam, key = locate(j)
            raise CritminError(
                f"{what} {label(fam, key)} would get bounds [{lo[j]:g}, {up[j]:g}]: not a number or infinite "
                "the wrong way (a NaN or infinite input upstream)"
            )
    c = arrays.c
    if not np.all(np.isfinite(c)):
        j = int(np.nonzero(~np.isfinite(c))[0][0])
        fam, key = arrays.locate_col(j)
        raise CritminError(f"the objective coefficient of {label(fam, key)} is {c[j]:g}, not a finite number")
