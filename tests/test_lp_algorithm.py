"""The LP algorithm chosen by size (benchmarks/lp_algorithms.py measured it): interior point with crossover
for large cold LPs, dual simplex otherwise; the user's raw HiGHS option wins."""

from __future__ import annotations

import pytest

from conftest import base_dict, make
from critmin import CritminError, solve
from critmin.backend.highs import AUTO_IPM_COLUMNS, SolveOptions, choose_lp_algorithm, new_highs


def _chosen(options: SolveOptions, columns: int, mip: bool) -> tuple[str, str]:
    h = new_highs()
    algo = choose_lp_algorithm(h, options, columns, mip)
    return algo, str(h.getOptionValue("solver")[1])


def test_auto_picks_interior_point_for_large_lps_only():
    assert _chosen(SolveOptions(), AUTO_IPM_COLUMNS, False) == ("ipm", "ipm")
    assert _chosen(SolveOptions(), AUTO_IPM_COLUMNS - 1, False)[0] == "simplex"
    assert _chosen(SolveOptions(), 10 * AUTO_IPM_COLUMNS, True)[0] == "simplex"  # a MIP: branch and bound
    assert _chosen(SolveOptions(lp_algorithm="ipm"), 10, False) == ("ipm", "ipm")
    assert (
        _chosen(SolveOptions(highs_options={"solver": "simplex"}), 10 * AUTO_IPM_COLUMNS, False)[0]
        == "simplex"
    )
    with pytest.raises(CritminError, match="unknown lp_algorithm"):
        _chosen(SolveOptions(lp_algorithm="barrier"), 10, False)


def test_interior_point_and_simplex_give_the_same_plan():
    inst = make(base_dict())
    a = solve(inst, options=SolveOptions(lp_algorithm="simplex"))
    b = solve(inst, options=SolveOptions(lp_algorithm="ipm"))
    assert a.objective == pytest.approx(100 * 15) and b.objective == pytest.approx(a.objective, rel=1e-9)
